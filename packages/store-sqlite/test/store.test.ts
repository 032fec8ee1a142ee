import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import Database from "better-sqlite3";
import {
  ConfigError,
  Mem0Error,
  Memory,
  normalizeVector,
  registerProvider,
  scopeFilter,
  type MemoryPayload,
} from "@mem0/core";
import plugin, { defaultPath, SCHEMA_VERSION, SqliteStoreError, SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

registerProvider(plugin);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const at = "2024-01-01T00:00:00.000Z";
const payload = (memory: string, extra: Partial<MemoryPayload> = {}): MemoryPayload => ({
  user_id: "alice",
  memory,
  hash: "h",
  created_at: at,
  updated_at: at,
  metadata: {},
  ...extra,
});
const unit = (i: number, dims = 4) => Array.from({ length: dims }, (_, j) => (j === i ? 1 : 0));

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<Mem0Error> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(Mem0Error);
    return err as Mem0Error;
  }
  throw new Error("expected a rejection");
}

describe("configuration", () => {
  test("the default path is $MEM0_DIR/mem0.db, else ~/.mem0/mem0.db", () => {
    expect(defaultPath({ MEM0_DIR: "/data/m" })).toBe(join("/data/m", "mem0.db"));
    expect(defaultPath({})).toMatch(/[/\\]\.mem0[/\\]mem0\.db$/);
  });

  test("Memory uses MEM0_DIR from its env when no path is configured, and the file persists", async () => {
    const dir = join(tmp.dir, "mem0-dir");
    const m = await Memory.fromConfig({ vector_store: { provider: "sqlite" } }, { env: { MEM0_DIR: dir } });
    const { results } = await m.add("I love sushi", { user_id: "alice", infer: false });
    await m.close();
    expect(existsSync(join(dir, "mem0.db"))).toBe(true);
    const again = await Memory.fromConfig({ vector_store: { provider: "sqlite" } }, { env: { MEM0_DIR: dir } });
    expect((await again.get(results[0]!.id))!.memory).toBe("I love sushi");
    const found = await again.search("sushi", { user_id: "alice" });
    expect(found.results.map((r) => r.id)).toEqual([results[0]!.id]);
    expect(await again.history(results[0]!.id)).toEqual([
      expect.objectContaining({ event: "ADD", new_memory: "I love sushi", is_deleted: false }),
    ]);
    await again.close();
  });

  test("config keys are validated with paths (camelCase accepted)", async () => {
    const err = await rejection(
      Memory.fromConfig({
        // @ts-expect-error the typed config rejects this at compile time too; this checks the run-time errors
        vector_store: { provider: "sqlite", config: { path: tmp.file(), embedding_model_dims: -3, colour: "red" } },
      }),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("vector_store.config.embedding_model_dims: expected a positive integer");
    expect(err.message).toContain("vector_store.config.colour: unknown key");
    const m = await Memory.fromConfig({
      vectorStore: {
        provider: "sqlite",
        config: { path: tmp.file(), collectionName: "c", busyTimeoutMs: 50, synchronous: "full" },
      },
    });
    expect((m.vectorStore as SqliteVectorStore).collection).toBe("c");
    await m.close();
  });

  test("embedding_model_dims defaults to the embedder's dims and is checked on every insert", async () => {
    const file = tmp.file();
    const m = await Memory.fromConfig({
      vector_store: { provider: "sqlite", config: { path: file } },
      embedder: { provider: "lexical", config: { embedding_dims: 64 } },
    });
    await m.add("hello", { user_id: "u", infer: false });
    const store = m.vectorStore as SqliteVectorStore;
    const err = await rejection(store.insert([{ id: "x", vector: unit(0), payload: payload("x") }]));
    expect(err.code).toBe("INVALID_VECTOR");
    expect(err.message).toContain("expected a vector of 64 dimensions, got 4");
    expect(await store.count()).toBe(1);
    await m.close();
  });

  test("a collection keeps its dimensions: reopening it with others is refused, other collections are free", async () => {
    const file = tmp.file();
    const a = SqliteVectorStore.open({ path: file, embedding_model_dims: 4 });
    await a.insert([{ id: "a", vector: unit(0), payload: payload("a") }]);
    await a.close();
    const err = await rejection(() => SqliteVectorStore.open({ path: file, embedding_model_dims: 8 }));
    expect(err.code).toBe("STORE_DIMS_MISMATCH");
    expect(err.message).toContain('collection "mem0" holds 4-dimensional vectors but embedding_model_dims is 8');
    const other = SqliteVectorStore.open({ path: file, collection_name: "wide", embedding_model_dims: 8 });
    await other.insert([{ id: "a", vector: unit(0, 8), payload: payload("same id, other collection") }]);
    expect((await other.get("a"))!.payload.memory).toBe("same id, other collection");
    await other.close();
    const reopened = SqliteVectorStore.open({ path: file });
    expect((await reopened.get("a"))!.payload.memory).toBe("a");
    await expect(reopened.insert([{ id: "b", vector: unit(0, 8), payload: payload("b") }])).rejects.toMatchObject({
      code: "INVALID_VECTOR",
    });
    await reopened.close();
  });

  test("without configured dims, the first insert fixes them", async () => {
    const store = SqliteVectorStore.open({ path: tmp.file() });
    await store.insert([{ id: "a", vector: [1, 2, 3], payload: payload("a") }]);
    await expect(store.insert([{ id: "b", vector: [1, 2], payload: payload("b") }])).rejects.toMatchObject({
      code: "INVALID_VECTOR",
    });
    await store.close();
  });

  test("the file is in WAL mode with a busy timeout", async () => {
    const file = tmp.file();
    const store = SqliteVectorStore.open({ path: file, embedding_model_dims: 4, busy_timeout_ms: 1234 });
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.prepare("SELECT value FROM mem0_schema WHERE key = 'version'").pluck().get()).toBe(
      String(SCHEMA_VERSION),
    );
    raw.close();
    await store.close();
  });
});

