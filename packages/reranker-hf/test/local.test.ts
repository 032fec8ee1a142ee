import { parseConfig } from "@mem0/core";
import { LocalCrossEncoderReranker } from "@mem0/hf-runtime";
import { describeRerankerConformance } from "@mem0/testkit";
import { CROSS_ENCODER, expectedPairs, LOCAL_ABORT_SKIP, offline } from "../../hf-runtime/test/helpers.js";
import { configSchema, createHuggingFaceReranker, DEFAULT_MODEL } from "../src/index.js";

const network = offline();
const pairs = expectedPairs();
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describeRerankerConformance(
  "huggingface, local (tiny random-weight BERT)",
  async () => {
    const reranker = await createHuggingFaceReranker({ model: CROSS_ENCODER, device: "cpu" });
    return { reranker, close: async () => reranker.close?.() };
  },
  // Random weights: scores are exact but carry no meaning, so the ordering checks are skipped.
  // A local cross-encoder cannot be slowed down from outside: it scores these five documents in
  // milliseconds. Its abort between batches is tested in hf-runtime (cross-encoder.test.ts).
  { relevance: false, midCallAbortSkipReason: LOCAL_ABORT_SKIP },
);

test("defaults to BAAI/bge-reranker-base, run locally", async () => {
  expect(DEFAULT_MODEL).toBe("BAAI/bge-reranker-base");
  const reranker = await createHuggingFaceReranker({});
  expect(reranker).toBeInstanceOf(LocalCrossEncoderReranker);
  expect(reranker.model).toBe("BAAI/bge-reranker-base");
});

describe("normalize", () => {
  test("default true: the sigmoid of each logit, so a single result keeps its real score (Mem0 #5714 made it 0)", async () => {
    const reranker = await createHuggingFaceReranker({ model: CROSS_ENCODER, device: "cpu" });
    const pair = pairs[2]!;
    const [only] = await reranker.rerank(pair.query, [pair.document]);
    expect(only!.score).toBeCloseTo(sigmoid(pair.logit), 4);
    expect(only!.score).toBeGreaterThan(0);
    // Tied candidates keep equal, non-zero scores (min-max would make them all 0).
    const tied = await reranker.rerank(pair.query, [pair.document, pair.document, pair.document]);
    for (const t of tied) expect(t.score).toBeCloseTo(sigmoid(pair.logit), 4);
    // A score does not depend on which other candidates came with it.
    const mixed = await reranker.rerank(pair.query, [pairs[0]!.document, pair.document, pairs[4]!.document]);
    expect(mixed.find((m) => m.index === 1)!.score).toBeCloseTo(only!.score, 5);
    await reranker.close?.();
  });

  test("false: the raw logits", async () => {
    const reranker = await createHuggingFaceReranker({ model: CROSS_ENCODER, device: "cpu", normalize: false });
    const out = await reranker.rerank(pairs[0]!.query, [pairs[0]!.document, pairs[1]!.document]);
    expect(out.map((o) => o.index)).toEqual([1, 0]);
    expect(out[0]!.score).toBeCloseTo(pairs[1]!.logit, 4);
    expect(out[1]!.score).toBeCloseTo(pairs[0]!.logit, 4);
    await reranker.close?.();
  });
});

describe("config", () => {
  test.each([
    [{ endpoint_url: "http://127.0.0.1:1", device: "cuda" }, "reranker.config.device: applies to a local model only"],
    [
      { endpoint_url: "http://127.0.0.1:1", provider: "hf-inference" },
      "reranker.config.provider: endpoint_url (a TEI server) and provider",
    ],
    [
      { provider: "hf-inference", batch_size: 8 },
      "reranker.config.batch_size: Hugging Face Inference scores one pair per request",
    ],
    [{ endpoint_url: "not a url" }, "reranker.config.endpoint_url: expected an absolute http(s) URL"],
    [{ normalize: "yes" }, "reranker.config.normalize: expected a boolean"],
    [{ base_url: "http://127.0.0.1:1" }, "reranker.config.base_url: applies only with"],
  ])("rejects %j naming the path", (config, message) => {
    expect(() => parseConfig(configSchema, config, "reranker.config")).toThrow(message);
  });

  test("api_key with a local model is accepted: Mem0 uses it as the hub token for gated downloads (hf-runtime's hub test checks the header)", () => {
    expect(parseConfig(configSchema, { model: "acme/gated", api_key: "hf_x" }, "reranker.config")).toEqual({
      model: "acme/gated",
      api_key: "hf_x",
    });
  });

  test("camelCase aliases", () => {
    expect(
      parseConfig(configSchema, { endpointUrl: "http://127.0.0.1:1/", topK: 5, batchSize: 16 }, "reranker.config"),
    ).toEqual({
      endpoint_url: "http://127.0.0.1:1/",
      top_k: 5,
      batch_size: 16,
    });
  });
});

test("no request left the machine", () => {
  expect(network.attempts).toEqual([]);
});
