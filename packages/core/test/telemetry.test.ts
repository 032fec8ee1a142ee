/**
 * OpenTelemetry: spans and metrics of real searches, read back through the SDK's in-memory
 * exporters (registered globally, as an app would register its SDK).
 */
import { metrics, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { defineReranker, Memory, providerConfigSchema, type RerankItem } from "@mem0/core";
import { behaviour, FOOD, memoryWith, resetBehaviour } from "./helpers.js";

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  await meterProvider.shutdown();
  trace.disable();
  metrics.disable();
});
beforeEach(() => {
  resetBehaviour();
  spans.reset();
});

/** A pointwise reranker that reports retries and billing, behind core's real rerank cache. */
let cachedCalls = 0;
const billingReranker = defineReranker({
  provider: "billing-fake",
  configSchema: providerConfigSchema({}),
  create: () => ({
    provider: "billing-fake",
    model: "m1",
    async rerank(
      _q: string,
      documents: readonly string[],
      options?: { top_k?: number; meta?: Record<string, unknown> },
    ): Promise<RerankItem[]> {
      cachedCalls++;
      Object.assign(options!.meta!, { retries: 2, billed_units: { search_units: 1 } });
      return documents.map((_, index) => ({ index, score: -index })).slice(0, options?.top_k);
    },
  }),
});

async function seeded(config: Parameters<typeof memoryWith>[0]) {
  const m = await memoryWith(config);
  await m.add(
    FOOD.map((content) => ({ role: "user" as const, content })),
    { user_id: "alice", infer: false },
  );
  spans.reset();
  return m;
}

function searchTree() {
  const finished = spans.getFinishedSpans();
  const root = finished.find((s) => s.name === "search" && !s.parentSpanContext);
  expect(root).toBeDefined();
  const children = Object.fromEntries(
    finished
      .filter((s) => s.parentSpanContext?.spanId === root!.spanContext().spanId)
      .map((s) => [s.name, s] as [string, ReadableSpan]),
  );
  return { root: root!, children };
}

async function metricPoints(name: string): Promise<DataPoint<unknown>[]> {
  await reader.forceFlush();
  const last = metricExporter.getMetrics().at(-1);
  const metric = last?.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as DataPoint<unknown>[];
}

const pointFor = (points: DataPoint<unknown>[], attrs: Record<string, unknown>) =>
  points.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));

test("a reranked search: a search span with embed, vector_search and rerank children, and a duration", async () => {
  const m = await seeded({ reranker: { provider: "scripted", config: { top_k: 6 } } });
  const res = await m.search("ramen", { user_id: "alice", limit: 3 });
  expect(res.reranked).toBe(true);

  const { root, children } = searchTree();
  expect(Object.keys(children).sort()).toEqual(["embed", "rerank", "vector_search"]);
  expect(root.attributes).toMatchObject({ "mem0.limit": 3, "mem0.results": 3, "mem0.reranked": true });
  expect(children.embed!.attributes).toMatchObject({ "mem0.embedder.provider": "lexical" });
  expect(children.vector_search!.attributes).toMatchObject({ "mem0.vector_store.provider": "memory" });
  expect(children.rerank!.attributes).toMatchObject({
    "mem0.reranker.provider": "scripted",
    "mem0.reranker.model": "overlap-v1",
    "mem0.rerank.candidates": 6,
    "mem0.rerank.reranked": true,
    "mem0.rerank.retries": 0,
    "mem0.rerank.billed_units": 1,
  });
  expect(children.rerank!.status.code).not.toBe(SpanStatusCode.ERROR);
  // Stage spans sit inside the search span, in pipeline order.
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  expect(ms(children.embed!.startTime)).toBeGreaterThanOrEqual(ms(root.startTime));
  expect(ms(children.rerank!.startTime)).toBeGreaterThanOrEqual(ms(children.vector_search!.startTime));
  expect(ms(children.rerank!.endTime)).toBeLessThanOrEqual(ms(root.endTime) + 0.01);
  expect(ms(children.rerank!.endTime) - ms(children.rerank!.startTime)).toBeCloseTo(res.timings.rerank_ms, 1);
  // Nothing the user wrote is on a span.
  expect(JSON.stringify(spans.getFinishedSpans().map((s) => s.attributes))).not.toMatch(/ramen|alice/i);

  const duration = pointFor(await metricPoints("mem0.rerank.duration"), {
    "mem0.reranker.provider": "scripted",
    "mem0.rerank.reranked": true,
  });
  expect((duration!.value as Histogram).count).toBeGreaterThanOrEqual(1);
});

