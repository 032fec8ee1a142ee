/**
 * mem0ai's own Cohere reranker tests (github.com/mem0ai/mem0, mem0-ts/src/oss/src/rerankers/
 * cohere.test.ts), the cases about config and results, run against our provider on testkit's
 * Cohere fake. Where we differ on purpose, the test says so.
 */
import { Memory, registerProvider } from "@mem0/core";
import { startCohereServer, type FakeServer } from "@mem0/testkit";
import plugin, { type CohereReranker, configSchema, DEFAULT_MODEL } from "../src/index.js";

const KEY = "co-test-key-mem0ai";
registerProvider(plugin);
const make = (server: FakeServer, extra: Record<string, unknown> = {}) =>
  plugin.create(configSchema.parse({ api_key: KEY, base_url: server.url, ...extra }), {
    env: {},
    config: {},
    load: async () => {
      throw new Error("unused");
    },
  }) as CohereReranker;

let server: FakeServer;
beforeAll(async () => (server = await startCohereServer({ apiKey: KEY })));
afterAll(() => server.close());
beforeEach(() => server.reset());

test("mem0ai: throws when no API key is provided or configured — here a ConfigError naming the key", async () => {
  await expect(
    Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "cohere" } }, { env: {} }),
  ).rejects.toThrow(/reranker\.config\.api_key: missing API key/);
});

test("mem0ai: sends the query, documents, topN and the default model", async () => {
  await make(server).rerank("ramen", ["tax", "ramen"], { top_k: 1 });
  expect(server.callsTo("/v2/rerank")[0]!.body).toMatchObject({
    model: DEFAULT_MODEL,
    query: "ramen",
    documents: ["tax", "ramen"],
    top_n: 1,
  });
});

test("mem0ai: topN defaults to documents.length when neither the call nor the config sets top_k", async () => {
  await make(server).rerank("q", ["a", "b", "c"]);
  expect(server.callsTo("/v2/rerank")[0]!.body).toMatchObject({ top_n: 3 });
});

test("mem0ai forwards returnDocuments and maxChunksPerDoc — differs on purpose: Cohere v2 has neither; both are accepted, max_chunks_per_doc with a warning", async () => {
  const memory = await Memory.fromConfig(
    {
      vector_store: { provider: "memory" },
      reranker: {
        provider: "cohere",
        config: { api_key: KEY, base_url: server.url, returnDocuments: true, maxChunksPerDoc: 10 },
      },
    },
    { env: {} },
  );
  // No embedder is configured, so core also warns DEFAULT_EMBEDDER; the ignored keys give this one warning.
  expect(memory.warnings.filter((w) => w.code === "IGNORED_KEY")).toEqual([
    {
      code: "IGNORED_KEY",
      key: "reranker.config.max_chunks_per_doc",
      message: expect.stringMatching(/has no effect: Cohere's v2 rerank API .* no chunking/),
    },
  ]);
  await memory.add("alice likes ramen", { user_id: "u", infer: false });
  await memory.search("ramen", { user_id: "u" });
  const body = server.callsTo("/v2/rerank")[0]!.body as Record<string, unknown>;
  expect(body.max_chunks_per_doc).toBeUndefined();
  expect(body.return_documents).toBeUndefined();
});

test("mem0ai: returns Cohere's ranked results as { index, score } (mem0ai: rerankScore), best first", async () => {
  const out = await make(server).rerank("alice ramen", ["tax forms", "alice likes ramen", "ramen"]);
  expect(out.map((x) => x.index)).toEqual([1, 2, 0]);
  expect(out[0]!.score).toBeGreaterThanOrEqual(out[1]!.score);
});

test("mem0ai: uses a custom model when provided", async () => {
  await make(server, { model: "rerank-v3.5" }).rerank("q", ["a"]);
  expect(server.callsTo("/v2/rerank")[0]!.body).toMatchObject({ model: "rerank-v3.5" });
});

test("mem0ai: no documents → [] without calling Cohere", async () => {
  expect(await make(server).rerank("q", [])).toEqual([]);
  expect(server.callsTo("/v2/rerank")).toHaveLength(0);
});

test("mem0ai falls back to the original order with score 0.0 on an API failure — differs on purpose: the reranker throws and the pipeline returns the vector order with reranked: false and rerank.error", async () => {
  await expect(make(server, { max_retries: 0 }).rerank("q", ["a"])).resolves.toBeDefined();
  server.inject({ type: "status", status: 400 });
  await expect(make(server, { max_retries: 0 }).rerank("q", ["a"])).rejects.toMatchObject({
    provider: "cohere",
    status: 400,
  });
  const memory = await Memory.fromConfig(
    {
      vector_store: { provider: "memory" },
      reranker: { provider: "cohere", config: { api_key: KEY, base_url: server.url, max_retries: 0 } },
    },
    { env: {} },
  );
  await memory.add(
    ["ramen", "tax"].map((content) => ({ role: "user" as const, content })),
    { user_id: "u", infer: false },
  );
  server.inject({ type: "status", status: 400 });
  const result = await memory.search("ramen", { user_id: "u", limit: 1 });
  expect(result.reranked).toBe(false);
  expect(result.rerank?.error).toBeDefined();
  expect(result.results.map((x) => x.memory)).toEqual(["ramen"]);
  expect(result.results[0]!.score).toBe(result.results[0]!.vector_score);
});
