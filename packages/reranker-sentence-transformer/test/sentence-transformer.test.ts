import { ConfigError, Memory, parseConfig } from "@mem0/core";
import { describeRerankerConformance } from "@mem0/testkit";
import { CROSS_ENCODER, expectedPairs, LOCAL_ABORT_SKIP, offline } from "../../hf-runtime/test/helpers.js";
import plugin, { configSchema, createSentenceTransformerReranker, DEFAULT_MODEL } from "../src/index.js";

const network = offline();
const pairs = expectedPairs();
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describeRerankerConformance(
  "sentence_transformer (tiny random-weight BERT)",
  () => {
    const reranker = createSentenceTransformerReranker({ model: CROSS_ENCODER, device: "cpu" });
    return { reranker, close: () => reranker.close() };
  },
  // Random weights: scores are exact but carry no meaning, so the ordering checks are skipped.
  // A local cross-encoder cannot be slowed down from outside: it scores these five documents in
  // milliseconds. Its abort between batches is tested in hf-runtime (cross-encoder.test.ts).
  { relevance: false, midCallAbortSkipReason: LOCAL_ABORT_SKIP },
);

describe("config", () => {
  test("defaults to Mem0's documented model, with Mem0's keys and camelCase aliases", () => {
    expect(DEFAULT_MODEL).toBe("Xenova/ms-marco-MiniLM-L-6-v2");
    const config = parseConfig(
      configSchema,
      { model: "x", batchSize: 8, maxLength: 256, topK: 15, device: "cpu", localFilesOnly: true, activation: "none" },
      "reranker.config",
    );
    expect(config).toEqual({
      model: "x",
      batch_size: 8,
      max_length: 256,
      top_k: 15,
      device: "cpu",
      local_files_only: true,
      activation: "none",
    });
  });

  test.each([
    [{ device: "gpu" }, 'reranker.config.device: expected one of "cpu", "cuda", "auto"'],
    [{ dtype: "int3" }, "reranker.config.dtype: expected one of"],
    [{ batch_size: 0 }, "reranker.config.batch_size: expected a positive integer"],
    [{ max_length: 1.5 }, "reranker.config.max_length: expected a positive integer"],
    [{ activation: "softmax" }, 'reranker.config.activation: expected one of "sigmoid", "none"'],
    [{ threads: -1 }, "reranker.config.threads: expected a positive integer"],
    [{ model_kwargs: {} }, "reranker.config.model_kwargs: unknown key"],
  ])("rejects %j naming the path", (config, message) => {
    expect(() => parseConfig(configSchema, config, "reranker.config")).toThrow(ConfigError);
    expect(() => parseConfig(configSchema, config, "reranker.config")).toThrow(message);
  });

  test("Memory.fromConfig validates the block before anything loads", async () => {
    await expect(
      // @ts-expect-error the typed config rejects this at compile time too; this checks the run-time error
      Memory.fromConfig({ reranker: { provider: "sentence_transformer", config: { batch_size: "32" } } }),
    ).rejects.toThrow("reranker.config.batch_size: expected a positive integer");
  });
});

