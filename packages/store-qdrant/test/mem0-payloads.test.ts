/**
 * Sharing a collection with Mem0: points Mem0 Python wrote (fixtures built from its source, see
 * fixtures/mem0-python.ts), points mem0ai 3.x wrote (camelCase timestamps), and this project's
 * earlier layout are all read; what we write is Mem0's shape; an update of someone else's memory
 * keeps its created time, its unknown keys and the vectors we do not manage.
 * (packages/interop runs the same both ways against the real mem0ai package.)
 */
import { Memory, parseFilters, type MemoryPayload } from "@mem0/core";
import { startQdrantServer, type QdrantServer } from "@mem0/testkit";
import { QdrantClient } from "@qdrant/js-client-rest";
import { createQdrantStore, decodePoint, historyPointId, type QdrantConfig } from "../src/index.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { md5, PYTHON_COLLECTION, PYTHON_HISTORY_ROWS, PYTHON_POINTS } from "./fixtures/mem0-python.js";

let server: QdrantServer;
let n = 0;
beforeAll(async () => {
  server = await startQdrantServer();
});
afterAll(() => server.close());

const client = () => new QdrantClient({ url: server.url, checkCompatibility: false });
const store = (collection_name: string, config: Partial<QdrantConfig> = {}) =>
  createQdrantStore({ url: server.url, collection_name, embedding_model_dims: 4, ...config } as QdrantConfig, {
    env: {},
  });

async function pythonCollection(): Promise<string> {
  const name = `py${++n}`;
  await client().createCollection(name, PYTHON_COLLECTION);
  await client().upsert(name, { wait: true, points: PYTHON_POINTS });
  return name;
}

const stored = (collection: string, id: string) => server.collections.get(collection)!.points.get(id)!;

describe("reading Mem0 Python's points", () => {
  test("text from data, timestamps, scope ids; every other key (text_lemmatized, actor_id, role, attributed_to) kept as metadata", async () => {
    const s = store(await pythonCollection());
    const alice = await s.list({ filter: parseFilters({ user_id: "alice" }), limit: 10 });
    expect(alice.map((r) => [r.id, r.payload.memory, r.payload.created_at])).toEqual([
      [PYTHON_POINTS[0]!.id, "Prefers window seats", "2025-03-01T09:30:00.123456+00:00"],
      [PYTHON_POINTS[1]!.id, "Allergic to peanuts", "2025-03-02T10:00:00.000001+00:00"],
    ]);
    expect(alice[0]!.payload).toMatchObject({
      user_id: "alice",
      hash: md5("Prefers window seats"),
      updated_at: "2025-03-01T09:30:00.123456+00:00",
    });
    expect(alice[0]!.payload.metadata).toEqual({
      actor_id: "alice",
      role: "user",
      category: "travel",
      text_lemmatized: "prefers window seats",
    });
    expect(alice[1]!.payload.metadata).toMatchObject({ attributed_to: "assistant" });
    expect(s.layout).toEqual({ dense: undefined, others: true, sparse: ["bm25"] });
  });

  test("search through the unnamed vector beside the bm25 slot; filters on memory (data) and created_at (no date shadow on Mem0 points) answer right", async () => {
    const s = store(await pythonCollection());
    const hits = await s.search({ vector: [0, 1, 0, 0], limit: 2, filter: parseFilters({ user_id: "alice" }) });
    expect(hits.map((h) => h.id)).toEqual([PYTHON_POINTS[1]!.id, PYTHON_POINTS[0]!.id]);
    const byText = await s.list({
      filter: parseFilters({ AND: [{ user_id: "alice" }, { memory: { icontains: "PEANUT" } }] }),
      limit: 10,
    });
    expect(byText.map((r) => r.id)).toEqual([PYTHON_POINTS[1]!.id]);
    const recent = await s.list({ filter: parseFilters({ created_at: { gte: "2025-03-02T00:00:00Z" } }), limit: 10 });
    expect(recent.map((r) => r.id)).toEqual([PYTHON_POINTS[1]!.id, PYTHON_POINTS[2]!.id]);
  });
});

