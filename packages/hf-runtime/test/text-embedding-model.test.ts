import { ProviderError } from "@mem0/core";
import { acquireTextEmbeddingModel, TextEmbeddingModel } from "../src/index.js";
import { CROSS_ENCODER, EMBEDDER, expectedSentences, offline } from "./helpers.js";

const network = offline();
const sentences = expectedSentences();
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]!)));

let model: TextEmbeddingModel;
beforeAll(async () => {
  model = await TextEmbeddingModel.load({ provider: "test", model: EMBEDDER, device: "cpu" });
});
afterAll(() => model.dispose());

test("dims come from the model's hidden size", () => {
  expect(model.dims).toBe(32);
});

test("token ids equal the independent Python WordPiece", () => {
  for (const s of sentences) expect(model.encode(s.text).ids).toEqual(s.input_ids);
});

test("mean-pooled, L2-normalised vectors equal PyTorch's within 1e-5, alone or in a padded batch", async () => {
  const batched = await model.embed(sentences.map((s) => s.text));
  for (let i = 0; i < sentences.length; i++) {
    const [alone] = await model.embed([sentences[i]!.text]);
    expect(maxDiff(alone!, sentences[i]!.mean_normalized)).toBeLessThan(1e-5);
    expect(maxDiff(batched[i]!, sentences[i]!.mean_normalized)).toBeLessThan(1e-5);
    expect(norm(batched[i]!)).toBeCloseTo(1, 5);
  }
});

test("cls pooling takes the first token's state", async () => {
  const vectors = await model.embed(
    sentences.map((s) => s.text),
    { pooling: "cls" },
  );
  for (const [i, vector] of vectors.entries()) expect(maxDiff(vector, sentences[i]!.cls_normalized)).toBeLessThan(1e-5);
});

test("normalize: false leaves the pooled vector as it is", async () => {
  const [raw] = await model.embed([sentences[0]!.text], { normalize: false });
  expect(Math.abs(norm(raw!) - 1)).toBeGreaterThan(1e-3);
  const scaled = Array.from(raw!, (x) => x / norm(raw!));
  expect(maxDiff(scaled, sentences[0]!.mean_normalized)).toBeLessThan(1e-5);
});

test("batch_size changes the number of model calls, not the vectors", async () => {
  const texts = sentences.map((s) => s.text);
  const before = model.modelCalls;
  const one = await model.embed(texts, { batchSize: 1 });
  expect(model.modelCalls - before).toBe(texts.length);
  const mid = model.modelCalls;
  const all = await model.embed(texts, { batchSize: 64, callOverheadTokens: 1e9 });
  expect(model.modelCalls - mid).toBe(1);
  for (const [i, vector] of one.entries()) expect(maxDiff(vector, all[i]!)).toBeLessThan(1e-6);
});

test("a long text is cut at max_length and keeps its final [SEP]", () => {
  const enc = model.encode("word ".repeat(100), 16);
  expect(enc.ids).toHaveLength(16);
  expect(enc.ids[0]).toBe(101);
  expect(enc.ids.at(-1)).toBe(102);
});

test("a cross-encoder is refused as an embedding model", async () => {
  const err = await TextEmbeddingModel.load({ provider: "test", model: CROSS_ENCODER, device: "cpu" }).catch((e) => e);
  expect(err).toBeInstanceOf(ProviderError);
  expect(err.message).toMatch(/not a feature-extraction model: its ONNX outputs are \[logits\]/);
});

test("the embedding model is shared between acquirers", async () => {
  const a = await acquireTextEmbeddingModel({ provider: "test", model: EMBEDDER, device: "cpu" });
  const b = await acquireTextEmbeddingModel({ provider: "test", model: EMBEDDER, device: "cpu" });
  expect(a.value).toBe(b.value);
  await a.release();
  await b.release();
});

test("no request left the machine", () => {
  expect(network.attempts).toEqual([]);
});
