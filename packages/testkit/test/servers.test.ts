import { OpenApiSpec } from "../src/openapi.js";
import {
  lexicalScore,
  startCohereServer,
  startOpenAIServer,
  startTeiServer,
  startZeroEntropyServer,
  type FakeServer,
} from "../src/servers/index.js";

async function post(server: FakeServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as any };
}

const DOCS = ["the cat sat", "ramen and sushi for alice", "alice likes ramen", "tax forms"];

describe("Cohere fake", () => {
  let server: FakeServer;
  const auth = { authorization: "Bearer co-key-123" };
  const cohere = OpenApiSpec.load("cohere");
  beforeAll(async () => (server = await startCohereServer({ apiKey: "co-key-123", warnings: ["model deprecated"] })));
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test("v2: ranks by relevance_score with indices, cut to top_n, answer valid against the spec", async () => {
    const response = await post(
      server,
      "/v2/rerank",
      { model: "rerank-v3.5", query: "alice ramen", documents: DOCS, top_n: 2 },
      auth,
    );
    expect(response.status).toBe(200);
    expect(response.json.results.map((x: any) => x.index)).toEqual([2, 1]);
    expect(response.json.results[0].relevance_score).toBeGreaterThan(response.json.results[1].relevance_score);
    expect(response.json.meta.billed_units).toEqual({ search_units: 1 });
    expect(response.json.meta.warnings).toEqual(["model deprecated"]);
    expect(cohere.validateResponse("POST", "/v2/rerank", 200, response.json)).toEqual({ ok: true, errors: [] });
    expect(server.calls[0]!.headers.authorization).toBe("Bearer co-key-123");
    expect(server.calls[0]!.body).toMatchObject({ query: "alice ramen" });
  });
  test("v1: objects as documents and return_documents", async () => {
    const response = await post(
      server,
      "/v1/rerank",
      { query: "alice ramen", documents: [{ text: "alice ramen" }, "x"], return_documents: true },
      auth,
    );
    expect(response.status).toBe(200);
    expect(response.json.results[0]).toMatchObject({ index: 0, document: { text: "alice ramen" } });
    expect(cohere.validateResponse("POST", "/v1/rerank", 200, response.json).ok).toBe(true);
  });
  test("rejects what Cohere rejects, with Cohere's error shape", async () => {
    const missing = await post(server, "/v2/rerank", { query: "q", documents: ["a"] }, auth);
    expect(missing.status).toBe(400);
    expect(missing.json.message).toMatch(/model/);
    expect((await post(server, "/v2/rerank", { model: "m", query: "q", documents: [] }, auth)).status).toBe(400);
    expect(
      (await post(server, "/v2/rerank", { model: "m", query: "q", documents: ["a"], top_n: 0 }, auth)).status,
    ).toBe(400);
    expect(
      (await post(server, "/v2/rerank", { model: "m", query: "q", documents: Array(10_001).fill("a") }, auth)).status,
    ).toBe(400);
    expect((await post(server, "/v2/rerank", "{not json", auth)).status).toBe(400);
    expect((await post(server, "/v2/rerank", { model: "m", query: "q", documents: ["a"] })).json).toMatchObject({
      message: "no api key supplied",
    });
    expect(
      (await post(server, "/v2/rerank", { model: "m", query: "q", documents: ["a"] }, { authorization: "Bearer nope" }))
        .status,
    ).toBe(401);
    for (const status of [400, 401])
      expect(cohere.validateResponse("POST", "/v2/rerank", status, { message: "x" }).ok).toBe(true);
  });
  test("faults: status with Retry-After, reset, malformed JSON, NaN, wrong count, bad index, string score", async () => {
    const body = { model: "m", query: "alice ramen", documents: DOCS };
    server.inject({ type: "status", status: 429, retryAfter: 2 });
    const limited = await post(server, "/v2/rerank", body, auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    server.inject("reset");
    await expect(post(server, "/v2/rerank", body, auth)).rejects.toThrow();
    server.inject("malformed-json");
    expect((await post(server, "/v2/rerank", body, auth)).json).toBeUndefined();
    server.inject("nan-score");
    expect((await post(server, "/v2/rerank", body, auth)).text).toMatch(/"relevance_score":NaN/);
    server.inject("wrong-count");
    expect((await post(server, "/v2/rerank", body, auth)).json.results).toHaveLength(3);
    server.inject("bad-index");
    expect((await post(server, "/v2/rerank", body, auth)).json.results[0].index).toBe(9);
    server.inject("non-numeric-score");
    expect(typeof (await post(server, "/v2/rerank", body, auth)).json.results[0].relevance_score).toBe("string");
    expect((await post(server, "/v2/rerank", body, auth)).status).toBe(200);
    expect(server.calls.map((c) => c.status)).toEqual([429, "reset", 200, 200, 200, 200, 200, 200]);
    expect(server.calls.map((c) => c.fault)).toEqual([
      "status",
      "reset",
      "malformed-json",
      "nan-score",
      "wrong-count",
      "bad-index",
      "non-numeric-score",
      undefined,
    ]);
  });
  test("hang and slow body; latency; concurrency is measured", async () => {
    server.inject("hang");
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 100);
    await expect(
      fetch(`${server.url}/v2/rerank`, { method: "POST", body: "{}", signal: ctrl.signal }),
    ).rejects.toThrow();
    server.inject({ type: "slow-body", chunks: 3, chunkDelayMs: 50 });
    const started = performance.now();
    const response = await post(server, "/v2/rerank", { model: "m", query: "q", documents: ["a"] }, auth);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    server.latencyMs = 50;
    await Promise.all(
      [1, 2, 3].map(() => post(server, "/v2/rerank", { model: "m", query: "q", documents: ["a"] }, auth)),
    );
    expect(server.maxConcurrent).toBe(3);
    server.latencyMs = 0;
  });
  test("answer faults a route cannot express are refused when queued", () => {
    expect(() => server.inject("wrong-count", { path: "/v9/other" })).toThrow(/not supported/);
  });
});

