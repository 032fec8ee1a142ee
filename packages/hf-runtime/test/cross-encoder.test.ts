import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ProviderError } from "@mem0/core";
import { acquireCrossEncoder, CrossEncoder, loadedCrossEncoderCount } from "../src/index.js";
import { copyFixture, CROSS_ENCODER, EMBEDDER, expectedPairs, offline } from "./helpers.js";

const network = offline();
const pairs = expectedPairs();
const SEP = 102;
const CLS = 101;

let fp32: CrossEncoder;
beforeAll(async () => {
  fp32 = await CrossEncoder.load({ provider: "test", model: CROSS_ENCODER, dtype: "fp32", device: "cpu" });
});
afterAll(() => fp32.dispose());

describe("pair encoding", () => {
  test("token ids and token types equal the independent Python WordPiece in expected.json", () => {
    for (const p of pairs) {
      const enc = fp32.encodePair(p.query, p.document);
      expect(enc.ids).toEqual(p.input_ids);
      expect(enc.types).toEqual(p.token_type_ids);
    }
  });

  test("token types stay right when tokenizer_config.json has no tokenizer_class", async () => {
    const folder = copyFixture(CROSS_ENCODER);
    const configPath = join(folder, "tokenizer_config.json");
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    delete config.tokenizer_class;
    writeFileSync(configPath, JSON.stringify(config));
    const ce = await CrossEncoder.load({ provider: "test", model: folder, device: "cpu" });
    try {
      for (const p of pairs) expect(ce.encodePair(p.query, p.document).types).toEqual(p.token_type_ids);
      const scores = await ce.score(pairs[0]!.query, [pairs[0]!.document], { activation: "none" });
      expect(Math.abs(scores[0]! - pairs[0]!.logit)).toBeLessThan(1e-4);
    } finally {
      await ce.dispose();
    }
  });

  test("a long query is cut longest_first: the final [SEP] and the document's first tokens stay", () => {
    const query = "what is the capital of france ".repeat(40);
    const document = "paris is the capital of france .";
    const docIds = fp32.tokenize(document);
    const enc = fp32.encodePair(query, document, 32);
    expect(enc.ids).toHaveLength(32);
    expect(enc.ids[0]).toBe(CLS);
    expect(enc.ids.at(-1)).toBe(SEP);
    // The document is short, so it is kept whole after the query's [SEP]; the query takes the rest.
    const firstSep = enc.ids.indexOf(SEP);
    expect(enc.ids.slice(firstSep + 1, -1)).toEqual(docIds);
    expect(enc.types.slice(0, firstSep + 1).every((t) => t === 0)).toBe(true);
    expect(enc.types.slice(firstSep + 1).every((t) => t === 1)).toBe(true);
  });

  test("when both texts are long each keeps half the budget, starting from its first tokens", () => {
    const query = "how to search a vector index ".repeat(30);
    const document = "a vector database can search an embedding index fast . ".repeat(30);
    const enc = fp32.encodePair(query, document, 64);
    const budget = 64 - 3;
    const firstSep = enc.ids.indexOf(SEP);
    expect(enc.ids).toHaveLength(64);
    expect(firstSep - 1).toBe(Math.floor(budget / 2)); // the query (tie → the second text gets the odd token)
    expect(enc.ids.slice(firstSep + 1, -1)).toEqual(fp32.tokenize(document).slice(0, Math.ceil(budget / 2)));
    expect(enc.ids.at(-1)).toBe(SEP);
  });

  test("max_length is capped at the model's limit and must leave room for text", () => {
    expect(fp32.maxLength).toBe(512);
    expect(fp32.encodePair("q ".repeat(600), "d ".repeat(600), 100_000).ids).toHaveLength(512);
    expect(() => fp32.encodePair("q", "d", 3)).toThrow(/max_length 3 leaves no room/);
  });
});

