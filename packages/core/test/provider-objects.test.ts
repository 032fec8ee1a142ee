import {
  ConfigError,
  defineEmbedder,
  defineReranker,
  Memory,
  providerConfigSchema,
  resolvePlugin,
  type RerankItem,
} from "@mem0/core";
import { z } from "zod";

/**
 * A reranker that is never registered and whose name is no package: it can only be reached as an
 * object in the config, as a bundled app passes a statically imported provider.
 */
const created: { top_k?: number }[] = [];
const unregisteredReranker = defineReranker({
  provider: "static-only",
  configSchema: providerConfigSchema({ top_k: z.number({ error: "expected a number" }).int().positive().optional() }),
  create(config) {
    created.push(config);
    return {
      provider: "static-only",
      model: "reverse",
      topK: config.top_k,
      // Ranks later documents first, so a reranked answer is distinguishable from vector order.
      async rerank(_query: string, documents: readonly string[], options?: { top_k?: number }): Promise<RerankItem[]> {
        const n = Math.min(options?.top_k ?? documents.length, documents.length);
        return documents
          .map((_, i) => ({ index: i, score: i }))
          .reverse()
          .slice(0, n);
      },
    };
  },
});

const base = { vector_store: { provider: "memory" }, embedder: { provider: "lexical" } } as const;

beforeEach(() => (created.length = 0));

test("a plugin object as `provider` is used as is, with its config validated by its own schema", async () => {
  await expect(resolvePlugin("reranker", "static-only", "reranker")).rejects.toThrow(/static-only/);
  const m = await Memory.fromConfig({ ...base, reranker: { provider: unregisteredReranker, config: { topK: 6 } } });
  expect(created).toEqual([{ top_k: 6 }]);
  await m.add(
    [
      { role: "user", content: "tea in the morning" },
      { role: "user", content: "tea at night" },
    ],
    { user_id: "u", infer: false },
  );
  const res = await m.search("tea", { user_id: "u", limit: 2 });
  expect(res.reranked).toBe(true);
  expect(res.rerank).toMatchObject({ provider: "static-only", model: "reverse", candidates: 2 });
  expect(res.results.map((r) => r.rerank_score)).toEqual([1, 0]);
});

test("a plugin object's config errors name the path, like a named provider's", async () => {
  const bad = { ...base, reranker: { provider: unregisteredReranker, config: { top_k: "six", extra: 1 } } };
  const err = await Memory.fromConfig(bad as never).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).issues).toEqual([
    "reranker.config.top_k: expected a number",
    "reranker.config.extra: unknown key",
  ]);
  expect(created).toEqual([]);
});

test("a plugin of another role is rejected before anything is created", async () => {
  const embedder = defineEmbedder({
    provider: "e",
    configSchema: providerConfigSchema({}),
    create: () => {
      throw new Error("must not be created");
    },
  });
  const err = await Memory.fromConfig({ ...base, reranker: { provider: embedder } } as never).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toContain('reranker.provider: the embedder plugin "e" where a reranker is expected');
});

test("a provider that is neither a name nor a plugin object says what is expected", async () => {
  const err = await Memory.fromConfig({ ...base, reranker: { provider: { create() {} } } } as never).catch(
    (e: unknown) => e,
  );
  expect((err as Error).message).toContain("reranker.provider: expected a provider name or a provider object");
});