describe("checkpoints and file layout", () => {
  const at384 = (n: number, offset = 0) =>
    Array.from({ length: n }, (_, i) => {
      const k = i + offset; // a distinct direction for every k below 384²
      const vector = new Float32Array(384);
      vector[k % 384] = 1;
      vector[Math.floor(k / 384) % 384]! += 0.5;
      return { id: `m${k}`, vector, payload: payload(`memory ${k}`, { user_id: `u${k % 10}` }) };
    });
  test("new files use 16 KiB pages; an existing file keeps its own page size", async () => {
    const fresh = tmp.file();
    const store = SqliteVectorStore.open({ path: fresh, embedding_model_dims: 4 });
    await store.close();
    const older = tmp.file();
    const raw = new Database(older);
    raw.pragma("page_size = 4096");
    raw.exec("CREATE TABLE notes (body TEXT)");
    raw.close();
    const other = SqliteVectorStore.open({ path: older, embedding_model_dims: 4 });
    await other.insert([{ id: "a", vector: unit(0), payload: payload("a") }]);
    expect((await other.search({ vector: unit(0), limit: 1, filter: null }))[0]!.id).toBe("a");
    await other.close();
    for (const [file, size] of [
      [fresh, 16384],
      [older, 4096],
    ] as const) {
      const check = new Database(file, { readonly: true });
      expect(check.pragma("page_size", { simple: true })).toBe(size);
      expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
      check.close();
    }
  });

  test("past 4 MiB of vectors a worker thread copies the WAL into the file; searches see every row; close removes the WAL", async () => {
    const file = tmp.file();
    const store = SqliteVectorStore.open({ path: file, embedding_model_dims: 384 });
    await store.insert(at384(1000));
    expect(store.checkpointingInBackground).toBe(false); // 1.5 MiB: small stores never start it
    for (let b = 1; b < 4; b++) await store.insert(at384(1000, b * 1000));
    expect(store.checkpointingInBackground).toBe(true);
    // Only a checkpoint moves rows from the WAL into the file, and the store's own connection now
    // waits for 64 MiB of log (6 MiB here): the file grows because the worker copies the rows.
    const vectorBytes = 4000 * 384 * 4;
    const deadline = Date.now() + 10_000;
    while (statSync(file).size < vectorBytes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(file).size).toBeGreaterThan(vectorBytes);
    // Rows written after the worker grew the file are found through the store's (re-)mapped file.
    const hits = await store.search({
      vector: at384(1, 3999)[0]!.vector,
      limit: 1,
      filter: scopeFilter({ user_id: "u9" }),
    });
    expect(hits.map((h) => h.id)).toEqual(["m3999"]);
    expect(await store.count()).toBe(4000);
    await store.checkpoint();
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT count(*) FROM mem0_memories").pluck().get()).toBe(4000);
    expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    check.close();
  });

  test("background_checkpoint: true starts the worker at the first write, false never starts it", async () => {
    const eager = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: 4, background_checkpoint: true });
    const never = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: 384, background_checkpoint: false });
    await eager.insert([{ id: "a", vector: unit(0), payload: payload("a") }]);
    for (let b = 0; b < 4; b++) await never.insert(at384(1000, b * 1000));
    expect([eager.checkpointingInBackground, never.checkpointingInBackground]).toEqual([true, false]);
    await eager.close();
    await never.close();
    const m = await Memory.fromConfig({
      vector_store: { provider: "sqlite", config: { path: tmp.file(), backgroundCheckpoint: true } },
    });
    await m.add("likes tea", { user_id: "u", infer: false });
    expect((m.vectorStore as SqliteVectorStore).checkpointingInBackground).toBe(true);
    await m.close();
    const err = await rejection(
      Memory.fromConfig({
        // @ts-expect-error the typed config rejects this at compile time too; this checks the run-time errors
        vector_store: { provider: "sqlite", config: { path: tmp.file(), background_checkpoint: "yes" } },
      }),
    );
    expect(err.message).toContain("vector_store.config.background_checkpoint: expected true or false");
  });

  test("stored vectors are core's normalizeVector bit for bit, from number[] and Float32Array alike", async () => {
    const file = tmp.file();
    const store = SqliteVectorStore.open({ path: file, embedding_model_dims: 3 });
    const asArray = [0.1, -2.5, 1e-7];
    await store.insert([
      { id: "arr", vector: asArray, payload: payload("a") },
      { id: "f32", vector: Float32Array.from(asArray), payload: payload("b") },
    ]);
    await store.close();
    const raw = new Database(file, { readonly: true });
    const blobs = raw.prepare("SELECT id, vector FROM mem0_memories ORDER BY id").all() as {
      id: string;
      vector: Buffer;
    }[];
    raw.close();
    const expected = Buffer.from(normalizeVector(asArray).buffer);
    expect(blobs.map((b) => [b.id, b.vector.equals(expected)])).toEqual([
      ["arr", true],
      ["f32", true],
    ]);
  });
});

