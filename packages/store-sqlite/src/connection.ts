/**
 * The store's one connection to its file, and everything that keeps that file safe and fast but
 * is no part of what a memory is: how it is opened (pragmas, WAL, sqlite-vec, the schema), who
 * checkpoints the WAL, and the corruption latch that refuses writes once the file was seen damaged.
 * The CRUD code in store.ts only asks it to run statements, reads and write transactions.
 */
import { dirname } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { Checkpointer } from "./checkpointer.js";
import { REPAIR_HINT, SqliteStoreError, translateError } from "./errors.js";
import { checkHeader, createPrivately, makeDirectory } from "./database-file.js";
import { sqlFunctions } from "./filter-sql.js";
import { busyTimeoutMs, type SqliteStoreOptions } from "./options.js";
import { checkSchema, ensureSchema } from "./schema.js";
import { StatementCache } from "./statements.js";
import { jsCosineDistance } from "./vector-codec.js";

/** Vector bytes written before the background checkpointer starts: small stores never start it. */
const CHECKPOINTER_AFTER_BYTES = 4 * 2 ** 20;
/**
 * WAL size at which the committing connection checkpoints by itself: 16 MiB without the worker
 * (each checkpoint ends in an fsync, so fewer made bulk inserts faster than SQLite's 4 MiB).
 * With the worker, 64 MiB: the worker has usually copied most of it already, but SQLite only
 * starts the log over when a checkpoint has caught up as a write begins, which a worker racing a
 * busy writer rarely manages; this bounds the log. The file is cut back to 64 MiB after restarts.
 */
const INLINE_CHECKPOINT_BYTES = 16 * 2 ** 20;
const BACKSTOP_CHECKPOINT_BYTES = 64 * 2 ** 20;
/**
 * Page size of new files. A 384-d row is about 1.9 KB; at SQLite's default 4 KiB every commit wrote
 * four times as many WAL frames (two system calls each), and bulk inserts were slower. 32 and
 * 64 KiB were slower again (every touched index page is copied whole into the log). A scoped search
 * reads one page per row either way.
 */
const PAGE_SIZE = 16384;
/** Page cache of 32 MiB (SQLite's default is 2 MiB): a batch of 1,000 rows dirties more than 2 MiB. */
const CACHE_KIB = 32768;

const walPages = (db: Database.Database, bytes: number) =>
  Math.ceil(bytes / (db.pragma("page_size", { simple: true }) as number));
const mmapBytes = (options: SqliteStoreOptions) => Math.floor((options.mmap_size_mb ?? 0) * 2 ** 20);

/**
 * Switching a file to WAL takes an exclusive lock, and when another process is opening the same
 * new file at that moment SQLite answers SQLITE_BUSY at once, without its busy handler (seen in
 * simultaneous starts). Retries for up to `timeoutMs`, as the busy handler would.
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

/** Sets the pragmas of the store's connection; called before the schema is created. */
function tune(db: Database.Database, options: SqliteStoreOptions): void {
  db.pragma(`page_size = ${PAGE_SIZE}`); // ignored by a file that already has tables
  if (options.path !== ":memory:") retryBusy(() => db.pragma("journal_mode = WAL"), busyTimeoutMs(options));
  db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  db.pragma(`mmap_size = ${mmapBytes(options)}`);
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.pragma(`wal_autocheckpoint = ${walPages(db, INLINE_CHECKPOINT_BYTES)}`);
  db.pragma(`journal_size_limit = ${BACKSTOP_CHECKPOINT_BYTES}`);
}

/** Loads sqlite-vec unless told not to, and registers the SQL functions the store's queries call. */
function registerFunctions(db: Database.Database, options: SqliteStoreOptions): "sqlite-vec" | "js" {
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
  return engine;
}

