/**
 * `bm25`: the CLI's offline reranker, registered by the `mem0-ts` command so that the demo, `compare`
 * and `eval` run with nothing but @mem0/core installed and no model files: Okapi BM25 over the
 * candidate pool. It is a keyword scorer, not a semantic model. `max_query_words` makes it refuse
 * long queries, as hosted rerankers refuse oversized requests; the demo uses it to show the fallback.
 */
import { defineReranker, fields, lexicalTokens, ProviderError, providerConfigSchema } from "@mem0/core";

const K1 = 1.2;
const B = 0.75;

export function bm25Scores(query: string, documents: readonly string[]): number[] {
  const docs = documents.map(lexicalTokens);
  const avgLen = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, docs.length);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const terms = [...new Set(lexicalTokens(query))];
  return docs.map((doc) => {
    let score = 0;
    for (const term of terms) {
      const tf = doc.filter((x) => x === term).length;
      if (tf === 0) continue;
      const docsWithTerm = df.get(term) ?? 0;
      const idf = Math.log(1 + (docs.length - docsWithTerm + 0.5) / (docsWithTerm + 0.5));
      score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / (avgLen || 1)));
    }
    return score;
  });
}

export const bm25Reranker = defineReranker({
  provider: "bm25",
  configSchema: providerConfigSchema({
    top_k: fields.positiveInt().optional(),
    max_query_words: fields.positiveInt().optional(),
  }),
  create: (config) => ({
    provider: "bm25",
    model: "okapi-bm25",
    topK: config.top_k,
    async rerank(query: string, documents: readonly string[], options?: { top_k?: number }) {
      const words = query.trim().split(/\s+/).length;
      if (config.max_query_words !== undefined && words > config.max_query_words) {
        throw new ProviderError(
          "bm25",
          `query has ${words} words, more than max_query_words=${config.max_query_words}`,
          { status: 400 },
        );
      }
      return bm25Scores(query, documents)
        .map((score, index) => ({ index, score }))
        .sort((a, b) => b.score - a.score || a.index - b.index)
        .slice(0, options?.top_k ?? documents.length);
    },
  }),
});
