/**
 * `SqliteVectorStore`: memories, their vectors and their history events in one SQLite file.
 *
 * Every write (rows plus the history events core hands over in `WriteOptions.history`) is one
 * BEGIN IMMEDIATE transaction, so it commits whole or not at all, and a second process waits for
 * the lock (busy timeout) instead of failing. Search is exact: SQL selects the rows the filter
 * admits and sqlite-vec ranks them by cosine distance (see README for why not an ANN index, and
 * why not a JavaScript scan).
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import {
  dot,
  Mem0Error,
  normalizeVector,
  NotFoundError,
  scaleToUnit,
  vectorProblem,
  type FilterNode,
  type HistoryEvent,
  type HistoryStore,
  type MemoryPayload,
  type ScoredMemory,
  type ApplyOptions,
  type ApplyResult,
  type StoreChange,
  type StoredMemory,
  type Vector,
  type VectorStore,
  type WriteOptions,
} from "@mem0/core";
import { Checkpointer } from "./checkpointer.js";
import { REPAIR_HINT, SqliteStoreError, translateError } from "./errors.js";
import { filterToSql, sqlFunctions } from "./filter-sql.js";
import { checkSchema, ensureSchema } from "./schema.js";
import { ScopeCache, splitScope, type CachedHit, type ScopeCacheStats, type ScopeSource } from "./scope-cache.js";
import { takeOwnChanges } from "./scope-journal.js";

export interface SqliteStoreOptions {
  /** The database file (created with its directory if missing), or ":memory:". */
  path: string;
  /** Several collections can share one file; each has its own dimensions and history. */
  collection_name?: string;
  /** Vector length; when omitted, the collection's recorded length, else the first insert's. */
  embedding_model_dims?: number;
  /** Keep history events in this other file instead of the store's own (atomic per file only). */
  history_path?: string;
  /** How long a write waits for another connection's lock before failing (default 10 s). */
  busy_timeout_ms?: number;
  /**
   * "normal" (default): a commit survives a crash of the process; a power cut may lose the last
   * commits but never corrupts the file. "full": a commit also survives a power cut (one fsync each).
   */
  synchronous?: "normal" | "full";
  /**
   * How much of the file SQLite may memory-map, in MiB (default 0: off). Mapped reads need no system
   * call per page, which about halves a search ranked in SQL over a large file; but every mapped page
   * read counts in the process's RSS, up to the whole file, and with the search cache most searches
   * never rank in SQL, so by default the file's pages stay in the OS page cache instead.
   */
  mmap_size_mb?: number;
  /** Force the pure-JavaScript distance function even when sqlite-vec loads (tests, odd platforms). */
  vector_engine?: "sqlite-vec" | "js";
  /**
   * Who copies the WAL into the database file (a checkpoint). By default a worker thread with its
   * own connection, started once this store has written 4 MiB of vectors: commits then only append
   * to the log, and bulk inserts ran about 1.5× faster on two cores. `true` starts it at the first write
   * (a bulk import); `false` never does: SQLite checkpoints inside the commit that crosses 16 MiB.
   * Files opened as ":memory:" have no WAL.
   */
  background_checkpoint?: boolean;
  /**
   * Create a missing directory 0700 and a missing database file 0600 (its -wal and -shm follow),
   * as ssh and gpg do with their own directories. The plugin sets it for the default location
   * (`$MEM0_DIR` or `~/.mem0`); a path the user gives is created with the umask's modes.
   */
  private_files?: boolean;
  /**
   * MiB a search may use for compact (int8) copies of the vectors, one block per scope (user, agent,
   * run or none), to rank a repeated scope at memory speed instead of row by row in SQL, with exact
   * results (default 512; 0 turns it off). A scope is copied on its second search; a write by this
   * store drops the blocks of the scopes it touched, a commit by another connection drops all; over
   * the budget the least recently searched blocks go. See src/scope-cache.ts.
   */
  search_cache_mb?: number;
}

const walPages = (db: Database.Database, bytes: number) =>
  Math.ceil(bytes / (db.pragma("page_size", { simple: true }) as number));
const mmapBytes = (options: SqliteStoreOptions) => Math.floor((options.mmap_size_mb ?? 0) * 2 ** 20);

/** Vector bytes written before the background checkpointer starts: small stores never start it. */
const CHECKPOINTER_AFTER_BYTES = 4 * 2 ** 20;
/**
 * WAL size at which the committing connection checkpoints by itself: 16 MiB without the worker
 * (each checkpoint ends in an fsync, so fewer made bulk inserts 28% faster than SQLite's 4 MiB).
 * With the worker, 64 MiB: the worker has usually copied most of it already, but SQLite only
 * starts the log over when a checkpoint has caught up as a write begins, which a worker racing a
 * busy writer rarely manages; this bounds the log. The file is cut back to 64 MiB after restarts.
 */