describe("ZeroEntropy fake", () => {
  let server: FakeServer;
  const auth = { authorization: "Bearer ze-key" };
  beforeAll(async () => (server = await startZeroEntropyServer({ apiKey: "ze-key" })));
  afterAll(() => server.close());

  test("ranks, reports latency mode and bytes; answer valid against the schema", async () => {
    const response = await post(
      server,
      "/v1/models/rerank",
      { model: "zerank-1", query: "alice ramen", documents: DOCS, latency: "slow" },
      auth,
    );
    expect(response.status).toBe(200);
    expect(response.json.results[0].index).toBe(2);
    expect(response.json.actual_latency_mode).toBe("slow");
    expect(response.json.total_bytes).toBe(DOCS.reduce((s, d) => s + 150 + 11 + d.length, 0));
    expect(OpenApiSpec.load("zeroentropy").validateResponse("POST", "/v1/models/rerank", 200, response.json).ok).toBe(
      true,
    );
  });
  test("422 for a bad body, 400 over 5,000,000 bytes, 401 for a wrong key", async () => {
    expect((await post(server, "/v1/models/rerank", { model: "zerank-1", documents: ["a"] }, auth)).status).toBe(422);
    expect(
      (
        await post(
          server,
          "/v1/models/rerank",
          { model: "zerank-1", query: "q", documents: ["a"], latency: "medium" },
          auth,
        )
      ).status,
    ).toBe(422);
    const big = Array.from({ length: 5 }, () => "x".repeat(1_000_000));
    expect(
      (await post(server, "/v1/models/rerank", { model: "zerank-1", query: "q", documents: big }, auth)).json.detail,
    ).toMatch(/5000000/);
    expect(
      (
        await post(
          server,
          "/v1/models/rerank",
          { model: "zerank-1", query: "q", documents: ["a"] },
          { authorization: "Bearer x" },
        )
      ).status,
    ).toBe(401);
  });
});