describe("bad input writes nothing", () => {
  const cases: [string, Partial<MemoryPayload> | Record<string, unknown>][] = [
    ["NaN in metadata", { metadata: { score: Number.NaN } }],
    ["a Date in metadata", { metadata: { when: new Date(0) } }],
    ["a function in metadata", { metadata: { f: () => 1 } }],
    ["undefined inside an array", { metadata: { xs: [1, undefined] } }],
    ["metadata that is an array", { metadata: [] }],
    ["a numeric user_id", { user_id: 7 }],
    ["a missing memory text", { memory: undefined }],
  ];
  for (const [label, extra] of cases) {
    test(label, async () => {
      const store = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: 4 });
      const err = await rejection(
        store.insert([
          { id: "good", vector: unit(0), payload: payload("good") },
          { id: "bad", vector: unit(1), payload: { ...payload("bad"), ...extra } as MemoryPayload },
        ]),
      );
      expect(err.code).toBe("INVALID_PAYLOAD");
      expect(err.message).toContain("bad");
      expect(await store.count()).toBe(0);
      await store.close();
    });
  }

  test("non-finite vector elements are refused, whatever the vector's type, and nothing is written", async () => {
    const store = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: 4 });
    const bad: [unknown, string][] = [
      [Float32Array.from([1, Number.NaN, 0, 0]), "vector element 1 is not a finite number"],
      [Float32Array.from([1, 0, 0, Number.NEGATIVE_INFINITY]), "vector element 3 is not a finite number"],
      [[1, 0, "2", 0], "vector element 2 is not a finite number"],
      [[1, 0, 0, 1e39], "an element is too large for a 32-bit float"],
    ];
    for (const [vector, message] of bad) {
      const err = await rejection(
        store.insert([
          { id: "good", vector: unit(0), payload: payload("good") },
          { id: "bad", vector: vector as number[], payload: payload("bad") },
        ]),
      );
      expect(err.code).toBe("INVALID_VECTOR");
      expect(err.message).toContain(message);
    }
    expect(await store.count()).toBe(0);
    await store.close();
  });

  test("an empty id and an invalid history event are refused with the write", async () => {
    const store = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: 4 });
    expect((await rejection(store.insert([{ id: "", vector: unit(0), payload: payload("x") }]))).code).toBe(
      "INVALID_ID",
    );
    const bad = {
      id: "e",
      memory_id: "m",
      event: "RENAME",
      old_memory: null,
      new_memory: "x",
      created_at: at,
      updated_at: null,
      is_deleted: false,
    } as never;
    expect(
      (await rejection(store.insert([{ id: "m", vector: unit(0), payload: payload("x") }], { history: [bad] }))).code,
    ).toBe("INVALID_HISTORY");
    expect(await store.get("m")).toBeNull();
    await store.close();
  });
});

