/**
 * The embedder through the real `openai` SDK against testkit's OpenAI fake (real HTTP on loopback;
 * every request body is validated against OpenAI's OpenAPI document, so a request the real API
 * would reject fails here too).
 */
import { inspect } from "node:util";
import { ConfigError, Memory, ProviderError, ValidationError } from "@mem0/core";
import {
  hashEmbedding,
  startFakeServer,
  startOpenAIServer,
  testSecretHolding,
  type FakeServer,
  type OpenAIServer,
} from "@mem0/testkit";
import plugin, {
  configSchema,
  MAX_INPUTS_PER_REQUEST,
  MAX_TOKENS_PER_REQUEST,
  OpenAIEmbedder,
  planBatches,
  plugin as namedPlugin,
  type OpenAIEmbedderOptions,
} from "../src/index.js";

const KEY = "sk-test-embedder-0123456789abcdefSECRET";
let server: OpenAIServer;

beforeAll(async () => {
  server = await startOpenAIServer({ apiKey: KEY });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const base = () => `${server.url}/v1`;
const embedder = (options: Partial<OpenAIEmbedderOptions> = {}) =>
  OpenAIEmbedder.create({ model: "text-embedding-3-small", apiKey: KEY, baseURL: base(), ...options });
/** What the fake computes for `text`, as float32 (what travels in base64). */
const expected = (text: string, dims: number) => Float32Array.from(hashEmbedding(text, dims));
const bodies = () => server.callsTo("/v1/embeddings").map((c) => c.body as Record<string, any>);

async function fromConfig(config: Record<string, unknown>, env: Record<string, string | undefined> = {}) {
  return Memory.fromConfig({ vector_store: { provider: "memory" }, embedder: { provider: "openai", config } }, { env });
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("plugin", () => {
  it("is exported as default and as plugin, for provider openai under embedder", () => {
    expect(plugin).toBe(namedPlugin);
    expect(plugin.role).toBe("embedder");
    expect(plugin.provider).toBe("openai");
  });

  it("works as Memory's embedder from a Mem0 config: add and search over the real SDK", async () => {
    const memory = await fromConfig({ model: "text-embedding-3-small", api_key: KEY, base_url: base() });
    expect(memory.embedder.dims).toBe(1536);
    await memory.add("I love sci-fi movies", { user_id: "alice", infer: false });
    await memory.add("I am allergic to peanuts", { user_id: "alice", infer: false });
    const res = await memory.search("which movies do I love", { user_id: "alice" });
    expect(res.results[0]!.memory).toBe("I love sci-fi movies");
    const sent = bodies();
    expect(sent).toHaveLength(3);
    expect(sent[0]).toEqual({
      model: "text-embedding-3-small",
      input: ["I love sci-fi movies"],
      encoding_format: "base64",
    });
    expect(server.callsTo("/v1/embeddings")[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("defaults the model to text-embedding-3-small", async () => {
    const memory = await fromConfig({ api_key: KEY, base_url: base() });
    expect(memory.embedder.model).toBe("text-embedding-3-small");
  });
});

describe("vectors", () => {
  it("returns the server's vectors in input order, decoded from base64", async () => {
    const e = await embedder();
    const texts = ["alpha beta", "gamma", "delta epsilon zeta"];
    const vectors = await e.embed(texts, "add");
    expect(vectors).toHaveLength(3);
    for (const [i, text] of texts.entries()) expect(Array.from(vectors[i]!)).toEqual(Array.from(expected(text, 1536)));
  });

  it("gives the same vectors with encoding_format float", async () => {
    const memory = await fromConfig({ api_key: KEY, base_url: base(), encoding_format: "float" });
    const [v] = await memory.embedder.embed(["the same text"], "search");
    expect(bodies()[0]!.encoding_format).toBe("float");
    expect(Array.from(v!)).toEqual(Array.from(expected("the same text", 1536)));
  });

  it("sends embedding_dims as dimensions to text-embedding-3 models and reports it as dims", async () => {
    const memory = await fromConfig({
      model: "text-embedding-3-large",
      api_key: KEY,
      base_url: base(),
      embedding_dims: 256,
    });
    expect(memory.embedder.dims).toBe(256);
    const [v] = await memory.embedder.embed(["short vectors"], "add");
    expect(v).toHaveLength(256);
    expect(bodies()[0]!.dimensions).toBe(256);
  });

  it("knows each OpenAI model's size and sends no dimensions when embedding_dims is not set", async () => {
    for (const [model, dims] of [
      ["text-embedding-3-small", 1536],
      ["text-embedding-3-large", 3072],
      ["text-embedding-ada-002", 1536],
    ] as const) {
      server.reset();
      const memory = await fromConfig({ model, api_key: KEY, base_url: base() });
      expect(memory.embedder.dims).toBe(dims);
      const [v] = await memory.embedder.embed(["x"], "add");
      expect(v).toHaveLength(dims);
      expect(bodies()[0]).not.toHaveProperty("dimensions");
    }
  });

  it("never sends dimensions to text-embedding-ada-002 (it rejects them)", async () => {
    const memory = await fromConfig({
      model: "text-embedding-ada-002",
      api_key: KEY,
      base_url: base(),
      embedding_dims: 1536,
    });
    await memory.embedder.embed(["x"], "add");
    expect(bodies()[0]).not.toHaveProperty("dimensions");
  });

  it("returns [] for no texts without calling the API", async () => {
    const e = await embedder();
    await expect(e.embed([], "add")).resolves.toEqual([]);
    expect(server.calls).toHaveLength(0);
  });

  it("refuses an empty text by index, before any request", async () => {
    const e = await embedder();
    const err = await rejection(e.embed(["fine", ""], "add"));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain("embed.texts[1]");
    expect(server.calls).toHaveLength(0);
  });
});

describe("batching within the API's limits", () => {
  it("splits more than 2048 inputs into requests of at most 2048, keeping order", async () => {
    const e = await embedder({ dims: 8 });
    const texts = Array.from({ length: 5000 }, (_, i) => `memory number ${i}`);
    const vectors = await e.embed(texts, "add");
    expect(bodies().map((b) => b.input.length)).toEqual([2048, 2048, 904]);
    expect(vectors).toHaveLength(5000);
    for (const i of [0, 2047, 2048, 4095, 4096, 4999])
      expect(Array.from(vectors[i]!)).toEqual(Array.from(expected(texts[i]!, 8)));
    expect(server.maxConcurrent).toBeLessThanOrEqual(4);
  });

  it("honours batch_size", async () => {
    const memory = await fromConfig({ api_key: KEY, base_url: base(), batch_size: 100, embedding_dims: 8 });
    await memory.embedder.embed(
      Array.from({ length: 250 }, (_, i) => `t${i}`),
      "add",
    );
    expect(
      bodies()
        .map((b) => b.input.length)
        .sort(),
    ).toEqual([100, 100, 50]);
  });

  it("keeps each request under the 300,000-token budget, counting UTF-8 bytes as an upper bound", async () => {
    const e = await embedder({ dims: 8 });
    // 7 texts of just over 100,000 bytes (multi-byte characters: 50,000 × "é"): two fit in a request.
    const texts = Array.from({ length: 7 }, (_, i) => `${i} ${"é".repeat(50_000)}`);
    const vectors = await e.embed(texts, "add");
    const sent = bodies();
    // Requests run concurrently, so they may arrive in any order.
    expect(sent.map((b) => b.input.length).sort()).toEqual([1, 2, 2, 2]);
    for (const b of sent)
      expect(b.input.reduce((s: number, t: string) => s + Buffer.byteLength(t), 0)).toBeLessThanOrEqual(
        MAX_TOKENS_PER_REQUEST,
      );
    for (const [i, text] of texts.entries()) expect(Array.from(vectors[i]!)).toEqual(Array.from(expected(text, 8)));
  });

  it("planBatches: count and budget limits, an oversized text alone", () => {
    expect(planBatches(["a", "b", "c"], { maxInputs: 2, maxTokens: 100 }).map((b) => [b.start, b.texts])).toEqual([
      [0, ["a", "b"]],
      [2, ["c"]],
    ]);
    expect(planBatches(["aaaa", "bbbbbbbbbb", "cc"], { maxInputs: 10, maxTokens: 5 }).map((b) => b.texts)).toEqual([
      ["aaaa"],
      ["bbbbbbbbbb"],
      ["cc"],
    ]);
    expect(planBatches([], { maxInputs: 2, maxTokens: 5 })).toEqual([]);
    expect(MAX_INPUTS_PER_REQUEST).toBe(2048);
  });

  it("stops the remaining batches when one fails, and reports that failure", async () => {
    const e = await embedder({ dims: 8, batchSize: 10, maxRetries: 0 });
    server.inject({ type: "status", status: 400 }, { path: "/v1/embeddings" });
    const err = await rejection(
      e.embed(
        Array.from({ length: 200 }, (_, i) => `t${i}`),
        "add",
      ),
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.status).toBe(400);
    // 20 batches; with 4 in flight at most a handful were sent before the failure stopped the rest.
    expect(server.callsTo("/v1/embeddings").length).toBeLessThan(20);
  });
});

describe("retries, as the SDK does them", () => {
  it("retries a 500 and succeeds", async () => {
    const e = await embedder();
    server.inject({ type: "status", status: 500, retryAfter: 0 });
    await expect(e.embed(["x"], "add")).resolves.toHaveLength(1);
    // Only this test's calls: a cancelled request of the test before may still reach the server.
    const mine = server.callsTo("/v1/embeddings").filter((c) => (c.body as { input: string[] }).input[0] === "x");
    expect(mine.map((c) => c.status)).toEqual([500, 200]);
  });

  it("retries a 429 after its Retry-After", async () => {
    const e = await embedder();
    server.inject({ type: "status", status: 429, retryAfter: 0 });
    await expect(e.embed(["x"], "add")).resolves.toHaveLength(1);
    expect(server.callsTo("/v1/embeddings")).toHaveLength(2);
  });

  it("retries a reset connection", async () => {
    const e = await embedder();
    server.inject("reset");
    await expect(e.embed(["x"], "add")).resolves.toHaveLength(1);
    expect(server.callsTo("/v1/embeddings").map((c) => c.status)).toEqual(["reset", 200]);
  });

  it("gives up after max_retries with a retryable typed error", async () => {
    const memory = await fromConfig({ api_key: KEY, base_url: base(), max_retries: 1 });
    server.inject({ type: "status", status: 503, retryAfter: 0 }, { times: 5 });
    const err = await rejection(memory.embedder.embed(["x"], "add"));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ provider: "openai", status: 503, retryable: true });
    expect(err.message).toContain("[embeddings, model text-embedding-3-small]");
    expect(server.callsTo("/v1/embeddings")).toHaveLength(2);
  });

  it("does not retry a 400, and says what the server said", async () => {
    const e = await embedder();
    server.inject({
      type: "status",
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 8192 tokens",
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      },
    });
    const err = await rejection(e.embed(["x"], "add"));
    expect(err).toMatchObject({ status: 400, retryable: false, code: "PROVIDER_HTTP_ERROR" });
    expect(err.message).toContain("maximum context length is 8192 tokens");
    expect(server.callsTo("/v1/embeddings")).toHaveLength(1);
  });

  it("times out per attempt (timeout_ms) with a typed error", async () => {
    const memory = await fromConfig({ api_key: KEY, base_url: base(), timeout_ms: 150, max_retries: 0 });
    server.inject("hang");
    const err = await rejection(memory.embedder.embed(["x"], "add"));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe("PROVIDER_TIMEOUT");
    expect(err.message).toContain("150 ms");
  });

  it("stops at once when the caller aborts, with the caller's reason", async () => {
    const e = await embedder();
    server.inject("hang");
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    await expect(e.embed(["x"], "search", { signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("maps a 2xx body that is not JSON to a typed error", async () => {
    const e = await embedder({ maxRetries: 0 });
    server.inject("malformed-json");
    const err = await rejection(e.embed(["x"], "add"));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: "PROVIDER_BAD_RESPONSE", retryable: false });
  });

  it("maps a refused connection to a retryable typed error", async () => {
    const dead = await startOpenAIServer();
    const url = `${dead.url}/v1`;
    await dead.close();
    const e = await OpenAIEmbedder.create({
      model: "text-embedding-3-small",
      apiKey: KEY,
      baseURL: url,
      maxRetries: 0,
    });
    const err = await rejection(e.embed(["x"], "add"));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: "PROVIDER_CONNECTION", retryable: true });
  });
});

describe("API keys", () => {
  const leaks = (value: unknown) => {
    const texts = [JSON.stringify(value) ?? "", inspect(value, { depth: 8, showHidden: false }), String(value)];
    if (value instanceof Error) texts.push(value.message, value.stack ?? "", JSON.stringify(Object.entries(value)));
    return texts.some((t) => t.includes(KEY) || t.includes(KEY.slice(8)));
  };

  it("a wrong key is a typed 401 whose message, fields and stack hold no key", async () => {
    const wrong = `${KEY}-wrong`;
    const memory = await fromConfig({ api_key: wrong, base_url: base() });
    const err = await rejection(memory.embedder.embed(["x"], "add"));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(err.message).toContain("check the API key");
    for (const text of [
      err.message,
      err.stack,
      JSON.stringify(err),
      inspect(err, { depth: 8 }),
      JSON.stringify(Object.entries(err)),
    ]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(KEY);
    }
    expect(err.cause).toBeUndefined();
  });

  it("the embedder prints no key (JSON, inspect, enumerable fields)", async () => {
    const memory = await fromConfig({ api_key: KEY, base_url: base() });
    expect(leaks(memory.embedder)).toBe(false);
    expect(Object.values(memory.embedder).some((v) => typeof v === "object")).toBe(false);
  });

  it("falls back to OPENAI_API_KEY from the environment", async () => {
    const memory = await fromConfig({ base_url: base() }, { OPENAI_API_KEY: KEY });
    await memory.embedder.embed(["x"], "add");
    expect(server.calls[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("without a key for api.openai.com, fromConfig fails naming the config path and the variable", async () => {
    const err = await rejection(fromConfig({ model: "text-embedding-3-small" }, {}));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      "Invalid mem0 config: embedder.config.api_key: missing API key; set it in the config or in OPENAI_API_KEY",
    );
  });

  it("a keyless OpenAI-compatible server gets no Authorization header", async () => {
    const open = await startOpenAIServer();
    try {
      const memory = await fromConfig({ base_url: `${open.url}/v1` }, {});
      await memory.embedder.embed(["x"], "add");
      expect(open.calls[0]!.headers).not.toHaveProperty("authorization");
    } finally {
      await open.close();
    }
  });
});

describe("config", () => {
  const issues = async (config: Record<string, unknown>) =>
    ((await rejection(fromConfig(config, { OPENAI_API_KEY: KEY }))) as ConfigError).issues;

  it("rejects unknown keys and wrong types, naming the path", async () => {
    expect(await issues({ modle: "x" })).toEqual(["embedder.config.modle: unknown key"]);
    expect(
      await issues({ embedding_dims: 0, batch_size: 5000, base_url: "not a url", encoding_format: "int8" }),
    ).toEqual([
      "embedder.config.base_url: expected an absolute http(s) URL",
      "embedder.config.embedding_dims: expected a positive integer",
      "embedder.config.batch_size: expected at most 2048 (the embeddings API's limit of inputs per request)",
      'embedder.config.encoding_format: expected "base64" or "float"',
    ]);
  });

  it("rejects embedding_dims a model cannot produce", async () => {
    expect(await issues({ model: "text-embedding-ada-002", embedding_dims: 512 })).toEqual([
      "embedder.config.embedding_dims: text-embedding-ada-002 always returns 1536-dimensional vectors and does not accept dimensions; remove embedding_dims or set it to 1536",
    ]);
    expect(await issues({ model: "text-embedding-3-small", embedding_dims: 3072 })).toEqual([
      "embedder.config.embedding_dims: expected at most 1536 for text-embedding-3-small",
    ]);
  });

  it("accepts camelCase, the SDK's baseURL and Mem0 Python's openai_base_url", async () => {
    for (const config of [
      { apiKey: KEY, baseURL: base(), embeddingDims: 64 },
      { api_key: KEY, openai_base_url: base(), embedding_dims: 64 },
      { apiKey: KEY, baseUrl: base(), embeddingDims: 64 },
    ]) {
      server.reset();
      const memory = await fromConfig(config);
      await memory.embedder.embed(["x"], "add");
      expect(bodies()[0]!.dimensions).toBe(64);
    }
    expect(await issues({ base_url: base(), openai_base_url: "http://127.0.0.1:1/v1" })).toEqual([
      "embedder.config.openai_base_url: conflicts with base_url; set only one of them",
    ]);
  });

  it("reads OPENAI_BASE_URL from the environment when no base_url is configured", async () => {
    const memory = await fromConfig({}, { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: base() });
    await memory.embedder.embed(["x"], "add");
    expect(server.callsTo("/v1/embeddings")).toHaveLength(1);
  });

  it("parses with the exported schema", () => {
    expect(configSchema.safeParse({ model: "m", embeddingDims: 3 }).data).toEqual({ model: "m", embedding_dims: 3 });
  });
});

describe("other OpenAI-compatible servers", () => {
  // A server like Ollama's /v1/embeddings: a model OpenAI does not have, 768 dimensions, floats
  // even when base64 was asked for. Optionally answers with the wrong count.
  let compat: FakeServer;
  let wrongCount = false;
  beforeAll(async () => {
    compat = await startFakeServer({
      routes: [
        {
          method: "POST",
          path: "/v1/embeddings",
          handle: (req) => {
            const body = req.body as { input: string[]; model: string };
            const inputs = wrongCount ? body.input.slice(1) : body.input;
            return {
              status: 200,
              body: {
                object: "list",
                model: body.model,
                data: inputs.map((t, index) => ({ object: "embedding", index, embedding: hashEmbedding(t, 768) })),
              },
            };
          },
        },
      ],
    });
  });
  afterAll(() => compat.close());
  beforeEach(() => {
    compat.reset();
    wrongCount = false;
  });

  it("asks an unknown model for its size once, then embeds with it", async () => {
    const memory = await fromConfig({ model: "nomic-embed-text", base_url: `${compat.url}/v1` });
    expect(memory.embedder.dims).toBe(768);
    expect(compat.calls).toHaveLength(1);
    const [v] = await memory.embedder.embed(["hello world"], "add");
    expect(Array.from(v!)).toEqual(Array.from(Float32Array.from(hashEmbedding("hello world", 768))));
    expect(compat.calls[1]!.body).not.toHaveProperty("dimensions");
  });

  it("with embedding_dims, skips the probe and rejects vectors of another size", async () => {
    const memory = await fromConfig({ model: "nomic-embed-text", base_url: `${compat.url}/v1`, embedding_dims: 1024 });
    expect(memory.embedder.dims).toBe(1024);
    expect(compat.calls).toHaveLength(0);
    const err = await rejection(memory.embedder.embed(["x"], "add"));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toContain(
      "nomic-embed-text returned 768-dimensional vectors, expected 1024; if that is the model's size, set embedding_dims: 768",
    );
  });

  it("rejects an answer with fewer embeddings than inputs", async () => {
    const memory = await fromConfig({ model: "nomic-embed-text", base_url: `${compat.url}/v1`, embedding_dims: 768 });
    wrongCount = true;
    const err = await rejection(memory.embedder.embed(["a", "b"], "add"));
    expect(err).toMatchObject({ code: "PROVIDER_BAD_RESPONSE", retryable: false });
    expect(err.message).toContain("1 embeddings for 2 inputs");
  });

  it("constructed directly for an unknown model without dims, it says how to get them", () => {
    const e = new OpenAIEmbedder({ model: "nomic-embed-text", baseURL: `${compat.url}/v1` });
    expect(() => e.dims).toThrow(/OpenAIEmbedder.create\(\) or give dims/);
    expect(new OpenAIEmbedder({ model: "nomic-embed-text", baseURL: `${compat.url}/v1`, dims: 768 }).dims).toBe(768);
  });

  it("a failed probe fails fromConfig with a hint", async () => {
    compat.inject({ type: "status", status: 404, body: { error: { message: "model not found" } } });
    const err = await rejection(
      fromConfig({ model: "nomic-embed-text", base_url: `${compat.url}/v1`, max_retries: 0 }),
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toContain("model not found");
    expect(err.message).toContain("set embedding_dims to skip this request");
  });
});

describe("secrets", () => {
  testSecretHolding("the openai embedder", (apiKey) =>
    OpenAIEmbedder.create({ model: "text-embedding-3-small", apiKey, baseURL: "http://127.0.0.1:9/v1", dims: 8 }),
  );
});
