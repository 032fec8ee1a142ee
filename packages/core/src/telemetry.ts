/**
 * OpenTelemetry spans and metrics for searches, through `@opentelemetry/api` (an optional peer
 * dependency). When the package is absent every hook is a no-op, and when it is present but the app
 * registered no SDK the API's own no-ops apply: we only call the API, nothing is sent anywhere by us.
 *
 * Spans are recorded when a search settles, from the pipeline's own stage timings: `search` with
 * `embed`, `vector_search` and `rerank` children (the same numbers as `response.timings`).
 * No query text, scope id or memory is ever put on a span.
 */
import type { Attributes, Meter, MeterProvider, Span, Tracer } from "@opentelemetry/api";
import type { Embedder, Reranker, VectorStore } from "./types.js";
import type { SearchResponse } from "./records.js";

export type OtelApi = typeof import("@opentelemetry/api");

const SCOPE = "@mem0/core";
// A variable specifier: bundlers leave the import alone, so an app without the package still bundles.
const OTEL_API = "@opentelemetry/api";
let loading: Promise<OtelApi | undefined> | undefined;

/** The OpenTelemetry API when installed (loaded once), else undefined. */
export function otelApi(): Promise<OtelApi | undefined> {
  loading ??= import(OTEL_API).then(
    (mod: OtelApi & { default?: OtelApi }) => (mod.trace ? mod : mod.default),
    () => undefined,
  );
  return loading;
}

interface Instruments {
  duration: ReturnType<Meter["createHistogram"]>;
  fallbacks: ReturnType<Meter["createCounter"]>;
  retries: ReturnType<Meter["createCounter"]>;
  cached: ReturnType<Meter["createCounter"]>;
}
// Instruments made on a no-op provider stay no-ops, so they are made per registered provider.
const instrumentsByProvider = new WeakMap<MeterProvider, Instruments>();

function instruments(api: OtelApi): Instruments {
  const provider = api.metrics.getMeterProvider();
  let found = instrumentsByProvider.get(provider);
  if (!found) {
    const meter = provider.getMeter(SCOPE);
    found = {
      duration: meter.createHistogram("mem0.rerank.duration", {
        unit: "ms",
        description: "How long the reranker took, per search",
      }),
      fallbacks: meter.createCounter("mem0.rerank.fallbacks", {
        description: "Searches that returned the vector order because the reranker failed",
      }),
      retries: meter.createCounter("mem0.rerank.retries", { description: "Retries the reranker made against its API" }),
      cached: meter.createCounter("mem0.rerank.cached", {
        description: "Candidates whose rerank scores came from the cache",
      }),
    };
    instrumentsByProvider.set(provider, found);
  }
  return found;
}

/** Why a search fell back, as a low-cardinality metric attribute (the message goes on the span). */
function fallbackReason(error: string): "timeout" | "bad_output" | "error" {
  if (/did not answer within timeout_ms/.test(error)) return "timeout";
  if (/^reranker returned /.test(error)) return "bad_output";
  return "error";
}

const count = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) ? value : value === true ? 1 : 0;

function rerankAttributes(rerank: NonNullable<SearchResponse["rerank"]>, reranked: boolean): Attributes {
  const attrs: Attributes = {
    "mem0.reranker.provider": rerank.provider,
    "mem0.rerank.candidates": rerank.candidates,
    "mem0.rerank.reranked": reranked,
  };
  if (rerank.model !== undefined) attrs["mem0.reranker.model"] = rerank.model;
  if (rerank.error !== undefined) attrs["mem0.rerank.fallback_reason"] = rerank.error;
  const meta = rerank.meta ?? {};
  attrs["mem0.rerank.retries"] = count(meta.retries);
  if (meta.calls !== undefined) attrs["mem0.rerank.calls"] = count(meta.calls);
  // The rerank cache (rerank-cache.ts): `cached` when no provider call was needed, `cache_hits` candidates served.
  if (meta.cached !== undefined) attrs["mem0.rerank.cached"] = meta.cached === true;
  if (meta.cache_hits !== undefined) attrs["mem0.rerank.cache_hits"] = count(meta.cache_hits);
  const billed = meta.billed_units;
  if (typeof billed === "number") attrs["mem0.rerank.billed_units"] = billed;
  else if (billed && typeof billed === "object") {
    for (const [unit, n] of Object.entries(billed))
      if (typeof n === "number") attrs[`mem0.rerank.billed_units.${unit}`] = n;
  }
  return attrs;
}

