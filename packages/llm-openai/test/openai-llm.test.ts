import { ConfigError, Memory, ProviderError } from "@mem0/core";
import { startOpenAIServer, testSecretHolding, type OpenAIServer } from "@mem0/testkit";
import plugin, { configSchema, OpenAILLM } from "../src/index.js";

const KEY = "sk-test-llm-0c7d1e2f3a4b";
const ctx = (env: Record<string, string> = {}) => ({
  env,
  config: {},
  load: async () => {
    throw new Error("unused");
  },
});
const make = (server: OpenAIServer, extra: Record<string, unknown> = {}) =>
  plugin.create(configSchema.parse({ api_key: KEY, base_url: `${server.url}/v1`, ...extra }), ctx()) as OpenAILLM;
const schema = {
  type: "object",
  properties: { answer: { type: "string" } },
  required: ["answer"],
  additionalProperties: false,
};

let server: OpenAIServer;
beforeAll(async () => (server = await startOpenAIServer({ apiKey: KEY })));
afterAll(() => server.close());
beforeEach(() => server.reset());

test("chat completion with a strict JSON schema: the request the real SDK sends, and meta", async () => {
  server.scriptChat({ answer: "42" });
  const meta: Record<string, unknown> = {};
  const out = await make(server, { model: "gpt-4o-mini", temperature: 0, max_tokens: 50 }).generate(
    [
      { role: "system", content: "be brief" },
      { role: "user", content: "answer?" },
    ],
    { response_format: { type: "json_schema", name: "answer", schema }, meta },
  );
  expect(JSON.parse(out)).toEqual({ answer: "42" });
  expect(server.calls[0]!.body).toMatchObject({
    model: "gpt-4o-mini",
    temperature: 0,
    max_tokens: 50,
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: "answer?" },
    ],
    response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } },
  });
  expect(server.calls[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  expect(meta).toMatchObject({
    calls: 1,
    prompt_chars: 15,
    usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    rate_limit: { "x-ratelimit-remaining-requests": expect.any(String) },
  });
});

test("a refusal and a cut-off answer are typed, permanent errors", async () => {
  server.scriptChat({ refusal: "I can't help with that" }, { content: '{"answer": "4', finish_reason: "length" });
  await expect(make(server).generate([{ role: "user", content: "x" }])).rejects.toMatchObject({
    code: "PROVIDER_REFUSED",
    retryable: false,
  });
  await expect(make(server).generate([{ role: "user", content: "x" }])).rejects.toMatchObject({
    code: "PROVIDER_TRUNCATED",
    retryable: false,
  });
});

test("5xx is retried with backoff (SDK retries off, ours on); 401 is not, and never shows the key", async () => {
  server.inject({ type: "status", status: 500 }, { times: 2 });
  const meta: Record<string, unknown> = {};
  await expect(make(server).generate([{ role: "user", content: "x" }], { meta })).resolves.toBe("OK");
  expect(meta).toMatchObject({ calls: 3, retries: 2 });
  expect(server.calls.map((c) => c.status)).toEqual([500, 500, 200]);

  server.reset();
  const wrong = "sk-wrong-key-for-the-test-99887766";
  const llm = plugin.create(configSchema.parse({ api_key: wrong, base_url: `${server.url}/v1` }), ctx()) as OpenAILLM;
  const err = (await llm.generate([{ role: "user", content: "x" }]).catch((e) => e)) as ProviderError;
  expect(err).toBeInstanceOf(ProviderError);
  expect(err).toMatchObject({ status: 401, retryable: false, provider: "openai" });
  expect(err.message).toMatch(/HTTP 401: Incorrect API key provided/);
  expect(err.message).not.toContain(wrong);
  expect(JSON.stringify(err)).not.toContain(wrong);
  expect(JSON.stringify(llm)).not.toContain(wrong);
  expect(server.calls).toHaveLength(1);
});

test("a 400 from the API (invalid strict schema) is permanent and says why", async () => {
  const loose = { type: "object", properties: { a: { type: "string" } } };
  await expect(
    make(server).generate([{ role: "user", content: "x" }], {
      response_format: { type: "json_schema", name: "x", schema: loose },
    }),
  ).rejects.toMatchObject({
    status: 400,
    retryable: false,
    message: expect.stringMatching(/additionalProperties/),
  });
  expect(server.calls).toHaveLength(1);
});

describe("config", () => {
  test("key and base URL from the given env (OPENAI_API_KEY, OPENAI_BASE_URL), never process.env", async () => {
    const llm = plugin.create(
      configSchema.parse({}),
      ctx({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.url}/v1` }),
    ) as OpenAILLM;
    await expect(llm.generate([{ role: "user", content: "x" }])).resolves.toBe("OK");
  });
  test("api.openai.com needs a key; a self-hosted base_url does not", () => {
    expect(() => plugin.create(configSchema.parse({}), ctx())).toThrow(ConfigError);
    expect(() => plugin.create(configSchema.parse({}), ctx())).toThrow(
      /llm\.config\.api_key: missing API key; set it in the config or in OPENAI_API_KEY/,
    );
    expect(plugin.create(configSchema.parse({ base_url: "http://127.0.0.1:1/v1" }), ctx())).toBeInstanceOf(OpenAILLM);
  });
  test("Memory.fromConfig validates the llm block with this schema", async () => {
    const err = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      // @ts-expect-error the typed config rejects this at compile time too; this checks the run-time errors
      llm: { provider: "openai", config: { api_key: KEY, temperature: 3, maxTokens: 0, top_q: 1 } },
    }).catch((e) => e);
    expect(err.issues).toEqual(
      expect.arrayContaining([
        "llm.config.temperature: expected a number between 0 and 2",
        "llm.config.max_tokens: expected a positive integer",
        "llm.config.top_q: unknown key",
      ]),
    );
    const memory = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      llm: { provider: "openai", config: { model: "gpt-4", api_key: KEY, base_url: `${server.url}/v1` } },
    });
    expect(memory.llm).toBeInstanceOf(OpenAILLM);
  });
});

describe("secrets", () => {
  testSecretHolding("the openai LLM", (apiKey) => plugin.create(configSchema.parse({ api_key: apiKey }), ctx()));
});

test("Mem0's keys: openai_base_url (Python) and baseURL (mem0ai) are the endpoint; top_p is sent; two spellings at once are refused", async () => {
  for (const spelling of ["openai_base_url", "baseURL", "openaiBaseUrl"]) {
    server.reset();
    const llm = plugin.create(
      configSchema.parse({ api_key: KEY, [spelling]: `${server.url}/v1`, top_p: 0.9 }),
      ctx(),
    ) as OpenAILLM;
    await expect(llm.generate([{ role: "user", content: "x" }])).resolves.toBe("OK");
    expect(server.calls[0]!.body).toMatchObject({ top_p: 0.9 });
  }
  expect(configSchema.safeParse({ base_url: `${server.url}/v1`, openai_base_url: `${server.url}/v2` }).success).toBe(
    false,
  );
  expect(configSchema.safeParse({ top_p: 1.5 }).success).toBe(false);
});
