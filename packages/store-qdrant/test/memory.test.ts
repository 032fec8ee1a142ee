/**
 * `Memory` on Qdrant, as a user configures it: provider "qdrant" resolves to this package, the
 * store takes the embedder's dimensions, searches carry the scope in the top-level must whatever
 * the user's filter says, and history survives a new process (a new Memory on the same collection).
 */
import { Memory } from "@mem0/core";
import { qdrantTarget, REAL_QDRANT, type QdrantTarget } from "./helpers.js";

let target: QdrantTarget;
beforeAll(async () => {
  target = await qdrantTarget();
});
afterAll(() => target.close());

const config = (collection_name: string) => ({
  vector_store: {
    provider: "qdrant",
    config: { url: target.url, collectionName: collection_name, ...(target.apiKey ? { api_key: target.apiKey } : {}) },
  },
});

test("add, search with filters, getAll, update, delete and history through Memory", async () => {
  const name = `mem_${Date.now()}`;
  const m = await Memory.fromConfig(config(name), { env: {} });
  expect(m.vectorStore.provider).toBe("qdrant");
  const sushi = (
    await m.add("Loves sushi and ramen", {
      user_id: "alice",
      metadata: { category: "food", priority: 8 },
      infer: false,
    })
  ).results[0]!;
  await m.add("Dentist on Friday", {
    user_id: "alice",
    metadata: { category: "health", priority: 9, due: "2024-05-01" },
    infer: false,
  });
  await m.add("Also loves sushi", { user_id: "bob", metadata: { category: "food", priority: 8 }, infer: false });

  const found = await m.search("sushi", {
    user_id: "alice",
    filters: { OR: [{ category: "food" }, { user_id: "bob" }] },
  });
  expect(found.results.map((r) => r.memory)).toEqual(["Loves sushi and ramen"]);
  const dated = await m.search("dentist", {
    user_id: "alice",
    filters: { due: { gte: "2024-04-01" }, priority: { gte: 9 } },
  });
  expect(dated.results.map((r) => r.memory)).toEqual(["Dentist on Friday"]);
  const loose = await m.search("SUSHI", { user_id: "alice", filters: { memory: { icontains: "SUSHI" } } });
  expect(loose.results.map((r) => r.id)).toEqual([sushi.id]);

  expect((await m.getAll({ user_id: "alice" })).results.map((r) => r.memory)).toEqual([
    "Loves sushi and ramen",
    "Dentist on Friday",
  ]);
  await m.update(sushi.id, "Loves sushi, ramen and udon");
  await m.delete(sushi.id);
  expect(await m.get(sushi.id)).toBeNull();

  // A second Memory (a new process) on the same collection sees the same history.
  const again = await Memory.fromConfig(config(name), { env: {} });
  expect((await again.history(sushi.id)).map((e) => e.event)).toEqual(["ADD", "UPDATE", "DELETE"]);
  expect((await again.getAll({ user_id: "alice" })).results.map((r) => r.memory)).toEqual(["Dentist on Friday"]);

  if (!REAL_QDRANT) {
    const queries = target.server!.calls.filter((c) => c.path.endsWith("/points/query"));
    for (const q of queries) {
      const must = (q.body as { filter: { must: unknown[] } }).filter.must;
      expect(must[0]).toEqual({ key: "user_id", match: { value: "alice" } });
    }
    expect(target.server!.calls.filter((c) => typeof c.status === "number" && c.status >= 400)).toEqual([]);
  }
  await m.reset();
});

test("deleteAll deletes a scope one memory at a time, keeping DELETE events", async () => {
  const m = await Memory.fromConfig(config(`mem_all_${Date.now()}`), { env: {} });
  const ids = [];
  for (const t of ["one", "two", "three"]) ids.push((await m.add(t, { user_id: "zoe", infer: false })).results[0]!.id);
  await m.add("keep", { user_id: "yan", infer: false });
  expect(await m.deleteAll({ user_id: "zoe" })).toEqual({ deleted: 3 });
  expect((await m.getAll({ user_id: "zoe" })).results).toEqual([]);
  expect((await m.getAll({ user_id: "yan" })).results).toHaveLength(1);
  for (const id of ids) expect((await m.history(id)).map((e) => e.event)).toEqual(["ADD", "DELETE"]);
  await m.reset();
});

test("a wrong config is a ConfigError naming the key, before anything connects", async () => {
  await expect(
    Memory.fromConfig(
      { vector_store: { provider: "qdrant", config: { url: target.url, host: "localhost" } } },
      { env: {} },
    ),
  ).rejects.toMatchObject({
    code: "CONFIG_INVALID",
    message: expect.stringContaining("vector_store.config.host: give either url or host"),
  });
});
