/**
 * Mem0 Python's history file (`history_db_path`, default ~/.mem0/history.db): table `history`
 * (mem0/memory/storage.py), one row per ADD / UPDATE / DELETE. With Qdrant, mem0-ts keeps each
 * memory's history on its point (atomic with the write) and, when `history_db_path` is set, also
 * appends every event to this file in Mem0's schema and reads the file's events back, so Mem0 and
 * mem0-ts show one history for the memories they share.
 */
import { Mem0Error, type HistoryEvent } from "@mem0/core";

/** Exactly Mem0 Python's table (storage.py `_create_history_table`). */
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS history (
  id           TEXT PRIMARY KEY,
  memory_id    TEXT,
  old_memory   TEXT,
  new_memory   TEXT,
  event        TEXT,
  created_at   DATETIME,
  updated_at   DATETIME,
  is_deleted   INTEGER,
  actor_id     TEXT,
  role         TEXT
)`;

type Row = Omit<HistoryEvent, "is_deleted" | "event"> & { event: string; is_deleted: number | null };

interface Db {
  exec(sql: string): void;
  prepare(sql: string): { run(...args: unknown[]): unknown; all(...args: unknown[]): unknown[] };
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}

export class Mem0HistoryFile {
  private constructor(
    private readonly db: Db,
    readonly path: string,
  ) {}

  /** Opens (or creates) the file; better-sqlite3 comes with @mem0/store-sqlite. */
  static async open(path: string): Promise<Mem0HistoryFile> {
    let Database: new (file: string) => Db;
    try {
      Database = (await import("better-sqlite3")).default as unknown as new (file: string) => Db;
    } catch {
      throw new Mem0Error(
        "PROVIDER_NOT_FOUND",
        "qdrant: history_db_path needs better-sqlite3 (npm install better-sqlite3, or @mem0/store-sqlite)",
      );
    }
    const db = new Database(path);
    db.exec(HISTORY_TABLE);
    return new Mem0HistoryFile(db, path);
  }

  /** Appends events; one already in the file (same id) is left as it is. */
  add(events: readonly HistoryEvent[]): void {
    if (events.length === 0) return;
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO history (id, memory_id, old_memory, new_memory, event, created_at, updated_at, " +
        "is_deleted, actor_id, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const event of events)
        insert.run(
          event.id,
          event.memory_id,
          event.old_memory,
          event.new_memory,
          event.event,
          event.created_at,
          event.updated_at,
          event.is_deleted ? 1 : 0,
          event.actor_id ?? null,
          event.role ?? null,
        );
    })();
  }

  /** A memory's events in Mem0's order (storage.py get_history: created_at, then updated_at). */
  get(memoryId: string): HistoryEvent[] {
    const rows = this.db
      .prepare(
        "SELECT id, memory_id, old_memory, new_memory, event, created_at, updated_at, is_deleted, actor_id, role " +
          "FROM history WHERE memory_id = ? ORDER BY created_at ASC, DATETIME(updated_at) ASC, rowid ASC",
      )
      .all(memoryId) as Row[];
    return rows.map((r) => ({ ...r, event: r.event as HistoryEvent["event"], is_deleted: Boolean(r.is_deleted) }));
  }

  reset(): void {
    this.db.exec("DELETE FROM history");
  }

  close(): void {
    this.db.close();
  }
}

/** One history from two sources: each event once (by id), oldest first. */
export function mergeHistories(first: readonly HistoryEvent[], second: readonly HistoryEvent[]): HistoryEvent[] {
  const byId = new Map<string, HistoryEvent>();
  for (const event of [...first, ...second]) if (!byId.has(event.id)) byId.set(event.id, event);
  const instant = (event: HistoryEvent) => Date.parse(event.created_at.replace(/(\.\d{3})\d+/, "$1")) || 0;
  return [...byId.values()].sort((x, y) => instant(x) - instant(y));
}
