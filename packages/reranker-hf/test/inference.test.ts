/**
 * The Hugging Face Inference path through the real @huggingface/inference client, pointed with
 * `base_url` (its `endpointUrl`) at a loopback server answering as the hf-inference
 * text-classification route does: `[[{ label, score }]]`. No OpenAPI document for that route is
 * published, so this server checks only the request shape the client sends.
 */
import { ConfigError } from "@mem0/core";
import {
  bearerToken,
  exitAfterTimedOutSearch,
  lexicalScore,
  startFakeServer,
  testSecretHolding,
  type FakeServer,
} from "@mem0/testkit";
import { createHuggingFaceReranker } from "../src/index.js";

const KEY = "hf_test_token_0000";
const logit = (p: number) => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer({
    auth: (headers) =>
      bearerToken(headers) === KEY
        ? undefined
        : { status: 401, body: { error: "Invalid credentials in Authorization header" } },
    errorBody: (_status, message) => ({ error: message }),
    routes: [
      {
        method: "POST",
        path: "/models/acme/reranker",
        handle: (req) => {
          const body = req.body as {
            inputs?: { text?: unknown; text_pair?: unknown };
            parameters?: { function_to_apply?: unknown };
          };
          if (typeof body?.inputs?.text !== "string" || typeof body.inputs.text_pair !== "string")
            return { status: 400, body: { error: "inputs must be {text, text_pair}" } };
          if (body.parameters?.function_to_apply !== "none")
            return { status: 400, body: { error: "expected function_to_apply none" } };
          return {
            status: 200,
            body: [[{ label: "LABEL_0", score: logit(lexicalScore(body.inputs.text, body.inputs.text_pair)) }]],
          };
        },
      },
    ],
  });
});
afterAll(() => server.close());
beforeEach(() => void server.reset());

const config = () => ({
  provider: "hf-inference",
  base_url: `${server.url}/models/acme/reranker`,
  model: "acme/reranker",
  max_retries: 1,
  timeout_ms: 5000,
});

test("one {text, text_pair} request per document; logits back; sigmoid applied here", async () => {
  const reranker = await createHuggingFaceReranker(config(), { HF_TOKEN: KEY });
  const documents = ["alice likes ramen", "the printer is broken", "ramen shop"];
  const meta: Record<string, unknown> = {};
  const out = await reranker.rerank("which ramen does alice like", documents, { meta });
  expect(server.calls).toHaveLength(3);
  expect(server.calls.map((c) => (c.body as { inputs: { text_pair: string } }).inputs.text_pair).sort()).toEqual(
    [...documents].sort(),
  );
  expect(out[0]!.index).toBe(0);
  for (const o of out)
    expect(o.score).toBeCloseTo(sigmoid(logit(lexicalScore("which ramen does alice like", documents[o.index]!))), 6);
  expect(meta.requests).toBe(3);
});

test("normalize: false returns the logits", async () => {
  const reranker = await createHuggingFaceReranker({ ...config(), normalize: false }, { HF_TOKEN: KEY });
  const [o] = await reranker.rerank("alice ramen", ["alice ramen"]);
  expect(o!.score).toBeCloseTo(logit(lexicalScore("alice ramen", "alice ramen")), 6);
});

test("503 is retried; 401 is not, and never shows the token", async () => {
  const reranker = await createHuggingFaceReranker(config(), { HF_TOKEN: KEY });
  server.inject({ type: "status", status: 503 });
  await expect(reranker.rerank("q", ["d"])).resolves.toHaveLength(1);
  expect(server.calls.map((c) => c.status)).toEqual([503, 200]);

  server.reset();
  const wrong = await createHuggingFaceReranker({ ...config(), api_key: "hf_wrong_token_1111" });
  const err = await wrong.rerank("q", ["d"]).catch((e) => e);
  expect(err).toMatchObject({ status: 401, retryable: false });
  expect(server.calls).toHaveLength(1);
  expect(`${err.message} ${JSON.stringify(err)}`).not.toContain("hf_wrong_token_1111");
});

test("a missing key is a config error naming the path and the variables", async () => {
  await expect(createHuggingFaceReranker({ provider: "hf-inference" }, {})).rejects.toThrow(ConfigError);
  await expect(createHuggingFaceReranker({ provider: "hf-inference" }, {})).rejects.toThrow(
    "reranker.config.api_key: missing API key; set it in the config or in HF_TOKEN or HUGGING_FACE_HUB_TOKEN",
  );
});

test("a server that echoes the token (body near the 300-character cut, headers) still never shows it", async () => {
  server.echoKey = true;
  try {
    for (const status of [401, 503, 400]) {
      server.reset();
      const token = `hf_echoed_token_${status}_abcdef0123456789`;
      server.always({ type: "status", status });
      const reranker = await createHuggingFaceReranker({ ...config(), api_key: token, max_retries: 0 });
      const err = await reranker.rerank("q", ["d"]).catch((e) => e);
      expect(err).toMatchObject({ status });
      expect(server.calls[0]!.headers.authorization).toBe(`Bearer ${token}`);
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(token.slice(0, 12));
    }
  } finally {
    server.echoKey = false;
  }
});

test("a timed-out search lets the process exit within 2 s", async () => {
  server.always("hang");
  const result = await exitAfterTimedOutSearch({
    cwd: process.cwd(),
    module: "@mem0/reranker-hf",
    reranker: {
      provider: "huggingface",
      config: {
        provider: "hf-inference",
        base_url: `${server.url}/models/acme/reranker`,
        model: "acme/reranker",
        api_key: KEY,
      },
    },
  });
  expect(result.search).toMatchObject({ reranked: false, error: expect.stringMatching(/timeout_ms/) });
  expect(result.exitCode).toBe(0);
  expect(result.exitMs).toBeLessThan(2000);
}, 30_000);

testSecretHolding("the Hugging Face Inference reranker", (apiKey) =>
  createHuggingFaceReranker({ provider: "hf-inference", model: "acme/reranker", api_key: apiKey }),
);
