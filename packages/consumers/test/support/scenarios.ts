/**
 * The consumer apps' sources. One TypeScript scenario per set of imports, written once and copied
 * into every module setup (.ts, .mts, .cts): the same code must type-check and run in each.
 * The `@ts-expect-error` lines are the typed config's compile-time checks: an unused one (a
 * misspelt option that compiles) fails the type-check, as does an error on the loose lines.
 */

/** Core only: a provider object defined in the app, the built-in store and embedder. */
export const coreScenario = (kind: string) => `
import { defineReranker, fields, Memory, providerConfigSchema, type RerankItem } from "@mem0/core";

declare const console: { log(line: string): void };

const reverse = defineReranker({
  provider: "reverse",
  configSchema: providerConfigSchema({ top_k: fields.positiveInt().optional() }),
  create: (config) => ({
    provider: "reverse",
    topK: config.top_k,
    rerank: async (_query: string, docs: readonly string[], o?: { top_k?: number }): Promise<RerankItem[]> =>
      docs.map((_, index) => ({ index, score: index })).reverse().slice(0, o?.top_k ?? docs.length),
  }),
});

// @ts-expect-error a misspelt option of a known provider is a compile error
void (() => Memory.fromConfig({ embedder: { provider: "lexical", config: { embeding_dims: 64 } } }));
// @ts-expect-error so is a wrong type
void (() => Memory.fromConfig({ embedder: { provider: "lexical", config: { embedding_dims: "64" } } }));
// @ts-expect-error and a wrong option of a provider object
void (() => Memory.fromConfig({ reranker: { provider: reverse, config: { top_kk: 3 } } }));
// Any other provider string, a third-party package, is loose.
void (() => Memory.fromConfig({ embedder: { provider: "@acme/mem0-embedder", config: { anything: 1 } } }));

async function main(): Promise<void> {
  const memory = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    embedder: { provider: "lexical", config: { embeddingDims: 64 } },
    reranker: { provider: reverse, config: { top_k: 3 } },
  });
  let events = 0;
  memory.on("search", ({ response }) => void (events += response.results.length));
  const texts = ["tea in the morning", "tea at night", "coffee at noon"];
  await memory.add(texts.map((content) => ({ role: "user" as const, content })), { user_id: "u", infer: false });
  const res = await memory.search("tea", { user_id: "u", limit: 2 });
  console.log(JSON.stringify({ kind: ${JSON.stringify(kind)}, reranked: res.reranked, provider: res.rerank?.provider, events }));
}
void main();
`;

/** Core and the Cohere reranker package, against the loopback fake at $COHERE_URL. */
export const cohereScenario = (kind: string) => `
import { Memory } from "@mem0/core";
import cohere from "@mem0/reranker-cohere";

declare const console: { log(line: string): void };
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;

// @ts-expect-error a misspelt Cohere option is a compile error (the package adds its config type)
void (() => Memory.fromConfig({ reranker: { provider: "cohere", config: { modle: "rerank-v3.5" } } }));
// @ts-expect-error so is a wrong type
void (() => Memory.fromConfig({ reranker: { provider: "cohere", config: { top_k: "5" } } }));
// @ts-expect-error and the same on the plugin object
void (() => Memory.fromConfig({ reranker: { provider: cohere, config: { topK: "5" } } }));
void (() => Memory.fromConfig({ reranker: { provider: "cohere", config: { model: "rerank-v3.5", topK: 5 } } }));

async function main(): Promise<void> {
  const memory = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    reranker: { provider: "cohere", config: { api_key: "consumer-key", base_url: env.COHERE_URL!, max_retries: 0 } },
    embedder: { provider: "lexical" },
  });
  const texts = ["ramen is a noodle soup", "green tea and ramen for dinner", "hiking on sunday"];
  await memory.add(texts.map((content) => ({ role: "user" as const, content })), { user_id: "u", infer: false });
  const res = await memory.search("ramen dinner", { user_id: "u", limit: 1, rerank_fallback: false });
  console.log(JSON.stringify({ kind: ${JSON.stringify(kind)}, reranked: res.reranked, provider: res.rerank?.provider, top: res.results[0]?.memory }));
}
void main();
`;

const jsBody = (kind: string) => `
async function main() {
  const memory = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    reranker: { provider: cohere, config: { api_key: "consumer-key", base_url: process.env.COHERE_URL, max_retries: 0 } },
  });
  const texts = ["ramen is a noodle soup", "green tea and ramen for dinner", "hiking on sunday"];
  await memory.add(texts.map((content) => ({ role: "user", content })), { user_id: "u", infer: false });
  const res = await memory.search("ramen dinner", { user_id: "u", limit: 1, rerank_fallback: false });
  console.log(JSON.stringify({ kind: ${JSON.stringify(kind)}, reranked: res.reranked, provider: res.rerank?.provider, top: res.results[0]?.memory }));
}
main();
`;

export const esmJs = (kind: string) =>
  `import { Memory } from "@mem0/core";\nimport cohere from "@mem0/reranker-cohere";\n${jsBody(kind)}`;
export const cjsJs = (kind: string) =>
  `const { Memory } = require("@mem0/core");\nconst cohere = require("@mem0/reranker-cohere").default;\n${jsBody(kind)}`;