describe("writing what Mem0 reads", () => {
  test("a new memory has its text in data and Python's timestamp keys; Mem0's search never drops it", async () => {
    const name = await pythonCollection();
    const s = store(name);
    const payload: MemoryPayload = {
      user_id: "alice",
      memory: "Likes jazz",
      hash: md5("Likes jazz"),
      created_at: "2025-04-01T00:00:00.000000Z",
      updated_at: "2025-04-01T00:00:00.000000Z",
      metadata: { category: "music" },
    };
    const id = "9d4f3a51-6e70-4182-9dce-3f4a5b6c7d8e";
    await s.insert([{ id, vector: [0, 0, 0, 1], payload }]);
    const p = stored(name, id).payload;
    expect(p).toMatchObject({
      data: "Likes jazz",
      hash: md5("Likes jazz"),
      created_at: payload.created_at,
      updated_at: payload.updated_at,
      user_id: "alice",
      category: "music",
    });
    expect(p.memory).toBeUndefined();
    expect(p.createdAt).toBeUndefined();
  });

  test("updating a Python memory replaces data, keeps created_at, unknown keys and the bm25 vector; drops the stale text_lemmatized", async () => {
    const name = await pythonCollection();
    const s = store(name);
    const id = PYTHON_POINTS[0]!.id;
    const before = (await s.get(id))!;
    await s.update(id, {
      vector: [0, 0, 0, 1],
      payload: {
        ...before.payload,
        memory: "Prefers aisle seats",
        hash: md5("Prefers aisle seats"),
        updated_at: "2025-05-01T00:00:00Z",
      },
    });
    const pt = stored(name, id);
    expect(pt.payload).toMatchObject({
      data: "Prefers aisle seats",
      created_at: "2025-03-01T09:30:00.123456+00:00",
      updated_at: "2025-05-01T00:00:00Z",
      actor_id: "alice",
      role: "user",
      category: "travel",
    });
    expect(pt.payload.memory).toBeUndefined();
    expect(pt.payload.text_lemmatized).toBeUndefined();
    expect(pt.vectors.get("bm25")).toEqual(PYTHON_POINTS[0]!.vector.bm25);
    expect(Array.from(pt.vectors.get("") as Float32Array)).toEqual([0, 0, 0, 1]);
  });

  test("through Memory: a memory we did not create gets an UPDATE event with its previous text, then a DELETE Mem0 cannot see", async () => {
    const name = await pythonCollection();
    const m = await Memory.fromConfig(
      {
        vector_store: { provider: "qdrant", config: { url: server.url, collection_name: name } },
        embedder: { provider: "lexical", config: { embedding_dims: 4 } },
      },
      { env: {} },
    );
    const id = PYTHON_POINTS[1]!.id;
    await m.update(id, "Allergic to peanuts and shellfish");
    const events = await m.history(id);
    expect(events.map((e) => [e.event, e.old_memory, e.new_memory])).toEqual([
      ["UPDATE", "Allergic to peanuts", "Allergic to peanuts and shellfish"],
    ]);
    await m.delete(id);
    // What Mem0 asks for (every Mem0 read is scoped): nothing of the deleted memory.
    const scoped = await client().scroll(name, {
      filter: { must: [{ key: "user_id", match: { value: "alice" } }] },
      with_payload: true,
    });
    expect(scoped.points.map((p) => p.id)).toEqual([PYTHON_POINTS[0]!.id]);
    expect((await m.history(id)).map((e) => e.event)).toEqual(["UPDATE", "DELETE"]);
  });
});