const INLINE_CHECKPOINT_BYTES = 16 * 2 ** 20;
const BACKSTOP_CHECKPOINT_BYTES = 64 * 2 ** 20;
/**
 * Page size of new files. A 384-d row is about 1.9 KB; at SQLite's default 4 KiB every commit wrote
 * four times as many WAL frames (two system calls each), and bulk inserts were 20% slower. 32 and
 * 64 KiB were slower again (every touched index page is copied whole into the log). A scoped search
 * reads one page per row either way.
 */
const PAGE_SIZE = 16384;
/** Page cache of 32 MiB (SQLite's default is 2 MiB): a batch of 1,000 rows dirties more than 2 MiB. */
const CACHE_KIB = 32768;

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");
const COLUMNS = "id, user_id, agent_id, run_id, memory, hash, created_at, updated_at, metadata";
const STATEMENT_CACHE = 256;

interface Row {
  id: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  memory: string;
  hash: string;
  created_at: string;
  updated_at: string;
  metadata: string;
}

interface HistoryRow extends Omit<HistoryEvent, "is_deleted"> {
  is_deleted: number;
}

/**
 * Switching a file to WAL takes an exclusive lock, and when another process is opening the same
 * new file at that moment SQLite answers SQLITE_BUSY at once, without its busy handler (seen in
 * about 1 of 20 simultaneous starts). Retries for up to `timeoutMs`, as the busy handler would.
 */
function retryBusy<T>(fn: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!String((err as { code?: unknown }).code).startsWith("SQLITE_BUSY") || Date.now() >= deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // a synchronous 5 ms pause
    }
  }
}

/**
 * Creates `dir` if missing; `mode` applies only to directories created here. A failure (no
 * permission on the parent, a file in the way) is a typed STORE_IO error naming the directory.
 */
function makeDirectory(dir: string, file: string, mode?: number): void {
  try {
    mkdirSync(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "error";
    const detail = `cannot create the directory ${dir} (${code}); point MEM0_DIR or vector_store.config.path at a writable place`;
    throw new SqliteStoreError("STORE_IO", file, detail, { cause: err });
  }
}

/**
 * Creates the directory (0700) and an empty database file (0600) when missing: SQLite gives the
 * -wal and -shm files the database file's mode, so all three stay private to the user, whatever
 * the umask. Existing paths keep their modes.
 */
function createPrivately(file: string): void {
  makeDirectory(dirname(file), file, 0o700);
  if (existsSync(file)) return;
  try {
    closeSync(openSync(file, "a", 0o600));
  } catch (err) {
    throw new SqliteStoreError(
      "STORE_IO",
      file,
      `cannot create the database file (${(err as { code?: string }).code ?? "error"})`,
      { cause: err },
    );
  }
}

/** Refuses, without opening it through SQLite, a file that exists, is not empty and is not SQLite. */
function checkHeader(file: string): void {
  if (file === ":memory:" || !existsSync(file)) return;
  const st = statSync(file);
  if (!st.isFile()) throw new SqliteStoreError("STORE_NOT_A_DATABASE", file, "is not a regular file");
  if (st.size === 0) return; // SQLite treats an empty file as an empty database
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) {
    throw new SqliteStoreError(
      "STORE_NOT_A_DATABASE",
      file,
      "exists but is not a SQLite database; it was not modified. Point `path` at another file or move this one away",
    );
  }
}

