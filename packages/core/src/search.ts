/**
 * The search pipeline, in one place: validate → embed → vector search (scope AND filters) →
 * rerank a candidate pool → reorder and cut to `limit`, falling back to vector order whenever the
 * reranker fails or overruns its budget.
 */
import pLimit from "p-limit";
import { z } from "zod";
import { snakeCaseKeys } from "./config.js";
import { errorMessage, Mem0Error, RerankError, RerankTimeoutError, ValidationError } from "./errors.js";
import { andFilters, parseFilters, type FilterNode, type Filters } from "./filters.js";
import { otelApi, recordSearch, recordSearchError, type OtelApi } from "./telemetry.js";
import { SCOPE_KEYS, type Embedder, type MemoryPayload, type Reranker, type RerankItem, type Scope, type ScoredMemory, type StoredMemory, type VectorStore } from "./types.js";

export interface SearchOptions extends Scope {
  filters?: Filters;
  /** How many results to return (default 10). */
  limit?: number;
  /** Drop candidates whose vector similarity is below this. */
  threshold?: number;
  /** Force reranking on or off for this request; default: on when a reranker is configured. */
  rerank?: boolean;
  /** The most the reranker may take, in ms; past it the vector order is returned. */
  timeout_ms?: number;
  /** When false, a reranker failure throws `RerankError` instead of falling back. */
  rerank_fallback?: boolean;
  signal?: AbortSignal;
}

export interface MemoryItem extends Scope {
  id: string;
  memory: string;
  hash: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface SearchResult extends MemoryItem {
  /** The reranker's score when the reranker ran, otherwise the vector similarity. */
  score: number;
  /** Cosine similarity from the vector search, always present. */
  vector_score: number;
  /** Present exactly when the reranker scored this result. */
  rerank_score?: number;
}

export interface RerankInfo {
  provider: string;
  model?: string;
  /** How many candidates were sent to the reranker. */
  candidates: number;
  ms: number;
  /** Why the reranked order was not used (the vector order was returned instead). */
  error?: string;
  /** What the provider reported: billed units, rate limits, retries, latency mode… */
  meta?: Record<string, unknown>;
}

export interface SearchResponse {
  results: SearchResult[];
  reranked: boolean;
  rerank?: RerankInfo;
  timings: { embed_ms: number; search_ms: number; rerank_ms: number; total_ms: number };
}

export interface SearchDeps {
  embedder: Embedder;
  store: VectorStore;
  reranker?: Reranker;
  defaults: { rerank_fallback: boolean; timeout_ms?: number };
  emit(event: "rerank:error", payload: { query: string; provider: string; error: Error }): void;
  emit(event: "search", payload: { query: string; response: SearchResponse }): void;
}

const searchOptionsSchema = z.strictObject({
  user_id: z.string().min(1, "expected a non-empty string").optional(),
  agent_id: z.string().min(1, "expected a non-empty string").optional(),
  run_id: z.string().min(1, "expected a non-empty string").optional(),
  filters: z.unknown().optional(),
  limit: z.number({ error: "expected an integer ≥ 1" }).int({ error: "expected an integer ≥ 1" }).min(1, { error: "expected an integer ≥ 1" }).optional(),
  threshold: z.number({ error: "expected a finite number" }).finite({ error: "expected a finite number" }).optional(),
  rerank: z.boolean({ error: "expected a boolean" }).optional(),
  timeout_ms: z.number({ error: "expected a positive number" }).positive({ error: "expected a positive number" }).finite().optional(),
  rerank_fallback: z.boolean({ error: "expected a boolean" }).optional(),
  signal: z.instanceof(AbortSignal, { error: "expected an AbortSignal" }).optional(),
});

/** Validates method options (snake_case or camelCase keys) into a ValidationError naming the option. */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, method: string): z.output<S> {
  const parsed = schema.safeParse(snakeCaseKeys(options ?? {}));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === "unrecognized_keys") throw new ValidationError(`${method}.options.${issue.keys[0]}`, "unknown option");
  throw new ValidationError(`${method}.options${issue.path.length ? "." + issue.path.join(".") : ""}`, issue.message);
}

/** The scope as a filter; always ANDed outside the user's filter so no OR/NOT can widen it. */
export function scopeFilter(scope: Scope): FilterNode | null {
  return andFilters(
    ...SCOPE_KEYS.filter((k) => scope[k] !== undefined).map((k): FilterNode => ({ kind: "compare", field: k, op: "eq", value: scope[k]! })),
  );
}

export function toMemoryItem(m: StoredMemory): MemoryItem {
  const p: MemoryPayload = m.payload;
  const item: MemoryItem = { id: m.id, memory: p.memory, hash: p.hash, metadata: p.metadata, created_at: p.created_at, updated_at: p.updated_at };
  for (const k of SCOPE_KEYS) if (p[k] !== undefined) item[k] = p[k];
  return item;
}

/** Checks a reranker's answer: each index once and in range, finite scores, the expected count. */
function checkRerankOutput(out: unknown, n: number, expected: number): RerankItem[] {
  if (!Array.isArray(out)) throw new Mem0Error("RERANK_BAD_OUTPUT", `reranker returned ${typeof out}, expected an array`);
  if (out.length !== expected) throw new Mem0Error("RERANK_BAD_OUTPUT", `reranker returned ${out.length} results for ${expected} expected`);
  const seen = new Set<number>();
  for (const item of out as RerankItem[]) {
    const { index, score } = item ?? ({} as RerankItem);
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new Mem0Error("RERANK_BAD_OUTPUT", `reranker returned index ${String(index)} outside 0..${n - 1}`);
    if (seen.has(index)) throw new Mem0Error("RERANK_BAD_OUTPUT", `reranker returned index ${index} twice`);
    if (typeof score !== "number" || !Number.isFinite(score)) throw new Mem0Error("RERANK_BAD_OUTPUT", `reranker returned a non-finite score for index ${index}`);
    seen.add(index);
  }
  return out as RerankItem[];
}

