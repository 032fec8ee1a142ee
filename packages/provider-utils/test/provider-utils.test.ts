import { ConfigError, ProviderError } from "@mem0/core";
import { startCohereServer, type FakeServer } from "@mem0/testkit";
import {
  backoffDelay,
  contextApiKey,
  isRetryableStatus,
  parseRetryAfter,
  postJson,
  recordHeaders,
  resolveApiKey,
  serverMessage,
  statusError,
  toProviderError,
  withRetries,
  addCounts,
  Secret,
  validateHostedRanking,
} from "../src/index.js";

describe("classification", () => {
  test("408, 429 and 5xx (not 501) are retryable; 400, 401, 403, 404, 413, 422 are not", () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 413, 422, 501]) expect(isRetryableStatus(s)).toBe(false);
  });
  test("Retry-After in seconds, as a date, and OpenAI's retry-after-ms", () => {
    expect(parseRetryAfter({ "retry-after": "2" })).toBe(2000);
    expect(parseRetryAfter(new Headers({ "Retry-After-Ms": "150" }))).toBe(150);
    expect(parseRetryAfter({ "retry-after": new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
    expect(parseRetryAfter({ "retry-after": "soon" })).toBeUndefined();
  });
  test("server text from each API's error shape, redacted and bounded", () => {
    expect(serverMessage({ message: "invalid api token" })).toBe("invalid api token");
    expect(serverMessage({ error: { message: "bad key sk-secret-123456" } })).toBe("bad key sk-secret-123456");
    expect(serverMessage({ error: "batch too big", error_type: "Validation" })).toBe("Validation: batch too big");
    expect(serverMessage({ detail: [{ msg: "field required" }] })).toBe("field required");
    expect(serverMessage("x".repeat(1000)).length).toBeLessThan(310);
    const err = statusError("p", 401, {
      body: { error: { message: "bad key sk-secret-123456" } },
      secrets: ["sk-secret-123456"],
    });
    expect(err.message).toBe("p: HTTP 401: bad key [REDACTED] (check the API key)");
    expect(err).toMatchObject({ status: 401, retryable: false, provider: "p" });
  });
  test("socket errors are retryable connection errors; anything else is permanent and redacted", () => {
    const reset = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    });
    expect(toProviderError("p", reset)).toMatchObject({ code: "PROVIDER_CONNECTION", retryable: true });
    expect(toProviderError("p", new Error("boom key-abcdef"), { secrets: ["key-abcdef"] })).toMatchObject({
      retryable: false,
      message: "p: boom [REDACTED]",
    });
    expect(
      toProviderError("p", Object.assign(new Error("Unterminated string in JSON"), { name: "SyntaxError" })),
    ).toMatchObject({ code: "PROVIDER_BAD_RESPONSE", retryable: false });
  });
});