/** Checks a value is what JSON.stringify keeps as is: the file must hold exactly what `get` returns. */
function jsonProblem(value: unknown, path: string): string | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot hold`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) return `${path}[${i}] is undefined, which JSON cannot hold`;
      const p = jsonProblem(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (typeof value === "object") {
    // A plain object's prototype is some realm's Object.prototype (whose own prototype is null).
    const proto = Object.getPrototypeOf(value);
    if (proto !== null && Object.getPrototypeOf(proto) !== null)
      return `${path} is a ${proto?.constructor?.name ?? "non-plain object"}, not a plain object`;
    for (const k in value) {
      // for…in without the entries arrays Object.entries builds (a plain object inherits no enumerable keys)
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue; // dropped, as a missing field reads the same
      const p = jsonProblem(v, `${path}.${k}`);
      if (p) return p;
    }
    return null;
  }
  return `${path} is a ${typeof value}, which JSON cannot hold`;
}

function payloadProblem(p: MemoryPayload): string | null {
  if (typeof p !== "object" || p === null) return "payload must be an object";
  for (const k of ["memory", "hash", "created_at", "updated_at"] as const) {
    if (typeof p[k] !== "string") return `payload.${k} must be a string`;
  }
  for (const k of ["user_id", "agent_id", "run_id"] as const) {
    if (p[k] !== undefined && typeof p[k] !== "string") return `payload.${k} must be a string or absent`;
  }
  if (typeof p.metadata !== "object" || p.metadata === null || Array.isArray(p.metadata))
    return "payload.metadata must be a plain object";
  return jsonProblem(p.metadata, "payload.metadata");
}

const EVENTS = new Set(["ADD", "UPDATE", "DELETE"]);
function historyProblem(e: HistoryEvent, i: number): string | null {
  if (typeof e?.id !== "string" || typeof e.memory_id !== "string")
    return `history[${i}]: id and memory_id must be strings`;
  if (!EVENTS.has(e.event)) return `history[${i}].event must be ADD, UPDATE or DELETE`;
  if (typeof e.created_at !== "string") return `history[${i}].created_at must be a string`;
  return null;
}

function toStored(row: Row): StoredMemory {
  const payload: MemoryPayload = {
    memory: row.memory,
    hash: row.hash,
    created_at: row.created_at,
    updated_at: row.updated_at,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  };
  if (row.user_id !== null) payload.user_id = row.user_id;
  if (row.agent_id !== null) payload.agent_id = row.agent_id;
  if (row.run_id !== null) payload.run_id = row.run_id;
  return { id: row.id, payload };
}

const asBlob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * The bytes of `v` scaled to unit length, equal bit for bit to core's normalizeVector, or null if
 * an element is not a finite number (or overflows float32). One pass to check and sum, one to
 * scale, written straight into a pooled Buffer: a third of the JavaScript time of a bulk insert
 * went to a separate check, copy and new backing store per row.
 */
function unitBlob(v: Vector): Buffer | null {
  if (!(v instanceof Float32Array) && vectorProblem(v)) return null; // a number[] may hold anything
  const n = v.length;
  const blob = Buffer.allocUnsafe(n * 4); // from Node's pool, 8-byte aligned
  const out = new Float32Array(blob.buffer, blob.byteOffset, n);
  out.set(v);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += out[i]! * out[i]!;
  if (!Number.isFinite(sum)) return null; // NaN or ±Infinity somewhere
  scaleToUnit(out, sum);
  return blob;
}

function asFloats(blob: Buffer): Float32Array {
  // A Float32Array view needs 4-byte alignment; copy in the rare case the driver's buffer is not.
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(Uint8Array.from(blob).buffer);
}

/** Cosine distance for unit vectors, for platforms without a sqlite-vec build. NULL for a zero vector, like sqlite-vec. */
function jsCosineDistance(a: unknown, b: unknown): number | null {
  if (!Buffer.isBuffer(a) || !Buffer.isBuffer(b) || a.byteLength !== b.byteLength) return null;
  const x = asFloats(a);
  const y = asFloats(b);
  let s = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]! * y[i]!;
    nx += x[i]! * x[i]!;
    ny += y[i]! * y[i]!;
  }
  return nx === 0 || ny === 0 ? null : 1 - s / Math.sqrt(nx * ny);
}

export class SqliteHistory implements HistoryStore {
  constructor(
    private readonly store: SqliteVectorStore,
    private readonly schema: string,
  ) {}

  async add(events: readonly HistoryEvent[]): Promise<void> {
    this.store.writing(() => this.store.transaction(() => this.insert(events)));
  }

  /** Inserts inside the caller's transaction. */
  insert(events: readonly HistoryEvent[]): void {
    events.forEach((e, i) => {
      const problem = historyProblem(e, i);
      if (problem) throw new Mem0Error("INVALID_HISTORY", `sqlite store: ${problem}`);
    });
    const stmt = this.store.statement(
      `INSERT INTO ${this.schema}.mem0_history (collection, id, memory_id, event, old_memory, new_memory, created_at, updated_at, is_deleted, actor_id, role)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of events) {
      stmt.run(
        this.store.collection,
        e.id,
        e.memory_id,
        e.event,
        e.old_memory,
        e.new_memory,
        e.created_at,
        e.updated_at,
        e.is_deleted ? 1 : 0,
        e.actor_id ?? null,
        e.role ?? null,
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
    return rows.map((r) => ({ ...r, is_deleted: r.is_deleted === 1 }));
  }

  async reset(): Promise<void> {
    this.store.writing(() => this.store.transaction(() => this.clear()));
  }

  clear(): void {
    this.store.statement(`DELETE FROM ${this.schema}.mem0_history WHERE collection = ?`).run(this.store.collection);
  }
}

