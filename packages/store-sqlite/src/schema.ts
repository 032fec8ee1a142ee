/**
 * The file format. `mem0_schema.version` says which layout a file has; opening a file migrates it
 * forward inside one transaction (all steps or none) or refuses it, and never writes to a file it
 * refuses.
 *
 * Layout notes (why, not what):
 * - Rows are appended (rid = max + 1). Keeping one user's rows together (rid chosen by scope) made
 *   scoped searches faster but bulk inserts much slower, and small transactions write more pages;
 *   see README.
 * - `vector` is the unit-length float32 vector as raw little-endian bytes: what sqlite-vec reads.
 * - The scope indexes are partial (non-NULL only): most memories have no agent or run id, and an
 *   insert then pays for one scope index instead of three.
 * - No index on created_at: `list` is always scoped in practice, and an ordering index tempts the
 *   planner to walk the whole collection in date order instead of using the scope index.
 * - `metadata` is JSON text, checked in JavaScript before it is written (no CHECK: it parses).
 */
import type Database from "better-sqlite3";
import { SqliteStoreError } from "./errors.js";

export const SCHEMA_VERSION = 1;

/** Tables of the memories part of the file. `{s}` is the schema name (`main`). */
const MEMORIES_V1 = `
CREATE TABLE IF NOT EXISTS {s}.mem0_collections (
  name TEXT PRIMARY KEY,
  dims INTEGER NOT NULL CHECK (dims > 0),
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.mem0_memories (
  rid INTEGER PRIMARY KEY,
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  user_id TEXT,
  agent_id TEXT,
  run_id TEXT,
  memory TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  metadata TEXT NOT NULL,
  vector BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS {s}.mem0_memories_id ON mem0_memories (collection, id);
CREATE INDEX IF NOT EXISTS {s}.mem0_memories_user ON mem0_memories (collection, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS {s}.mem0_memories_agent ON mem0_memories (collection, agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS {s}.mem0_memories_run ON mem0_memories (collection, run_id) WHERE run_id IS NOT NULL;
`;

/** Mem0's history events; may live in another file (`history_db_path`). */
const HISTORY_V1 = `
CREATE TABLE IF NOT EXISTS {s}.mem0_history (
  rid INTEGER PRIMARY KEY,
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  memory_id TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('ADD', 'UPDATE', 'DELETE')),
  old_memory TEXT,
  new_memory TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  is_deleted INTEGER NOT NULL CHECK (is_deleted IN (0, 1)),
  actor_id TEXT,
  role TEXT
);
CREATE INDEX IF NOT EXISTS {s}.mem0_history_memory ON mem0_history (collection, memory_id, rid);
`;

/**
 * Steps from version i to i + 1, by index. Version 0 is "no mem0 tables yet". A future layout
 * change appends a step here; older files then migrate when opened.
 */
const MIGRATIONS: readonly ((db: Database.Database, schema: string) => void)[] = [
  (db, schema) => db.exec((MEMORIES_V1 + HISTORY_V1).replaceAll("{s}", schema)),
];

function readVersion(db: Database.Database, schema: string, file: string): number {
  const hasTable = db
    .prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = 'mem0_schema'`)
    .get();
  if (!hasTable) {
    const stray = db
      .prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' AND name LIKE 'mem0\\_%' ESCAPE '\\'`)
      .get() as { name: string } | undefined;
    if (stray) {
      throw new SqliteStoreError(
        "STORE_SCHEMA",
        file,
        `has a table ${stray.name} but no mem0_schema version: ` +
          "it was not written by @mem0/store-sqlite (or was damaged); refusing to touch it",
      );
    }
    return 0;
  }
  const row = db.prepare(`SELECT value FROM ${schema}.mem0_schema WHERE key = 'version'`).get() as
    | { value: string }
    | undefined;
  const version = Number(row?.value);
  if (!Number.isInteger(version) || version < 1) {
    throw new SqliteStoreError(
      "STORE_SCHEMA",
      file,
      `has an unreadable mem0 schema version (${JSON.stringify(row?.value ?? null)}); refusing to touch it`,
    );
  }
  return version;
}

/** Reads the file's version and refuses one this code must not touch. Reads only. */
export function checkSchema(db: Database.Database, schema: string, file: string): number {
  // One snapshot for all the reads: another process may create the tables between two of them.
  const version = db.inTransaction
    ? readVersion(db, schema, file)
    : db.transaction(() => readVersion(db, schema, file)).deferred();
  if (version > SCHEMA_VERSION) {
    throw new SqliteStoreError(
      "STORE_SCHEMA_TOO_NEW",
      file,
      `was written with mem0 schema version ${version}; this @mem0/store-sqlite understands up to ${SCHEMA_VERSION}. ` +
        "Upgrade @mem0/store-sqlite; the file was not modified",
    );
  }
  return version;
}

/**
 * Brings `schema` (main or an attached history file) to SCHEMA_VERSION, under BEGIN IMMEDIATE so two
 * processes opening a new file at once do not race, and all steps commit together or not at all.
 */
export function ensureSchema(db: Database.Database, schema: string, file: string): void {
  if (checkSchema(db, schema, file) === SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = checkSchema(db, schema, file); // another process may have migrated it meanwhile
    if (version === SCHEMA_VERSION) return;
    db.exec(`CREATE TABLE IF NOT EXISTS ${schema}.mem0_schema (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    for (let step = version; step < SCHEMA_VERSION; step++) MIGRATIONS[step]!(db, schema);
    db.prepare(
      `INSERT INTO ${schema}.mem0_schema (key, value) VALUES ('version', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(String(SCHEMA_VERSION));
  }).immediate();
}
