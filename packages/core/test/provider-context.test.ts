/**
 * What each provider is given when `Memory.fromConfig` creates it: its own config path, and, for
 * the vector store only, the embedder's dimensions, which is why the embedder is created first.
 */
import {
  defineEmbedder,
  defineReranker,
  defineVectorStore,
  InMemoryVectorStore,
  LexicalEmbedder,
  Memory,
  providerConfigSchema,
  registerProvider,
  type ProviderContext,
  type Role,
} from "@mem0/core";

const seen: { role: Role; ctx: ProviderContext }[] = [];
const PROBE_DIMS = 24;

registerProvider(
  defineEmbedder({
    provider: "ctx-probe",
    configSchema: providerConfigSchema({}),
    create(_config, ctx) {
      seen.push({ role: "embedder", ctx });
      return new LexicalEmbedder(PROBE_DIMS);
    },
  }),
);
registerProvider(
  defineVectorStore({
    provider: "ctx-probe",
    configSchema: providerConfigSchema({}),
    create(_config, ctx) {
      seen.push({ role: "vector_store", ctx });
      return new InMemoryVectorStore(ctx.embeddingDims);
    },
  }),
);
registerProvider(
  defineReranker({
    provider: "ctx-probe",
    configSchema: providerConfigSchema({}),
    create(_config, ctx) {
      seen.push({ role: "reranker", ctx });
      return { provider: "ctx-probe", rerank: async () => [] };
    },
  }),
);

beforeEach(() => {
  seen.length = 0;
});

test("the embedder is created before the store, and only the store's context carries its dimensions", async () => {
  const memory = await Memory.fromConfig({
    vector_store: { provider: "ctx-probe" },
    embedder: { provider: "ctx-probe" },
    reranker: { provider: "ctx-probe" },
  });
  const order = seen.map((entry) => entry.role);
  expect(order.indexOf("embedder")).toBeLessThan(order.indexOf("vector_store"));
  const ctxOf = (role: Role) => seen.find((entry) => entry.role === role)!.ctx;
  expect(memory.embedder.dims).toBe(PROBE_DIMS);
  expect(ctxOf("vector_store").embeddingDims).toBe(PROBE_DIMS);
  expect(ctxOf("embedder").embeddingDims).toBeUndefined();
  expect(ctxOf("reranker").embeddingDims).toBeUndefined();
  await memory.close();
});

test("every provider's context names its own config path", async () => {
  const memory = await Memory.fromConfig({
    vector_store: { provider: "ctx-probe" },
    embedder: { provider: "ctx-probe" },
    reranker: { provider: "ctx-probe" },
  });
  expect(Object.fromEntries(seen.map((entry) => [entry.role, entry.ctx.path]))).toEqual({
    embedder: "embedder.config",
    vector_store: "vector_store.config",
    reranker: "reranker.config",
  });
  await memory.close();
});