describe("scores", () => {
  test("fp32 logits of a padded batch equal the PyTorch logits within 1e-4", async () => {
    const logits = await fp32.logits(pairs.map((p) => fp32.encodePair(p.query, p.document)));
    pairs.forEach((p, i) => {
      expect(Math.abs(logits[i]! - p.logit)).toBeLessThan(1e-4);
      expect(Math.abs(logits[i]! - p.logit_unpadded)).toBeLessThan(1e-4);
    });
  });

  test("a pair scored alone equals the same pair inside a padded batch", async () => {
    const query = pairs[0]!.query;
    const documents = pairs.map((p) => p.document);
    const together = await fp32.score(query, documents, { activation: "none", batchSize: 32 });
    for (let i = 0; i < documents.length; i++) {
      const [alone] = await fp32.score(query, [documents[i]!], { activation: "none" });
      expect(Math.abs(alone! - together[i]!)).toBeLessThan(1e-5);
    }
  });

  test("sigmoid is the default activation, applied to the logit (not a softmax over one label)", async () => {
    const pair = pairs[2]!;
    const [raw] = await fp32.score(pair.query, [pair.document], { activation: "none" });
    const [prob] = await fp32.score(pair.query, [pair.document]);
    expect(raw).toBeCloseTo(pair.logit, 4);
    expect(prob).toBeCloseTo(1 / (1 + Math.exp(-pair.logit)), 6);
    expect(prob).toBeLessThan(1);
  });

  test("batch_size changes the number of model calls, not the scores", async () => {
    const query = "what is the capital of france";
    const documents = Array.from(
      { length: 10 },
      (_, i) => `${pairs[i % pairs.length]!.document} ${"extra words ".repeat(i)}`,
    );
    const results: number[][] = [];
    // A prohibitive per-call cost makes the planner fill every batch, so calls = ceil(10 / batch_size).
    for (const [batchSize, calls] of [
      [1, 10],
      [3, 4],
      [4, 3],
      [32, 1],
    ] as const) {
      const before = fp32.modelCalls;
      const stats: Record<string, unknown> = {};
      results.push(await fp32.score(query, documents, { batchSize, callOverheadTokens: 1e9 }, stats));
      expect(fp32.modelCalls - before).toBe(calls);
      expect(stats.batches).toBe(calls);
    }
    // The default planner may split further by length, never past batch_size.
    const before = fp32.modelCalls;
    results.push(await fp32.score(query, documents, { batchSize: 4 }));
    expect(fp32.modelCalls - before).toBeGreaterThanOrEqual(3);
    for (const scores of results.slice(1)) {
      for (const [i, score] of scores.entries()) expect(Math.abs(score - results[0]![i]!)).toBeLessThan(1e-6);
    }
  });

  test("batches group pairs of similar length, so less padding is computed than in input order", async () => {
    const documents = Array.from({ length: 8 }, (_, i) =>
      i % 2 ? "short doc" : "a long document with many many words in it ".repeat(4),
    );
    const stats: Record<string, number> = {};
    await fp32.score("q", documents, { batchSize: 8 }, stats);
    // The four long pairs in one call, the four short in another: no padding at all.
    expect(stats.batches).toBe(2);
    expect(stats.padded_tokens).toBe(stats.real_tokens);
  });

  test("concurrent score calls on one model give the same scores as sequential ones", async () => {
    const queries = pairs.map((p) => p.query);
    const documents = pairs.map((p) => p.document);
    const sequential: number[][] = [];
    for (const q of queries) sequential.push(await fp32.score(q, documents, { batchSize: 2 }));
    const concurrent = await Promise.all(queries.map((q) => fp32.score(q, documents, { batchSize: 2 })));
    for (const [i, scores] of concurrent.entries()) {
      for (const [j, score] of scores.entries()) expect(score).toBeCloseTo(sequential[i]![j]!, 6);
    }
  });

  test("an aborted signal stops scoring between batches", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const before = fp32.modelCalls;
    await expect(fp32.score("q", ["a", "b"], { signal: controller.signal })).rejects.toThrow("stop");
    expect(fp32.modelCalls).toBe(before);
  });

  test("q8 loads model_quantized.onnx and ranks like fp32", async () => {
    const q8 = await CrossEncoder.load({ provider: "test", model: CROSS_ENCODER, dtype: "q8", device: "cpu" });
    try {
      expect(q8.dtype).toBe("q8");
      const documents = pairs.map((p) => p.document);
      const fp32Scores = await fp32.score(pairs[0]!.query, documents, { activation: "none" });
      const q8Scores = await q8.score(pairs[0]!.query, documents, { activation: "none" });
      for (const [i, score] of q8Scores.entries()) expect(Math.abs(score - fp32Scores[i]!)).toBeLessThan(0.25);
      expect(q8Scores.some((s, i) => s !== fp32Scores[i])).toBe(true); // really the other file
      // Ranks like fp32: the same order of documents, best first.
      const ranking = (scores: number[]) =>
        scores
          .map((score, index) => ({ index, score }))
          .sort((x, y) => y.score - x.score)
          .map((r) => r.index);
      expect(ranking(q8Scores)).toEqual(ranking(fp32Scores));
    } finally {
      await q8.dispose();
    }
  });
});

