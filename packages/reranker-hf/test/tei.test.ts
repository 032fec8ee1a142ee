/**
 * The TEI path against testkit's loopback TEI server (requests validated against TEI's OpenAPI
 * document; 32-text limit, payload limit, TEI's error bodies).
 */
import { Memory } from "@mem0/core";
import {
  describeRerankerConformance,
  describeRerankFaultMatrix,
  lexicalScore,
  startTeiServer,
  type TeiServer,
} from "@mem0/testkit";
import { createHuggingFaceReranker, type TeiReranker } from "../src/index.js";

const QUERY = "which ramen does alice like";
const docs = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `memory ${i}: ${i % 3 === 0 ? "alice likes tonkotsu ramen" : i % 3 === 1 ? "the printer is broken" : "ramen shop opens at noon"} ${"x".repeat(i)}`,
  );
const FAST = { max_retries: 2, timeout_ms: 5000 };

describe("TEI /rerank", () => {
  let server: TeiServer;
  beforeAll(async () => {
    server = await startTeiServer();
  });
  afterAll(() => server.close());
  beforeEach(() => void server.reset());

  test("sends query, texts, raw_scores and truncate as TEI expects, and returns TEI's sigmoid scores by index", async () => {
    const reranker = await createHuggingFaceReranker({ endpoint_url: server.url });
    const documents = docs(6);
    const out = await reranker.rerank(QUERY, documents);
    const [call] = server.callsTo("/rerank");
    expect(call!.body).toEqual({
      query: QUERY,
      texts: documents,
      raw_scores: false,
      truncate: true,
      truncation_direction: "Right",
    });
    expect(call!.status).toBe(200);
    for (const item of out) expect(item.score).toBeCloseTo(lexicalScore(QUERY, documents[item.index]!), 6);
    expect(out.map((o) => o.score)).toEqual([...out.map((o) => o.score)].sort((a, b) => b - a));
  });

  test("normalize: false asks for raw scores (logits)", async () => {
    const reranker = await createHuggingFaceReranker({ endpoint_url: server.url, normalize: false });
    const out = await reranker.rerank(QUERY, docs(3));
    expect((server.callsTo("/rerank")[0]!.body as { raw_scores: boolean }).raw_scores).toBe(true);
    expect(out.some((o) => o.score < 0 || o.score > 1)).toBe(true);
  });

  test("100 candidates go out as requests of at most 32 texts, merged back by index", async () => {
    const reranker = await createHuggingFaceReranker({ endpoint_url: `${server.url}/` });
    const documents = docs(100);
    const meta: Record<string, unknown> = {};
    const out = await reranker.rerank(QUERY, documents, { meta });
    const calls = server.callsTo("/rerank");
    expect(calls.map((c) => (c.body as { texts: string[] }).texts.length)).toEqual([32, 32, 32, 4]);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    expect(meta.requests).toBe(4);
    expect(out).toHaveLength(100);
    expect(new Set(out.map((o) => o.index)).size).toBe(100);
    for (const item of out) expect(item.score).toBeCloseTo(lexicalScore(QUERY, documents[item.index]!), 6);
  });

  test("a server with a lower batch limit answers 413; the chunk is halved and the limit remembered", async () => {
    const small = await startTeiServer({ maxClientBatchSize: 10 });
    try {
      const reranker = (await createHuggingFaceReranker({ endpoint_url: small.url })) as TeiReranker;
      const documents = docs(40);
      const out = await reranker.rerank(QUERY, documents);
      expect(out).toHaveLength(40);
      for (const item of out) expect(item.score).toBeCloseTo(lexicalScore(QUERY, documents[item.index]!), 6);
      expect(small.calls.some((c) => c.status === 413)).toBe(true);
      expect(reranker.client.batchLimit).toBeLessThanOrEqual(10);
      small.reset();
      await reranker.rerank(QUERY, documents);
      expect(small.calls.every((c) => c.status === 200)).toBe(true);
    } finally {
      await small.close();
    }
  });

  test("a body over the payload limit (413, plain text) is split too", async () => {
    const tight = await startTeiServer({ payloadLimit: 4_000 });
    try {
      const reranker = await createHuggingFaceReranker({ endpoint_url: tight.url });
      const documents = Array.from({ length: 8 }, (_, i) => `alice ramen ${i} ${"filler ".repeat(120)}`);
      const out = await reranker.rerank(QUERY, documents);
      expect(out).toHaveLength(8);
      expect(tight.calls.some((c) => c.status === 413)).toBe(true);
    } finally {
      await tight.close();
    }
  });

  test("429 Overloaded is retried; 424 Backend is not", async () => {
    const reranker = await createHuggingFaceReranker({ endpoint_url: server.url, ...FAST });
    server.inject({ type: "status", status: 429 }, { path: "/rerank" });
    const meta: Record<string, unknown> = {};
    await expect(reranker.rerank(QUERY, docs(3), { meta })).resolves.toHaveLength(3);
    expect(server.callsTo("/rerank").map((c) => c.status)).toEqual([429, 200]);
    expect(meta.retries).toBe(1);

    server.reset();
    server.inject({ type: "status", status: 424 }, { path: "/rerank" });
    await expect(reranker.rerank(QUERY, docs(3))).rejects.toMatchObject({
      status: 424,
      retryable: false,
      message: expect.stringMatching(/424.*Backend/),
    });
    expect(server.callsTo("/rerank")).toHaveLength(1);
  });

  test("api_key is sent as a bearer token; HF_TOKEN is never sent to a non-Hugging Face host", async () => {
    const secured = await startTeiServer({ apiKey: "tei-secret-1234" });
    try {
      const ok = await createHuggingFaceReranker({ endpoint_url: secured.url, api_key: "tei-secret-1234" });
      await expect(ok.rerank(QUERY, docs(2))).resolves.toHaveLength(2);
      const fromEnv = await createHuggingFaceReranker(
        { endpoint_url: secured.url, max_retries: 0 },
        { HF_TOKEN: "hf_envtoken1234" },
      );
      const err = await fromEnv.rerank(QUERY, docs(2)).catch((e) => e);
      expect(err.status).toBe(401);
      expect(secured.calls.at(-1)!.headers.authorization).toBeUndefined();
      expect(JSON.stringify(err)).not.toContain("tei-secret-1234");
    } finally {
      await secured.close();
    }
  });

  test("used by Memory.search", async () => {
    const memory = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: { provider: "huggingface", config: { endpoint_url: server.url } },
    });
    try {
      for (const t of ["Alice likes tonkotsu ramen", "The printer is broken", "Ramen shop opens at noon"])
        await memory.add(t, { user_id: "alice", infer: false });
      const response = await memory.search(QUERY, { user_id: "alice", limit: 2 });
      expect(response.reranked).toBe(true);
      expect(response.results[0]!.memory).toBe("Alice likes tonkotsu ramen");
      expect(response.rerank?.meta).toMatchObject({ requests: 1 });
    } finally {
      await memory.close();
    }
  });
});

describeRerankerConformance(
  "huggingface, TEI endpoint",
  async () => {
    const server = await startTeiServer({ latencyMs: 0 });
    const reranker = await createHuggingFaceReranker({ endpoint_url: server.url, max_retries: 0 });
    return {
      reranker,
      slowDown: () => (server.latencyMs = 2000),
      speedUp: () => (server.latencyMs = 0),
      close: () => server.close(),
    };
  },
  { withApiKey: (apiKey) => createHuggingFaceReranker({ endpoint_url: "http://127.0.0.1:9", api_key: apiKey }) },
);

describeRerankFaultMatrix({
  name: "huggingface (TEI)",
  path: "/rerank",
  apiKey: "tei-key-5678",
  start: () => startTeiServer({ apiKey: "tei-key-5678" }),
  child: { cwd: process.cwd(), module: "@mem0/reranker-hf" },
  reranker: (server, apiKey) => ({ provider: "huggingface", config: { endpoint_url: server.url, api_key: apiKey } }),
});