describe("scores and order", () => {
  const reranker = createSentenceTransformerReranker({ model: CROSS_ENCODER, device: "cpu" });
  afterAll(() => reranker.close());

  test("scores are the sigmoid of the PyTorch logits, and indices point at the documents passed", async () => {
    const query = pairs[0]!.query; // pairs 0 and 1 share this query
    const documents = [pairs[0]!.document, pairs[1]!.document];
    const out = await reranker.rerank(query, documents);
    // PyTorch: logit(doc 1) = 0.99 > logit(doc 0) = 0.50.
    expect(out.map((r) => r.index)).toEqual([1, 0]);
    expect(out[0]!.score).toBeCloseTo(sigmoid(pairs[1]!.logit), 4);
    expect(out[1]!.score).toBeCloseTo(sigmoid(pairs[0]!.logit), 4);
    const reversed = await reranker.rerank(query, [...documents].reverse());
    expect(reversed.map((r) => r.index)).toEqual([0, 1]);
  });

  test("the ranking of many candidates equals scoring each alone, whatever the batch size", async () => {
    const query = "what is the capital of france";
    const documents = Array.from(
      { length: 23 },
      (_, i) => `${pairs[i % 5]!.document} ${"more words here ".repeat(i % 7)}`,
    );
    const alone = await Promise.all(documents.map(async (d) => (await reranker.rerank(query, [d]))[0]!.score));
    const expected = alone
      .map((score, index) => ({ index, score }))
      .sort((a, b) => b.score - a.score || a.index - b.index);
    for (const batch_size of [1, 4, 32]) {
      const reranker = createSentenceTransformerReranker({ model: CROSS_ENCODER, device: "cpu", batch_size });
      const meta: Record<string, unknown> = {};
      const out = await reranker.rerank(query, documents, { meta });
      expect(meta.batches).toBeGreaterThanOrEqual(Math.ceil(documents.length / batch_size));
      expect(meta.batches).toBeLessThanOrEqual(documents.length);
      expect(out.map((x) => x.index)).toEqual(expected.map((x) => x.index));
      for (const [i, item] of out.entries()) expect(item.score).toBeCloseTo(expected[i]!.score, 5);
      await reranker.close();
    }
  });

  test("activation none returns the raw logits", async () => {
    const reranker = createSentenceTransformerReranker({ model: CROSS_ENCODER, device: "cpu", activation: "none" });
    const [item] = await reranker.rerank(pairs[3]!.query, [pairs[3]!.document]);
    expect(item!.score).toBeCloseTo(pairs[3]!.logit, 4);
    await reranker.close();
  });

  test("Mem0's normalize (mem0ai cross_encoder test: raw logits when normalize is false): false → logits, true → sigmoid; a contradicting activation is refused", async () => {
    const raw = createSentenceTransformerReranker(
      parseConfig(configSchema, { model: CROSS_ENCODER, device: "cpu", normalize: false }, "reranker.config"),
    );
    const [item] = await raw.rerank(pairs[3]!.query, [pairs[3]!.document]);
    expect(item!.score).toBeCloseTo(pairs[3]!.logit, 4);
    await raw.close();
    const squashed = createSentenceTransformerReranker(
      parseConfig(configSchema, { model: CROSS_ENCODER, device: "cpu", normalize: true }, "reranker.config"),
    );
    const [s1] = await squashed.rerank(pairs[3]!.query, [pairs[3]!.document]);
    expect(s1!.score).toBeCloseTo(sigmoid(pairs[3]!.logit), 5);
    await squashed.close();
    expect(() => parseConfig(configSchema, { normalize: false, activation: "sigmoid" }, "reranker.config")).toThrow(
      /reranker.config.normalize: contradicts activation: sigmoid/,
    );
  });

  test("show_progress_bar is accepted with one warning naming it", async () => {
    const memory = await Memory.fromConfig(
      {
        vector_store: { provider: "memory" },
        reranker: {
          provider: "sentence_transformer",
          config: { model: CROSS_ENCODER, device: "cpu", show_progress_bar: true },
        },
      },
      { env: {} },
    );
    // No embedder is configured, so core also warns DEFAULT_EMBEDDER; the ignored key gives this one warning.
    expect(memory.warnings.filter((w) => w.code === "IGNORED_KEY").map((w) => w.key)).toEqual([
      "reranker.config.show_progress_bar",
    ]);
    await memory.close();
  });

  test("bad input is a typed error naming the argument", async () => {
    await expect(reranker.rerank("q", ["ok", 7 as unknown as string])).rejects.toThrow(
      "rerank.documents[1]: expected a string, got number",
    );
    await expect(reranker.rerank(undefined as unknown as string, [])).rejects.toThrow(
      "rerank.query: expected a string",
    );
  });
});

describe("in Memory.search", () => {
  const memories = [
    "Paris is the capital of France",
    "The quick brown fox jumps over the lazy dog",
    "A vector database can search an embedding index fast",
    "Café résumé naïve",
  ];

  async function memoryWith(config: Record<string, unknown>) {
    const memory = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: { provider: "sentence_transformer", config },
    });
    for (const text of memories) await memory.add(text, { user_id: "alice", infer: false });
    return memory;
  }

  test("reranks the candidate pool, reports what it did, and equals the reranker's own scores", async () => {
    const memory = await memoryWith({ model: CROSS_ENCODER, device: "cpu", batch_size: 2, top_k: 4 });
    try {
      const response = await memory.search("what is the capital of france", { user_id: "alice", limit: 3 });
      expect(response.reranked).toBe(true);
      expect(response.rerank).toMatchObject({ provider: "sentence_transformer", model: CROSS_ENCODER, candidates: 4 });
      expect(response.rerank?.meta).toMatchObject({ device: "cpu", dtype: "fp32", pairs: 4 });
      expect(response.rerank?.meta?.batches).toBeGreaterThanOrEqual(2); // batch_size 2 honoured
      expect(response.results).toHaveLength(3);
      const direct = createSentenceTransformerReranker({ model: CROSS_ENCODER, device: "cpu" });
      const scores = await direct.rerank("what is the capital of france", memories);
      await direct.close();
      expect(response.results.map((x) => x.memory)).toEqual(scores.slice(0, 3).map((s) => memories[s.index]));
      for (const x of response.results) expect(x.score).toBe(x.rerank_score);
    } finally {
      await memory.close();
    }
  });

  test("a missing model falls back to the vector order, with an error naming the model and where it looked", async () => {
    const memory = await memoryWith({ model: "/nonexistent/cross-encoder", device: "cpu" });
    try {
      const started = Date.now();
      const response = await memory.search("capital of france", { user_id: "alice", limit: 2 });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(response.reranked).toBe(false);
      expect(response.results).toHaveLength(2);
      expect(response.rerank?.error).toMatch(
        /model "\/nonexistent\/cross-encoder".*Looked in the local folder \/nonexistent\/cross-encoder/,
      );
    } finally {
      await memory.close();
    }
  });

  test("the plugin is the default export, for provider resolution", () => {
    expect(plugin).toMatchObject({ role: "reranker", provider: "sentence_transformer" });
  });
});

test("no request left the machine", () => {
  expect(network.attempts).toEqual([]);
});
