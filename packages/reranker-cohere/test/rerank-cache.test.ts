import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { CachedReranker, ConfigError, Memory, registerProvider, runReranker } from "@mem0/core";
import { startCohereServer, type FakeServer } from "@mem0/testkit";
import plugin, { type CohereReranker, configSchema } from "../src/index.js";

const KEY = "co-test-key";
registerProvider(plugin);

let server: FakeServer;
beforeAll(async () => (server = await startCohereServer({ apiKey: KEY })));
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
});

const cohere = () =>
  plugin.create(configSchema.parse({ api_key: KEY, base_url: server.url, model: "rerank-v3.5" }), {
    env: {},
    config: {},
    load: async () => {
      throw new Error("unused");
    },
  }) as CohereReranker;
const sent = () => server.callsTo("/v2/rerank").map((c) => (c.body as { documents: string[] }).documents);

describe("rerank cache (reranker.config.cache)", () => {
  test("a repeated query is answered from the cache: no call, same ranking, meta.cached", async () => {
    const result = new CachedReranker(cohere(), { max_entries: 100, ttl_ms: 60_000 });
    const docs = ["tax forms", "alice likes ramen", "ramen shop", "the weather"];
    const first: Record<string, unknown> = {};
    const a = await result.rerank("alice ramen", docs, { top_k: 3, meta: first });
    expect(first).toMatchObject({ cached: false, cache_hits: 0, billed_units: { search_units: 1 } });
    expect(sent()).toEqual([docs]);
    const second: Record<string, unknown> = {};
    const b = await result.rerank("alice ramen", docs, { top_k: 3, meta: second });
    expect(b).toEqual(a);
    expect(second).toEqual({ cached: true, cache_hits: 4 });
    expect(sent()).toHaveLength(1);
  });

  test("only the documents not cached are sent; cached and new scores merge into one exact ranking", async () => {
    const result = new CachedReranker(cohere(), { max_entries: 100, ttl_ms: 60_000 });
    const plain = cohere();
    await result.rerank("alice ramen", ["tax forms", "alice likes ramen"]);
    server.reset();
    const docs = ["ramen shop", "tax forms", "alice ramen ramen", "alice likes ramen", "weather"];
    const meta: Record<string, unknown> = {};
    const merged = await result.rerank("alice ramen", docs, { top_k: 4, meta });
    expect(sent()).toEqual([["ramen shop", "alice ramen ramen", "weather"]]);
    expect(meta).toMatchObject({ cached: false, cache_hits: 2 });
    expect(merged).toEqual(await plain.rerank("alice ramen", docs, { top_k: 4 }));
  });

  test("another query, model or memory text is another key; entries expire after ttl_ms; max_entries bounds it", async () => {
    let now = 0;
    const result = new CachedReranker(cohere(), { max_entries: 3, ttl_ms: 1000 }, () => now);
    await result.rerank("q1", ["a", "b"]);
    await result.rerank("q2", ["a", "b"]); // another query: 2 more documents sent
    expect(sent().flat()).toHaveLength(4);
    expect(result.size).toBe(3); // the oldest of four entries went
    await result.rerank("q2", ["a", "b"]);
    expect(sent()).toHaveLength(2);
    now = 1001;
    await result.rerank("q2", ["a", "b"]);
    expect(sent()).toHaveLength(3);
  });

  test("through Memory: opt-in by config, response.rerank.meta.cached, the provider call saved", async () => {
    const memory = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: {
        provider: "cohere",
        config: {
          model: "rerank-v3.5",
          api_key: KEY,
          base_url: server.url,
          cache: { max_entries: 1000, ttl_ms: 60_000 },
        },
      },
    });
    await memory.add("Alice loves ramen", { user_id: "alice", infer: false });
    await memory.add("Alice loves sushi", { user_id: "alice", infer: false });
    const first = await memory.search("ramen", { user_id: "alice" });
    const again = await memory.search("ramen", { user_id: "alice" });
    expect(server.callsTo("/v2/rerank")).toHaveLength(1);
    expect(first.rerank?.meta).toMatchObject({ cached: false, billed_units: { search_units: 1 } });
    expect(again.rerank?.meta).toMatchObject({ cached: true, cache_hits: 2 });
    expect(again.results.map((x) => [x.id, x.rerank_score])).toEqual(first.results.map((x) => [x.id, x.rerank_score]));
    await memory.close();
    // Without `cache`, nothing is cached.
    const plain = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: { provider: "cohere", config: { model: "rerank-v3.5", api_key: KEY, base_url: server.url } },
    });
    await plain.add("Alice loves ramen", { user_id: "alice", infer: false });
    server.reset();
    await plain.search("ramen", { user_id: "alice" });
    await plain.search("ramen", { user_id: "alice" });
    expect(server.callsTo("/v2/rerank")).toHaveLength(2);
    await plain.close();
  });

  test("a bad cache config is a ConfigError naming the field", async () => {
    const bad = Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: {
        provider: "cohere",
        // @ts-expect-error ttl_ms must be a number: refused at compile time too; this checks the run-time error
        config: { api_key: KEY, base_url: server.url, cache: { max_entries: 0, ttl_ms: "soon" } },
      },
    });
    await expect(bad).rejects.toThrow(ConfigError);
    await expect(bad).rejects.toThrow(/reranker\.config\.cache\.max_entries/);
    await expect(bad).rejects.toThrow(/reranker\.config\.cache\.ttl_ms/);
  });

  test("split into chunks by runReranker, every chunk cached: no call at all the second time", async () => {
    const result = new CachedReranker(cohere(), { max_entries: 5000, ttl_ms: 60_000 });
    const docs = Array.from({ length: 1500 }, (_, i) => `document ${i}`);
    const first = await runReranker(result, "document 7", docs, { top_k: 5 });
    expect(server.callsTo("/v2/rerank")).toHaveLength(2);
    const meta: Record<string, unknown> = {};
    expect(await runReranker(result, "document 7", docs, { top_k: 5, meta })).toEqual(first);
    expect(server.callsTo("/v2/rerank")).toHaveLength(2);
    // The runner still plans the split (requests_split); no request is made.
    expect(meta).toEqual({ cached: true, cache_hits: 1500, requests_split: 2 });
  });
});

test("closing the cached reranker closes the provider's", async () => {
  let closed = 0;
  const inner = { provider: "p", rerank: async () => [], close: async () => void closed++ };
  await new CachedReranker(inner, { max_entries: 1, ttl_ms: 1 }).close();
  expect(closed).toBe(1);
});
