/**
 * Writes under concurrency and partial failure (issue 13 items 9–10, issue 17 item 8, issue 18
 * item 4), on core's in-memory store and on a store without `apply`; the SQLite store runs the
 * cross-process and injected-failure versions in its own reliability suite.
 */
import { describe, expect, test } from "@jest/globals";
import {
  defineEmbedder,
  defineLLM,
  defineReranker,
  defineVectorStore,
  InMemoryVectorStore,
  LexicalEmbedder,
  Memory,
  providerConfigSchema,
  registerProvider,
  type ChatMessage,
  type HistoryEvent,
  type VectorStore,
} from "@mem0/core";
import { memoryWith } from "./helpers.js";

const closed: string[] = [];
const counts = { embedCalls: 0, storeWrites: 0 };
let onDecide: (() => Promise<void>) | undefined;
const answers: string[] = [];

registerProvider(
  defineEmbedder({
    provider: "counting-embedder",
    configSchema: providerConfigSchema({}),
    create: () => {
      const inner = new LexicalEmbedder(64);
      return {
        provider: "counting-embedder",
        dims: 64,
        async embed(texts: readonly string[], kind: "add" | "search") {
          counts.embedCalls++;
          return inner.embed(texts, kind);
        },
        async close() {
          closed.push("embedder");
        },
      };
    },
  }),
);
registerProvider(
  defineLLM({
    provider: "racing-llm",
    configSchema: providerConfigSchema({}),
    create: () => ({
      provider: "racing-llm",
      async generate(messages: readonly ChatMessage[]) {
        // The update decision: another caller changes the store while this "LLM call" is in flight.
        if (messages[0]!.content.includes("You manage a memory store") && onDecide) await onDecide();
        return answers.shift()!;
      },
      async close() {
        closed.push("llm");
      },
    }),
  }),
);
registerProvider(
  defineReranker({
    provider: "closing-reranker",
    configSchema: providerConfigSchema({}),
    create: () => ({
      provider: "closing-reranker",
      async rerank(_q: string, docs: readonly string[]) {
        return docs.map((_, index) => ({ index, score: -index }));
      },
      async close() {
        closed.push("reranker");
      },
    }),
  }),
);

/** Core's memory store, counting writes; `withoutApply` hides `apply` like an older third-party store. */
function countingStore(withoutApply: boolean): VectorStore {
  const inner = new InMemoryVectorStore();
  const store: VectorStore = {
    provider: "counting-store",
    history: withoutApply ? undefined : inner.history,
    insert: (records, options) => {
      counts.storeWrites++;
      return inner.insert(records, options);
    },
    search: (q) => inner.search(q),
    get: (id) => inner.get(id),
    list: (q) => inner.list(q),
    update: (id, record, options) => {
      counts.storeWrites++;
      return inner.update(id, record, options);
    },
    delete: (id, options) => {
      counts.storeWrites++;
      return inner.delete(id, options);
    },
    reset: () => inner.reset(),
    close: async () => void closed.push("store"),
  };
  if (!withoutApply)
    store.apply = (changes, options) => {
      counts.storeWrites++;
      return inner.apply(changes, options);
    };
  return store;
}
registerProvider(
  defineVectorStore({
    provider: "counting-store",
    configSchema: providerConfigSchema({}),
    create: () => countingStore(false),
  }),
);
registerProvider(
  defineVectorStore({
    provider: "plain-store",
    configSchema: providerConfigSchema({}),
    create: () => countingStore(true),
  }),
);

/** Each UPDATE's old_memory is the previous event's new_memory: no write read a stale record. */
function expectChained(events: HistoryEvent[]) {
  for (let i = 1; i < events.length; i++) expect([i, events[i]!.old_memory]).toEqual([i, events[i - 1]!.new_memory]);
}

describe("concurrent read-modify-write loses nothing", () => {
  test.each(["memory", "plain-store"])(
    "%s: update(text) and update(metadata) at once keep both, 20 of 20 times",
    async (provider) => {
      const m = await memoryWith({ vector_store: { provider } });
      for (let run = 0; run < 20; run++) {
        const { results } = await m.add("original", { user_id: "u", metadata: { v: 0 }, infer: false });
        const id = results[0]!.id;
        await Promise.all([m.update(id, { text: `text ${run}` }), m.update(id, { metadata: { v: run + 1 } })]);
        const got = await m.get(id);
        if (provider === "plain-store") continue; // without apply no guarantee; it must merely work
        expect([got!.memory, got!.metadata]).toEqual([`text ${run}`, { v: run + 1 }]);
        expectChained(await m.history(id));
      }
    },
  );
});

