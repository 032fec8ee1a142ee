/**
 * Moving from the embedded store to Qdrant: memories (with their vectors, nothing re-embedded) and
 * every history event — deleted memories' included — arrive, searches answer the same, and running
 * the migration again (after an interruption) writes nothing twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Memory } from "@mem0/core";
import { migrate, sqliteSource } from "../src/migrate.js";
import { createQdrantStore, type QdrantConfig } from "../src/index.js";
import { qdrantTarget, type QdrantTarget } from "./helpers.js";

let target: QdrantTarget;
const dir = mkdtempSync(join(tmpdir(), "mem0-migrate-"));
beforeAll(async () => {
  target = await qdrantTarget();
});
afterAll(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

async function seedSqlite(path: string) {
  const m = await Memory.fromConfig({ vector_store: { provider: "sqlite", config: { path } } }, { env: {} });
  const add = async (text: string, user: string, metadata: Record<string, unknown> = {}) =>
    (await m.add(text, { user_id: user, metadata, infer: false })).results[0]!.id;
  const ids = {
    sushi: await add("Loves sushi and ramen", "alice", { category: "food", priority: 8, due: "2024-05-01" }),
    dentist: await add("Dentist on Friday", "alice", { category: "health", priority: 9 }),
    gone: await add("Old phone number", "alice", { category: "contact" }),
    bob: await add("Plays chess on Sundays", "bob", { tags: ["games", "weekend"] }),
  };
  await m.update(ids.sushi, "Loves sushi, ramen and udon");
  await m.delete(ids.gone);
  return { m, ids };
}

test("memories, vectors and all history move across; searches answer the same", async () => {
  const path = join(dir, "a.db");
  const { m: before, ids } = await seedSqlite(path);
  const collection = `migrated_${Date.now()}`;
  const source = await sqliteSource({ path });
  const store = createQdrantStore(
    {
      url: target.url,
      collection_name: collection,
      ...(target.apiKey ? { api_key: target.apiKey } : {}),
    } as QdrantConfig,
    { env: {}, embeddingDims: source.dims },
  );
  const report = await migrate({ source, target: store });
  await source.close?.();
  expect(report).toEqual({ memories: 3, deleted: 1, events: 6, skipped: [] });

  const after = await Memory.fromConfig(
    {
      vector_store: {
        provider: "qdrant",
        config: { url: target.url, collection_name: collection, ...(target.apiKey ? { api_key: target.apiKey } : {}) },
      },
    },
    { env: {} },
  );
  for (const user of ["alice", "bob"]) {
    expect((await after.getAll({ user_id: user })).results).toEqual((await before.getAll({ user_id: user })).results);
  }
  for (const id of Object.values(ids)) expect(await after.history(id)).toEqual(await before.history(id));
  expect((await after.history(ids.gone)).map((e) => e.event)).toEqual(["ADD", "DELETE"]);
  const q = { user_id: "alice", filters: { OR: [{ priority: { gte: 9 } }, { due: { lt: "2024-06-01" } }] } };
  const a = await before.search("sushi", q);
  const b = await after.search("sushi", q);
  expect(b.results.map((r) => [r.id, r.score.toFixed(5)])).toEqual(a.results.map((r) => [r.id, r.score.toFixed(5)]));
  await before.close();
});

test("running it again skips what is there and writes nothing twice", async () => {
  const path = join(dir, "b.db");
  const { m } = await seedSqlite(path);
  await m.close();
  const collection = `rerun_${Date.now()}`;
  const first = await sqliteSource({ path });
  const store = () =>
    createQdrantStore(
      {
        url: target.url,
        collection_name: collection,
        ...(target.apiKey ? { api_key: target.apiKey } : {}),
      } as QdrantConfig,
      { env: {}, embeddingDims: first.dims },
    );
  // An interruption: only the first batch of two makes it.
  const partial = await migrate({
    source: {
      ...first,
      memories: async function* () {
        let i = 0;
        for await (const r of first.memories()) if (i++ < 2) yield r;
      },
      deleted: async function* () {},
    },
    target: store(),
  });
  expect(partial.memories).toBe(2);
  const again = await migrate({ source: first, target: store() });
  await first.close?.();
  expect(again).toMatchObject({ memories: 1, deleted: 1, events: 3 });
  expect(again.skipped).toHaveLength(2);
  expect(await store().count()).toBe(3);
});

test("a Qdrant collection of another vector size is refused before anything is written", async () => {
  const path = join(dir, "c.db");
  const { m } = await seedSqlite(path);
  await m.close();
  const collection = `mismatch_${Date.now()}`;
  const small = createQdrantStore(
    {
      url: target.url,
      collection_name: collection,
      embedding_model_dims: 3,
      ...(target.apiKey ? { api_key: target.apiKey } : {}),
    } as QdrantConfig,
    { env: {} },
  );
  await small.ready();
  const source = await sqliteSource({ path });
  await expect(
    migrate({
      source,
      target: createQdrantStore(
        {
          url: target.url,
          collection_name: collection,
          ...(target.apiKey ? { api_key: target.apiKey } : {}),
        } as QdrantConfig,
        { env: {} },
      ),
    }),
  ).rejects.toMatchObject({
    code: "QDRANT_COLLECTION_MISMATCH",
  });
  await source.close?.();
  expect(await small.count()).toBe(0);
});

test("the mem0-qdrant-migrate command", async () => {
  const { main } = await import("../src/cli.js");
  const path = join(dir, "d.db");
  const { m } = await seedSqlite(path);
  await m.close();
  const out: string[] = [];
  let err = "";
  const io = { out: (l: string) => out.push(l), err: (t: string) => (err += t) };
  const code = await main(
    [
      "--from",
      path,
      "--url",
      target.url,
      "--to-collection",
      `cli_${Date.now()}`,
      ...(target.apiKey ? ["--api-key", target.apiKey] : []),
    ],
    io,
  );
  expect(code).toBe(0);
  expect(JSON.parse(out[0]!)).toMatchObject({
    memories: 3,
    deleted: 1,
    events: 6,
    skipped: 0,
    target_live_memories: 3,
  });
  expect(err).toContain("3 memories, 1 deleted, 6 history events");
  expect(await main([], io)).toBe(2);
  expect(err).toContain("usage: mem0-qdrant-migrate --from");
  await expect(main(["--from", path, "--url", target.url, "--host", "x"], io)).rejects.toMatchObject({
    code: "CONFIG_INVALID",
  });
});