export class SqliteVectorStore implements VectorStore {
  readonly provider = "sqlite";
  readonly history: SqliteHistory;
  readonly file: string;
  readonly collection: string;
  /** "sqlite-vec" when the extension loaded, "js" when distances run in a JavaScript SQL function. */
  readonly vectorEngine: "sqlite-vec" | "js";
  private readonly db: Database.Database;
  private readonly distance: string;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly options: SqliteStoreOptions;
  private dims: number | undefined;
  private checkpointer: Checkpointer | undefined;
  private readonly mmapBytes: number;
  private mapToggle = 0;
  /** Vector bytes written so far, until the checkpointer starts; -1 once it started or cannot. */
  private bytesWritten = 0;
  /**
   * The first STORE_CORRUPT this store saw. A damaged page may lie outside what a write touches,
   * so a write could succeed on a file whose other rows are lost; every write is refused instead.
   */
  private corruption: SqliteStoreError | undefined;
  /** Created once the collection's dimensions are known; null where it cannot run. */
  private scopeCache: ScopeCache | null | undefined;
  private readonly scopeSource: ScopeSource = {
    token: () =>
      this.statement("SELECT total_changes() || ':' || data_version FROM pragma_data_version").pluck().get() as string,
    count: (scope) => {
      const where = filterToSql(scope);
      return this.statement(`SELECT count(*) FROM mem0_memories WHERE collection = @collection AND ${where.sql}`)
        .pluck()
        .get({ ...where.params, collection: this.collection }) as number;
    },
    vectors: (scope) => {
      const where = filterToSql(scope);
      return this.statement(
        `SELECT rid, id, vector FROM mem0_memories WHERE collection = @collection AND ${where.sql} ORDER BY rid`,
      )
        .raw()
        .iterate({ ...where.params, collection: this.collection }) as Iterable<[number, string, Buffer]>;
    },
    admitted: (filter) => {
      const where = filterToSql(filter);
      return this.statement(
        `SELECT rid FROM mem0_memories WHERE collection = @collection AND ${where.sql} ORDER BY rid`,
      )
        .pluck()
        .all({ ...where.params, collection: this.collection }) as number[];
    },
    exact: (rids) =>
      (
        this.statement(
          `SELECT rid, vector, ${COLUMNS} FROM mem0_memories WHERE rid IN (SELECT value FROM json_each(?))`,
        ).all(JSON.stringify(rids)) as (Row & { rid: number; vector: Buffer })[]
      ).map((row) => [row.rid, row.id, row.vector, row]),
    ownChanges: () => takeOwnChanges(this.db),
  };

  private constructor(db: Database.Database, options: SqliteStoreOptions, engine: "sqlite-vec" | "js") {
    this.db = db;
    this.options = options;
    this.mmapBytes = mmapBytes(options);
    this.file = options.path;
    this.collection = options.collection_name ?? "mem0";
    this.dims = options.embedding_model_dims;
    this.vectorEngine = engine;
    this.distance = engine === "sqlite-vec" ? "vec_distance_cosine" : "mem0_cosine_distance";
    this.history = new SqliteHistory(this, options.history_path ? "hist" : "main");
  }

  /** Opens (creating if needed) the file. Throws SqliteStoreError for a file it must not touch. */
  static open(options: SqliteStoreOptions): SqliteVectorStore {
    const file = options.path;
    const inMemory = file === ":memory:";
    checkHeader(file);
    if (options.history_path) checkHeader(options.history_path);
    if (!inMemory && options.private_files) createPrivately(file);
    else if (!inMemory) makeDirectory(dirname(file), file);
    let db: Database.Database;
    try {
      db = new Database(file, { timeout: options.busy_timeout_ms ?? 10_000 });
    } catch (err) {
      throw translateError(err, file);
    }
    let current = file;
    try {
      // Read before any write: a damaged or too-new file is refused before a pragma touches it.
      checkSchema(db, "main", file);
      db.pragma(`page_size = ${PAGE_SIZE}`); // ignored by a file that already has tables
      if (!inMemory) retryBusy(() => db.pragma("journal_mode = WAL"), options.busy_timeout_ms ?? 10_000);
      db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
      db.pragma(`mmap_size = ${mmapBytes(options)}`);
      db.pragma(`cache_size = -${CACHE_KIB}`);
      db.pragma(`wal_autocheckpoint = ${walPages(db, INLINE_CHECKPOINT_BYTES)}`);
      db.pragma(`journal_size_limit = ${BACKSTOP_CHECKPOINT_BYTES}`);
      let engine: "sqlite-vec" | "js" = "js";
      if (options.vector_engine !== "js") {
        try {
          sqliteVec.load(db);
          engine = "sqlite-vec";
        } catch {
          // No sqlite-vec build for this platform: the JavaScript function gives the same answers, slower.
        }
      }
      db.function("mem0_cosine_distance", { deterministic: true }, jsCosineDistance);
      db.function("mem0_icontains", { deterministic: true }, sqlFunctions.mem0_icontains);
      db.function("mem0_date", { deterministic: true }, sqlFunctions.mem0_date);
      db.function("mem0_leaf", { deterministic: true }, sqlFunctions.mem0_leaf);
      ensureSchema(db, "main", file);
      if (options.history_path) {
        current = options.history_path;
        makeDirectory(dirname(options.history_path), options.history_path);
        db.prepare("ATTACH DATABASE ? AS hist").run(options.history_path);
        checkSchema(db, "hist", options.history_path);
        db.pragma("hist.journal_mode = WAL");
        ensureSchema(db, "hist", options.history_path);
        current = file;
      }
      if (inMemory) options = { ...options, background_checkpoint: false };
      const store = new SqliteVectorStore(db, options, engine);
      store.transaction(() => store.collectionDims(undefined));
      return store;
    } catch (err) {
      db.close();
      throw translateError(err, current);
    }
  }