/** performance.now() marks of the stages, as the pipeline took them. */
export interface SearchMarks {
  start: number;
  embed: number;
  vectorSearch: number;
}

const wallClock = (mark: number) => performance.timeOrigin + mark;

function child(
  api: OtelApi,
  tracer: Tracer,
  parent: Span,
  name: string,
  start: number,
  ms: number,
  attributes: Attributes,
): Span {
  const span = tracer.startSpan(
    name,
    { startTime: wallClock(start), attributes },
    api.trace.setSpan(api.context.active(), parent),
  );
  span.end(wallClock(start + ms));
  return span;
}

/** Records a settled search: its spans, and the rerank metrics. */
export function recordSearch(
  api: OtelApi | undefined,
  deps: { embedder: Embedder; store: VectorStore; reranker?: Reranker },
  options: { limit: number },
  response: SearchResponse,
  marks: SearchMarks,
): void {
  if (!api) return;
  const tracer = api.trace.getTracer(SCOPE);
  const { timings, rerank, reranked } = response;
  const root = tracer.startSpan("search", {
    startTime: wallClock(marks.start),
    attributes: { "mem0.limit": options.limit, "mem0.results": response.results.length, "mem0.reranked": reranked },
  });
  child(api, tracer, root, "embed", marks.embed, timings.embed_ms, {
    "mem0.embedder.provider": deps.embedder.provider,
    "mem0.embedder.dims": deps.embedder.dims,
  });
  child(api, tracer, root, "vector_search", marks.vectorSearch, timings.search_ms, {
    "mem0.vector_store.provider": deps.store.provider,
  });
  if (rerank) {
    const attributes = rerankAttributes(rerank, reranked);
    const span = tracer.startSpan(
      "rerank",
      { startTime: wallClock(marks.vectorSearch + timings.search_ms), attributes },
      api.trace.setSpan(api.context.active(), root),
    );
    if (rerank.error !== undefined) span.setStatus({ code: api.SpanStatusCode.ERROR, message: rerank.error });
    span.end(wallClock(marks.vectorSearch + timings.search_ms + timings.rerank_ms));

    const metric = instruments(api);
    const labels: Attributes = { "mem0.reranker.provider": rerank.provider, "mem0.rerank.reranked": reranked };
    if (rerank.model !== undefined) labels["mem0.reranker.model"] = rerank.model;
    if (rerank.candidates > 0) metric.duration.record(timings.rerank_ms, labels);
    if (rerank.error !== undefined)
      metric.fallbacks.add(1, {
        "mem0.reranker.provider": rerank.provider,
        "mem0.rerank.fallback_reason": fallbackReason(rerank.error),
      });
    const retries = count(rerank.meta?.retries);
    if (retries > 0) metric.retries.add(retries, { "mem0.reranker.provider": rerank.provider });
    const cached = count(rerank.meta?.cache_hits);
    if (cached > 0) metric.cached.add(cached, { "mem0.reranker.provider": rerank.provider });
  }
  root.end(wallClock(marks.start + timings.total_ms));
}

/** Records a search that threw (bad input, a reranker failure with `rerank_fallback: false`, an abort). */
export function recordSearchError(api: OtelApi | undefined, start: number, error: unknown): void {
  if (!api) return;
  const span = api.trace.getTracer(SCOPE).startSpan("search", { startTime: wallClock(start) });
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException({
    name: err.name,
    message: err.message,
    ...((err as { code?: string }).code ? { code: (err as { code?: string }).code } : {}),
  });
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: err.message });
  span.end();
}