describe("loading", () => {
  test("a model without a classification head is refused by name, not scored as zeros", async () => {
    const err = await CrossEncoder.load({ provider: "test", model: EMBEDDER, device: "cpu" }).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe("MODEL_UNSUPPORTED");
    expect(err.message).toMatch(/not a cross-encoder: its ONNX outputs are \[last_hidden_state\]/);
  });

  test("a missing local folder fails at once, naming the model and the folder", async () => {
    const started = Date.now();
    const err = await CrossEncoder.load({
      provider: "test",
      model: "/nonexistent/models/ms-marco",
      device: "cpu",
    }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.message).toContain('"/nonexistent/models/ms-marco"');
    expect(err.message).toContain("Looked in the local folder /nonexistent/models/ms-marco");
  });

  test("a missing dtype file names the file that was not found", async () => {
    const folder = copyFixture(CROSS_ENCODER);
    const { rmSync } = await import("node:fs");
    rmSync(join(folder, "onnx", "model_quantized.onnx"));
    const err = await CrossEncoder.load({ provider: "test", model: folder, dtype: "q8", device: "cpu" }).catch(
      (e) => e,
    );
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.message).toMatch(/dtype q8/);
    expect(err.message).toMatch(/model_quantized\.onnx/);
  });

  test("device cuda without a CUDA execution provider is a clear error; auto falls back to the CPU", async () => {
    const auto = await CrossEncoder.load({ provider: "test", model: CROSS_ENCODER, device: "auto" });
    try {
      const cuda = await CrossEncoder.load({ provider: "test", model: CROSS_ENCODER, device: "cuda" }).catch((e) => e);
      if (auto.device === "cpu") {
        expect(cuda).toBeInstanceOf(ProviderError);
        expect(cuda.code).toBe("DEVICE_UNAVAILABLE");
        expect(cuda.message).toMatch(
          /device "cuda" was requested but onnxruntime-node has no usable CUDA execution provider/,
        );
        expect(cuda.message).toMatch(/device: "auto"/);
      } else {
        // A machine with a working CUDA provider: both load on the GPU.
        expect(cuda).toBeInstanceOf(CrossEncoder);
        await cuda.dispose();
      }
      const [score] = await auto.score(pairs[0]!.query, [pairs[0]!.document], { activation: "none" });
      expect(Math.abs(score! - pairs[0]!.logit)).toBeLessThan(1e-3);
    } finally {
      await auto.dispose();
    }
  });

  test("one loaded model is shared per model, dtype, device and threads, and disposed with its last lease", async () => {
    const options = {
      provider: "test",
      model: CROSS_ENCODER,
      dtype: "fp32" as const,
      device: "cpu" as const,
      threads: 1,
    };
    const base = loadedCrossEncoderCount();
    const [a, b] = await Promise.all([
      acquireCrossEncoder(options),
      acquireCrossEncoder({ ...options, model: `${CROSS_ENCODER}/` }),
    ]);
    const c = await acquireCrossEncoder({ ...options, dtype: "q8" });
    expect(a.value).toBe(b.value);
    expect(c.value).not.toBe(a.value);
    expect(loadedCrossEncoderCount()).toBe(base + 2);
    await a.release();
    await a.release(); // idempotent
    expect(loadedCrossEncoderCount()).toBe(base + 2);
    await b.release();
    await c.release();
    expect(loadedCrossEncoderCount()).toBe(base);
    const d = await acquireCrossEncoder(options);
    expect(d.value).not.toBe(a.value); // reloaded after the last release
    await d.release();
  });
});

test("no request left the machine", () => {
  expect(network.attempts).toEqual([]);
});
