/**
 * Which scopes this connection's own writes touched, so the search cache (scope-cache.ts) drops
 * only those blocks instead of all of them.
 *
 * TEMP triggers on mem0_memories record the scope columns of every row this connection inserts,
 * updates (before and after) or deletes, once per distinct scope, in a TEMP table. TEMP objects
 * belong to this connection alone: other connections' writes never fire them (the cache sees those
 * through data_version), the file is not changed, and a rolled-back write rolls its records back too.
 * Every write path of the store is covered without the write code knowing about the cache.
 */
import type Database from "better-sqlite3";
import type { ScopeColumns } from "./scope-cache.js";

const TABLE = "temp.mem0_scope_journal";
const TRIGGERS = ["insert", "update", "delete"] as const;

/** NULL and a string stay distinct under the UNIQUE constraint (which treats NULLs as distinct). */
const encode = (column: string) => `COALESCE('=' || ${column}, '')`;
const decode = (value: string) => (value === "" ? null : value.slice(1));

function record(row: "NEW" | "OLD"): string {
  const values = ["user_id", "agent_id", "run_id"].map((c) => encode(`${row}.${c}`)).join(", ");
  return `INSERT OR IGNORE INTO ${TABLE} (user_id, agent_id, run_id) VALUES (${values});`;
}

function install(db: Database.Database): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS mem0_scope_journal (
    user_id TEXT NOT NULL, agent_id TEXT NOT NULL, run_id TEXT NOT NULL, UNIQUE (user_id, agent_id, run_id))`);
  const body = { insert: record("NEW"), update: `${record("OLD")} ${record("NEW")}`, delete: record("OLD") };
  for (const event of TRIGGERS)
    db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS mem0_scope_journal_${event}
      AFTER ${event.toUpperCase()} ON mem0_memories BEGIN ${body[event]} END`);
}

/**
 * The scopes this connection wrote since the last call, forgotten once read. Undefined the first
 * time (the triggers are installed then) or when they are gone: the caller must assume any scope.
 */
export function takeOwnChanges(db: Database.Database): ScopeColumns[] | undefined {
  const installed = db
    .prepare("SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE 'mem0_scope_journal_%'")
    .pluck()
    .get() as number;
  if (installed !== TRIGGERS.length) {
    install(db);
    db.prepare(`DELETE FROM ${TABLE}`).run();
    return undefined;
  }
  const rows = db.prepare(`SELECT user_id, agent_id, run_id FROM ${TABLE}`).raw().all() as [string, string, string][];
  if (rows.length > 0) db.prepare(`DELETE FROM ${TABLE}`).run();
  return rows.map(([user, agent, run]) => ({ user_id: decode(user), agent_id: decode(agent), run_id: decode(run) }));
}