describe("an inferred add whose target vanished mid-call", () => {
  const decide = (...m: object[]) => JSON.stringify({ memory: m });

  test("ADD + UPDATE with the UPDATE's target deleted during the LLM call: the ADD is kept, the UPDATE reported as skipped, no throw", async () => {
    const m = await memoryWith({ llm: { provider: "racing-llm" } });
    const target = (await m.add("likes tea", { user_id: "u", infer: false })).results[0]!.id;
    answers.push(
      JSON.stringify({ facts: ["likes green tea", "owns a cat"] }),
      decide({ id: "0", text: "likes green tea", event: "UPDATE" }, { id: "new", text: "owns a cat", event: "ADD" }),
    );
    onDecide = async () => void (await m.delete(target));
    try {
      const out = await m.add("I like green tea and I own a cat", { user_id: "u" });
      expect(out.results.map((r) => [r.event, r.memory])).toEqual([["ADD", "owns a cat"]]);
      expect(out.skipped).toEqual([{ id: target, event: "UPDATE", reason: "not found" }]);
      expect((await m.getAll({ user_id: "u" })).results.map((r) => r.memory)).toEqual(["owns a cat"]);
      expect((await m.history(target)).map((e) => e.event)).toEqual(["ADD", "DELETE"]);
    } finally {
      onDecide = undefined;
    }
  });

  test("an UPDATE applies to the target as it is at write time (metadata changed meanwhile is kept, previous_memory is current)", async () => {
    const m = await memoryWith({ llm: { provider: "racing-llm" } });
    const target = (await m.add("likes tea", { user_id: "u", metadata: { a: 1 }, infer: false })).results[0]!.id;
    answers.push(
      JSON.stringify({ facts: ["likes green tea"] }),
      decide({ id: "0", text: "likes green tea", event: "UPDATE" }),
    );
    onDecide = async () => void (await m.update(target, { text: "likes black tea", metadata: { a: 2 } }));
    try {
      const out = await m.add("green tea", { user_id: "u", metadata: { b: 3 } });
      expect(out.results).toEqual([
        { id: target, memory: "likes green tea", event: "UPDATE", previous_memory: "likes black tea" },
      ]);
      expect((await m.get(target))!.metadata).toEqual({ a: 2, b: 3 });
      expectChained(await m.history(target));
    } finally {
      onDecide = undefined;
    }
  });
});

describe("batch writes", () => {
  test("add of a list of messages: one embedder call and one store write", async () => {
    const m = await Memory.fromConfig({
      vector_store: { provider: "counting-store" },
      embedder: { provider: "counting-embedder" },
    });
    counts.embedCalls = 0;
    counts.storeWrites = 0;
    const messages = Array.from({ length: 25 }, (_, i) => ({ role: "user" as const, content: `fact number ${i}` }));
    const { results } = await m.add(messages, { user_id: "u", infer: false });
    expect(results).toHaveLength(25);
    expect(counts).toEqual({ embedCalls: 1, storeWrites: 1 });
  });

  test("deleteAll is one store write, with a DELETE event per memory; other scopes stay", async () => {
    const m = await Memory.fromConfig({
      vector_store: { provider: "counting-store" },
      embedder: { provider: "counting-embedder" },
    });
    const { results } = await m.add(
      Array.from({ length: 30 }, (_, i) => ({ role: "user" as const, content: `doomed ${i}` })),
      { user_id: "u", infer: false },
    );
    await m.add("kept", { user_id: "other", infer: false });
    counts.storeWrites = 0;
    expect(await m.deleteAll({ user_id: "u" })).toEqual({ deleted: 30 });
    expect(counts.storeWrites).toBe(1);
    expect((await m.history(results[7]!.id)).map((e) => [e.event, e.old_memory])).toEqual([
      ["ADD", null],
      ["DELETE", "doomed 7"],
    ]);
    expect((await m.getAll({ user_id: "other" })).results).toHaveLength(1);
  });

  test("a store without apply still gets every write and its history (written after, by core)", async () => {
    const m = await memoryWith({ vector_store: { provider: "plain-store" } });
    const id = (await m.add("one", { user_id: "u", infer: false })).results[0]!.id;
    await m.update(id, "two");
    expect(await m.deleteAll({ user_id: "u" })).toEqual({ deleted: 1 });
    expect((await m.history(id)).map((e) => [e.event, e.old_memory, e.new_memory])).toEqual([
      ["ADD", null, "one"],
      ["UPDATE", "one", "two"],
      ["DELETE", "two", null],
    ]);
  });
});

test("close() closes every provider it created: store, embedder, LLM and reranker, once each", async () => {
  const m = await Memory.fromConfig({
    vector_store: { provider: "counting-store" },
    embedder: { provider: "counting-embedder" },
    llm: { provider: "racing-llm" },
    reranker: { provider: "closing-reranker" },
  });
  closed.length = 0;
  await m.close();
  expect(closed.sort()).toEqual(["embedder", "llm", "reranker", "store"]);
});