describe("mem0ai 3.x and earlier mem0-ts payloads", () => {
  test("mem0ai's createdAt / updatedAt are read, kept on update, and become the default for new points", async () => {
    const name = `js${++n}`;
    await client().createCollection(name, PYTHON_COLLECTION);
    const id = "a1b2c3d4-0000-4000-8000-000000000001";
    await client().upsert(name, {
      wait: true,
      points: [
        {
          id,
          vector: { "": [1, 0, 0, 0] },
          payload: {
            user_id: "u",
            data: "Uses vim",
            hash: md5("Uses vim"),
            textLemmatized: "use vim",
            createdAt: "2025-01-01T00:00:00.000Z",
            attributedTo: "user",
            topic: "tools",
          },
        },
      ],
    });
    const s = store(name);
    const rec = (await s.get(id))!;
    expect(rec.payload).toMatchObject({
      memory: "Uses vim",
      created_at: "2025-01-01T00:00:00.000Z",
      updated_at: "2025-01-01T00:00:00.000Z",
      metadata: { textLemmatized: "use vim", attributedTo: "user", topic: "tools" },
    });
    await s.update(id, {
      payload: {
        ...rec.payload,
        memory: "Uses neovim",
        hash: md5("Uses neovim"),
        updated_at: "2025-02-01T00:00:00.000Z",
      },
    });
    expect(stored(name, id).payload).toMatchObject({
      data: "Uses neovim",
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-02-01T00:00:00.000Z",
      attributedTo: "user",
    });
    expect(stored(name, id).payload.created_at).toBeUndefined();
    const fresh = "a1b2c3d4-0000-4000-8000-000000000002";
    await s.insert([
      {
        id: fresh,
        vector: [0, 1, 0, 0],
        payload: {
          user_id: "u",
          memory: "x",
          hash: md5("x"),
          created_at: "2025-03-01T00:00:00Z",
          updated_at: "2025-03-01T00:00:00Z",
          metadata: {},
        },
      },
    ]);
    expect(stored(name, fresh).payload).toMatchObject({ data: "x", createdAt: "2025-03-01T00:00:00Z" });
  });

  test("this project's v1 payload (text under memory) still reads; a metadata key named data is refused", async () => {
    expect(
      decodePoint({
        id: 1,
        payload: {
          memory: "old",
          hash: "h",
          created_at: "t",
          updated_at: "t",
          user_id: "u",
          data: "meta",
          _mem0: { v: 1, history: [], rev: 1, w: "" },
        },
      })!.payload,
    ).toMatchObject({ memory: "old", metadata: { data: "meta" } });
    const s = store(`v${++n}`);
    const bad = { user_id: "u", memory: "x", hash: "h", created_at: "t", updated_at: "t", metadata: { data: 1 } };
    await expect(
      s.insert([{ id: "b0000000-0000-4000-8000-000000000001", vector: [1, 0, 0, 0], payload: bad }]),
    ).rejects.toThrow(/metadata.data is reserved/);
  });

  test("named dense vectors: the one vector_name names is written and queried; other named vectors survive updates", async () => {
    const name = `named${++n}`;
    await client().createCollection(name, {
      vectors: { dense: { size: 4, distance: "Cosine" }, image: { size: 2, distance: "Cosine" } },
    });
    const id = "c0000000-0000-4000-8000-000000000001";
    await client().upsert(name, {
      wait: true,
      points: [
        {
          id,
          vector: { dense: [1, 0, 0, 0], image: [1, 0] },
          payload: {
            user_id: "u",
            data: "a",
            hash: md5("a"),
            created_at: "2025-01-01T00:00:00Z",
            updated_at: "2025-01-01T00:00:00Z",
          },
        },
      ],
    });
    const s = store(name, { vector_name: "dense" });
    expect(
      (await s.search({ vector: [1, 0, 0, 0], limit: 1, filter: parseFilters({ user_id: "u" }) })).map((h) => h.id),
    ).toEqual([id]);
    const rec = (await s.get(id))!;
    await s.update(id, { vector: [0, 1, 0, 0], payload: { ...rec.payload, memory: "b" } });
    expect(Array.from(stored(name, id).vectors.get("image") as Float32Array)).toEqual([1, 0]);
    expect(Array.from(stored(name, id).vectors.get("dense") as Float32Array)).toEqual([0, 1, 0, 0]);
  });
});

describe("history_db_path pointing at Mem0 Python's history.db", () => {
  /** A history.db as Mem0 Python leaves it: its own CREATE TABLE (storage.py lines 108-119) and rows. */
  function pythonHistoryDb(): string {
    const path = join(mkdtempSync(join(tmpdir(), "mem0-pyhist-")), "history.db");
    const db = new Database(path);
    db.exec(`CREATE TABLE IF NOT EXISTS history (id TEXT PRIMARY KEY, memory_id TEXT, old_memory TEXT, new_memory TEXT, event TEXT,
      created_at DATETIME, updated_at DATETIME, is_deleted INTEGER, actor_id TEXT, role TEXT)`);
    const insert = db.prepare(
      "INSERT INTO history VALUES (@id, @memory_id, @old_memory, @new_memory, @event, @created_at, @updated_at, @is_deleted, @actor_id, @role)",
    );
    for (const r of PYTHON_HISTORY_ROWS) insert.run(r);
    db.close();
    return path;
  }

  test("its events are read, ours are appended in Mem0's schema: both tools see one history", async () => {
    const name = await pythonCollection();
    const path = pythonHistoryDb();
    const m = await Memory.fromConfig(
      {
        vector_store: { provider: "qdrant", config: { url: server.url, collection_name: name } },
        embedder: { provider: "lexical", config: { embedding_dims: 4 } },
        history_db_path: path,
      },
      { env: {} },
    );
    const id = PYTHON_POINTS[0]!.id;
    expect((await m.history(id)).map((e) => [e.event, e.new_memory, e.actor_id, e.is_deleted])).toEqual([
      ["ADD", "Prefers window seats", "alice", false],
    ]);
    await m.update(id, "Prefers aisle seats");
    await m.delete(id);
    expect((await m.history(id)).map((e) => [e.event, e.old_memory, e.new_memory])).toEqual([
      ["ADD", null, "Prefers window seats"],
      ["UPDATE", "Prefers window seats", "Prefers aisle seats"],
      ["DELETE", "Prefers aisle seats", null],
    ]);
    await m.close();
    // What Mem0 Python's get_history reads (storage.py: SELECT … FROM history WHERE memory_id = ?).
    const db = new Database(path, { readonly: true });
    const rows = db
      .prepare("SELECT event, old_memory, new_memory, is_deleted FROM history WHERE memory_id = ? ORDER BY created_at")
      .all(id);
    db.close();
    expect(rows).toEqual([
      { event: "ADD", old_memory: null, new_memory: "Prefers window seats", is_deleted: 0 },
      { event: "UPDATE", old_memory: "Prefers window seats", new_memory: "Prefers aisle seats", is_deleted: 0 },
      { event: "DELETE", old_memory: "Prefers aisle seats", new_memory: null, is_deleted: 1 },
    ]);
  });
});

