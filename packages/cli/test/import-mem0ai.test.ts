/**
 * `mem0 import-mem0ai`: a file laid out exactly as mem0ai 3.3.1's default vector store and history
 * manager write them (dist/oss/index.js, MemoryVectorStore.init and insert: table `vectors(id TEXT
 * PRIMARY KEY, vector BLOB, payload TEXT)`, vector = Buffer.from(new Float32Array(v).buffer);
 * SQLiteManager.init: table `memory_history(id INTEGER PRIMARY KEY AUTOINCREMENT, memory_id,
 * previous_value, new_value, action, created_at, updated_at, is_deleted)`), imported into a SQLite
 * store through the real CLI; a second run imports nothing twice.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Memory } from "@mem0/core";
import { cli, tempDir } from "./helpers.js";

const md5 = (t: string) => createHash("md5").update(t).digest("hex");

function mem0aiFiles(dir: string) {
  const vectors = join(dir, "vector_store.db");
  const db = new Database(vectors);
  db.exec("CREATE TABLE IF NOT EXISTS vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL, payload TEXT NOT NULL)");
  db.exec(
    "CREATE TABLE IF NOT EXISTS memory_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL UNIQUE)",
  );
  const insert = db.prepare("INSERT OR REPLACE INTO vectors (id, vector, payload) VALUES (?, ?, ?)");
  const rows = [
    {
      id: "11111111-1111-4111-8111-111111111111",
      v: [1, 0, 0, 0],
      text: "Loves sushi",
      user: "alice",
      extra: { category: "food" },
    },
    { id: "22222222-2222-4222-8222-222222222222", v: [0, 1, 0, 0], text: "Works as a nurse", user: "alice", extra: {} },
    {
      id: "33333333-3333-4333-8333-333333333333",
      v: [0, 0, 1, 0],
      text: "Plays chess",
      user: "bob",
      extra: { attributedTo: "user" },
    },
  ];
  for (const r of rows) {
    const payload = {
      ...r.extra,
      user_id: r.user,
      data: r.text,
      hash: md5(r.text),
      textLemmatized: r.text.toLowerCase(),
      createdAt: "2025-01-02T03:04:05.000Z",
    };
    insert.run(r.id, Buffer.from(new Float32Array(r.v).buffer), JSON.stringify(payload));
  }
  db.close();
  const history = join(dir, "memory.db");
  const historyDb = new Database(history);
  historyDb.exec(`CREATE TABLE IF NOT EXISTS memory_history (id INTEGER PRIMARY KEY AUTOINCREMENT, memory_id TEXT NOT NULL, previous_value TEXT,
    new_value TEXT, action TEXT NOT NULL, created_at TEXT, updated_at TEXT, is_deleted INTEGER DEFAULT 0)`);
  const add = historyDb.prepare(
    "INSERT INTO memory_history (memory_id, previous_value, new_value, action, created_at, updated_at, is_deleted) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  add.run(rows[0]!.id, null, "Loves sushi", "ADD", "2025-01-02T03:04:05.000Z", null, 0);
  add.run(rows[1]!.id, null, "Works as a doctor", "ADD", "2025-01-01T00:00:00.000Z", null, 0);
  add.run(
    rows[1]!.id,
    "Works as a doctor",
    "Works as a nurse",
    "UPDATE",
    "2025-01-01T00:00:00.000Z",
    "2025-01-02T03:04:05.000Z",
    0,
  );
  historyDb.close();
  return { vectors, history, rows };
}

test("imports memories, vectors and history into the configured store; a re-run skips them all", async () => {
  const dir = tempDir("mem0-import-");
  const { vectors, history, rows } = mem0aiFiles(dir);
  const store = join(dir, "mem0.db");
  const config = {
    vector_store: { provider: "sqlite", config: { path: store } },
    embedder: { provider: "lexical", config: { embedding_dims: 4 } },
  };
  const configFile = join(dir, "mem0.config.json");
  writeFileSync(configFile, JSON.stringify(config));

  const first = await cli(["--json", "--config", configFile, "import-mem0ai", "--from", vectors, "--history", history]);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  expect(JSON.parse(first.stdout)).toEqual({ memories: 3, skipped: 0, events: 3 });

  const memory = await Memory.fromConfig(config, { env: {} });
  const alice = (await memory.getAll({ user_id: "alice" })).results;
  expect(alice.map((r) => [r.id, r.memory, r.created_at, r.metadata.category])).toEqual([
    [rows[0]!.id, "Loves sushi", "2025-01-02T03:04:05.000Z", "food"],
    [rows[1]!.id, "Works as a nurse", "2025-01-02T03:04:05.000Z", undefined],
  ]);
  expect((await memory.search("x", { user_id: "alice", limit: 1 })).results).toHaveLength(1);
  expect((await memory.history(rows[1]!.id)).map((e) => [e.event, e.old_memory, e.new_memory])).toEqual([
    ["ADD", null, "Works as a doctor"],
    ["UPDATE", "Works as a doctor", "Works as a nurse"],
  ]);
  expect((await memory.get(rows[2]!.id))!.metadata).toEqual({ attributedTo: "user", textLemmatized: "plays chess" });
  await memory.close();

  const again = await cli(["--json", "--config", configFile, "import-mem0ai", "--from", vectors, "--history", history]);
  expect(JSON.parse(again.stdout)).toEqual({ memories: 0, skipped: 3, events: 0 });
});

test("a file that is not mem0ai's vector store is a usage error naming it; nothing is written", async () => {
  const dir = tempDir("mem0-import-");
  const bogus = join(dir, "other.db");
  new Database(bogus).exec("CREATE TABLE t (x)");
  const configFile = join(dir, "mem0.config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      vector_store: { provider: "sqlite", config: { path: join(dir, "mem0.db") } },
      embedder: { provider: "lexical", config: { embedding_dims: 4 } },
    }),
  );
  const cliRun = await cli(["--config", configFile, "import-mem0ai", "--from", bogus]);
  expect(cliRun.code).toBe(2);
  expect(cliRun.stderr).toContain(`${bogus}: no table "vectors": not a mem0ai vector store file`);
});

test("a documented Mem0 key without effect prints one warning line on stderr", async () => {
  const dir = tempDir("mem0-warn-");
  const configFile = join(dir, "mem0.config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      version: "v1.1",
      vector_store: { provider: "sqlite", config: { path: join(dir, "mem0.db") } },
      embedder: { provider: "lexical", config: { embedding_dims: 4 } },
    }),
  );
  const cliRun = await cli(["--config", configFile, "list", "--user-id", "u"]);
  expect(cliRun.code).toBe(0);
  expect(cliRun.stderr.split("\n").filter((l) => l.startsWith("warning:"))).toEqual([
    "warning: version has no effect: mem0-ts has one API (Mem0's v1.1 output shape)",
  ]);
});
