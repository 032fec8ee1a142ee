/**
 * The search pipeline, in one place: validate → embed → vector search (scope AND filters) →
 * rerank a candidate pool → reorder and cut to `limit`, falling back to vector order whenever the
 * reranker fails or overruns its budget.
 */
import { z } from "zod";
import { fields } from "./config.js";
import { errorMessage, Mem0Error, RerankError, RerankTimeoutError, ValidationError } from "./errors.js";
import type { Filters } from "./filters.js";
import { parseOptions, resultCount, scopedReadFilter, scopeShape } from "./options.js";
import { type RerankInfo, type SearchResponse, type SearchResult, toMemoryItem } from "./records.js";
import { HOSTED_RERANK_TIMEOUT_MS, runReranker } from "./rerank-runner.js";
import { otelApi, recordSearch, recordSearchError, type OtelApi } from "./telemetry.js";
import type { Embedder, Reranker, Scope, ScoredMemory, VectorStore } from "./types.js";

export interface SearchOptions extends Scope {
  filters?: Filters;
  /** How many results to return (default 10). */
  limit?: number;
  /** mem0ai's name for `limit` (also spelled `topK`). */
  top_k?: number;
  /** Drop candidates whose vector similarity is below this. */
  threshold?: number;
  /** Force reranking on or off for this request; default: on when a reranker is configured. */
  rerank?: boolean;
  /**
   * The most the reranker may take, in ms, retries included; past it the vector order is returned.
   * Default: the config's `rerank_timeout_ms`, else 10 s for hosted rerankers, else none.
   */
  timeout_ms?: number;
  /** When false, a reranker failure throws `RerankError` instead of falling back. */
  rerank_fallback?: boolean;
  signal?: AbortSignal;
}

// The result types live in records.ts (telemetry needs them too); re-exported for existing importers.
export type { RerankInfo, SearchResponse, SearchResult } from "./records.js";

export interface SearchDeps {
  embedder: Embedder;
  store: VectorStore;
  reranker?: Reranker;
  defaults: { rerank_fallback: boolean; timeout_ms?: number };
  emit(event: "rerank:error", payload: { query: string; provider: string; error: Error }): void;
  emit(event: "search", payload: { query: string; response: SearchResponse }): void;
}

const searchOptionsSchema = z.strictObject({
  ...scopeShape,
  filters: z.unknown().optional(),
  limit: fields.resultCount().optional(),
  /** mem0ai's name for the result count (`topK`); must agree with `limit` when both are given. */
  top_k: fields.resultCount().optional(),
  // Mem0 2.x / mem0ai 3.x refuse a threshold outside [0, 1].
  threshold: fields.numberBetween(0, 1).optional(),
  rerank: z.boolean({ error: "expected a boolean" }).optional(),
  timeout_ms: z
    .number({ error: "expected a positive number" })
    .positive({ error: "expected a positive number" })
    .finite()
    .optional(),
  rerank_fallback: z.boolean({ error: "expected a boolean" }).optional(),
  signal: z.instanceof(AbortSignal, { error: "expected an AbortSignal" }).optional(),
});

