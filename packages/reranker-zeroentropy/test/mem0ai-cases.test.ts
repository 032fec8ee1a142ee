/**
 * mem0ai's own ZeroEntropy reranker tests (github.com/mem0ai/mem0, mem0-ts/src/oss/src/rerankers/
 * zeroentropy.test.ts), the cases about config and results, against our provider on testkit's
 * ZeroEntropy fake. Where we differ on purpose, the test says so.
 */
import { Memory, registerProvider } from "@mem0/core";
import { startZeroEntropyServer, type FakeServer } from "@mem0/testkit";
import plugin, { configSchema, DEFAULT_MODEL, ZeroEntropyReranker } from "../src/index.js";

const KEY = "ze-test-key-mem0ai";
registerProvider(plugin);
const ctx = { env: {}, config: {}, load: async () => { throw new Error("unused"); } };
const make = (server: FakeServer, extra: Record<string, unknown> = {}) =>
  plugin.create(configSchema.parse({ api_key: KEY, base_url: `${server.url}/v1`, ...extra }), ctx) as ZeroEntropyReranker;

let server: FakeServer;
beforeAll(async () => (server = await startZeroEntropyServer({ apiKey: KEY })));
afterAll(() => server.close());
beforeEach(() => server.reset());

test("mem0ai: throws when no API key is provided or configured — here a ConfigError naming the key", async () => {
  await expect(Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "zero_entropy" } }, { env: {} })).rejects.toThrow(/reranker\.config\.api_key: missing API key/);
});

test("mem0ai sends the query, documents and default model without top_n — differs on purpose: top_n is sent so the service returns only what is used", async () => {
  await make(server).rerank("capital of US?", ["a", "b", "c"], { top_k: 2 });
  expect(server.calls[0]!.body).toMatchObject({ model: DEFAULT_MODEL, query: "capital of US?", documents: ["a", "b", "c"], top_n: 2 });
  expect(DEFAULT_MODEL).toBe("zerank-1");
});

test("mem0ai: results (relevance_score) become { index, score } (mem0ai: rerankScore), best first, cut to topK", async () => {
  const out = await make(server).rerank("alice ramen", ["tax forms", "alice likes ramen", "ramen"], { top_k: 2 });
  expect(out.map((x) => x.index)).toEqual([1, 2]);
  expect(out[0]!.score).toBeGreaterThanOrEqual(out[1]!.score);
});

test("mem0ai: uses a custom model when provided", async () => {
  await make(server, { model: "zerank-1-small" }).rerank("q", ["a"]);
  expect(server.calls[0]!.body).toMatchObject({ model: "zerank-1-small" });
});

test("mem0ai: no documents → [] without calling ZeroEntropy", async () => {
  expect(await make(server).rerank("q", [])).toEqual([]);
  expect(server.calls).toHaveLength(0);
});

test("mem0ai falls back to the original order with score 0.0 on an API failure — differs on purpose: the pipeline returns the vector order with reranked: false and rerank.error", async () => {
  const m = await Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "zero_entropy", config: { api_key: KEY, base_url: `${server.url}/v1`, max_retries: 0 } } }, { env: {} });
  await m.add(["ramen", "tax"].map((content) => ({ role: "user" as const, content })), { user_id: "u", infer: false });
  server.inject({ type: "status", status: 400 });
  const r = await m.search("ramen", { user_id: "u", limit: 1 });
  expect(r.reranked).toBe(false);
  expect(r.rerank?.error).toBeDefined();
  expect(r.results.map((x) => x.memory)).toEqual(["ramen"]);
});