test("a fallen-back search: the rerank span has the error, the fallback counter counts it by reason", async () => {
  const m = await seeded({ reranker: { provider: "scripted" } });
  const before =
    pointFor(await metricPoints("mem0.rerank.fallbacks"), { "mem0.rerank.fallback_reason": "timeout" })?.value ?? 0;
  behaviour.mode = "throw";
  await m.search("ramen", { user_id: "alice" });
  let { root, children } = searchTree();
  expect(root.attributes["mem0.reranked"]).toBe(false);
  expect(children.rerank!.status).toEqual({ code: SpanStatusCode.ERROR, message: "provider exploded" });
  expect(children.rerank!.attributes).toMatchObject({
    "mem0.rerank.reranked": false,
    "mem0.rerank.fallback_reason": "provider exploded",
  });

  spans.reset();
  behaviour.mode = "hang";
  await m.search("ramen", { user_id: "alice", timeout_ms: 30 });
  ({ children } = searchTree());
  expect(children.rerank!.attributes["mem0.rerank.fallback_reason"]).toMatch(/did not answer within timeout_ms=30/);

  const points = await metricPoints("mem0.rerank.fallbacks");
  expect(
    pointFor(points, { "mem0.reranker.provider": "scripted", "mem0.rerank.fallback_reason": "error" })?.value,
  ).toBeGreaterThanOrEqual(1);
  expect(
    pointFor(points, { "mem0.reranker.provider": "scripted", "mem0.rerank.fallback_reason": "timeout" })?.value,
  ).toBe((before as number) + 1);
});

test("a cached search: cache hits on the span and in the counters, retries and billed units of the call that filled it", async () => {
  const m = await seeded({
    reranker: { provider: billingReranker, config: { cache: { max_entries: 100, ttl_ms: 60_000 } } },
  });
  cachedCalls = 0;
  await m.search("ramen", { user_id: "alice", limit: 2 });
  let { children } = searchTree();
  expect(children.rerank!.attributes).toMatchObject({
    "mem0.rerank.cached": false,
    "mem0.rerank.cache_hits": 0,
    "mem0.rerank.retries": 2,
    "mem0.rerank.billed_units.search_units": 1,
  });

  spans.reset();
  const second = await m.search("ramen", { user_id: "alice", limit: 2 });
  expect(cachedCalls).toBe(1);
  ({ children } = searchTree());
  const candidates = second.rerank!.candidates;
  expect(children.rerank!.attributes).toMatchObject({
    "mem0.rerank.cached": true,
    "mem0.rerank.cache_hits": candidates,
    "mem0.rerank.retries": 0,
  });
  expect(pointFor(await metricPoints("mem0.rerank.cached"), { "mem0.reranker.provider": "billing-fake" })?.value).toBe(
    candidates,
  );
  expect(pointFor(await metricPoints("mem0.rerank.retries"), { "mem0.reranker.provider": "billing-fake" })?.value).toBe(
    2,
  );
});

test("a search that throws ends its span with the error", async () => {
  const m = await seeded({ reranker: { provider: "scripted" } });
  behaviour.mode = "throw";
  await expect(m.search("ramen", { user_id: "alice", rerank_fallback: false })).rejects.toThrow();
  const [span] = spans.getFinishedSpans().filter((s) => s.name === "search");
  expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  expect(span!.events.map((e) => e.name)).toEqual(["exception"]);
});

test("without a reranker there is no rerank span", async () => {
  const m = await Memory.fromConfig({ vector_store: { provider: "memory" } });
  await m.add("tea", { user_id: "u", infer: false });
  spans.reset();
  await m.search("tea", { user_id: "u" });
  expect(Object.keys(searchTree().children).sort()).toEqual(["embed", "vector_search"]);
});