describe("TEI fake", () => {
  let server: FakeServer;
  const tei = OpenApiSpec.load("tei");
  beforeAll(async () => (server = await startTeiServer({ dims: 8 })));
  afterAll(() => server.close());

  test("/rerank: bare array sorted by score, timing headers, valid against the spec", async () => {
    const response = await post(server, "/rerank", { query: "alice ramen", texts: DOCS, return_text: true });
    expect(response.status).toBe(200);
    expect(Array.isArray(response.json)).toBe(true);
    expect(response.json[0]).toEqual({
      index: 2,
      text: "alice likes ramen",
      score: lexicalScore("alice ramen", "alice likes ramen"),
    });
    expect(response.headers.get("x-compute-time")).not.toBeNull();
    expect(tei.validateResponse("POST", "/rerank", 200, response.json).ok).toBe(true);
    const raw = await post(server, "/rerank", { query: "alice ramen", texts: DOCS, raw_scores: true });
    expect(raw.json[3].score).toBeLessThan(0);
  });
  test("TEI's own errors: 413 over 32 texts, 400 empty, 422 bad shape, 413 oversized body, 413 too long", async () => {
    const many = await post(server, "/rerank", { query: "q", texts: Array(33).fill("a") });
    expect(many).toMatchObject({
      status: 413,
      json: { error: "batch size 33 > maximum allowed batch size 32", error_type: "Validation" },
    });
    expect(tei.validateResponse("POST", "/rerank", 413, many.json).ok).toBe(true);
    expect((await post(server, "/rerank", { query: "q", texts: [] })).json).toEqual({
      error: "`texts` cannot be empty",
      error_type: "Empty",
    });
    const shape = await post(server, "/rerank", { query: "q" });
    expect(shape.status).toBe(422);
    expect(shape.text).toMatch(/Failed to deserialize/);
    expect((await post(server, "/rerank", "nope")).status).toBe(400);
    expect((await post(server, "/embed", { inputs: "x".repeat(2_100_000) })).status).toBe(413);
    const long = await post(server, "/embed", { inputs: Array(600).fill("word").join(" ") });
    expect(long.json.error_type).toBe("Validation");
    expect((await post(server, "/embed", { inputs: Array(600).fill("word").join(" "), truncate: true })).status).toBe(
      200,
    );
  });
  test("/embed: one vector per input, normalised by default", async () => {
    const response = await post(server, "/embed", { inputs: ["a b", "c d"] });
    expect(response.json).toHaveLength(2);
    expect(Math.hypot(...response.json[0])).toBeCloseTo(1, 6);
    expect(tei.validateResponse("POST", "/embed", 200, response.json).ok).toBe(true);
  });
  test("429 Overloaded and 424 Backend carry TEI's error body", async () => {
    server.inject({ type: "status", status: 429 }).inject({ type: "status", status: 424 });
    expect((await post(server, "/rerank", { query: "q", texts: ["a"] })).json.error_type).toBe("Overloaded");
    expect((await post(server, "/rerank", { query: "q", texts: ["a"] })).json.error_type).toBe("Backend");
  });
});