describe("search reads only its scope", () => {
  test("a scoped search uses the scope's index, also under OR / NOT user filters", async () => {
    const store = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: 4 });
    const userPlan = store.searchPlan({
      kind: "and",
      children: [
        scopeFilter({ user_id: "alice" })!,
        {
          kind: "or",
          children: [
            { kind: "compare", field: "category", op: "eq", value: "work" },
            { kind: "not", child: { kind: "exists", field: "x" } },
          ],
        },
      ],
    });
    expect(userPlan.join("\n")).toContain("USING INDEX mem0_memories_user (collection=? AND user_id=?)");
    expect(store.searchPlan(scopeFilter({ agent_id: "bot" })).join("\n")).toContain(
      "USING INDEX mem0_memories_agent (collection=? AND agent_id=?)",
    );
    expect(store.searchPlan(scopeFilter({ run_id: "r" })).join("\n")).toContain(
      "USING INDEX mem0_memories_run (collection=? AND run_id=?)",
    );
    await store.close();
  });
});

describe("files it must not touch", () => {
  test("a file that is not SQLite is refused with a typed error and left byte-for-byte as it was", async () => {
    const file = tmp.file("notes.txt");
    writeFileSync(file, "these are my notes, not a database\n".repeat(200));
    const before = sha(file);
    const err = await rejection(() => SqliteVectorStore.open({ path: file, embedding_model_dims: 4 }));
    expect(err).toBeInstanceOf(SqliteStoreError);
    expect(err.code).toBe("STORE_NOT_A_DATABASE");
    expect(err.message).toContain(file);
    expect(sha(file)).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
    // Through Memory too: the same error, not a crash or a silent new file.
    await expect(
      Memory.fromConfig({ vector_store: { provider: "sqlite", config: { path: file } } }),
    ).rejects.toMatchObject({ code: "STORE_NOT_A_DATABASE" });
    expect(sha(file)).toBe(before);
  });

  test("a damaged SQLite file (header intact, pages overwritten) is refused and left as it was", async () => {
    const file = tmp.file();
    const store = SqliteVectorStore.open({ path: file, embedding_model_dims: 4 });
    await store.insert(
      Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, vector: unit(i % 4), payload: payload("x".repeat(500)) })),
    );
    await store.close();
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(8192);
    // Keep the 100-byte header, scribble over the rest of page 1 (the schema) and beyond.
    for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(file, bytes);
    const before = sha(file);
    const err = await rejection(() => SqliteVectorStore.open({ path: file, embedding_model_dims: 4 }));
    expect(err.code).toBe("STORE_CORRUPT");
    expect(err.message).toContain("it was not modified");
    expect(sha(file)).toBe(before);
  });

  test("a file written by a newer schema version is refused, untouched", async () => {
    const file = tmp.file();
    (await SqliteVectorStore.open({ path: file, embedding_model_dims: 4 })).close();
    const raw = new Database(file);
    raw.prepare("UPDATE mem0_schema SET value = ? WHERE key = 'version'").run(String(SCHEMA_VERSION + 1));
    raw.close();
    const before = sha(file);
    const size = statSync(file).size;
    const err = await rejection(() => SqliteVectorStore.open({ path: file, embedding_model_dims: 4 }));
    expect(err.code).toBe("STORE_SCHEMA_TOO_NEW");
    expect(err.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(sha(file)).toBe(before);
    expect(statSync(file).size).toBe(size);
  });

  test("a file with mem0 tables but no schema version is refused, untouched", async () => {
    const file = tmp.file();
    const raw = new Database(file);
    raw.exec("CREATE TABLE mem0_memories (x)");
    raw.close();
    const before = sha(file);
    expect((await rejection(() => SqliteVectorStore.open({ path: file }))).code).toBe("STORE_SCHEMA");
    expect(sha(file)).toBe(before);
  });

  test("another application's SQLite file gains mem0 tables beside its own, which stay intact", async () => {
    const file = tmp.file();
    const raw = new Database(file);
    raw.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    raw.close();
    const store = SqliteVectorStore.open({ path: file, embedding_model_dims: 4 });
    await store.insert([{ id: "a", vector: unit(0), payload: payload("a") }]);
    await store.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT body FROM notes").pluck().all()).toEqual(["keep me"]);
    check.close();
  });

  test("an empty file is an empty database and is initialised", async () => {
    const file = tmp.file();
    writeFileSync(file, "");
    const store = SqliteVectorStore.open({ path: file, embedding_model_dims: 4 });
    await store.insert([{ id: "a", vector: unit(0), payload: payload("a") }]);
    expect(await store.count()).toBe(1);
    await store.close();
  });
});