/**
 * Runs a reranker over all `documents`, honouring its `maxDocumentsPerCall` by splitting the pool
 * into concurrent calls and merging by score. Every answer is checked before it is trusted.
 */
export async function runReranker(
  reranker: Reranker,
  query: string,
  documents: readonly string[],
  options: { top_k: number; signal?: AbortSignal; meta?: Record<string, unknown>; concurrency?: number },
): Promise<RerankItem[]> {
  const topK = Math.min(options.top_k, documents.length);
  const max = reranker.maxDocumentsPerCall;
  if (!max || documents.length <= max) {
    const out = await reranker.rerank(query, documents, { top_k: topK, signal: options.signal, meta: options.meta });
    return checkRerankOutput(out, documents.length, topK).slice().sort((a, b) => b.score - a.score);
  }
  const limit = pLimit(options.concurrency ?? 4);
  const starts = Array.from({ length: Math.ceil(documents.length / max) }, (_, i) => i * max);
  const parts = await Promise.all(
    starts.map((start) =>
      limit(async () => {
        const chunk = documents.slice(start, start + max);
        const out = await reranker.rerank(query, chunk, { top_k: chunk.length, signal: options.signal, meta: options.meta });
        return checkRerankOutput(out, chunk.length, chunk.length).map((r) => ({ index: r.index + start, score: r.score }));
      }),
    ),
  );
  return parts.flat().sort((a, b) => b.score - a.score).slice(0, topK);
}

/** Races `work` against `timeoutMs`, aborting `controller` when time is up. */
async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number | undefined, outer?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer!.reason);
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => controller.abort(new RerankTimeoutError(timeoutMs)), timeoutMs);
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

async function runSearch(deps: SearchDeps, query: unknown, rawOptions: SearchOptions | undefined, otel: OtelApi | undefined, t0: number): Promise<SearchResponse> {
  if (typeof query !== "string") throw new ValidationError("query", `expected a string, got ${query === null ? "null" : typeof query}`);
  if (query.trim().length === 0) throw new ValidationError("query", "must not be empty");
  const options = parseOptions(searchOptionsSchema, rawOptions, "search");
  const userFilter = parseFilters(options.filters);
  const scope = scopeFilter(options);
  if (!scope && !userFilter) throw new ValidationError("search.options", "give at least one of user_id, agent_id, run_id, or filters");
  const limit = options.limit ?? 10;
  const { reranker } = deps;
  if (options.rerank === true && !reranker) throw new ValidationError("search.options.rerank", "rerank: true but no reranker is configured");
  const useReranker = options.rerank !== false && reranker !== undefined ? reranker : undefined;
  const pool = useReranker ? Math.max(limit, useReranker.topK ?? 3 * limit) : limit;

  const t1 = performance.now();
  const [vector] = await deps.embedder.embed([query], "search", { signal: options.signal });
  const embed_ms = since(t1);

  const t2 = performance.now();
  let hits: ScoredMemory[] = await deps.store.search({ vector: vector!, limit: pool, filter: andFilters(scope, userFilter) });
  if (options.threshold !== undefined) hits = hits.filter((h) => h.score >= options.threshold!);
  const search_ms = since(t2);

  const vectorOrder = (): SearchResult[] =>
    hits.slice(0, limit).map((h) => ({ ...toMemoryItem(h), score: h.score, vector_score: h.score }));

  let results: SearchResult[];
  let reranked = false;
  let rerank: RerankInfo | undefined;
  let rerank_ms = 0;
  if (!useReranker) {
    results = vectorOrder();
  } else if (hits.length === 0) {
    results = [];
    rerank = { provider: useReranker.provider, model: useReranker.model, candidates: 0, ms: 0 };
  } else {
    const t3 = performance.now();
    const meta: Record<string, unknown> = {};
    const timeoutMs = options.timeout_ms ?? deps.defaults.timeout_ms;
    try {
      const order = await withTimeout(
        (signal) => runReranker(useReranker, query, hits.map((h) => h.payload.memory), { top_k: limit, signal, meta }),
        timeoutMs,
        options.signal,
      );
      rerank_ms = since(t3);
      results = order.map(({ index, score }) => {
        const h = hits[index]!;
        return { ...toMemoryItem(h), score, vector_score: h.score, rerank_score: score };
      });
      reranked = true;
      rerank = { provider: useReranker.provider, model: useReranker.model, candidates: hits.length, ms: rerank_ms };
    } catch (err) {
      rerank_ms = since(t3);
      if (options.signal?.aborted) throw options.signal.reason;
      const error = err instanceof Error ? err : new Error(errorMessage(err));
      if ((options.rerank_fallback ?? deps.defaults.rerank_fallback) === false) throw new RerankError(useReranker.provider, error);
      deps.emit("rerank:error", { query, provider: useReranker.provider, error });
      results = vectorOrder();
      rerank = { provider: useReranker.provider, model: useReranker.model, candidates: hits.length, ms: rerank_ms, error: error.message };
    }
    if (Object.keys(meta).length > 0) rerank.meta = meta;
  }

  const response: SearchResponse = { results, reranked, timings: { embed_ms, search_ms, rerank_ms, total_ms: since(t0) } };
  if (rerank) response.rerank = rerank;
  recordSearch(otel, deps, { limit }, response, { start: t0, embed: t1, vectorSearch: t2 });
  deps.emit("search", { query, response });
  return response;
}
