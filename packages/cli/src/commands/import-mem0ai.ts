/**
 * `mem0 import-mem0ai --from vector_store.db [--history memory.db]`: copies what mem0ai 3.x's
 * default (`memory`) vector store keeps in SQLite — table `vectors(id, vector BLOB of float32,
 * payload JSON)` — with its history (`memory_history` in its historyDbPath file) into the
 * configured store. Vectors are copied, not re-embedded, so the configured embedder must make
 * vectors of the same size. Memories already in the target are skipped: a re-run imports nothing twice.
 */
import Database from "better-sqlite3";
import { fromMem0Payload, type HistoryEvent, type Memory, type MemoryPayload } from "@mem0/core";
import { InputError } from "../errors.js";
import type { Io } from "../io.js";
import { startProgress } from "../progress.js";

export interface ImportReport {
  /** Memories written. */
  memories: number;
  /** Memories already in the target, left as they were. */
  skipped: number;
  /** History events written with the imported memories. */
  events: number;
}

const BATCH = 256;

interface VectorRow {
  id: string;
  vector: Buffer;
  payload: string;
}

interface HistoryRow {
  id: number;
  memory_id: string;
  previous_value: string | null;
  new_value: string | null;
  action: string;
  created_at: string | null;
  updated_at: string | null;
  is_deleted: number | null;
}

function openTable(file: string, table: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new InputError(file, undefined, undefined, `cannot open as SQLite: ${(err as Error).message}`);
  }
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)) {
    db.close();
    throw new InputError(
      file,
      undefined,
      undefined,
      `no table "${table}": not a mem0ai ${table === "vectors" ? "vector store" : "history"} file`,
    );
  }
  return db;
}

/** mem0ai's history rows as Mem0 events; ids are stable per file row, so a re-run finds the same ones. */
function readHistory(file: string): Map<string, HistoryEvent[]> {
  const db = openTable(file, "memory_history");
  try {
    const by = new Map<string, HistoryEvent[]>();
    for (const row of db.prepare("SELECT * FROM memory_history ORDER BY id").all() as HistoryRow[]) {
      const event = row.action.toUpperCase();
      if (event !== "ADD" && event !== "UPDATE" && event !== "DELETE") continue;
      const e: HistoryEvent = {
        id: `mem0ai-history-${row.id}-${row.memory_id}`,
        memory_id: row.memory_id,
        event,
        old_memory: row.previous_value,
        new_memory: row.new_value,
        created_at: row.created_at ?? row.updated_at ?? new Date(0).toISOString(),
        updated_at: row.updated_at,
        is_deleted: Boolean(row.is_deleted),
      };
      by.set(row.memory_id, [...(by.get(row.memory_id) ?? []), e]);
    }
    return by;
  } finally {
    db.close();
  }
}

function recordOf(file: string, row: VectorRow): { id: string; vector: Float32Array; payload: MemoryPayload } {
  let raw: unknown;
  try {
    raw = JSON.parse(row.payload);
  } catch {
    throw new InputError(file, undefined, `vectors[${row.id}].payload`, "is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InputError(file, undefined, `vectors[${row.id}].payload`, "is not a JSON object");
  // mem0ai writes Buffer.from(new Float32Array(v).buffer): little-endian float32s.
  const copy = Buffer.from(row.vector);
  const vector = new Float32Array(copy.buffer, copy.byteOffset, Math.floor(copy.byteLength / 4));
  return { id: row.id, vector, payload: fromMem0Payload(raw as Record<string, unknown>) };
}

export async function importMem0ai(options: {
  memory: Memory;
  from: string;
  history?: string;
  io: Io;
}): Promise<ImportReport> {
  const { memory, io } = options;
  const history = options.history !== undefined ? readHistory(options.history) : new Map<string, HistoryEvent[]>();
  if (options.history !== undefined && !memory.vectorStore.history) {
    io.err(
      `note: the configured store (${memory.vectorStore.provider}) keeps no history of its own; ` +
        "the history file is not imported",
    );
  }
  const db = openTable(options.from, "vectors");
  const report: ImportReport = { memories: 0, skipped: 0, events: 0 };
  try {
    const total = (db.prepare("SELECT count(*) AS n FROM vectors").get() as { n: number }).n;
    const progress = startProgress(io, "import", total);
    try {
      const rows = db
        .prepare("SELECT id, vector, payload FROM vectors ORDER BY rowid")
        .iterate() as IterableIterator<VectorRow>;
      let batch: ReturnType<typeof recordOf>[] = [];
      const flush = async () => {
        const fresh: typeof batch = [];
        for (const r of batch) if ((await memory.vectorStore.get(r.id)) === null) fresh.push(r);
        const events = memory.vectorStore.history ? fresh.flatMap((r) => history.get(r.id) ?? []) : [];
        if (fresh.length > 0) await memory.vectorStore.insert(fresh, { history: events });
        report.memories += fresh.length;
        report.skipped += batch.length - fresh.length;
        report.events += events.length;
        progress.increment(batch.length);
        batch = [];
      };
      for (const row of rows) {
        batch.push(recordOf(options.from, row));
        if (batch.length === BATCH) await flush();
      }
      await flush();
    } finally {
      progress.stop();
    }
  } finally {
    db.close();
  }
  return report;
}
