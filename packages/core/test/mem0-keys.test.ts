/**
 * Every documented Mem0 top-level key is accepted: honoured (custom_instructions, disable_history,
 * history_store), or accepted with one `warning` event naming it and why (version, a provider's
 * ignoredKeys), and graph_store is refused with a clear message.
 */
import {
  ConfigError,
  defineLLM,
  defineReranker,
  Memory,
  providerConfigSchema,
  registerProvider,
  type ConfigWarning,
} from "@mem0/core";
import { z } from "zod";

const base = {
  vector_store: { provider: "memory" },
  embedder: { provider: "lexical", config: { embedding_dims: 64 } },
};
const nextTick = () => new Promise((r) => setImmediate(r));

test("version is accepted with one warning event naming it", async () => {
  const m = await Memory.fromConfig({ ...base, version: "v1.1" }, { env: {} });
  const seen: ConfigWarning[] = [];
  m.on("warning", (w) => seen.push(w));
  await nextTick();
  expect(seen).toEqual([
    { code: "IGNORED_KEY", key: "version", message: expect.stringMatching(/^version has no effect: /) },
  ]);
  expect(m.warnings).toEqual(seen);
});

test("a provider's ignored key (declared by the plugin) is one warning; absent, none", async () => {
  registerProvider(
    defineReranker({
      provider: "quiet",
      configSchema: providerConfigSchema({ show_progress_bar: z.boolean().optional() }),
      ignoredKeys: { show_progress_bar: "no console here" },
      create: () => ({
        provider: "quiet",
        rerank: async (_q: string, docs: readonly string[]) => docs.map((_, index) => ({ index, score: 0 })),
      }),
    }),
  );
  const m = await Memory.fromConfig(
    { ...base, reranker: { provider: "quiet", config: { showProgressBar: true } } },
    { env: {} },
  );
  expect(m.warnings).toEqual([
    {
      code: "IGNORED_KEY",
      key: "reranker.config.show_progress_bar",
      message: "reranker.config.show_progress_bar has no effect: no console here",
    },
  ]);
  expect((await Memory.fromConfig({ ...base, reranker: { provider: "quiet" } }, { env: {} })).warnings).toEqual([]);
});

test("graph_store is refused: graph memory is not supported", async () => {
  await expect(
    Memory.fromConfig({ ...base, graph_store: { provider: "neo4j", config: {} } }, { env: {} }),
  ).rejects.toThrow(/graph_store: graph memory is not supported/);
  expect(() => new Memory({ ...base, graphStore: { provider: "neo4j" } })).toThrow(ConfigError);
});

test("disable_history really writes no history", async () => {
  const m = await Memory.fromConfig({ ...base, disable_history: true }, { env: {} });
  const { id } = (await m.add("Likes tea", { user_id: "u", infer: false })).results[0]!;
  await m.update(id, "Likes green tea");
  expect(await m.history(id)).toEqual([]);
  const withHistory = await Memory.fromConfig(base, { env: {} });
  const other = (await withHistory.add("Likes tea", { user_id: "u", infer: false })).results[0]!.id;
  expect((await withHistory.history(other)).map((e) => e.event)).toEqual(["ADD"]);
});

test("history_store (mem0ai): sqlite's history_db_path becomes history_db_path; memory is a warning; others refused", async () => {
  const m = await Memory.fromConfig(
    { ...base, historyStore: { provider: "sqlite", config: { historyDbPath: "/tmp/h.db" } } },
    { env: {} },
  );
  expect(m.config.history_db_path).toBe("/tmp/h.db");
  expect(
    (await Memory.fromConfig({ ...base, history_store: { provider: "memory" } }, { env: {} })).warnings.map(
      (w) => w.key,
    ),
  ).toEqual(["history_store"]);
  await expect(Memory.fromConfig({ ...base, history_store: { provider: "supabase" } }, { env: {} })).rejects.toThrow(
    /history_store.provider: history store "supabase" is not supported/,
  );
});

test("custom_instructions reach the fact-extraction prompt", async () => {
  const prompts: string[] = [];
  registerProvider(
    defineLLM({
      provider: "recording",
      configSchema: providerConfigSchema({}),
      create: () => ({
        provider: "recording",
        generate: async (messages: readonly { role: string; content: string }[]) => {
          prompts.push(messages[0]!.content);
          return JSON.stringify(prompts.length === 1 ? { facts: [] } : { memory: [] });
        },
      }),
    }),
  );
  const m = await Memory.fromConfig(
    { ...base, llm: { provider: "recording" }, customInstructions: "Only keep food preferences." },
    { env: {} },
  );
  await m.add("I like pizza", { user_id: "u" });
  expect(prompts[0]).toContain("Only keep food preferences.");
});
