/**
 * `SqliteVectorStore`: memories, their vectors and their history events in one SQLite file.
 *
 * Every write (rows plus the history events core hands over in `WriteOptions.history`) is one
 * BEGIN IMMEDIATE transaction, so it commits whole or not at all, and a second process waits for
 * the lock (busy timeout) instead of failing. Search is exact: SQL selects the rows the filter
 * admits and sqlite-vec ranks them by cosine distance (see README for why not an ANN index, and
 * why not a JavaScript scan).
 *
 * This file holds what the store does with memories (CRUD, apply, search wiring); the file itself,
 * its pragmas and checkpoints live in connection.ts, input checks in validation.ts, and how vectors
 * are stored in vector-codec.ts, so each can change without reading the others.
 */
import type Database from "better-sqlite3";
import {
  type ApplyOptions,
  type ApplyResult,
  dot,
  type FilterNode,
  type MemoryPayload,
  Mem0Error,
  NotFoundError,
  normalizeVector,
  type ScoredMemory,
  type StoreChange,
  type StoredMemory,
  type Vector,
  type VectorStore,
  vectorProblem,
  type WriteOptions,
} from "@mem0/core";
import { SqliteConnection } from "./connection.js";
import { SqliteStoreError, translateError } from "./errors.js";
import { filterToSql } from "./filter-sql.js";
import { SqliteHistory } from "./history.js";
import type { SqliteStoreOptions } from "./options.js";
import { COLUMNS, type Row, toStored } from "./rows.js";
import { type CachedHit, ScopeCache, type ScopeCacheStats, type ScopeSource, splitScope } from "./scope-cache.js";
import { takeOwnChanges } from "./scope-journal.js";
import { checkedId, checkedPayload } from "./validation.js";
import { asBlob, asFloats, checkedVector } from "./vector-codec.js";

type NewRecord = { id: string; vector: Vector; payload: MemoryPayload };
type DeleteChange = Extract<StoreChange, { op: "delete" }>;