describe("history", () => {
  test("Memory's add / update / delete keep history in the store's file, in the same transaction", async () => {
    const file = tmp.file();
    const m = await Memory.fromConfig({ vector_store: { provider: "sqlite", config: { path: file } } });
    const { results } = await m.add("likes tea", { user_id: "u", infer: false });
    const id = results[0]!.id;
    await m.update(id, "likes coffee");
    await m.delete(id);
    await m.close();
    const raw = new Database(file, { readonly: true });
    const events = raw
      .prepare("SELECT event, old_memory, new_memory, is_deleted FROM mem0_history WHERE memory_id = ? ORDER BY rid")
      .all(id);
    raw.close();
    expect(events).toEqual([
      { event: "ADD", old_memory: null, new_memory: "likes tea", is_deleted: 0 },
      { event: "UPDATE", old_memory: "likes tea", new_memory: "likes coffee", is_deleted: 0 },
      { event: "DELETE", old_memory: "likes coffee", new_memory: null, is_deleted: 1 },
    ]);
  });

  test("history_db_path puts the events in that file instead", async () => {
    const file = tmp.file();
    const historyFile = tmp.file();
    const m = await Memory.fromConfig({
      vector_store: { provider: "sqlite", config: { path: file } },
      history_db_path: historyFile,
    });
    const { results } = await m.add("likes tea", { user_id: "u", infer: false });
    expect((await m.history(results[0]!.id)).map((e) => e.event)).toEqual(["ADD"]);
    await m.close();
    const hist = new Database(historyFile, { readonly: true });
    expect(hist.prepare("SELECT count(*) FROM mem0_history").pluck().get()).toBe(1);
    hist.close();
    const main = new Database(file, { readonly: true });
    expect(main.prepare("SELECT count(*) FROM mem0_history").pluck().get()).toBe(0);
    expect(main.prepare("SELECT count(*) FROM mem0_memories").pluck().get()).toBe(1);
    main.close();
  });

  test("each collection has its own history, and reset clears only its own", async () => {
    const file = tmp.file();
    const a = SqliteVectorStore.open({ path: file, collection_name: "a", embedding_model_dims: 4 });
    const b = SqliteVectorStore.open({ path: file, collection_name: "b", embedding_model_dims: 4 });
    const ev = (memoryId: string) => ({
      id: `e-${memoryId}`,
      memory_id: memoryId,
      event: "ADD" as const,
      old_memory: null,
      new_memory: "x",
      created_at: at,
      updated_at: null,
      is_deleted: false,
    });
    await a.insert([{ id: "m", vector: unit(0), payload: payload("a") }], { history: [ev("m")] });
    await b.insert([{ id: "m", vector: unit(0), payload: payload("b") }], { history: [ev("m")] });
    await a.reset();
    expect(await a.history.get("m")).toEqual([]);
    expect(await b.history.get("m")).toHaveLength(1);
    expect((await b.get("m"))!.payload.memory).toBe("b");
    await a.close();
    await b.close();
  });
});
