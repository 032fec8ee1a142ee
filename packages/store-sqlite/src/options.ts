/**
 * The store's options in one place: the connection (file, pragmas, checkpoints) and the store
 * (collection, dimensions, search cache) read different fields, and a user reads them all here.
 */
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
   * call per page, which speeds up a search ranked in SQL over a large file; but every mapped page
   * read counts in the process's RSS, up to the whole file, and with the search cache most searches
   * never rank in SQL, so by default the file's pages stay in the OS page cache instead.
   */
  mmap_size_mb?: number;
  /** Force the pure-JavaScript distance function even when sqlite-vec loads (tests, odd platforms). */
  vector_engine?: "sqlite-vec" | "js";
  /**
   * Who copies the WAL into the database file (a checkpoint). By default a worker thread with its
   * own connection, started once this store has written 4 MiB of vectors: commits then only append
   * to the log, and bulk inserts run faster on two cores (docs/benchmarks.md). `true` starts it at
   * the first write (a bulk import); `false` never does: SQLite checkpoints inside the commit that
   * crosses 16 MiB. Files opened as ":memory:" have no WAL.
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

/** Default for `busy_timeout_ms`. */
const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/** `busy_timeout_ms` or its default: the connection, the checkpointer and `checkpoint()` all wait this long. */
export const busyTimeoutMs = (options: SqliteStoreOptions): number =>
  options.busy_timeout_ms ?? DEFAULT_BUSY_TIMEOUT_MS;
