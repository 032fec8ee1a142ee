/**
 * Prepared statements reused by SQL text: preparing costs more than running a small statement,
 * and filters of different shapes give different SQL, so the cache is bounded (least recently
 * used goes) rather than growing with every new shape.
 */
import type Database from "better-sqlite3";

const STATEMENT_CACHE_SIZE = 256;

export class StatementCache {
  /** Insertion order is use order: a hit moves its entry to the end, the first entry is the oldest. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** The prepared statement for `sql`, prepared on first use. */
  get(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      this.statements.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, stmt);
    return stmt;
  }
}
