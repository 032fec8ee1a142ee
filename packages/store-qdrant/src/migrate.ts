/**
 * Copies memories (with their vectors, so nothing is re-embedded) and their whole history —
 * deleted memories' too — from another store into a Qdrant collection.
 *
 * The embedded store (`@mem0/store-sqlite`) is read through `sqliteSource`; any other store can be
 * a source by implementing `MigrationSource`. Writes are insert-only: points already in the target
 * are skipped, so a migration that stopped half-way is finished by running it again.
 */
import { Mem0Error, type HistoryEvent, type MemoryPayload, type Vector } from "@mem0/core";
import type { ImportedRecord } from "./migration.js";
import type { QdrantVectorStore } from "./store.js";

export interface MigrationSource {
  /** Vector size of the source's memories (checked against the target before anything is written). */
  readonly dims: number | undefined;
  /** Every live memory, with its vector. */
  memories(): AsyncIterable<{ id: string; vector: Vector; payload: MemoryPayload }>;
  /** One memory's history, oldest first. */
  historyOf(memoryId: string): Promise<HistoryEvent[]>;
  /** Memories that have history but no longer exist (deleted), with their scope ids when known. */
  deleted(): AsyncIterable<{ id: string; scope: Partial<Record<"user_id" | "agent_id" | "run_id", string>> }>;
  close?(): Promise<void>;
}

export interface MigrateOptions {
  source: MigrationSource;
  target: QdrantVectorStore;
  /** Points per upsert (default 256). */
  batchSize?: number;
  onProgress?: (p: MigrateReport) => void;
}

export interface MigrateReport {
  /** Live memories written. */
  memories: number;
  /** Deleted memories whose history was written (as tombstones). */
  deleted: number;
  /** History events written. */
  events: number;
  /** Ids already present in the target, left untouched. */
  skipped: string[];
}

export async function migrate(options: MigrateOptions): Promise<MigrateReport> {
  const { source, target } = options;
  const batchSize = options.batchSize ?? 256;
  await target.ready();
  if (source.dims !== undefined && target.dimensions !== undefined && source.dims !== target.dimensions) {
    throw new Mem0Error(
      "QDRANT_COLLECTION_MISMATCH",
      `migrate: the source holds ${source.dims}-dimensional vectors but Qdrant collection ` +
        `"${target.collectionName}" holds ${target.dimensions}-dimensional ones`,
    );
  }
  const report: MigrateReport = { memories: 0, deleted: 0, events: 0, skipped: [] };
  let batch: ImportedRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const skipped = new Set(await target.importRecords(batch));
    for (const record of batch) {
      if (skipped.has(record.id)) continue;
      if (record.payload) report.memories += 1;
      else report.deleted += 1;
      report.events += record.history.length;
    }
    report.skipped.push(...skipped);
    batch = [];
    options.onProgress?.({ ...report, skipped: [...report.skipped] });
  };
  for await (const memory of source.memories()) {
    const history = await source.historyOf(memory.id);
    batch.push({ id: memory.id, vector: memory.vector, payload: memory.payload, history });
    if (batch.length >= batchSize) await flush();
  }
  for await (const deleted of source.deleted()) {
    batch.push({ id: deleted.id, payload: null, history: await source.historyOf(deleted.id), scope: deleted.scope });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return report;
}

interface SqliteModule {
  SqliteVectorStore: { open(o: { path: string; collection_name?: string; history_path?: string }): SqliteStoreLike };
  SCHEMA_VERSION: number;
}
interface SqliteStoreLike {
  readonly collection: string;
  readonly history: { get(id: string): Promise<HistoryEvent[]> };
  statement(sql: string): { all(...args: unknown[]): unknown[]; get(...args: unknown[]): unknown };
  close(): Promise<void>;
}

/**
 * The embedded store's file as a migration source. Reads its documented layout (schema version 1:
 * `mem0_memories` with unit-length float32 vectors, `mem0_history`) through @mem0/store-sqlite, which
 * must be installed, and refuses files of any other layout version.
 */
export async function sqliteSource(options: {
  path: string;
  collection_name?: string;
  history_db_path?: string;
}): Promise<MigrationSource> {
  const specifier = "@mem0/store-sqlite";
  let mod: SqliteModule;
  try {
    mod = (await import(specifier)) as SqliteModule;
  } catch {
    throw new Mem0Error(
      "PROVIDER_NOT_FOUND",
      "migrate: reading the embedded store needs @mem0/store-sqlite; " +
        "install it with `npm install @mem0/store-sqlite`",
    );
  }
  if (mod.SCHEMA_VERSION !== 1) {
    throw new Mem0Error(
      "MIGRATION_UNSUPPORTED",
      `migrate: @mem0/store-sqlite writes layout version ${mod.SCHEMA_VERSION}; this migration reads version 1 — ` +
        "use the @mem0/store-qdrant release that matches it",
    );
  }
  const store = mod.SqliteVectorStore.open({
    path: options.path,
    collection_name: options.collection_name,
    history_path: options.history_db_path,
  });
  const hist = options.history_db_path ? "hist" : "main";
  const collection = store.collection;
  const dimsRow = store.statement("SELECT dims FROM main.mem0_collections WHERE name = ?").get(collection) as
    | { dims: number }
    | undefined;
  return {
    dims: dimsRow?.dims,
    // Pages rather than one open cursor: better-sqlite3 cannot run the history query while a cursor is open.
    async *memories() {
      let after = Number.MIN_SAFE_INTEGER;
      for (;;) {
        const rows = store
          .statement(
            "SELECT rid, id, user_id, agent_id, run_id, memory, hash, created_at, updated_at, metadata, vector " +
              "FROM main.mem0_memories WHERE collection = ? AND rid > ? ORDER BY rid LIMIT 256",
          )
          .all(collection, after) as (Record<string, unknown> & { rid: number; vector: Buffer; metadata: string })[];
        if (rows.length === 0) return;
        for (const row of rows) {
          const payload: MemoryPayload = {
            memory: String(row.memory),
            hash: String(row.hash),
            created_at: String(row.created_at),
            updated_at: String(row.updated_at),
            metadata: JSON.parse(row.metadata),
          };
          for (const key of ["user_id", "agent_id", "run_id"] as const)
            if (typeof row[key] === "string") payload[key] = row[key] as string;
          const vector = Array.from(
            new Float32Array(
              row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength),
            ),
          );
          yield { id: String(row.id), vector, payload };
        }
        after = rows[rows.length - 1]!.rid;
      }
    },
    historyOf: (id) => store.history.get(id),
    async *deleted() {
      // A memory deleted from the store keeps its history; its scope is not in the history rows.
      const rows = store
        .statement(
          `SELECT DISTINCT memory_id FROM ${hist}.mem0_history h WHERE h.collection = ?
           AND NOT EXISTS (SELECT 1 FROM main.mem0_memories m
                           WHERE m.collection = h.collection AND m.id = h.memory_id)`,
        )
        .all(collection) as { memory_id: string }[];
      for (const row of rows) yield { id: row.memory_id, scope: {} };
    },
    close: () => store.close(),
  };
}
