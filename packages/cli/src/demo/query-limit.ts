/**
 * `demo-query-limit`: wraps the demo's reranker (whichever it is) and refuses queries longer than
 * `max_query_words`, as hosted rerank APIs refuse oversized requests. The demo uses it to force a
 * reranker failure the same way for every reranker: a time budget cannot, since a small model
 * may well answer within any budget short enough to fail a large one.
 */
import {
  defineReranker,
  fields,
  ProviderError,
  providerBlockSchema,
  providerConfigSchema,
  type Reranker,
} from "@mem0/core";

export const queryLimitReranker = defineReranker({
  provider: "demo-query-limit",
  configSchema: providerConfigSchema({ reranker: providerBlockSchema, max_query_words: fields.positiveInt() }),
  async create(config, ctx): Promise<Reranker> {
    const inner = await ctx.load(
      "reranker",
      config.reranker as { provider: string; config?: Record<string, unknown> },
      "reranker.config.reranker",
    );
    const max = config.max_query_words;
    return {
      provider: inner.provider,
      ...(inner.model !== undefined ? { model: inner.model } : {}),
      ...(inner.topK !== undefined ? { topK: inner.topK } : {}),
      ...(inner.maxDocumentsPerCall !== undefined ? { maxDocumentsPerCall: inner.maxDocumentsPerCall } : {}),
      async rerank(query, documents, options) {
        const words = query.trim().split(/\s+/).length;
        if (words > max)
          throw new ProviderError(
            inner.provider,
            `query has ${words} words, more than the demo's max_query_words=${max}`,
            { status: 400 },
          );
        return inner.rerank(query, documents, options);
      },
      close: async () => inner.close?.(),
    };
  },
});