  /** Runs `fn`, turning driver errors into typed ones; remembers corruption (see `writing`). */
  run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const typed = translateError(err, this.file);
      if (typed instanceof SqliteStoreError && typed.code === "STORE_CORRUPT") this.corruption ??= typed;
      throw typed;
    }
  }

  /** `run` for writes: refused once this store has seen the file damaged, until it is reopened repaired. */
  writing<T>(fn: () => T): T {
    if (this.corruption) {
      throw new SqliteStoreError(
        "STORE_CORRUPT",
        this.file,
        `writes are refused: the file was found damaged (${this.corruption.message}). ${REPAIR_HINT}`,
      );
    }
    return this.run(fn);
  }

  /** An IMMEDIATE transaction: takes the write lock up front, so the busy timeout applies to it. */
  transaction<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    this.checkpointer?.committed();
    return result;
  }

  /** Counts vector bytes written and starts the background checkpointer past the threshold. */
  private wrote(bytes: number): void {
    if (this.bytesWritten < 0 || this.options.background_checkpoint === false) return;
    this.bytesWritten += bytes;
    if (this.bytesWritten < CHECKPOINTER_AFTER_BYTES && this.options.background_checkpoint !== true) return;
    this.bytesWritten = -1;
    try {
      this.checkpointer = new Checkpointer({
        file: this.file,
        historyPath: this.options.history_path,
        timeoutMs: this.options.busy_timeout_ms ?? 10_000,
        synchronous: this.options.synchronous === "full" ? "FULL" : "NORMAL",
        onFailure: () => {
          this.checkpointer = undefined;
          if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${walPages(this.db, INLINE_CHECKPOINT_BYTES)}`);
        },
      });
    } catch {
      return; // no worker threads here (or the driver cannot be located): SQLite keeps checkpointing inline
    }
    this.db.pragma(`wal_autocheckpoint = ${walPages(this.db, BACKSTOP_CHECKPOINT_BYTES)}`);
    this.checkpointer.committed();
  }

  /** Bytes of vectors the search cache holds now (see `search_cache_mb`). */
  get searchCacheBytes(): number {
    return this.scopeCache?.heldBytes ?? 0;
  }

  /** Searches the search cache answered, left to SQL, and scopes it copied (see `search_cache_mb`). */
  get searchCacheStats(): ScopeCacheStats {
    return this.scopeCache?.stats ?? { hits: 0, misses: 0, copies: 0 };
  }

  /** True while a worker thread checkpoints this store's WAL (see `background_checkpoint`). */
  get checkpointingInBackground(): boolean {
    return this.checkpointer !== undefined;
  }

  /**
   * A prepared statement, cached by SQL text. Filters of different shapes give different SQL, so
   * the cache is bounded (least recently used goes) rather than growing with every new shape.
   */
  statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      this.statements.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, stmt);
    return stmt;
  }

  /**
   * The collection's dimensions, recording them on first use. Runs inside a write transaction so
   * two processes creating the same collection agree. `wanted` is the length of vectors being written.
   */
  private collectionDims(wanted: number | undefined): number | undefined {
    const row = this.statement("SELECT dims FROM mem0_collections WHERE name = ?").get(this.collection) as
      | { dims: number }
      | undefined;
    if (row) {
      if (this.dims !== undefined && this.dims !== row.dims) {
        throw new SqliteStoreError(
          "STORE_DIMS_MISMATCH",
          this.file,
          `collection ${JSON.stringify(this.collection)} holds ${row.dims}-dimensional vectors but embedding_model_dims is ${this.dims}; use another collection_name or file`,
        );
      }
      return (this.dims = row.dims);
    }
    const dims = this.dims ?? wanted;
    if (dims !== undefined) {
      this.statement("INSERT INTO mem0_collections (name, dims, created_at) VALUES (?, ?, ?)").run(
        this.collection,
        dims,
        new Date().toISOString(),
      );
      this.dims = dims;
    }
    return dims;
  }

  private checkedVector(v: Vector, id: string, dims: number | undefined): Buffer {
    const blob = dims !== undefined && v.length !== dims ? null : unitBlob(v);
    if (!blob)
      throw new Mem0Error(
        "INVALID_VECTOR",
        `sqlite store: ${id}: ${vectorProblem(v, dims) ?? "an element is too large for a 32-bit float"}`,
      );
    return blob;
  }

  /** Maps the file again if the background checkpointer grew it (see Checkpointer.takeFileGrowth). */
  private refreshMap(): void {
    if (!this.checkpointer?.takeFileGrowth() || this.mmapBytes === 0) return;
    // Any change of the limit makes SQLite unmap and map the whole file again; alternate two values.
    this.mapToggle = 4096 - this.mapToggle;
    this.db.pragma(`mmap_size = ${this.mmapBytes - this.mapToggle}`);
  }

  private checkedPayload(p: MemoryPayload, id: string): string {
    const problem = payloadProblem(p);
    if (problem) throw new Mem0Error("INVALID_PAYLOAD", `sqlite store: ${id}: ${problem}`);
    return JSON.stringify(p.metadata);
  }

  private checkedId(id: unknown): string {
    if (typeof id !== "string" || id.length === 0)
      throw new Mem0Error(
        "INVALID_ID",
        `sqlite store: id must be a non-empty string, got ${JSON.stringify(id) ?? typeof id}`,
      );
    return id;
  }

  async insert(
    records: readonly { id: string; vector: Vector; payload: MemoryPayload }[],
    options?: WriteOptions,
  ): Promise<void> {
    if (records.length === 0 && !options?.history?.length) return;
    this.writing(() =>
      this.transaction(() => {
        this.insertRows(records, this.collectionDims(records[0]?.vector.length));
        if (options?.history) this.history.insert(options.history);
      }),
    );
    this.wrote(records.length * (this.dims ?? 0) * 4);
  }

  /** Inserts inside the caller's transaction. */
  private insertRows(
    records: readonly { id: string; vector: Vector; payload: MemoryPayload }[],
    dims: number | undefined,
  ): void {
    // Everything is checked before the first row is written; any throw rolls the whole batch back.
    const rows = records.map((r) => {
      const id = this.checkedId(r.id);
      return {
        id,
        vector: this.checkedVector(r.vector, id, dims),
        metadata: this.checkedPayload(r.payload, id),
        p: r.payload,
      };
    });
    const insert = this.statement(
      `INSERT INTO mem0_memories (collection, id, user_id, agent_id, run_id, memory, hash, created_at, updated_at, metadata, vector)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of rows) {
      try {
        insert.run(
          this.collection,
          r.id,
          r.p.user_id ?? null,
          r.p.agent_id ?? null,
          r.p.run_id ?? null,
          r.p.memory,
          r.p.hash,
          r.p.created_at,
          r.p.updated_at,
          r.metadata,
          r.vector,
        );
      } catch (err) {
        // The unique index finds duplicates (earlier rows, or twice in this batch) at no extra cost.
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE")
          throw new Mem0Error("DUPLICATE_ID", `sqlite store: id ${r.id} already exists`);
        throw err;
      }
    }
  }

  async search(query: { vector: Vector; limit: number; filter: FilterNode | null }): Promise<ScoredMemory[]> {
    if (!(query.limit >= 1)) return [];
    const problem = vectorProblem(query.vector, this.dims);
    if (problem) throw new Mem0Error("INVALID_VECTOR", `sqlite store: query: ${problem}`);
    const q = normalizeVector(query.vector);
    const where = filterToSql(query.filter);
    if (this.scopeCache === undefined && this.dims !== undefined) {
      this.scopeCache = ScopeCache.create(this.dims, (this.options.search_cache_mb ?? 512) * 2 ** 20) ?? null;
    }
    const cache = this.scopeCache;
    return this.run(() => {
      this.refreshMap();
      // One read snapshot: the cache's freshness token, the ranking and the payloads agree.
      return this.db
        .transaction(() => {
          const cached = cache?.search(q, query.limit, splitScope(query.filter), this.scopeSource);
          if (cached) return this.cachedRows(cached);
          // Rank on rid and distance only, then read the winners' payloads: the sort never carries text.
          const ranked = this.statement(
            `SELECT rid FROM mem0_memories WHERE collection = @collection AND ${where.sql}
             ORDER BY COALESCE(${this.distance}(vector, @query), 1.0), id LIMIT @limit`,
          )
            .pluck()
            .all({ ...where.params, collection: this.collection, query: asBlob(q), limit: query.limit }) as number[];
          return this.rankedRows(q, ranked);
        })
        .deferred();
    });
  }

  /** The cache's hits (already scored with core's dot, in order) with the rows `exact` read for them. */
  private cachedRows(hits: CachedHit[]): ScoredMemory[] {
    return hits.map((h) => ({ ...toStored(h.row as Row), score: h.score }));
  }

  /** The ranked rows' memories, scored with core's dot on the stored vectors. */
  private rankedRows(q: Float32Array, ranked: number[]): ScoredMemory[] {
    if (ranked.length === 0) return [];
    const rows = this.statement(
      `SELECT rid, ${COLUMNS}, vector FROM mem0_memories WHERE rid IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ranked)) as (Row & {
      rid: number;
      vector: Buffer;
    })[];
    // Scores come from core's dot on the stored float32 vector, so they equal the reference store's bit for bit.
    return rows
      .map((row) => ({ ...toStored(row), score: dot(q, asFloats(row.vector)) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(id: string): Promise<StoredMemory | null> {
    const row = this.run(
      () =>
        this.statement(`SELECT ${COLUMNS} FROM mem0_memories WHERE collection = ? AND id = ?`).get(
          this.collection,
          id,
        ) as Row | undefined,
    );
    return row ? toStored(row) : null;
  }

  async list(query: { filter: FilterNode | null; limit: number }): Promise<StoredMemory[]> {
    if (!(query.limit >= 1)) return [];
    const where = filterToSql(query.filter);
    const rows = this.run(() => {
      this.refreshMap();
      return this.statement(
        `SELECT ${COLUMNS} FROM mem0_memories WHERE collection = @collection AND ${where.sql} ORDER BY created_at, id LIMIT @limit`,
      ).all({
        ...where.params,
        collection: this.collection,
        limit: Math.min(query.limit, Number.MAX_SAFE_INTEGER),
      }) as Row[];
    });
    return rows.map(toStored);
  }

  async update(id: string, record: { vector?: Vector; payload: MemoryPayload }, options?: WriteOptions): Promise<void> {
    this.writing(() =>
      this.transaction(() => {
        if (!this.updateRow(id, record.vector, record.payload, this.collectionDims(record.vector?.length)))
          throw new NotFoundError(id);
        if (options?.history) this.history.insert(options.history);
      }),
    );
    if (record.vector) this.wrote(record.vector.length * 4);
  }

  /** Updates inside the caller's transaction; false when the id is missing. */
  private updateRow(id: string, v: Vector | undefined, p: MemoryPayload, dims: number | undefined): boolean {
    const vector = v ? this.checkedVector(v, id, dims) : null;
    const metadata = this.checkedPayload(p, id);
    const changed = this.statement(
      `UPDATE mem0_memories SET user_id = ?, agent_id = ?, run_id = ?, memory = ?, hash = ?, created_at = ?, updated_at = ?, metadata = ?, vector = COALESCE(?, vector)
       WHERE collection = ? AND id = ?`,
    ).run(
      p.user_id ?? null,
      p.agent_id ?? null,
      p.run_id ?? null,
      p.memory,
      p.hash,
      p.created_at,
      p.updated_at,
      metadata,
      vector,
      this.collection,
      id,
    ).changes;
    return changed > 0;
  }

  private deleteRow(id: string): boolean {
    return (
      this.statement("DELETE FROM mem0_memories WHERE collection = ? AND id = ?").run(this.collection, id).changes > 0
    );
  }

  async delete(id: string, options?: WriteOptions): Promise<void> {
    this.writing(() =>
      this.transaction(() => {
        if (!this.deleteRow(id)) throw new NotFoundError(id);
        if (options?.history) this.history.insert(options.history);
      }),
    );
  }

  /**
   * One IMMEDIATE transaction for the whole batch: each update or delete reads its row inside it, so
   * the write lock covers the read-modify-write (other connections and processes wait), and a throw
   * anywhere, a history event's included, rolls everything back.
   */
  async apply(changes: readonly StoreChange[], options: ApplyOptions = {}): Promise<ApplyResult> {
    if (changes.length === 0) return { skipped: [] };
    let vectorBytes = 0;
    const result = this.writing(() =>
      this.transaction(() => {
        const first = changes.find((c) => c.op !== "delete" && c.vector !== undefined) as
          | { vector: Vector }
          | undefined;
        const dims = this.collectionDims(first?.vector.length);
        const read = this.statement(`SELECT ${COLUMNS} FROM mem0_memories WHERE collection = ? AND id = ?`);
        const skipped: string[] = [];
        for (let i = 0; i < changes.length; i++) {
          const c = changes[i]!;
          if (c.op === "delete") {
            // A run of deletes (deleteAll's whole batch) is one statement: 10,000 separate ones
            // cost about twice as much.
            let end = i;
            while (end < changes.length && changes[end]!.op === "delete") end++;
            skipped.push(
              ...this.deleteRun(
                changes.slice(i, end) as Extract<StoreChange, { op: "delete" }>[],
                options.missing === "skip",
              ),
            );
            i = end - 1;
            continue;
          }
          if (c.op === "insert") {
            this.insertRows([c], dims);
            if (c.history) this.history.insert(c.history);
            vectorBytes += c.vector.length * 4;
            continue;
          }
          const row = read.get(this.collection, c.id) as Row | undefined;
          if (!row) {
            if (options.missing !== "skip") throw new NotFoundError(c.id);
            skipped.push(c.id);
            continue;
          }
          const next = c.next(toStored(row));
          this.updateRow(c.id, c.vector, next.payload, dims);
          if (next.history) this.history.insert(next.history);
          vectorBytes += (c.vector?.length ?? 0) * 4;
        }
        return { skipped };
      }),
    );
    this.wrote(vectorBytes);
    return result;
  }

  /**
   * Deletes the rows of a run of delete changes inside the caller's transaction, reading each row
   * as it goes (RETURNING) for its history events. Returns the ids that were missing; throws
   * NotFoundError for the first of them unless `skip`.
   */
  private deleteRun(run: readonly Extract<StoreChange, { op: "delete" }>[], skip: boolean): string[] {
    const take = this.statement(
      `DELETE FROM mem0_memories WHERE collection = ? AND id IN (SELECT value FROM json_each(?)) RETURNING ${COLUMNS}`,
    );
    const rows = new Map(
      (take.all(this.collection, JSON.stringify(run.map((c) => c.id))) as Row[]).map((r) => [r.id, r]),
    );
    const missing: string[] = [];
    for (const c of run) {
      const row = rows.get(c.id);
      if (!row) {
        if (!skip) throw new NotFoundError(c.id);
        missing.push(c.id);
      } else {
        rows.delete(c.id); // the same id twice in a run: the second finds it gone
        if (c.history) this.history.insert(c.history(toStored(row)));
      }
    }
    return missing;
  }

  /** Deletes the collection's memories and history; its recorded dimensions stay. */
  async reset(): Promise<void> {
    this.writing(() =>
      this.transaction(() => {
        this.statement("DELETE FROM mem0_memories WHERE collection = ?").run(this.collection);
        this.history.clear();
      }),
    );
  }

  /**
   * SQLite's plan for the search query under `filter` (diagnostics and tests): a scoped search must
   * read its scope's index, not the whole collection.
   */
  searchPlan(filter: FilterNode | null): string[] {
    const where = filterToSql(filter);
    const rows = this.run(
      () =>
        this.db
          .prepare(
            `EXPLAIN QUERY PLAN SELECT rid FROM mem0_memories WHERE collection = @collection AND ${where.sql} ORDER BY COALESCE(${this.distance}(vector, @query), 1.0), id LIMIT 10`,
          )
          .all({ ...where.params, collection: this.collection, query: Buffer.alloc(4) }) as { detail: string }[],
    );
    return rows.map((r) => r.detail);
  }

  /**
   * Copies everything committed so far from the WAL into the database file and empties the WAL
   * (SQLite's TRUNCATE checkpoint), e.g. before copying the file as a backup. Waits for readers.
   */
  async checkpoint(): Promise<void> {
    // A checkpoint already running (the background one) makes SQLite answer "busy" at once,
    // without its busy handler: retry until the log is empty or the busy timeout passes.
    const deadline = Date.now() + (this.options.busy_timeout_ms ?? 10_000);
    for (;;) {
      const [result] = this.run(() => this.db.pragma("wal_checkpoint(TRUNCATE)")) as { busy: number }[];
      if (!result || result.busy === 0) return;
      if (Date.now() >= deadline)
        throw new SqliteStoreError(
          "STORE_BUSY",
          this.file,
          "a checkpoint could not finish within busy_timeout_ms: another connection holds the database",
        );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** How many memories the collection holds. */
  async count(): Promise<number> {
    return this.run(
      () =>
        this.statement("SELECT count(*) FROM mem0_memories WHERE collection = ?")
          .pluck()
          .get(this.collection) as number,
    );
  }

  async close(): Promise<void> {
    // The worker's connection closes first, so this one is the last and removes the WAL.
    this.checkpointer?.stop(this.options.busy_timeout_ms ?? 10_000);
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }
}
