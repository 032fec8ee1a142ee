import { Memory, parseConfig } from "@mem0/core";
import { hashEmbedding, startTeiServer, type TeiServer } from "@mem0/testkit";
import { CROSS_ENCODER, EMBEDDER, expectedSentences, offline } from "../../hf-runtime/test/helpers.js";
import {
  configSchema,
  createHuggingFaceEmbedder,
  DEFAULT_MODEL,
  LocalHuggingFaceEmbedder,
  TeiEmbedder,
} from "../src/index.js";

const network = offline();
const sentences = expectedSentences();
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]!)));

describe("local model", () => {
  test("defaults to Xenova/all-MiniLM-L6-v2", () => {
    expect(DEFAULT_MODEL).toBe("Xenova/all-MiniLM-L6-v2");
  });

  test("dims is the model's hidden size; vectors equal PyTorch's mean-pooled, normalised embeddings", async () => {
    const embedder = await createHuggingFaceEmbedder({ model: EMBEDDER, device: "cpu", batch_size: 2 });
    try {
      expect(embedder).toBeInstanceOf(LocalHuggingFaceEmbedder);
      expect(embedder.dims).toBe(32);
      const vectors = await embedder.embed(
        sentences.map((s) => s.text),
        "add",
      );
      vectors.forEach((v, i) => {
        expect(v).toHaveLength(32);
        expect(maxDiff(v, sentences[i]!.mean_normalized)).toBeLessThan(1e-5);
      });
      expect(await embedder.embed([], "search")).toEqual([]);
    } finally {
      await embedder.close?.();
    }
  });

  test("embedding_dims that disagrees with the model is an error naming both", async () => {
    await expect(createHuggingFaceEmbedder({ model: EMBEDDER, device: "cpu", embedding_dims: 384 })).rejects.toThrow(
      `embedding_dims is 384 but model ${JSON.stringify(EMBEDDER)} produces 32-dimensional vectors`,
    );
  });

  test("a cross-encoder is refused as an embedder", async () => {
    await expect(createHuggingFaceEmbedder({ model: CROSS_ENCODER, device: "cpu" })).rejects.toThrow(
      /not a feature-extraction model/,
    );
  });

  test("a missing model fails Memory.fromConfig with the model and where it looked", async () => {
    await expect(
      Memory.fromConfig({ embedder: { provider: "huggingface", config: { model: "/nonexistent/minilm" } } }),
    ).rejects.toThrow(/model "\/nonexistent\/minilm".*Looked in the local folder \/nonexistent\/minilm/);
  });

  test("with the sentence-transformer reranker in one Memory: embeds, searches, reranks, offline", async () => {
    const memory = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      embedder: { provider: "huggingface", config: { model: EMBEDDER, device: "cpu" } },
      reranker: { provider: "sentence_transformer", config: { model: CROSS_ENCODER, device: "cpu" } },
    });
    try {
      for (const s of sentences) await memory.add(s.text, { user_id: "bob", infer: false });
      const response = await memory.search(sentences[1]!.text, { user_id: "bob", limit: 3 });
      expect(response.reranked).toBe(true);
      expect(response.results).toHaveLength(3);
      // The query is itself a memory: its vector similarity is 1.
      const self = response.results.find((x) => x.memory === sentences[1]!.text);
      expect(self?.vector_score).toBeCloseTo(1, 5);
    } finally {
      await memory.close();
    }
  });
});

describe("config", () => {
  test.each([
    [{ endpoint_url: "http://127.0.0.1:1", pooling: "cls" }, "embedder.config.pooling: applies to a local model only"],
    [{ api_key: "k" }, "embedder.config.api_key: applies only with endpoint_url"],
    [{ pooling: "max" }, 'embedder.config.pooling: expected one of "mean", "cls"'],
    [{ embedding_dims: 0 }, "embedder.config.embedding_dims: expected a positive integer"],
    [{ model_kwargs: { device: "cpu" } }, "embedder.config.model_kwargs: unknown key"],
  ])("rejects %j naming the path", (config, message) => {
    expect(() => parseConfig(configSchema, config, "embedder.config")).toThrow(message);
  });
});

describe("TEI /embed", () => {
  let server: TeiServer;
  beforeAll(async () => {
    server = await startTeiServer({ dims: 48 });
  });
  afterAll(() => server.close());
  beforeEach(() => void server.reset());

  test("dims from one probe; 70 texts go out as requests of at most 32 and come back in order", async () => {
    const embedder = await createHuggingFaceEmbedder({ endpoint_url: server.url });
    expect(embedder).toBeInstanceOf(TeiEmbedder);
    expect(embedder.dims).toBe(48);
    server.reset();
    const texts = Array.from({ length: 70 }, (_, i) => `memory number ${i} about ramen`);
    const vectors = await embedder.embed(texts, "add");
    expect(server.callsTo("/embed").map((c) => (c.body as { inputs: string[] }).inputs.length)).toEqual([32, 32, 6]);
    expect(server.callsTo("/embed")[0]!.body).toMatchObject({ normalize: true, truncate: true });
    for (const [i, vector] of vectors.entries()) {
      expect(maxDiff(vector, hashEmbedding(texts[i]!, 48))).toBeLessThan(1e-9);
    }
  });

  test("embedding_dims skips the probe; Mem0's huggingface_base_url (with /v1) reaches the same server", async () => {
    const embedder = await createHuggingFaceEmbedder({ huggingface_base_url: `${server.url}/v1`, embedding_dims: 48 });
    expect(server.calls).toHaveLength(0);
    await embedder.embed(["hello"], "search");
    expect(server.callsTo("/embed")).toHaveLength(1);
  });

  test("429 Overloaded is retried; 424 Backend is an error", async () => {
    const embedder = await createHuggingFaceEmbedder({ endpoint_url: server.url, embedding_dims: 48, max_retries: 1 });
    server.inject({ type: "status", status: 429 }, { path: "/embed" });
    await expect(embedder.embed(["a", "b"], "add")).resolves.toHaveLength(2);
    server.inject({ type: "status", status: 424 }, { path: "/embed" });
    await expect(embedder.embed(["a"], "add")).rejects.toMatchObject({
      status: 424,
      message: expect.stringMatching(/Backend/),
    });
  });

  test("a server answering a different size than embedding_dims is refused", async () => {
    const embedder = await createHuggingFaceEmbedder({ endpoint_url: server.url, embedding_dims: 384 });
    await expect(embedder.embed(["a"], "add")).rejects.toThrow(
      /embedding_dims is 384 .* produces 48-dimensional vectors/,
    );
  });
});

test("no request left the machine", () => {
  expect(network.attempts).toEqual([]);
});