describe("withRetries against a real server", () => {
  let server: FakeServer;
  const call = (meta: Record<string, unknown>, policy = {}, signal?: AbortSignal) =>
    withRetries(
      "cohere",
      (s) => postJson("cohere", `${server.url}/v2/rerank`, { model: "m", query: "q", documents: ["a"] }, { signal: s }),
      { meta, policy: { baseDelayMs: 10, ...policy }, signal },
    );
  beforeAll(async () => (server = await startCohereServer()));
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test("retries 503 and resets, then succeeds; counts retries", async () => {
    server.inject({ type: "status", status: 503 }).inject("reset");
    const meta: Record<string, unknown> = {};
    await expect(call(meta)).resolves.toMatchObject({ status: 200 });
    expect(server.calls.map((c) => c.status)).toEqual([503, "reset", 200]);
    expect(meta.retries).toBe(2);
  });
  test("never retries 400 / 401 / 403 / 422", async () => {
    for (const status of [400, 401, 403, 422]) {
      server.reset().inject({ type: "status", status });
      await expect(call({})).rejects.toMatchObject({ status, retryable: false });
      expect(server.calls).toHaveLength(1);
    }
  });
  test("waits Retry-After, but not past the cap", async () => {
    server.inject({ type: "status", status: 429, retryAfter: 1 });
    const t = performance.now();
    await call({});
    expect(performance.now() - t).toBeGreaterThanOrEqual(950);
    server.reset().inject({ type: "status", status: 429, retryAfter: 30 });
    await expect(call({}, { maxRetryAfterMs: 5000 })).rejects.toThrow(/Retry-After 30 s is over the 5000 ms cap/);
    expect(server.calls).toHaveLength(1);
  });
  test("per-attempt timeout, retried; the caller's abort ends everything at once with its own reason", async () => {
    server.inject("hang", { times: 1 });
    await expect(call({}, { timeoutMs: 100 })).resolves.toMatchObject({ status: 200 });
    expect(server.calls.map((c) => c.status)).toEqual(["hang", 200]);
    server.reset().always("hang");
    const controller = new AbortController();
    const reason = new Error("budget spent");
    const outcome = call({}, {}, controller.signal).then(
      () => "resolved",
      (err: unknown) => err,
    );
    // Abort once the request is at the server, not after a fixed delay: on a loaded machine the request
    // could land after the abort, counted by the next test instead of this one.
    while (server.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const t = performance.now();
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(performance.now() - t).toBeLessThan(500);
    expect(server.calls).toHaveLength(1);
  });
  test("gives up after maxRetries with the last error", async () => {
    server.always({ type: "status", status: 500 });
    await expect(call({}, { maxRetries: 1 })).rejects.toMatchObject({ status: 500, retryable: true });
    expect(server.calls).toHaveLength(2);
  });
});

test("backoff doubles with jitter and is capped", () => {
  expect(backoffDelay(0, { baseDelayMs: 200, maxDelayMs: 2000 }, () => 1)).toBe(200);
  expect(backoffDelay(3, { baseDelayMs: 200, maxDelayMs: 2000 }, () => 0)).toBe(800);
  expect(backoffDelay(10, { baseDelayMs: 200, maxDelayMs: 2000 }, () => 1)).toBe(2000);
});

test("API key: config first, then the named env vars; missing names the path and vars", () => {
  expect(resolveApiKey({ configured: "a", env: { K: "b" }, envNames: ["K"], path: "x" })?.reveal()).toBe("a");
  expect(resolveApiKey({ configured: undefined, env: { K2: "c" }, envNames: ["K", "K2"], path: "x" })?.reveal()).toBe(
    "c",
  );
  expect(() =>
    resolveApiKey({ configured: undefined, env: {}, envNames: ["K", "K2"], path: "reranker.config.api_key" }),
  ).toThrow(ConfigError);
  expect(() =>
    resolveApiKey({ configured: undefined, env: {}, envNames: ["K"], path: "reranker.config.api_key" }),
  ).toThrow("reranker.config.api_key: missing API key; set it in the config or in K");
});

test("API key from a provider context: ctx.env is read, and a missing key names the context's config path", () => {
  const nested = { env: { CO_API_KEY: " co-key \n" }, path: "reranker.config.llm.config" };
  expect(contextApiKey(nested, "llm", undefined, ["COHERE_API_KEY", "CO_API_KEY"]).reveal()).toBe("co-key");
  expect(contextApiKey(nested, "llm", "given", ["CO_API_KEY"]).reveal()).toBe("given");
  expect(() => contextApiKey({ env: {} }, "reranker", undefined, ["COHERE_API_KEY"])).toThrow(
    "reranker.config.api_key: missing API key; set it in the config or in COHERE_API_KEY",
  );
  expect(() => contextApiKey({ env: {}, path: "reranker.config.llm.config" }, "llm", "", ["K"])).toThrow(
    "reranker.config.llm.config.api_key: missing API key",
  );
});

test("hosted ranking: results checked by core's rule, a bad answer is the provider's bad response, key redacted", () => {
  const key = new Secret("sk-hosted-ranking-7f3a9c");
  const results = [
    { index: 1, relevance_score: 0.2 },
    { index: 0, relevance_score: 0.9 },
  ];
  const check = { documents: ["first", "second"], expected: 1, secrets: [key] };
  expect(validateHostedRanking("cohere", results, check)).toEqual([{ index: 0, score: 0.9 }]);
  let error: unknown;
  try {
    validateHostedRanking("cohere", [{ index: 5, relevance_score: key.reveal() }], check);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ProviderError);
  expect(error).toMatchObject({ code: "PROVIDER_BAD_RESPONSE", retryable: false });
  expect((error as Error).message).toContain("index 5 outside 0..1");
  const secretInScore = () =>
    validateHostedRanking("cohere", [{ index: 0, relevance_score: key.reveal() }], { ...check, expected: 1 });
  expect(secretInScore).toThrow(/non-finite relevance_score for index 0/);
  expect(secretInScore).not.toThrow(key.reveal());
  const teiStyle = [{ index: 1, score: 3 }];
  expect(validateHostedRanking("tei", teiStyle, { ...check, scoreKey: "score" })).toEqual([{ index: 1, score: 3 }]);
});

test("meta: rate-limit headers kept, counters added up across calls", () => {
  const meta: Record<string, unknown> = {};
  recordHeaders(meta, new Headers({ "x-ratelimit-remaining-requests": "9", "content-type": "x", "retry-after": "1" }));
  addCounts(meta, "billed_units", { search_units: 1 });
  addCounts(meta, "billed_units", { search_units: 2, other: "x" });
  expect(meta).toEqual({
    rate_limit: { "x-ratelimit-remaining-requests": "9", "retry-after": "1" },
    billed_units: { search_units: 3 },
  });
  expect(new ProviderError("p", "m")).toBeInstanceOf(Error);
});
