/**
 * The reranker runner: the one place that splits a candidate pool into calls a provider accepts,
 * caps their concurrency, shifts each call's indexes back into the pool and merges by score.
 * Providers state their limits (`maxDocumentsPerCall`, `planCalls`, `maxConcurrentCalls`) and
 * answer one call at a time; every answer goes through `validateRanking` before it is trusted.
 */
import pLimit from "p-limit";
import { Mem0Error } from "./errors.js";
import { validateRanking } from "./ranking.js";
import type { RerankCall, Reranker, RerankItem } from "./types.js";

/** Calls of one split pool in flight at once, unless the reranker says otherwise. */
export const DEFAULT_RERANK_CONCURRENCY = 4;
/** The overall rerank budget of a search on a hosted reranker when neither search nor config sets one. */
export const HOSTED_RERANK_TIMEOUT_MS = 10_000;

/** Consecutive calls of at most `max` documents. */
export function planByCount(documents: number, max: number): RerankCall[] {
  return Array.from({ length: Math.ceil(documents / max) }, (_, i) => ({
    start: i * max,
    end: Math.min(documents, (i + 1) * max),
  }));
}

/**
 * Consecutive calls whose summed weights (e.g. bytes) stay within `limit`. A single item over the
 * limit cannot be sent at all: `tooHeavy(index, weight)` builds the error.
 */
export function planByWeight(
  weights: readonly number[],
  limit: number,
  tooHeavy: (index: number, weight: number) => Error,
): RerankCall[] {
  const calls: RerankCall[] = [];
  let start = 0;
  let total = 0;
  weights.forEach((weight, i) => {
    if (weight > limit) throw tooHeavy(i, weight);
    if (total + weight > limit) {
      calls.push({ start, end: i });
      start = i;
      total = 0;
    }
    total += weight;
  });
  if (weights.length > start) calls.push({ start, end: weights.length });
  return calls;
}

/** The calls for a pool: the reranker's own plan (checked), else chunks of `maxDocumentsPerCall`. */
export function planRerankCalls(
  reranker: Reranker,
  query: string,
  documents: readonly string[],
): readonly RerankCall[] {
  if (reranker.planCalls) {
    const plan = reranker.planCalls(query, documents);
    let next = 0;
    for (const call of plan) {
      if (call.start !== next || call.end <= call.start) break;
      next = call.end;
    }
    if (next !== documents.length) {
      throw new Mem0Error(
        "RERANK_BAD_PLAN",
        `reranker ${reranker.provider} planned calls that do not cover documents 0..${documents.length - 1} in order`,
      );
    }
    return plan;
  }
  const max = reranker.maxDocumentsPerCall;
  return max && documents.length > max ? planByCount(documents.length, max) : [{ start: 0, end: documents.length }];
}

export interface RunRerankerOptions {
  top_k: number;
  signal?: AbortSignal;
  meta?: Record<string, unknown>;
  /** Overrides the reranker's `maxConcurrentCalls`. */
  concurrency?: number;
}

/**
 * Ranks `documents` with `reranker` and returns the best `top_k`, best first. A split pool asks each
 * call for its best `min(top_k, call size)` (any overall top-k document is in its call's top k),
 * and the first failing call aborts the others: the pipeline then falls back as a whole, so no
 * document ever carries a score the provider did not give.
 */
export async function runReranker(
  reranker: Reranker,
  query: string,
  documents: readonly string[],
  options: RunRerankerOptions,
): Promise<RerankItem[]> {
  const topK = Math.min(options.top_k, documents.length);
  if (documents.length === 0) return [];
  const calls = planRerankCalls(reranker, query, documents);
  if (calls.length === 1) {
    const out = await reranker.rerank(query, documents, { top_k: topK, signal: options.signal, meta: options.meta });
    return validateRanking(out, { documents: documents.length, expected: topK });
  }
  const siblings = new AbortController();
  const onOuterAbort = () => siblings.abort(options.signal!.reason);
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const limit = pLimit(options.concurrency ?? reranker.maxConcurrentCalls ?? DEFAULT_RERANK_CONCURRENCY);
  try {
    const parts = await Promise.all(
      calls.map(({ start, end }) =>
        limit(async () => {
          siblings.signal.throwIfAborted();
          const chunk = documents.slice(start, end);
          const expected = Math.min(topK, chunk.length);
          try {
            const out = await reranker.rerank(query, chunk, {
              top_k: expected,
              signal: siblings.signal,
              meta: options.meta,
            });
            return validateRanking(out, { documents: chunk.length, expected }).map((r) => ({
              index: r.index + start,
              score: r.score,
            }));
          } catch (err) {
            if (!siblings.signal.aborted) siblings.abort(err);
            throw err;
          }
        }),
      ),
    );
    if (options.meta) options.meta.requests_split = calls.length;
    return parts
      .flat()
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
  } catch (err) {
    throw options.signal?.aborted ? options.signal.reason : err;
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
}
