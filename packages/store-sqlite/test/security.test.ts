/**
 * Attacks from the hardening pass on the SQLite store (issue 13 items 6, 7 and 11): file modes,
 * typed errors for an unusable MEM0_DIR, long `in` lists, and metadata the store must filter on.
 */
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import { Memory, parseFilters, registerProvider, ValidationError } from "@mem0/core";
import plugin, { SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

registerProvider(plugin);
const tmp = tempDir("mem0-security-");
afterAll(() => tmp.cleanup());

const mode = (path: string) => statSync(path).mode & 0o777;

async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

describe("file modes", () => {
  test("the default MEM0_DIR is created 0700 and mem0.db, -wal and -shm 0600, under umask 022", async () => {
    const dir = join(tmp.dir, "fresh", "mem0");
    await withUmask(0o022, async () => {
      const m = await Memory.fromConfig({}, { env: { MEM0_DIR: dir } });
      await m.add("secret", { user_id: "u", infer: false });
      const file = join(dir, "mem0.db");
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect([dir, file, `${file}-wal`, `${file}-shm`].map((p) => [p, mode(p).toString(8)])).toEqual([
        [dir, "700"],
        [file, "600"],
        [`${file}-wal`, "600"],
        [`${file}-shm`, "600"],
      ]);
      await m.close();
    });
  });

  test("a path the user gives keeps the modes it has (and the umask's for new files)", async () => {
    const dir = join(tmp.dir, "shared");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await withUmask(0o022, async () => {
      const m = await Memory.fromConfig({
        vector_store: { provider: "sqlite", config: { path: join(dir, "team.db") } },
      });
      await m.add("shared", { user_id: "u", infer: false });
      expect([mode(dir), mode(join(dir, "team.db"))].map((x) => x.toString(8))).toEqual(["755", "644"]);
      await m.close();
    });
  });
});

describe("an unusable MEM0_DIR is a typed error naming it", () => {
  test("a file where the directory's parent should be (ENOTDIR)", async () => {
    const blocker = join(tmp.dir, "blocker");
    writeFileSync(blocker, "x");
    const err = await Memory.fromConfig({}, { env: { MEM0_DIR: join(blocker, "mem0") } }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "STORE_IO",
      message: expect.stringContaining(`cannot create the directory ${join(blocker, "mem0")} (ENOTDIR)`),
    });
  });

  // root ignores directory permissions, so EACCES cannot be produced for it.
  (process.getuid?.() === 0 ? test.skip : test)(
    "a parent without write permission (EACCES); skipped as root, which ignores permissions",
    async () => {
      const parent = join(tmp.dir, "locked");
      mkdirSync(parent);
      chmodSync(parent, 0o500);
      const err = await Memory.fromConfig({}, { env: { MEM0_DIR: join(parent, "mem0") } }).catch((e: unknown) => e);
      chmodSync(parent, 0o700);
      expect(err).toMatchObject({ code: "STORE_IO", message: expect.stringContaining("(EACCES)") });
    },
  );
});

describe("filters", () => {
  test("in / nin with 100,000 values, on a record field and on metadata, answer like the reference", async () => {
    const store = SqliteVectorStore.open({ path: ":memory:", embedding_model_dims: 2 });
    const rows = Array.from({ length: 50 }, (_, i) => ({
      id: `r${i}`,
      vector: [1, i],
      payload: {
        user_id: `user-${i * 3000}`,
        memory: "m",
        hash: "h",
        created_at: "2024-01-01",
        updated_at: "2024-01-01",
        metadata: { n: i * 3000, s: `v${i * 3000}` },
      },
    }));
    await store.insert(rows);
    const many = Array.from({ length: 100_000 }, (_, i) => i);
    const manyUsers = many.map((i) => `user-${i}`);
    const want = rows.filter((r) => r.payload.metadata.n < 100_000).map((r) => r.id);
    const ids = async (filters: object) =>
      (await store.list({ filter: parseFilters(filters), limit: 1000 })).map((r) => r.id).sort();
    expect(await ids({ user_id: { in: manyUsers } })).toEqual([...want].sort());
    expect(await ids({ n: { in: many } })).toEqual([...want].sort());
    expect(await ids({ s: { in: many.map((i) => `v${i}`) } })).toEqual([...want].sort());
    expect(await ids({ n: { nin: many } })).toEqual(
      rows
        .filter((r) => !want.includes(r.id))
        .map((r) => r.id)
        .sort(),
    );
    const hits = await store.search({ vector: [1, 0], limit: 100, filter: parseFilters({ n: { in: many } }) });
    expect(hits.map((h) => h.id).sort()).toEqual([...want].sort());
    await store.close();
  });
});

describe("metadata", () => {
  const nested = (levels: number) => {
    let v: Record<string, unknown> = { leaf: "x" };
    for (let i = 0; i < levels; i++) v = { nest: v };
    return v;
  };

  test("1,000-level metadata is refused, so one tenant's record cannot break the collection's filtered queries", async () => {
    const m = await Memory.fromConfig({ vector_store: { provider: "sqlite", config: { path: tmp.file() } } });
    await expect(
      m.add("poison", { user_id: "mallory", metadata: { nest: nested(1000) }, infer: false }),
    ).rejects.toBeInstanceOf(ValidationError);
    // The deepest accepted metadata is stored and every filtered query still works.
    await m.add("deep", { user_id: "mallory", metadata: { ...nested(31), tag: "t" }, infer: false });
    await m.add("tea", { user_id: "alice", metadata: { tag: "t" }, infer: false });
    expect((await m.getAll({ filters: { tag: "t" } })).results).toHaveLength(2);
    expect((await m.search("tea", { user_id: "alice", filters: { tag: "t", nest: "*" } })).results).toHaveLength(0);
    expect((await m.getAll({ filters: { nest: "*" } })).results.map((r) => r.memory)).toEqual(["deep"]);
    await m.close();
  });
});
