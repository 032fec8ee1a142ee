/**
 * mem0ai's own ZeroEntropy reranker tests (github.com/mem0ai/mem0, mem0-ts/src/oss/src/rerankers/
 * zeroentropy.test.ts), the cases about config and results, against our provider on testkit's
 * ZeroEntropy fake. Where we differ on purpose, the test says so. Two cases live elsewhere:
 * "throws when no API key" is zeroentropy.test.ts's missing-key ConfigError test, and "falls back
 * to the original order with score 0.0 when the API call fails" differs on purpose — the pipeline
 * answers in vector order with reranked: false and rerank.error — which describeRerankFaultMatrix
 * in zeroentropy.test.ts checks for every kind of failure.
 */
import { registerProvider } from "@mem0/core";
import { startZeroEntropyServer, type FakeServer } from "@mem0/testkit";
import plugin, { configSchema, DEFAULT_MODEL, type ZeroEntropyReranker } from "../src/index.js";

const KEY = "ze-test-key-mem0ai";
registerProvider(plugin);
const ctx = {
  env: {},
  config: {},
  load: async () => {
    throw new Error("unused");
  },
};
const make = (server: FakeServer, extra: Record<string, unknown> = {}) =>
  plugin.create(
    configSchema.parse({ api_key: KEY, base_url: `${server.url}/v1`, ...extra }),
    ctx,
  ) as ZeroEntropyReranker;

let server: FakeServer;
beforeAll(async () => (server = await startZeroEntropyServer({ apiKey: KEY })));
afterAll(() => server.close());
beforeEach(() => server.reset());

test("mem0ai sends the query, documents and default model without top_n — differs on purpose: top_n is sent so the service returns only what is used", async () => {
  await make(server).rerank("capital of US?", ["a", "b", "c"], { top_k: 2 });
  expect(server.calls[0]!.body).toMatchObject({
    model: DEFAULT_MODEL,
    query: "capital of US?",
    documents: ["a", "b", "c"],
    top_n: 2,
  });
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