describe("upgrading a collection an earlier mem0-ts wrote (v1: text under memory)", () => {
  test("mem0-qdrant-migrate --upgrade rewrites live points and tombstones in Mem0's shape, history kept; a re-run rewrites nothing", async () => {
    const name = `legacy${++n}`;
    await client().createCollection(name, { vectors: { size: 4, distance: "Cosine" } });
    const live = "d0000000-0000-4000-8000-000000000001";
    const gone = "d0000000-0000-4000-8000-000000000002";
    const add = {
      id: "e1",
      memory_id: live,
      event: "ADD",
      old_memory: null,
      new_memory: "Likes tea",
      created_at: "2024-01-01T00:00:00Z",
      updated_at: null,
      is_deleted: false,
    };
    const del = {
      id: "e2",
      memory_id: gone,
      event: "DELETE",
      old_memory: "Old phone",
      new_memory: null,
      created_at: "2024-01-02T00:00:00Z",
      updated_at: "2024-01-02T00:00:00Z",
      is_deleted: true,
    };
    await client().upsert(name, {
      wait: true,
      points: [
        // The v1 layout, as encodePayload wrote it before this change.
        {
          id: live,
          vector: [1, 0, 0, 0],
          payload: {
            category: "drinks",
            memory: "Likes tea",
            hash: md5("Likes tea"),
            created_at: "2024-01-01T00:00:00Z",
            updated_at: "2024-01-01T00:00:00Z",
            user_id: "u",
            _mem0: { v: 1, history: [add], rev: 1, w: "x" },
          },
        },
        {
          id: gone,
          vector: [0, 1, 0, 0],
          payload: { user_id: "u", _mem0: { v: 1, history: [del], rev: 2, w: "y", deleted: true } },
        },
      ],
    });
    const { main } = await import("../src/cli.js");
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => undefined };
    expect(await main(["--upgrade", "--url", server.url, "--to-collection", name], io)).toBe(0);
    expect(JSON.parse(out[0]!)).toEqual({ upgraded: 2, collection: name });
    expect(stored(name, live).payload).toMatchObject({
      data: "Likes tea",
      created_at: "2024-01-01T00:00:00Z",
      category: "drinks",
      user_id: "u",
      _mem0: { v: 2, history: [add] },
    });
    expect(stored(name, live).payload.memory).toBeUndefined();
    expect(server.collections.get(name)!.points.has(gone)).toBe(false);
    expect(stored(name, historyPointId(gone)).payload).toEqual({
      _mem0: expect.objectContaining({ v: 2, deleted: true, id: gone, scope: { user_id: "u" }, history: [del] }),
    });
    const s = store(name);
    expect(
      (await s.list({ filter: parseFilters({ user_id: "u" }), limit: 10 })).map((r) => [r.id, r.payload.memory]),
    ).toEqual([[live, "Likes tea"]]);
    expect((await s.history.get(gone)).map((e) => e.id)).toEqual(["e2"]);
    out.length = 0;
    expect(await main(["--upgrade", "--url", server.url, "--to-collection", name], io)).toBe(0);
    expect(JSON.parse(out[0]!)).toEqual({ upgraded: 0, collection: name });
  });
});