describe("OpenAI fake", () => {
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  const key = "sk-test-abcdefghijklmnop1234";
  const auth = { authorization: `Bearer ${key}` };
  const openai = OpenApiSpec.load("openai");
  const schema = {
    type: "object",
    properties: {
      scores: {
        type: "object",
        properties: { d0: { type: "number", minimum: 0, maximum: 1 } },
        required: ["d0"],
        additionalProperties: false,
      },
    },
    required: ["scores"],
    additionalProperties: false,
  };
  const chatBody = (extra: object = {}) => ({
    model: "gpt-4.1-nano",
    messages: [{ role: "user", content: "score it" }],
    response_format: { type: "json_schema", json_schema: { name: "scores", schema, strict: true } },
    ...extra,
  });
  beforeAll(async () => (server = await startOpenAIServer({ apiKey: key })));
  afterAll(() => server.close());

  test("default answer fills the JSON schema; response valid against the spec; rate-limit headers", async () => {
    const response = await post(server, "/v1/chat/completions", chatBody(), auth);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.json.choices[0].message.content)).toEqual({ scores: { d0: 0.5 } });
    expect(openai.validateResponse("POST", "/chat/completions", 200, response.json)).toEqual({ ok: true, errors: [] });
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("9999");
  });
  test("scripted answers are used in order, then the default", async () => {
    server.scriptChat({ scores: { d0: 0.9 } }, () => "plain", { fault: { type: "status", status: 503 } });
    expect(
      JSON.parse((await post(server, "/v1/chat/completions", chatBody(), auth)).json.choices[0].message.content),
    ).toEqual({ scores: { d0: 0.9 } });
    expect((await post(server, "/v1/chat/completions", chatBody(), auth)).json.choices[0].message.content).toBe(
      "plain",
    );
    expect((await post(server, "/v1/chat/completions", chatBody(), auth)).status).toBe(503);
    expect((await post(server, "/v1/chat/completions", chatBody(), auth)).status).toBe(200);
  });
  test("strict schemas must follow the structured-outputs rules", async () => {
    const loose = {
      ...chatBody(),
      response_format: {
        type: "json_schema",
        json_schema: { name: "s", strict: true, schema: { type: "object", properties: { a: { type: "number" } } } },
      },
    };
    const response = await post(server, "/v1/chat/completions", loose, auth);
    expect(response.status).toBe(400);
    expect(response.json.error.message).toMatch(/additionalProperties/);
    const badName = {
      ...chatBody(),
      response_format: { type: "json_schema", json_schema: { name: "has space", schema } },
    };
    expect((await post(server, "/v1/chat/completions", badName, auth)).status).toBe(400);
    expect((await post(server, "/v1/chat/completions", chatBody({ temperature: 7 }), auth)).json.error.type).toBe(
      "invalid_request_error",
    );
  });
  test("a wrong key is a 401 that shows only a masked key", async () => {
    const response = await post(server, "/v1/chat/completions", chatBody(), {
      authorization: "Bearer sk-wrong-secret-value-9876",
    });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("invalid_api_key");
    expect(response.text).not.toContain("sk-wrong-secret-value-9876");
    expect(response.text).toContain("9876");
  });
  test("answer faults break the structured answer", async () => {
    server.inject("wrong-count");
    expect(
      JSON.parse((await post(server, "/v1/chat/completions", chatBody(), auth)).json.choices[0].message.content),
    ).toEqual({ scores: {} });
    server.inject("nan-score");
    expect((await post(server, "/v1/chat/completions", chatBody(), auth)).json.choices[0].message.content).toBe(
      '{"scores":{"d0":NaN}}',
    );
  });
  test("/v1/embeddings: float and base64, dimensions, OpenAI's limits", async () => {
    const f = await post(
      server,
      "/v1/embeddings",
      { model: "text-embedding-3-small", input: ["a", "b"], dimensions: 16 },
      auth,
    );
    expect(f.json.data[1].embedding).toHaveLength(16);
    expect(openai.validateResponse("POST", "/embeddings", 200, f.json).ok).toBe(true);
    const b = await post(
      server,
      "/v1/embeddings",
      { model: "text-embedding-3-small", input: "a", encoding_format: "base64" },
      auth,
    );
    expect(Buffer.from(b.json.data[0].embedding, "base64").length).toBe(1536 * 4);
    expect((await post(server, "/v1/embeddings", { model: "text-embedding-3-small", input: "" }, auth)).status).toBe(
      400,
    );
    expect(
      (await post(server, "/v1/embeddings", { model: "text-embedding-ada-002", input: "a", dimensions: 8 }, auth))
        .status,
    ).toBe(400);
    expect((await post(server, "/v1/embeddings", { model: "m", input: Array(2049).fill("a") }, auth)).status).toBe(400);
  });
});
