import { ConfigError, Memory, registerProvider } from "@mem0/core";
import {
  describeRerankerConformance,
  describeRerankFaultMatrix,
  startZeroEntropyServer,
  zeroEntropyRequestBytes,
  type FakeServer,
} from "@mem0/testkit";
import plugin, {
  configSchema,
  documentBytes,
  MAX_REQUEST_BYTES,
  splitByBytes,
  type ZeroEntropyReranker,
} from "../src/index.js";

const KEY = "ze-test-key-81f2";
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

describeRerankerConformance(
  "zero_entropy",
  async () => {
    const server = await startZeroEntropyServer({ apiKey: KEY });
    return {
      reranker: make(server),
      slowDown: () => {
        server.latencyMs = 2000;
      },
      speedUp: () => {
        server.latencyMs = 0;
      },
      close: () => server.close(),
    };
  },
  { withApiKey: (apiKey) => plugin.create(configSchema.parse({ api_key: apiKey }), ctx) },
);

describeRerankFaultMatrix({
  name: "zero_entropy",
  path: "/v1/models/rerank",
  apiKey: KEY,
  start: () => startZeroEntropyServer({ apiKey: KEY }),
  child: { cwd: process.cwd(), module: "@mem0/reranker-zeroentropy" },
  reranker: (server, apiKey) => ({
    provider: "zero_entropy",
    config: { model: "zerank-1", api_key: apiKey, base_url: `${server.url}/v1` },
  }),
});

describe("zero_entropy reranker", () => {
  let server: FakeServer;
  beforeAll(async () => (server = await startZeroEntropyServer({ apiKey: KEY })));
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test("sends model, query, documents, top_n and latency; reports latency mode, bytes and tokens", async () => {
    const meta: Record<string, unknown> = {};
    const out = await make(server, { model: "zerank-2", latency: "slow" }).rerank(
      "alice ramen",
      ["tax", "alice ramen"],
      { top_k: 1, meta },
    );
    expect(out).toEqual([{ index: 1, score: expect.any(Number) }]);
    expect(server.calls[0]!.body).toEqual({
      model: "zerank-2",
      query: "alice ramen",
      documents: ["tax", "alice ramen"],
      top_n: 1,
      latency: "slow",
    });
    expect(server.calls[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(meta).toMatchObject({
      calls: 1,
      actual_latency_mode: "slow",
      total_bytes: zeroEntropyRequestBytes("alice ramen", ["tax", "alice ramen"]),
      total_tokens: expect.any(Number),
    });
  });

  test("a pool over 5,000,000 bytes is split into requests the API accepts, merged by score", async () => {
    const big = "filler ".repeat(150_000); // ~1.05 MB each
    const docs = [big, big, "alice ramen", big, big, big, "ramen", big];
    const meta: Record<string, unknown> = {};
    const out = await make(server).rerank("alice ramen", docs, { meta });
    const calls = server.callsTo("/v1/models/rerank");
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) {
      const b = c.body as { query: string; documents: string[] };
      expect(c.status).toBe(200);
      expect(zeroEntropyRequestBytes(b.query, b.documents)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
    expect(out).toHaveLength(docs.length);
    expect(out.slice(0, 2).map((r) => r.index)).toEqual([2, 6]);
    expect(meta.requests_split).toBe(calls.length);
  });

  test("splitting keeps ranges contiguous and complete", () => {
    const docs = Array.from({ length: 10 }, (_, i) => "x".repeat(100 * i));
    const ranges = splitByBytes("q", docs, 2000);
    expect(ranges[0]!.start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(10);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.start).toBe(ranges[i - 1]!.end);
    const bytes = (r: { start: number; end: number }) =>
      docs.slice(r.start, r.end).reduce((sum, d) => sum + documentBytes("q", d), 0);
    for (const result of ranges) expect(bytes(result)).toBeLessThanOrEqual(2000);
    // As full as the limit allows: the next document would not have fitted.
    for (const result of ranges.slice(0, -1))
      expect(bytes(result) + documentBytes("q", docs[result.end]!)).toBeGreaterThan(2000);
  });

  test("a single document over the limit is a permanent error naming it; nothing is sent", async () => {
    const huge = "y".repeat(MAX_REQUEST_BYTES);
    await expect(make(server).rerank("q", ["ok", huge])).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/document 1 is 5000151 bytes/),
    });
    expect(server.calls).toHaveLength(0);
  });
});

describe("the overall rerank budget", () => {
  test("a hanging server holds a search for the 10 s default budget, not 3 tries × 30 s; the retry loop stops with it", async () => {
    const server = await startZeroEntropyServer({ apiKey: KEY });
    try {
      server.latencyMs = 120_000;
      const memory = await Memory.fromConfig({
        vector_store: { provider: "memory" },
        reranker: { provider: "zero_entropy", config: { api_key: KEY, base_url: `${server.url}/v1` } },
      });
      await memory.add("alice likes ramen", { user_id: "alice", infer: false });
      const started = performance.now();
      const result = await memory.search("ramen", { user_id: "alice" });
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(9_900);
      expect(took).toBeLessThan(12_000);
      expect(result.reranked).toBe(false);
      expect(result.rerank!.error).toContain("timeout_ms=10000");
      expect(server.callsTo("/v1/models/rerank").length).toBeLessThanOrEqual(1);
    } finally {
      server.latencyMs = 0;
      await server.close();
    }
  }, 20_000);
});

describe("zero_entropy config", () => {
  test("API key from ZERO_ENTROPY_API_KEY or ZEROENTROPY_API_KEY; missing is a ConfigError", async () => {
    const server = await startZeroEntropyServer({ apiKey: KEY });
    try {
      for (const env of [{ ZERO_ENTROPY_API_KEY: KEY }, { ZEROENTROPY_API_KEY: KEY }]) {
        const memory = await Memory.fromConfig(
          {
            vector_store: { provider: "memory" },
            reranker: { provider: "zero_entropy", config: { base_url: `${server.url}/v1` } },
          },
          { env },
        );
        await memory.add("x y", { user_id: "u", infer: false });
        expect((await memory.search("x", { user_id: "u", rerank: true })).reranked).toBe(true);
      }
    } finally {
      await server.close();
    }
    await expect(
      Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "zero_entropy" } }, { env: {} }),
    ).rejects.toThrow(/ZERO_ENTROPY_API_KEY or ZEROENTROPY_API_KEY/);
  });
  test("bad values name their path", async () => {
    const err = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      // @ts-expect-error the typed config rejects this at compile time too; this checks the run-time errors
      reranker: { provider: "zero_entropy", config: { api_key: KEY, latency: "medium", top_k: 0 } },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues).toEqual(
      expect.arrayContaining([
        'reranker.config.latency: expected "fast" or "slow"',
        "reranker.config.top_k: expected a positive integer",
      ]),
    );
  });
  test("the key is in no enumerable field", async () => {
    const server = await startZeroEntropyServer();
    expect(JSON.stringify(make(server))).not.toContain(KEY);
    await server.close();
  });
});
