/**
 * `cohere`: Cohere's hosted reranker, `POST /v2/rerank`. Config keys follow Mem0's (`model`,
 * `api_key`, `top_k`, `return_documents`) plus `max_tokens_per_doc`, `base_url`, `timeout_ms`,
 * `max_retries`.
 *
 * The call is provider-utils' hosted call (fetch, one retry loop, shared error classification), not
 * the `cohere-ai` SDK: cohere-ai 8.1 leaves its request timer running when a request is aborted,
 * which kept a process alive ~30 s after a search that timed out, and its retry loop honours
 * Retry-After up to 60 s. The wire format is one JSON POST, checked by the zod schema below.
 *
 * Pools over 1,000 documents (Cohere's advice per call) are split by the pipeline via
 * `maxDocumentsPerCall` and merged by score; Cohere's relevance scores are absolute per
 * (query, document), so merged rankings are exact.
 */
import { defineReranker, fields, providerConfigSchema } from "@mem0/core";
import type { Reranker, RerankItem, RerankOptions } from "@mem0/core";
import * as hosted from "@mem0/provider-utils";
import { z } from "zod";

export const PROVIDER = "cohere";
/** Mem0's default Cohere model. */
export const DEFAULT_MODEL = "rerank-english-v3.0";
export const DEFAULT_BASE_URL = "https://api.cohere.com";
/** Cohere recommends at most 1,000 documents per request. */
export const MAX_DOCUMENTS_PER_CALL = 1000;
/** Cohere's throttling and quota headers, besides the generic rate-limit ones. */
const COHERE_HEADERS = /^(x-)?ratelimit|^retry-after|^x-(trial-)?endpoint-|^x-api-warning/i;

export const configSchema = providerConfigSchema({
  model: fields.nonEmptyString().optional(),
  top_k: fields.positiveInt().optional(),
  /**
   * Accepted for Mem0 compatibility. The v2 API has no such option, and search results always
   * carry the memory text, so nothing is requested from Cohere for it.
   */
  return_documents: z.boolean({ error: "expected a boolean" }).optional(),
  max_tokens_per_doc: fields.positiveInt().optional(),
  /** Mem0's key for Cohere's v1 API (chunks per long document); v2 has none, see ignoredKeys. */
  max_chunks_per_doc: fields.positiveInt().optional(),
  ...hosted.hostedConfigShape(),
});
export type CohereRerankerConfig = z.output<typeof configSchema>;

/** Cohere's v2 rerank answer, as far as we read it; ranges and counts are checked by core's validateRanking. */
const rerankResponse = z.object({
  results: z.array(z.object({ index: z.number(), relevance_score: z.number() })),
  meta: z
    .object({
      api_version: z.object({ version: z.string().optional() }).optional(),
      billed_units: z.record(z.string(), z.unknown()).optional(),
      warnings: z.array(z.string()).optional(),
    })
    .optional(),
});

export class CohereReranker implements Reranker {
  readonly provider = PROVIDER;
  readonly hosted = true;
  readonly model: string;
  readonly topK: number | undefined;
  readonly maxDocumentsPerCall = MAX_DOCUMENTS_PER_CALL;
  readonly #apiKey: hosted.Secret;
  readonly #url: string;
  readonly #policy: Partial<hosted.RetryPolicy>;
  readonly #maxTokensPerDoc: number | undefined;

  constructor(config: Omit<CohereRerankerConfig, "api_key">, apiKey: hosted.Secret) {
    this.model = config.model ?? DEFAULT_MODEL;
    this.topK = config.top_k;
    this.#apiKey = apiKey;
    this.#url = hosted.joinUrl(config.base_url ?? DEFAULT_BASE_URL, "v2/rerank");
    this.#policy = hosted.retryPolicyFrom(config);
    this.#maxTokensPerDoc = config.max_tokens_per_doc;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    if (options.signal?.aborted) throw options.signal.reason;
    if (documents.length === 0) return [];
    const topN = Math.min(options.top_k ?? documents.length, documents.length);
    const meta = options.meta;
    const { data } = await hosted.postJsonWithRetries({
      provider: PROVIDER,
      url: this.#url,
      body: {
        model: this.model,
        query,
        documents,
        top_n: topN,
        ...(this.#maxTokensPerDoc ? { max_tokens_per_doc: this.#maxTokensPerDoc } : {}),
      },
      apiKey: this.#apiKey,
      response: rerankResponse,
      policy: this.#policy,
      signal: options.signal,
      meta,
      metaHeaders: COHERE_HEADERS,
    });
    if (meta) {
      hosted.addCounts(meta, "billed_units", data.meta?.billed_units);
      hosted.addUnique(meta, "warnings", data.meta?.warnings, [this.#apiKey]);
      if (data.meta?.api_version?.version) meta.api_version = data.meta.api_version.version;
    }
    return hosted.validateHostedRanking(PROVIDER, data.results, { documents, expected: topN, secrets: [this.#apiKey] });
  }
}

export const plugin = defineReranker({
  provider: PROVIDER,
  configSchema,
  ignoredKeys: {
    max_chunks_per_doc:
      "Cohere's v2 rerank API (the one used here) has no chunking; " +
      "a long document is truncated to max_tokens_per_doc (default 4096 tokens) instead",
  },
  create: ({ api_key, ...config }, ctx) =>
    new CohereReranker(config, hosted.contextApiKey(ctx, "reranker", api_key, ["COHERE_API_KEY", "CO_API_KEY"])),
});

// Types `provider: "cohere"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface RerankerConfigs {
      cohere: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
