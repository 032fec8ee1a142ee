import { ConfigError, Memory, registerProvider, runReranker } from "@mem0/core";
import {
  describeRerankerConformance,
  describeRerankFaultMatrix,
  startCohereServer,
  type FakeServer,
} from "@mem0/testkit";
import plugin, { type CohereReranker, configSchema } from "../src/index.js";

const KEY = "co-test-key-5f3a9c";
registerProvider(plugin);

const make = (server: FakeServer, extra: Record<string, unknown> = {}) =>
  plugin.create(configSchema.parse({ api_key: KEY, base_url: server.url, ...extra }), {
    env: {},
    config: {},
    load: async () => {
      throw new Error("unused");
    },
  }) as CohereReranker;

describeRerankerConformance(
  "cohere",
  async () => {
    const server = await startCohereServer({ apiKey: KEY });
    return {
      reranker: make(server, { timeout_ms: 2000 }),
      slowDown: () => {
        server.latencyMs = 2000;
      },
      speedUp: () => {
        server.latencyMs = 0;
      },
      close: () => server.close(),
    };
  },
  {
    withApiKey: (apiKey) =>
      plugin.create(configSchema.parse({ api_key: apiKey }), {
        env: {},
        config: {},
        load: async () => {
          throw new Error("unused");
        },
      }),
  },
);

describeRerankFaultMatrix({
  name: "cohere",
  path: "/v2/rerank",
  apiKey: KEY,
  start: () => startCohereServer({ apiKey: KEY }),
  child: { cwd: process.cwd(), module: "@mem0/reranker-cohere" },
  reranker: (server, apiKey) => ({
    provider: "cohere",
    config: { model: "rerank-english-v3.0", api_key: apiKey, base_url: server.url },
  }),
});

describe("cohere reranker", () => {
  let server: FakeServer;
  beforeAll(
    async () =>
      (server = await startCohereServer({
        apiKey: KEY,
        warnings: ["rerank-english-v3.0 is deprecated"],
        headers: { "x-endpoint-monthly-call-limit": "1000", "x-trial-endpoint-call-remaining": "99" },
      })),
  );
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test("sends Cohere's v2 request (model, top_n, max_tokens_per_doc) through the real SDK", async () => {
    const result = make(server, { model: "rerank-v3.5", max_tokens_per_doc: 512 });
    const out = await result.rerank("alice ramen", ["tax forms", "alice likes ramen", "ramen"], { top_k: 2 });
    expect(out.map((x) => x.index)).toEqual([1, 2]);
    const call = server.callsTo("/v2/rerank")[0]!;
    expect(call.body).toEqual({
      model: "rerank-v3.5",
      query: "alice ramen",
      documents: ["tax forms", "alice likes ramen", "ramen"],
      top_n: 2,
      max_tokens_per_doc: 512,
    });
    expect(call.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  test("reports billed units, warnings, quota headers and retries in meta", async () => {
    server.inject({ type: "status", status: 503 });
    const meta: Record<string, unknown> = {};
    await make(server).rerank("q", ["a", "b"], { meta });
    expect(meta).toMatchObject({
      calls: 2,
      retries: 1,
      billed_units: { search_units: 1 },
      warnings: ["rerank-english-v3.0 is deprecated"],
      api_version: "2",
      rate_limit: { "x-endpoint-monthly-call-limit": "1000", "x-trial-endpoint-call-remaining": "99" },
    });
  });

  test("2,500 documents: three concurrent calls of ≤ 1,000, merged by score into one exact ranking", async () => {
    const docs = Array.from({ length: 2500 }, (_, i) =>
      i % 997 === 0 ? `alice ramen ${i}` : `filler document number ${i}`,
    );
    const meta: Record<string, unknown> = {};
    const out = await runReranker(make(server), "alice ramen", docs, { top_k: 5, meta });
    const calls = server.callsTo("/v2/rerank");
    expect(calls.map((c) => (c.body as { documents: unknown[] }).documents.length)).toEqual([1000, 1000, 500]);
    expect(
      out
        .slice(0, 3)
        .map((r) => r.index)
        .sort((a, b) => a - b),
    ).toEqual([0, 997, 1994]);
    expect(meta.billed_units).toEqual({ search_units: 25 });
    expect(meta.calls).toBe(3);
  });

  test("through Memory: rerank_score is Cohere's score, vector_score the similarity", async () => {
    const memory = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: {
        provider: "cohere",
        config: { model: "rerank-english-v3.0", api_key: KEY, top_k: 15, return_documents: true, base_url: server.url },
      },
    });
    await memory.add("Alice loves ramen", { user_id: "alice", infer: false });
    await memory.add("Alice loves sushi", { user_id: "alice", infer: false });
    const result = await memory.search("ramen", { user_id: "alice" });
    expect(result.reranked).toBe(true);
    expect(result.results[0]).toMatchObject({ memory: "Alice loves ramen", score: result.results[0]!.rerank_score });
    expect(result.results[0]!.vector_score).not.toBe(result.results[0]!.rerank_score);
    expect(result.rerank?.meta?.billed_units).toEqual({ search_units: 1 });
  });
});

describe("cohere config", () => {
  test("API key from COHERE_API_KEY or CO_API_KEY", async () => {
    const server = await startCohereServer({ apiKey: KEY });
    try {
      for (const env of [{ COHERE_API_KEY: KEY }, { CO_API_KEY: KEY }]) {
        const memory = await Memory.fromConfig(
          { vector_store: { provider: "memory" }, reranker: { provider: "cohere", config: { base_url: server.url } } },
          { env },
        );
        await memory.add("x y", { user_id: "u", infer: false });
        expect((await memory.search("x", { user_id: "u", rerank: true })).reranked).toBe(true);
      }
    } finally {
      await server.close();
    }
  });

  test("a missing key, an unknown key or a wrong type is a ConfigError naming the path", async () => {
    await expect(
      Memory.fromConfig(
        { vector_store: { provider: "memory" }, reranker: { provider: "cohere", config: {} } },
        { env: {} },
      ),
    ).rejects.toThrow(
      /reranker\.config\.api_key: missing API key; set it in the config or in COHERE_API_KEY or CO_API_KEY/,
    );
    const err = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      // @ts-expect-error the typed config rejects these at compile time too; this checks the run-time errors
      reranker: { provider: "cohere", config: { api_key: KEY, topK: "5", max_docs: 3, base_url: "not a url" } },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues).toEqual(
      expect.arrayContaining([
        "reranker.config.top_k: expected a positive integer",
        "reranker.config.max_docs: unknown key",
        "reranker.config.base_url: expected an absolute http(s) URL",
      ]),
    );
    expect(err.message).not.toContain(KEY);
  });

  test("the key is in no enumerable field of the reranker", async () => {
    const server = await startCohereServer();
    const result = make(server);
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(Object.values(result).map(String).join(" ")).not.toContain(KEY);
    await server.close();
  });
});
