import { inspect } from "node:util";
import {
  AsyncMemory,
  ConfigError,
  defineReranker,
  defineVectorStore,
  InMemoryVectorStore,
  Memory,
  ProviderError,
  ProviderNotFoundError,
  providerConfigSchema,
  redact,
  registerProvider,
} from "@mem0/core";
import { z } from "zod";
import { behaviour, memoryWith, resetBehaviour } from "./helpers.js";

const SECRET = "sk-live-very-secret-key-123456";

async function configError(config: unknown): Promise<ConfigError> {
  try {
    await Memory.fromConfig(config as never);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("fromConfig resolved");
}

beforeEach(resetBehaviour);

describe("validation names the path", () => {
  test.each([
    [{ reranker: { provider: "scripted", config: { top_k: 0 } } }, "reranker.config.top_k: Too small"],
    [
      { vector_store: { provider: "memory", config: { embedding_model_dims: -3 } } },
      "vector_store.config.embedding_model_dims: expected a positive integer",
    ],
    [
      { vector_store: { provider: "memory", config: { embedding_model_dims: 1.5 } } },
      "vector_store.config.embedding_model_dims: expected a positive integer",
    ],
    [{ vector_store: { provider: "memory", config: { dims: 3 } } }, "vector_store.config.dims: unknown key"],
    [{ rerankr: { provider: "scripted" } }, "rerankr: unknown key"],
    [{ reranker: { provider: "" } }, "reranker.provider: expected a non-empty string"],
    [{ reranker: { provider: "scripted", options: {} } }, "reranker.options: unknown key"],
    [{ reranker: "cohere" }, "reranker: "],
    [{ rerank_timeout_ms: 0 }, "rerank_timeout_ms: expected a positive integer"],
    [
      { reranker: { provider: "no such thing!" } },
      'reranker.provider: unknown reranker provider "no such thing!" (built-in: cohere, sentence_transformer, huggingface, llm_reranker, zero_entropy',
    ],
  ])("%j", async (config, message) => {
    const err = await configError(config);
    expect(err.message).toContain(message);
  });

  test("every problem is listed at once, across providers", async () => {
    const err = await configError({
      vector_store: { provider: "memory", config: { embedding_model_dims: 0 } },
      reranker: { provider: "scripted", config: { top_k: "ten" } },
      history_db_path: 5,
    });
    expect(err.issues.map((i) => i.split(":")[0])).toEqual([
      "history_db_path",
      "vector_store.config.embedding_model_dims",
      "reranker.config.top_k",
    ]);
  });

  test("camelCase aliases are accepted at every level", async () => {
    const m = await Memory.fromConfig({
      vectorStore: { provider: "memory", config: { embeddingModelDims: 256 } },
      reranker: { provider: "scripted", config: { topK: 4 } },
      rerankFallback: false,
    });
    expect(m.reranker!.topK).toBe(4);
    expect(m.config.rerank_fallback).toBe(false);
  });

  test("an API key never appears in an error message or an error's enumerable fields", async () => {
    const err = await configError({
      reranker: { provider: "scripted", config: { api_key: SECRET, top_k: -1, extra: SECRET } },
    });
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err)).not.toContain(SECRET);
    expect(JSON.stringify(Object.entries(err))).not.toContain(SECRET);
    const wrongType = await configError({ reranker: { provider: "scripted", config: { api_key: 12345678901 } } });
    expect(wrongType.message).toBe(
      "Invalid mem0 config: reranker.config.api_key: Invalid input: expected string, received number",
    );
  });

  test("a Memory built with an API key does not print it when logged or serialised", async () => {
    const m = await memoryWith({ reranker: { provider: "scripted", config: { api_key: SECRET } } });
    expect(inspect(m, { depth: 10 })).not.toContain(SECRET);
    expect(JSON.stringify(m)).not.toContain(SECRET);
    expect(m.config.reranker!.config!.api_key).toBe(SECRET);
  });

  test("redact removes secrets from provider text, and ProviderError keeps its cause out of JSON", () => {
    const msg = redact(`401 for key ${SECRET}`, [SECRET, undefined]);
    expect(msg).toBe("401 for key [REDACTED]");
    const e = new ProviderError("cohere", msg, {
      status: 401,
      cause: { headers: { authorization: `Bearer ${SECRET}` } },
    });
    expect(e.retryable).toBe(false);
    expect(JSON.stringify(e)).not.toContain(SECRET);
    expect(Object.keys(e)).not.toContain("cause");
  });
});

