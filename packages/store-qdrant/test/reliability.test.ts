/**
 * Writes on Qdrant through Memory (issue 13 items 9 and 10): two Memory instances (two clients, as
 * two processes would have) updating one memory at once lose neither change, and deleteAll goes
 * through the store's batch write.
 */
import { Memory } from "@mem0/core";
import { expectChainedHistory } from "@mem0/testkit";
import { qdrantTarget, type QdrantTarget } from "./helpers.js";

let target: QdrantTarget;
beforeAll(async () => {
  target = await qdrantTarget();
});
afterAll(() => target.close());

const config = (collection_name: string) => ({
  vector_store: {
    provider: "qdrant",
    config: { url: target.url, collection_name, ...(target.apiKey ? { api_key: target.apiKey } : {}) },
  },
});

test("two clients: update(text) and update(metadata) at once keep both, 10 of 10 times, history chained", async () => {
  const name = `rel_${Date.now()}`;
  const [a, b] = await Promise.all([
    Memory.fromConfig(config(name), { env: {} }),
    Memory.fromConfig(config(name), { env: {} }),
  ]);
  for (let run = 0; run < 10; run++) {
    const id = (await a.add("original", { user_id: "u", metadata: { v: 0 }, infer: false })).results[0]!.id;
    await Promise.all([a.update(id, { text: `text ${run}` }), b.update(id, { metadata: { v: run + 1 } })]);
    const got = await a.get(id);
    expect([got!.memory, got!.metadata]).toEqual([`text ${run}`, { v: run + 1 }]);
    const events = await b.history(id);
    expect(events.map((e) => e.event)).toEqual(["ADD", "UPDATE", "UPDATE"]);
    expectChainedHistory(events);
  }
  await Promise.all([a.close(), b.close()]);
}, 60_000);

test("deleteAll deletes the scope's memories with a DELETE event each and leaves other scopes", async () => {
  const m = await Memory.fromConfig(config(`del_${Date.now()}`), { env: {} });
  const { results } = await m.add(
    Array.from({ length: 12 }, (_, i) => ({ role: "user" as const, content: `memory ${i}` })),
    { user_id: "u", infer: false },
  );
  await m.add("other", { user_id: "v", infer: false });
  expect(await m.deleteAll({ user_id: "u" })).toEqual({ deleted: 12 });
  expect((await m.getAll({ user_id: "u" })).results).toEqual([]);
  expect((await m.history(results[3]!.id)).map((e) => [e.event, e.old_memory])).toEqual([
    ["ADD", null],
    ["DELETE", "memory 3"],
  ]);
  expect((await m.getAll({ user_id: "v" })).results).toHaveLength(1);
  await m.close();
}, 60_000);
