/**
 * The history events of one collection, in the store's own file or an attached one. It writes
 * through the store's connection so that `insert` can run inside the transaction of the memory
 * write it records: the row and its history commit together or not at all.
 */
import type Database from "better-sqlite3";
import type { HistoryEvent, HistoryStore } from "@mem0/core";
import { checkHistory } from "./validation.js";

/** What SqliteHistory needs from its store (SqliteVectorStore is one). */
interface HistoryHost {
  readonly collection: string;
  run<T>(fn: () => T): T;
  writing<T>(fn: () => T): T;
  transaction<T>(fn: () => T): T;
  statement(sql: string): Database.Statement;
}

interface HistoryRow extends Omit<HistoryEvent, "is_deleted"> {
  is_deleted: number;
}

export class SqliteHistory implements HistoryStore {
  /** `schema` is "main" for the store's own file, "hist" for a separate history file. */
  constructor(
    private readonly store: HistoryHost,
    private readonly schema: string,
  ) {}

  async add(events: readonly HistoryEvent[]): Promise<void> {
    this.store.writing(() => this.store.transaction(() => this.insert(events)));
  }

  /** Inserts inside the caller's transaction. */
  insert(events: readonly HistoryEvent[]): void {
    checkHistory(events);
    const stmt = this.store.statement(
      `INSERT INTO ${this.schema}.mem0_history
         (collection, id, memory_id, event, old_memory, new_memory, created_at, updated_at, is_deleted, actor_id, role)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const event of events) {
      stmt.run(
        this.store.collection,
        event.id,
        event.memory_id,
        event.event,
        event.old_memory,
        event.new_memory,
        event.created_at,
        event.updated_at,
        event.is_deleted ? 1 : 0,
        event.actor_id ?? null,
        event.role ?? null,
      );
    }
  }

  async get(memoryId: string): Promise<HistoryEvent[]> {
    const rows = this.store.run(
      () =>
        this.store
          .statement(
            `SELECT id, memory_id, event, old_memory, new_memory, created_at, updated_at, is_deleted, actor_id, role
             FROM ${this.schema}.mem0_history WHERE collection = ? AND memory_id = ? ORDER BY rid`,
          )
          .all(this.store.collection, memoryId) as HistoryRow[],
    );
    return rows.map((row) => ({ ...row, is_deleted: row.is_deleted === 1 }));
  }

  async reset(): Promise<void> {
    this.store.writing(() => this.store.transaction(() => this.clear()));
  }

  clear(): void {
    this.store.statement(`DELETE FROM ${this.schema}.mem0_history WHERE collection = ?`).run(this.store.collection);
  }
}