describe("providers", () => {
  test("nothing is created when any part of the config is invalid", async () => {
    const created: string[] = [];
    registerProvider(
      defineVectorStore({
        provider: "counting-store",
        configSchema: providerConfigSchema({}),
        create: () => {
          created.push("store");
          return new InMemoryVectorStore();
        },
      }),
    );
    await configError({
      vector_store: { provider: "counting-store" },
      reranker: { provider: "scripted", config: { top_k: 0 } },
    });
    expect(created).toEqual([]);
    await Memory.fromConfig({ vector_store: { provider: "counting-store" } });
    expect(created).toEqual(["store"]);
  });

  test("a third-party package is loaded by name, with no registration code", async () => {
    const m = await memoryWith({ reranker: { provider: "@acme/mem0-reranker-reverse", config: { top_k: 5 } } });
    for (const t of ["alpha one", "alpha two", "alpha three"]) await m.add(t, { user_id: "u", infer: false });
    const vector = await m.search("alpha", { user_id: "u", rerank: false });
    const r = await m.search("alpha", { user_id: "u" });
    expect(r.reranked).toBe(true);
    expect(r.rerank!.provider).toBe("@acme/mem0-reranker-reverse");
    expect(r.results.map((x) => x.id)).toEqual(vector.results.map((x) => x.id).reverse());
  });

  test("its config is validated by its own schema", async () => {
    const err = await configError({
      reranker: { provider: "@acme/mem0-reranker-reverse", config: { top_k: 1, nope: true } },
    });
    expect(err.message).toContain("reranker.config.nope: unknown key");
  });

  test("a package that is not installed is an error naming the package to install", async () => {
    await expect(Memory.fromConfig({ reranker: { provider: "@acme/mem0-reranker-missing" } })).rejects.toThrow(
      'reranker provider "@acme/mem0-reranker-missing": package @acme/mem0-reranker-missing is not installed; install it with `npm install @acme/mem0-reranker-missing`',
    );
    await expect(Memory.fromConfig({ reranker: { provider: "@acme/mem0-reranker-missing" } })).rejects.toBeInstanceOf(
      ProviderNotFoundError,
    );
  });

  test("registerProvider registers an in-process plugin; define* validates its config", async () => {
    registerProvider(
      defineReranker({
        provider: "constant",
        configSchema: providerConfigSchema({ value: z.number() }),
        create: (config) => ({
          provider: "constant",
          async rerank(_q, docs, o) {
            return docs.map((_, index) => ({ index, score: config.value })).slice(0, o?.top_k);
          },
        }),
      }),
    );
    const m = await memoryWith({ reranker: { provider: "constant", config: { value: 0 } } });
    await m.add("x", { user_id: "u", infer: false });
    const r = await m.search("x", { user_id: "u" });
    // A real score of 0 is a score, not a failure (Mastra throws on it).
    expect(r).toMatchObject({ reranked: true, results: [{ score: 0, rerank_score: 0 }] });
    await expect(memoryWith({ reranker: { provider: "constant", config: {} } })).rejects.toThrow(
      "reranker.config.value",
    );
  });

  test("AsyncMemory is the same class (every method is async)", async () => {
    const m = await AsyncMemory.fromConfig({ vector_store: { provider: "memory" } });
    expect(m).toBeInstanceOf(Memory);
    expect(behaviour.calls).toEqual([]);
  });
});