export class SqliteConnection {
  readonly file: string;
  /** "sqlite-vec" when the extension loaded, "js" when distances run in a JavaScript SQL function. */
  readonly vectorEngine: "sqlite-vec" | "js";
  private readonly statements: StatementCache;
  private readonly mmapBytes: number;
  private mapToggle = 0;
  private checkpointer: Checkpointer | undefined;
  /** Vector bytes written so far, until the checkpointer starts; -1 once it started or cannot. */
  private bytesWritten = 0;
  /**
   * The first STORE_CORRUPT this connection saw. A damaged page may lie outside what a write touches,
   * so a write could succeed on a file whose other rows are lost; every write is refused instead.
   */
  private corruption: SqliteStoreError | undefined;

  private constructor(
    readonly db: Database.Database,
    private readonly options: SqliteStoreOptions,
    engine: "sqlite-vec" | "js",
  ) {
    this.file = options.path;
    this.vectorEngine = engine;
    this.mmapBytes = mmapBytes(options);
    this.statements = new StatementCache(db);
  }

  /**
   * Opens (creating if needed) the file, tunes it and creates or checks the schema. Throws
   * SqliteStoreError for a file it must not touch, naming the file (the store's or the history's).
   */
  static open(options: SqliteStoreOptions): SqliteConnection {
    const file = options.path;
    const inMemory = file === ":memory:";
    checkHeader(file);
    if (options.history_path) checkHeader(options.history_path);
    if (!inMemory && options.private_files) createPrivately(file);
    else if (!inMemory) makeDirectory(dirname(file), file);
    let db: Database.Database;
    try {
      db = new Database(file, { timeout: busyTimeoutMs(options) });
    } catch (err) {
      throw translateError(err, file);
    }
    let current = file;
    try {
      // Read before any write: a damaged or too-new file is refused before a pragma touches it.
      checkSchema(db, "main", file);
      tune(db, options);
      const engine = registerFunctions(db, options);
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
      return new SqliteConnection(db, inMemory ? { ...options, background_checkpoint: false } : options, engine);
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

  /** A prepared statement, cached by SQL text (see statements.ts). */
  statement(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  /** Counts vector bytes written and starts the background checkpointer past the threshold. */
  wroteVectorBytes(bytes: number): void {
    if (this.bytesWritten < 0 || this.options.background_checkpoint === false) return;
    this.bytesWritten += bytes;
    if (this.bytesWritten < CHECKPOINTER_AFTER_BYTES && this.options.background_checkpoint !== true) return;
    this.bytesWritten = -1;
    try {
      this.checkpointer = new Checkpointer({
        file: this.file,
        historyPath: this.options.history_path,
        timeoutMs: busyTimeoutMs(this.options),
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

  /** True while a worker thread checkpoints this store's WAL (see `background_checkpoint`). */
  get checkpointingInBackground(): boolean {
    return this.checkpointer !== undefined;
  }

  /** Maps the file again if the background checkpointer grew it (see Checkpointer.takeFileGrowth). */
  refreshMap(): void {
    if (!this.checkpointer?.takeFileGrowth() || this.mmapBytes === 0) return;
    // Any change of the limit makes SQLite unmap and map the whole file again; alternate two values.
    this.mapToggle = 4096 - this.mapToggle;
    this.db.pragma(`mmap_size = ${this.mmapBytes - this.mapToggle}`);
  }

  /**
   * Copies everything committed so far from the WAL into the database file and empties the WAL
   * (SQLite's TRUNCATE checkpoint), e.g. before copying the file as a backup. Waits for readers.
   */
  async checkpoint(): Promise<void> {
    // A checkpoint already running (the background one) makes SQLite answer "busy" at once,
    // without its busy handler: retry until the log is empty or the busy timeout passes.
    const deadline = Date.now() + busyTimeoutMs(this.options);
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

  close(): void {
    // The worker's connection closes first, so this one is the last and removes the WAL.
    this.checkpointer?.stop(busyTimeoutMs(this.options));
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }
}
