import {
  defineReranker,
  Memory,
  providerConfigSchema,
  registerProvider,
  type MemoryConfigInput,
  type RerankItem,
} from "@mem0/core";
import { z } from "zod";

/** What the test reranker should do on its next calls. */
export const behaviour: {
  calls: { query: string; documents: readonly string[]; top_k?: number; signal?: AbortSignal }[];
  mode: "ok" | "throw" | "hang" | "wrong-count" | "bad-index" | "nan" | "duplicate" | "all-unsorted";
  delayMs: number;
} = { calls: [], mode: "ok", delayMs: 0 };

export function resetBehaviour() {
  behaviour.calls = [];
  behaviour.mode = "ok";
  behaviour.delayMs = 0;
}

/** Scores a document by how many query words it contains, ties broken towards later documents. */
export function overlapScore(query: string, doc: string): number {
  const q = new Set(query.toLowerCase().split(/\W+/).filter(Boolean));
  return doc
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => q.has(w)).length;
}

/**
 * A reranker plugin written against the public contract, whose answers the tests can script:
 * the pipeline under test must treat it like any provider.
 */
const scriptedReranker = defineReranker({
  provider: "scripted",
  configSchema: providerConfigSchema({
    top_k: z.number().int().positive().optional(),
    max_docs: z.number().int().positive().optional(),
    api_key: z.string().optional(),
    hosted: z.boolean().optional(),
  }),
  create: (config) => ({
    provider: "scripted",
    model: "overlap-v1",
    topK: config.top_k,
    maxDocumentsPerCall: config.max_docs,
    hosted: config.hosted,
    async rerank(
      query: string,
      documents: readonly string[],
      options?: { top_k?: number; signal?: AbortSignal; meta?: Record<string, unknown> },
    ): Promise<RerankItem[]> {
      behaviour.calls.push({ query, documents, top_k: options?.top_k, signal: options?.signal });
      if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      if (behaviour.mode === "hang") await new Promise(() => undefined);
      if (behaviour.mode === "throw") throw new Error("provider exploded");
      if (options?.meta) options.meta.billed_units = ((options.meta.billed_units as number | undefined) ?? 0) + 1;
      const scored = documents.map((d, i) => ({
        index: i,
        score: overlapScore(query, d) + i / (10 * documents.length),
      }));
      // Scores for every document, ignoring top_k, worst first: what many cross-encoders return.
      if (behaviour.mode === "all-unsorted") return scored.sort((a, b) => a.score - b.score);
      scored.sort((a, b) => b.score - a.score);
      const out = scored.slice(0, options?.top_k ?? documents.length);
      if (behaviour.mode === "wrong-count") return out.slice(1);
      if (behaviour.mode === "bad-index") return out.map((r, i) => (i === 0 ? { ...r, index: documents.length } : r));
      if (behaviour.mode === "nan") return out.map((r, i) => (i === 0 ? { ...r, score: Number.NaN } : r));
      if (behaviour.mode === "duplicate") return out.map((r, i) => (i === 1 ? { ...r, index: out[0]!.index } : r));
      return out;
    },
  }),
});
registerProvider(scriptedReranker);

export function memoryWith(extra: MemoryConfigInput = {}) {
  return Memory.fromConfig({ vector_store: { provider: "memory" }, ...extra });
}

export const FOOD = [
  "Loves sushi and ramen",
  "Allergic to peanuts",
  "Prefers vegetarian restaurants with good reviews",
  "Watched Dune and loved the space scenes",
  "Enjoys spicy ramen on cold days",
  "Dislikes horror movies",
  "Favourite book is Project Hail Mary, space exploration",
  "Vegetarian options matter when dining out",
];
