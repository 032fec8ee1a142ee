/**
 * mem0ai's `new Memory(config)`: the top level is checked synchronously (ConfigError), providers are
 * created on the first call, and then everything behaves as with `await Memory.fromConfig`.
 */
import { ConfigError, Memory } from "@mem0/core";

const config = {
  vector_store: { provider: "memory" },
  embedder: { provider: "lexical", config: { embedding_dims: 64 } },
};

test("new Memory(config) works without await; the first call creates the providers", async () => {
  const m = new Memory(config);
  const added = await m.add("Loves sushi", { user_id: "alice", infer: false });
  expect((await m.search("sushi", { user_id: "alice" })).results.map((r) => r.id)).toEqual([added.results[0]!.id]);
  expect(m.vectorStore.provider).toBe("memory");
  expect((await m.history(added.results[0]!.id)).map((e) => e.event)).toEqual(["ADD"]);
});

test("a bad top level is a ConfigError thrown by the constructor itself", () => {
  expect(() => new Memory({ vector_store: "qdrant" } as never)).toThrow(ConfigError);
  expect(() => new Memory({ nope: 1 } as never)).toThrow(/nope: unknown key/);
});

test("a bad provider config rejects the first call with the ConfigError, and the next call too (nothing half-built)", async () => {
  const m = new Memory({
    vector_store: { provider: "memory" },
    embedder: { provider: "lexical", config: { embedding_dims: -1 } },
  });
  await expect(m.getAll({ user_id: "a" })).rejects.toBeInstanceOf(ConfigError);
  await expect(m.search("x", { user_id: "a" })).rejects.toThrow(/embedder.config.embedding_dims/);
});

test("events reach listeners attached to the instance new Memory returned", async () => {
  const m = new Memory(config);
  const seen: string[] = [];
  m.on("search", (e) => seen.push(e.query));
  await m.search("hello", { user_id: "a" });
  expect(seen).toEqual(["hello"]);
});