export class SqliteVectorStore implements VectorStore {
  readonly provider = "sqlite";
  readonly history: SqliteHistory;
  readonly file: string;
  readonly collection: string;
  /** "sqlite-vec" when the extension loaded, "js" when distances run in a JavaScript SQL function. */
  readonly vectorEngine: "sqlite-vec" | "js";
  private readonly connection: SqliteConnection;
  private readonly distance: string;
  private readonly options: SqliteStoreOptions;
  private dims: number | undefined;
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
    ownChanges: () => takeOwnChanges(this.connection.db),
  };

  private constructor(connection: SqliteConnection, options: SqliteStoreOptions) {
    this.connection = connection;
    this.options = options;
    this.file = options.path;
    this.collection = options.collection_name ?? "mem0";
    this.dims = options.embedding_model_dims;
    this.vectorEngine = connection.vectorEngine;
    this.distance = connection.vectorEngine === "sqlite-vec" ? "vec_distance_cosine" : "mem0_cosine_distance";
    this.history = new SqliteHistory(this, options.history_path ? "hist" : "main");
  }

  /** Opens (creating if needed) the file. Throws SqliteStoreError for a file it must not touch. */
  static open(options: SqliteStoreOptions): SqliteVectorStore {
    const connection = SqliteConnection.open(options);
    try {
      const store = new SqliteVectorStore(connection, options);
      store.transaction(() => store.collectionDims(undefined));
      return store;
    } catch (err) {
      connection.close();
      throw translateError(err, options.path);
    }
  }

  /** Runs `fn`, turning driver errors into typed ones; remembers corruption (see `writing`). */
  run<T>(fn: () => T): T {
    return this.connection.run(fn);
  }

  /** `run` for writes: refused once this store has seen the file damaged, until it is reopened repaired. */
  writing<T>(fn: () => T): T {
    return this.connection.writing(fn);
  }

  /** An IMMEDIATE transaction: takes the write lock up front, so the busy timeout applies to it. */
  transaction<T>(fn: () => T): T {
    return this.connection.transaction(fn);
  }

  /** A prepared statement, cached by SQL text (store-qdrant's migration reads the file through it). */
  statement(sql: string): Database.Statement {
    return this.connection.statement(sql);
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
    return this.connection.checkpointingInBackground;
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
          `collection ${JSON.stringify(this.collection)} holds ${row.dims}-dimensional vectors ` +
            `but embedding_model_dims is ${this.dims}; use another collection_name or file`,
        );
      }
      this.dims = row.dims;
      return this.dims;
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

  async insert(records: readonly NewRecord[], options?: WriteOptions): Promise<void> {
    if (records.length === 0 && !options?.history?.length) return;
    this.writing(() =>
      this.transaction(() => {
        this.insertRows(records, this.collectionDims(records[0]?.vector.length));
        if (options?.history) this.history.insert(options.history);
      }),
    );
    this.connection.wroteVectorBytes(records.length * (this.dims ?? 0) * 4);
  }

  /** Inserts inside the caller's transaction. */
  private insertRows(records: readonly NewRecord[], dims: number | undefined): void {
    // Everything is checked before the first row is written; any throw rolls the whole batch back.
    const rows = records.map((record) => {
      const id = checkedId(record.id);
      return {
        id,
        vector: checkedVector(record.vector, id, dims),
        metadata: checkedPayload(record.payload, id),
        payload: record.payload,
      };
    });
    const insert = this.statement(
      `INSERT INTO mem0_memories
         (collection, id, user_id, agent_id, run_id, memory, hash, created_at, updated_at, metadata, vector)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const row of rows) {
      try {
        insert.run(
          this.collection,
          row.id,
          row.payload.user_id ?? null,
          row.payload.agent_id ?? null,
          row.payload.run_id ?? null,
          row.payload.memory,
          row.payload.hash,
          row.payload.created_at,
          row.payload.updated_at,
          row.metadata,
          row.vector,
        );
      } catch (err) {
        // The unique index finds duplicates (earlier rows, or twice in this batch) at no extra cost.
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE")
          throw new Mem0Error("DUPLICATE_ID", `sqlite store: id ${row.id} already exists`);
        throw err;
      }
    }
  }

  async search(query: { vector: Vector; limit: number; filter: FilterNode | null }): Promise<ScoredMemory[]> {
    if (!(query.limit >= 1)) return [];
    const problem = vectorProblem(query.vector, this.dims);
    if (problem) throw new Mem0Error("INVALID_VECTOR", `sqlite store: query: ${problem}`);
    const unitQuery = normalizeVector(query.vector);
    const where = filterToSql(query.filter);
    if (this.scopeCache === undefined && this.dims !== undefined) {
      this.scopeCache = ScopeCache.create(this.dims, (this.options.search_cache_mb ?? 512) * 2 ** 20) ?? null;
    }
    const cache = this.scopeCache;
    return this.run(() => {
      this.connection.refreshMap();
      // One read snapshot: the cache's freshness token, the ranking and the payloads agree.
      return this.connection.db
        .transaction(() => {
          const cached = cache?.search(unitQuery, query.limit, splitScope(query.filter), this.scopeSource);
          if (cached) return this.cachedRows(cached);
          // Rank on rid and distance only, then read the winners' payloads: the sort never carries text.
          const ranked = this.statement(
            `SELECT rid FROM mem0_memories WHERE collection = @collection AND ${where.sql}
             ORDER BY COALESCE(${this.distance}(vector, @query), 1.0), id LIMIT @limit`,
          )
            .pluck()
            .all({
              ...where.params,
              collection: this.collection,
              query: asBlob(unitQuery),
              limit: query.limit,
            }) as number[];
          return this.rankedRows(unitQuery, ranked);
        })
        .deferred();
    });
  }

  /** The cache's hits (already scored with core's dot, in order) with the rows `exact` read for them. */
  private cachedRows(hits: CachedHit[]): ScoredMemory[] {
    return hits.map((hit) => ({ ...toStored(hit.row as Row), score: hit.score }));
  }

  /** The ranked rows' memories, scored with core's dot on the stored vectors. */
  private rankedRows(unitQuery: Float32Array, ranked: number[]): ScoredMemory[] {
    if (ranked.length === 0) return [];
    const rows = this.statement(
      `SELECT rid, ${COLUMNS}, vector FROM mem0_memories WHERE rid IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ranked)) as (Row & {
      rid: number;
      vector: Buffer;
    })[];
    // Scores come from core's dot on the stored float32 vector, so they equal the reference store's bit for bit.
    return rows
      .map((row) => ({ ...toStored(row), score: dot(unitQuery, asFloats(row.vector)) }))
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
      this.connection.refreshMap();
      return this.statement(
        `SELECT ${COLUMNS} FROM mem0_memories WHERE collection = @collection AND ${where.sql}
         ORDER BY created_at, id LIMIT @limit`,
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
    if (record.vector) this.connection.wroteVectorBytes(record.vector.length * 4);
  }

  /** Updates inside the caller's transaction; false when the id is missing. */
  private updateRow(id: string, vector: Vector | undefined, payload: MemoryPayload, dims: number | undefined): boolean {
    const blob = vector ? checkedVector(vector, id, dims) : null;
    const metadata = checkedPayload(payload, id);
    const changed = this.statement(
      `UPDATE mem0_memories SET user_id = ?, agent_id = ?, run_id = ?, memory = ?, hash = ?, created_at = ?,
         updated_at = ?, metadata = ?, vector = COALESCE(?, vector)
       WHERE collection = ? AND id = ?`,
    ).run(
      payload.user_id ?? null,
      payload.agent_id ?? null,
      payload.run_id ?? null,
      payload.memory,
      payload.hash,
      payload.created_at,
      payload.updated_at,
      metadata,
      blob,
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
        const first = changes.find((change) => change.op !== "delete" && change.vector !== undefined) as
          | { vector: Vector }
          | undefined;
        const dims = this.collectionDims(first?.vector.length);
        const read = this.statement(`SELECT ${COLUMNS} FROM mem0_memories WHERE collection = ? AND id = ?`);
        const skipped: string[] = [];
        for (let index = 0; index < changes.length; index++) {
          const change = changes[index]!;
          if (change.op === "delete") {
            // A run of deletes (deleteAll's whole batch) is one statement, far cheaper than one each.
            let end = index;
            while (end < changes.length && changes[end]!.op === "delete") end++;
            skipped.push(...this.deleteRun(changes.slice(index, end) as DeleteChange[], options.missing === "skip"));
            index = end - 1;
            continue;
          }
          if (change.op === "insert") {
            this.insertRows([change], dims);
            if (change.history) this.history.insert(change.history);
            vectorBytes += change.vector.length * 4;
            continue;
          }
          const row = read.get(this.collection, change.id) as Row | undefined;
          if (!row) {
            if (options.missing !== "skip") throw new NotFoundError(change.id);
            skipped.push(change.id);
            continue;
          }
          const next = change.next(toStored(row));
          this.updateRow(change.id, change.vector, next.payload, dims);
          if (next.history) this.history.insert(next.history);
          vectorBytes += (change.vector?.length ?? 0) * 4;
        }
        return { skipped };
      }),
    );
    this.connection.wroteVectorBytes(vectorBytes);
    return result;
  }

  /**
   * Deletes the rows of a run of delete changes inside the caller's transaction, reading each row
   * as it goes (RETURNING) for its history events. Returns the ids that were missing; throws
   * NotFoundError for the first of them unless `skip`.
   */
  private deleteRun(run: readonly DeleteChange[], skip: boolean): string[] {
    const take = this.statement(
      `DELETE FROM mem0_memories WHERE collection = ? AND id IN (SELECT value FROM json_each(?))
       RETURNING ${COLUMNS}`,
    );
    const ids = JSON.stringify(run.map((change) => change.id));
    const rows = new Map((take.all(this.collection, ids) as Row[]).map((row) => [row.id, row]));
    const missing: string[] = [];
    for (const change of run) {
      const row = rows.get(change.id);
      if (!row) {
        if (!skip) throw new NotFoundError(change.id);
        missing.push(change.id);
      } else {
        rows.delete(change.id); // the same id twice in a run: the second finds it gone
        if (change.history) this.history.insert(change.history(toStored(row)));
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
        this.connection.db
          .prepare(
            `EXPLAIN QUERY PLAN SELECT rid FROM mem0_memories WHERE collection = @collection AND ${where.sql}
             ORDER BY COALESCE(${this.distance}(vector, @query), 1.0), id LIMIT 10`,
          )
          .all({ ...where.params, collection: this.collection, query: Buffer.alloc(4) }) as { detail: string }[],
    );
    return rows.map((row) => row.detail);
  }

  /**
   * Copies everything committed so far from the WAL into the database file and empties the WAL
   * (SQLite's TRUNCATE checkpoint), e.g. before copying the file as a backup. Waits for readers.
   */
  async checkpoint(): Promise<void> {
    await this.connection.checkpoint();
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
    this.connection.close();
  }
}