/** Races `work` against `timeoutMs`, aborting `controller` when time is up. */
async function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number | undefined,
  outer?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer!.reason);
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
    if (timeoutMs !== undefined)
      timer = setTimeout(() => controller.abort(new RerankTimeoutError(timeoutMs)), timeoutMs);
  });
  aborted.catch(() => undefined);
  try {
    if (outer?.aborted) throw outer.reason;
    return await Promise.race([work(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
    if (!controller.signal.aborted) controller.abort(new Mem0Error("RERANK_DONE", "rerank finished"));
  }
}

/** The overall rerank budget: the search's, else the config's, else 10 s for a hosted reranker. */
export function rerankBudget(reranker: Reranker, configured: number | undefined): number | undefined {
  return configured ?? (reranker.hosted ? HOSTED_RERANK_TIMEOUT_MS : undefined);
}

interface RerankStageResult {
  results: SearchResult[];
  reranked: boolean;
  rerank: RerankInfo;
  rerank_ms: number;
}

/**
 * The rerank stage: runs the reranker over the candidates within the budget and reorders them, or
 * falls back to `vectorOrder` (or throws `RerankError` when fallback is off).
 */
async function rerankStage(
  deps: SearchDeps,
  reranker: Reranker,
  query: string,
  hits: readonly ScoredMemory[],
  limit: number,
  options: Pick<SearchOptions, "timeout_ms" | "rerank_fallback" | "signal">,
  vectorOrder: () => SearchResult[],
): Promise<RerankStageResult> {
  const started = performance.now();
  const meta: Record<string, unknown> = {};
  const info = { provider: reranker.provider, model: reranker.model, candidates: hits.length };
  const timeoutMs = rerankBudget(reranker, options.timeout_ms ?? deps.defaults.timeout_ms);
  let stage: RerankStageResult;
  try {
    const order = await withTimeout(
      (signal) =>
        runReranker(
          reranker,
          query,
          hits.map((h) => h.payload.memory),
          { top_k: limit, signal, meta },
        ),
      timeoutMs,
      options.signal,
    );
    const rerank_ms = since(started);
    const results = order.map(({ index, score }) => {
      const h = hits[index]!;
      return { ...toMemoryItem(h), score, vector_score: h.score, rerank_score: score };
    });
    stage = { results, reranked: true, rerank: { ...info, ms: rerank_ms }, rerank_ms };
  } catch (err) {
    const rerank_ms = since(started);
    if (options.signal?.aborted) throw options.signal.reason;
    const error = err instanceof Error ? err : new Error(errorMessage(err));
    if ((options.rerank_fallback ?? deps.defaults.rerank_fallback) === false)
      throw new RerankError(reranker.provider, error);
    deps.emit("rerank:error", { query, provider: reranker.provider, error });
    stage = {
      results: vectorOrder(),
      reranked: false,
      rerank: { ...info, ms: rerank_ms, error: error.message },
      rerank_ms,
    };
  }
  if (Object.keys(meta).length > 0) stage.rerank.meta = meta;
  return stage;
}

const since = (t: number) => Math.round((performance.now() - t) * 1000) / 1000;

export async function search(deps: SearchDeps, query: unknown, rawOptions?: SearchOptions): Promise<SearchResponse> {
  const otel = await otelApi();
  const t0 = performance.now();
  try {
    return await runSearch(deps, query, rawOptions, otel, t0);
  } catch (err) {
    recordSearchError(otel, t0, err);
    throw err;
  }
}

async function runSearch(
  deps: SearchDeps,
  query: unknown,
  rawOptions: SearchOptions | undefined,
  otel: OtelApi | undefined,
  t0: number,
): Promise<SearchResponse> {
  if (typeof query !== "string")
    throw new ValidationError("query", `expected a string, got ${query === null ? "null" : typeof query}`);
  if (query.trim().length === 0) throw new ValidationError("query", "must not be empty");
  const options = parseOptions(searchOptionsSchema, rawOptions, "search");
  const filter = scopedReadFilter(options, "search");
  const limit = resultCount(options, "search") ?? 10;
  const { reranker } = deps;
  const useReranker = options.rerank !== false && reranker !== undefined ? reranker : undefined;
  const pool = useReranker ? Math.max(limit, useReranker.topK ?? 3 * limit) : limit;

  const t1 = performance.now();
  const [vector] = await deps.embedder.embed([query], "search", { signal: options.signal });
  const embed_ms = since(t1);

  const t2 = performance.now();
  let hits: ScoredMemory[] = await deps.store.search({
    vector: vector!,
    limit: pool,
    filter,
  });
  if (options.threshold !== undefined) hits = hits.filter((h) => h.score >= options.threshold!);
  const search_ms = since(t2);

  const vectorOrder = (): SearchResult[] =>
    hits.slice(0, limit).map((h) => ({ ...toMemoryItem(h), score: h.score, vector_score: h.score }));

  let results: SearchResult[];
  let reranked = false;
  let rerank: RerankInfo | undefined;
  let rerank_ms = 0;
  if (!useReranker && options.rerank === true) {
    // Mem0 ignores rerank: true without a reranker; the query is answered in vector order and the
    // caller is told why, as for any reranker failure.
    const error = new Error("rerank: true but no reranker is configured");
    deps.emit("rerank:error", { query, provider: "none", error });
    results = vectorOrder();
    rerank = { provider: "none", candidates: 0, ms: 0, error: error.message };
  } else if (!useReranker) {
    results = vectorOrder();
  } else if (hits.length === 0) {
    results = [];
    rerank = { provider: useReranker.provider, model: useReranker.model, candidates: 0, ms: 0 };
  } else {
    ({ results, reranked, rerank, rerank_ms } = await rerankStage(
      deps,
      useReranker,
      query,
      hits,
      limit,
      options,
      vectorOrder,
    ));
  }

  const response: SearchResponse = {
    results,
    reranked,
    timings: { embed_ms, search_ms, rerank_ms, total_ms: since(t0) },
  };
  if (rerank) response.rerank = rerank;
  recordSearch(otel, deps, { limit }, response, { start: t0, embed: t1, vectorSearch: t2 });
  deps.emit("search", { query, response });
  return response;
}
