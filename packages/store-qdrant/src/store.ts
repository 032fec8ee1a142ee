/**
 * `QdrantVectorStore`: core's VectorStore contract on a Qdrant collection.
 *
 * - First use creates the collection (Cosine) or checks an existing one's dimensions and distance,
 *   then creates the payload indexes (tenant index on `user_id`).
 * - Filters are translated by `translateFilter`; when a clause can only be checked client-side the
 *   store pages through a native superset and re-checks every row with core's `evaluateFilter`.
 * - History is kept on each memory's own point (see payload.ts), so a write and its history event
 *   are one point operation. Updates and deletes are compare-and-set on a revision number
 *   (`update_filter` / filtered payload overwrite), so concurrent writers cannot lose each other's
 *   history events or resurrect a deleted memory.
 */
import { randomUUID } from "node:crypto";
import {
  compareCreated,
  evaluateFilter,
  Mem0Error,
  NotFoundError,
  payloadField,
  ProviderError,
  SCOPE_KEYS,
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
import {
  statusError,
  timeoutError,
  toProviderError,
  withRetries,
  type RetryPolicy,
  type SecretLike,
} from "@mem0/provider-utils";
import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";
import type { IndexType } from "./config.js";
import { Mem0HistoryFile, mergeHistories } from "./history-db.js";
import { translateFilter, type QdrantCondition, type QdrantFilter } from "./filter.js";
import { DELETED_KEY, HISTORY_KEY, RESERVED_KEY, REV_KEY, dateKey, fieldKey } from "./paths.js";
import {
  checkPayload,
  decodePoint,
  dialectOf,
  encodePayload,
  encodeTombstone,
  historyPointId,
  LEGACY_PAYLOAD_VERSION,
  LEMMATIZED_KEYS,
  metaOf,
  pointId,
  recordIdOf,
  type Mem0Meta,
  type PayloadDialect,
} from "./payload.js";

const PROVIDER = "qdrant";
/** Points per scroll page and the most a single query asks for. */
const PAGE = 256;
const MAX_QUERY = 1024;
/** Compare-and-set attempts before a write gives up on a hot memory. */
const CAS_ATTEMPTS = 8;

export interface QdrantStoreOptions {
  client: QdrantClient;
  collectionName: string;
  /** Vector size; when omitted, an existing collection's is used and a new one cannot be created. */
  dims?: number;
  onDisk?: boolean;
  onDiskPayload?: boolean;
  indexedFields?: Record<string, IndexType>;
  shardNumber?: number;
  replicationFactor?: number;
  writeConsistencyFactor?: number;
  writeOrdering?: "weak" | "medium" | "strong";
  exactSearch?: boolean;
  /** Per-request timeout the client enforces, reported in timeout errors. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Redacted from every error message. */
  secrets?: readonly SecretLike[];
  /**
   * Timestamp keys of new points: Mem0 Python's (`created_at`) or mem0ai's (`createdAt`). Default:
   * mem0ai's when the collection already holds a point with `createdAt`, else Python's.
   */
  payloadDialect?: PayloadDialect;
  /** The dense vector's name in a collection with several named vectors. */
  vectorName?: string;
  /** Mem0 Python's history.db (`history_db_path`): every event is also appended there, and read back. */
  historyFile?: string;
}

/**
 * How a collection holds its vectors. `dense` is the name of the one we write and query (undefined:
 * the collection's single unnamed vector); `others` says whether points carry vectors we do not
 * manage (mem0ai's `bm25` sparse slot, other named vectors), which a write must leave as they are.
 */
export interface VectorLayout {
  dense: string | undefined;
  others: boolean;
  sparse: string[];
}

type Point = { id: string | number; payload?: Record<string, unknown> | null; vector?: unknown; score?: number };

function isApiError(err: unknown): err is { status: number; data?: unknown; headers?: Headers } {
  const e = err as { status?: unknown; headers?: unknown };
  return typeof e?.status === "number" && e.headers !== undefined && "data" in (err as object);
}

/** The server's own words from a Qdrant error body (`{ status: { error } }`). */
function serverText(data: unknown): unknown {
  const error = (data as { status?: { error?: unknown } } | undefined)?.status?.error;
  return typeof error === "string" ? error : data;
}

const sortByScore = (a: ScoredMemory, b: ScoredMemory) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class QdrantVectorStore implements VectorStore {
  readonly provider = PROVIDER;
  readonly history: HistoryStore;
  readonly collectionName: string;
  // The client and the options hold the API key: #private, so logging the store never prints it.
  readonly #options: QdrantStoreOptions;
  private get options(): QdrantStoreOptions {
    return this.#options;
  }
  private get client(): QdrantClient {
    return this.#options.client;
  }
  private dims: number | undefined;
  private textIndexed = new Set<string>();
  private layoutInfo: VectorLayout = { dense: undefined, others: false, sparse: [] };
  private dialect: PayloadDialect | undefined;
  private initializing: Promise<void> | undefined;
  private historyFile: Promise<Mem0HistoryFile> | undefined;

  constructor(options: QdrantStoreOptions) {
    this.#options = options;
    this.collectionName = options.collectionName;
    this.dims = options.dims;
    this.history = new QdrantHistory(this);
  }

  /** The vector size in use (known after first use when it came from the collection). */
  get dimensions(): number | undefined {
    return this.dims;
  }

  /** The collection's vector layout (known after first use). */
  get layout(): VectorLayout {
    return { ...this.layoutInfo, sparse: [...this.layoutInfo.sparse] };
  }

  /**
   * The timestamp keys new points get: the configured dialect, else that of a point already in the
   * collection (Mem0 Python and mem0ai both create the same layout, so only their payloads tell them
   * apart), else Python's. Asked once, on the first insert.
   */
  private async newPointDialect(): Promise<PayloadDialect> {
    if (this.dialect === undefined) {
      const page = await this.call(() =>
        this.client.scroll(this.collectionName, {
          limit: 1,
          with_payload: ["created_at", "createdAt"],
          with_vector: false,
          filter: { must_not: [{ is_empty: { key: "createdAt" } }] },
        }),
      );
      this.dialect = page.points.length > 0 ? "mem0ai" : "python";
    }
    return this.dialect;
  }

  // ---------------------------------------------------------------- plumbing

  /** One Qdrant call with retries (429, 5xx, timeouts, resets) and errors as core's ProviderError. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetries(
      PROVIDER,
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw this.providerError(err);
        }
      },
      { policy: { ...this.options.retry, timeoutMs: undefined }, secrets: this.options.secrets },
    );
  }

  private providerError(err: unknown): ProviderError {
    if (err instanceof ProviderError) return err;
    const name = (err as { name?: string })?.name;
    // The client aborts its own fetch on timeout; no caller signal is ever passed, so an abort is that.
    if (name === "QdrantClientTimeoutError" || name === "AbortError")
      return timeoutError(PROVIDER, this.options.timeoutMs ?? 0);
    if (name === "QdrantClientResourceExhaustedError") {
      const retryAfter = (err as { retry_after?: number }).retry_after;
      return statusError(PROVIDER, 429, {
        body: "rate limited",
        headers: retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) },
        secrets: this.options.secrets,
      });
    }
    if (isApiError(err))
      return statusError(PROVIDER, err.status, {
        body: serverText(err.data),
        headers: err.headers,
        secrets: this.options.secrets,
      });
    return toProviderError(PROVIDER, err, { secrets: this.options.secrets });
  }

  private get writeArgs() {
    return { wait: true, ...(this.options.writeOrdering ? { ordering: this.options.writeOrdering } : {}) };
  }

  /** Creates or checks the collection and its indexes, once; a failure is retried on the next call. */
  ready(): Promise<void> {
    this.initializing ??= this.init().catch((err) => {
      this.initializing = undefined;
      throw err;
    });
    return this.initializing;
  }

  private async init(): Promise<void> {
    const name = this.collectionName;
    const { exists } = await this.call(() => this.client.collectionExists(name));
    if (!exists) {
      if (this.dims === undefined) {
        throw new Mem0Error(
          "CONFIG_INVALID",
          `qdrant: collection "${name}" does not exist and its vector size is unknown; set vector_store.config.embedding_model_dims or configure an embedder`,
        );
      }
      try {
        await this.call(() =>
          this.client.createCollection(name, {
            vectors: {
              size: this.dims!,
              distance: "Cosine",
              ...(this.options.onDisk !== undefined ? { on_disk: this.options.onDisk } : {}),
            },
            ...(this.options.onDiskPayload !== undefined ? { on_disk_payload: this.options.onDiskPayload } : {}),
            ...(this.options.shardNumber !== undefined ? { shard_number: this.options.shardNumber } : {}),
            ...(this.options.replicationFactor !== undefined
              ? { replication_factor: this.options.replicationFactor }
              : {}),
            ...(this.options.writeConsistencyFactor !== undefined
              ? { write_consistency_factor: this.options.writeConsistencyFactor }
              : {}),
          }),
        );
      } catch (err) {
        // Another process may have created it between the check and the create; the checks below decide.
        if (
          !(
            err instanceof ProviderError &&
            (err.status === 409 || (err.status === 400 && /already exists/i.test(err.message)))
          )
        )
          throw err;
      }
    }
    const info = await this.call(() => this.client.getCollection(name));
    const params = this.detectLayout(name, info.config?.params);
    if (this.dims !== undefined && params.size !== this.dims) {
      throw new Mem0Error(
        "QDRANT_COLLECTION_MISMATCH",
        `qdrant: collection "${name}" holds ${params.size}-dimensional vectors but the embedder makes ${this.dims}-dimensional ones; use another collection_name or re-create the collection`,
      );
    }
    if (params.distance !== "Cosine") {
      throw new Mem0Error(
        "QDRANT_COLLECTION_MISMATCH",
        `qdrant: collection "${name}" uses ${params.distance} distance; mem0 scores are cosine similarities, so it needs a Cosine collection`,
      );
    }
    this.dims = params.size;
    const schema = (info.payload_schema ?? {}) as Record<string, Schemas["PayloadIndexInfo"]>;
    for (const [key, index] of Object.entries(schema)) {
      if (index.data_type === "text") this.textIndexed.add(unquote(key));
    }
    for (const [field_name, field_schema] of this.wantedIndexes()) {
      const have = schema[field_name];
      if (have && have.data_type === (typeof field_schema === "string" ? field_schema : field_schema.type)) continue;
      await this.call(() => this.client.createPayloadIndex(name, { ...this.writeArgs, field_name, field_schema }));
      if ((typeof field_schema === "string" ? field_schema : field_schema.type) === "text")
        this.textIndexed.add(unquote(field_name));
    }
  }

  /**
   * Reads the vector layout from the collection info: one unnamed vector (Mem0 Python, this
   * project), an unnamed vector beside mem0ai's `bm25` sparse slot, or named vectors (the one
   * `vector_name` names, or the only dense one).
   */
  private detectLayout(name: string, params: Schemas["CollectionParams"] | undefined): Schemas["VectorParams"] {
    const vectors = params?.vectors as Schemas["VectorParams"] | Record<string, Schemas["VectorParams"]> | undefined;
    const sparse = Object.keys((params?.sparse_vectors ?? {}) as Record<string, unknown>);
    let dense: string | undefined;
    let chosen: Schemas["VectorParams"] | undefined;
    let named: string[] = [];
    if (vectors && typeof (vectors as Schemas["VectorParams"]).size === "number") {
      chosen = vectors as Schemas["VectorParams"];
      if (this.options.vectorName !== undefined && this.options.vectorName !== "") {
        throw new Mem0Error(
          "QDRANT_COLLECTION_MISMATCH",
          `qdrant: collection "${name}" has one unnamed vector, not "${this.options.vectorName}"; drop vector_name`,
        );
      }
    } else {
      const byName = (vectors ?? {}) as Record<string, Schemas["VectorParams"]>;
      named = Object.keys(byName);
      const wanted = this.options.vectorName ?? (named.length === 1 ? named[0] : undefined);
      if (wanted === undefined || !byName[wanted]) {
        const what =
          named.length === 0 ? "no dense vector" : `named vectors ${named.map((n) => JSON.stringify(n)).join(", ")}`;
        throw new Mem0Error(
          "QDRANT_COLLECTION_MISMATCH",
          `qdrant: collection "${name}" has ${what}; set vector_store.config.vector_name to the dense vector mem0 should use`,
        );
      }
      dense = wanted;
      chosen = byName[wanted];
    }
    this.layoutInfo = { dense, others: sparse.length > 0 || named.length > 1, sparse };
    this.dialect = this.options.payloadDialect;
    return chosen!;
  }

  /** A point's vector as the layout wants it: the bare array, or keyed by the dense vector's name. */
  private pointVector(vector: number[]): Schemas["VectorStruct"] {
    return this.layoutInfo.dense === undefined ? vector : { [this.layoutInfo.dense]: vector };
  }

  private wantedIndexes(): [string, Schemas["PayloadFieldSchema"]][] {
    const out: [string, Schemas["PayloadFieldSchema"]][] = [
      // Every query carries a user_id condition in its top-level must; the tenant index keeps each
      // user's points together on disk and lets the planner start from them.
      ["user_id", { type: "keyword", is_tenant: true }],
      ["agent_id", "keyword"],
      ["run_id", "keyword"],
      [DELETED_KEY, "bool"],
    ];
    for (const [field, type] of Object.entries(this.options.indexedFields ?? {})) {
      const key = type === "datetime" ? dateKey(field) : fieldKey(field);
      if (key === undefined)
        throw new Mem0Error(
          "CONFIG_INVALID",
          `qdrant: indexed_fields.${field}: this field name cannot be written as a Qdrant key (it holds " or \\)`,
        );
      out.push([key, type === "integer" || type === "datetime" ? "float" : type]);
    }
    return out;
  }

  private checkVector(v: Vector, id: string): number[] {
    const problem = vectorProblem(v, this.dims);
    if (problem) throw new Mem0Error("INVALID_VECTOR", `qdrant store: ${id}: ${problem}`);
    return Array.from(v);
  }

  private async retrieve(
    ids: string[],
    withPayload: Schemas["WithPayloadInterface"],
    withVector = false,
  ): Promise<Map<string, Point>> {
    const out = new Map<string, Point>();
    for (let i = 0; i < ids.length; i += PAGE) {
      const slice = ids.slice(i, i + PAGE);
      const points = await this.call(() =>
        this.client.retrieve(this.collectionName, { ids: slice, with_payload: withPayload, with_vector: withVector }),
      );
      for (const p of points) out.set(String(p.id), p as Point);
    }
    return out;
  }

  private liveFilter(filter: QdrantFilter | null): QdrantFilter {
    const notDeleted: QdrantCondition = { key: DELETED_KEY, match: { value: true } };
    if (filter === null) return { must_not: [notDeleted] };
    return { ...filter, must_not: [...asArray(filter.must_not), notDeleted] };
  }

  /** The native filter for a node, and whether its rows need re-checking client-side. */
  plan(node: FilterNode | null) {
    const t = translateFilter(node, { textIndexed: this.textIndexed });
    return { ...t, native: t.filter === "none" ? ("none" as const) : this.liveFilter(t.filter) };
  }

  // ---------------------------------------------------------------- reads

  async search(query: { vector: Vector; limit: number; filter: FilterNode | null }): Promise<ScoredMemory[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1)
      throw new Mem0Error(
        "INVALID_ARGUMENT",
        `qdrant store: search limit must be a positive integer, got ${query.limit}`,
      );
    await this.ready();
    const vector = this.checkVector(query.vector, "query vector");
    const plan = this.plan(query.filter);
    if (plan.native === "none") return [];
    const filter = plan.native;
    const limit = query.limit;
    const found: ScoredMemory[] = [];
    let offset = 0;
    // A superset needs room for the rows the re-check drops; an exact filter needs one extra row
    // to see whether the last place is tied (ties are broken by id, as in every store).
    let batch = Math.min(MAX_QUERY, plan.exact ? limit + 1 : Math.max(4 * limit, 64));
    for (;;) {
      const res = await this.call(() =>
        this.client.query(this.collectionName, {
          query: vector,
          ...(this.layoutInfo.dense !== undefined ? { using: this.layoutInfo.dense } : {}),
          filter,
          limit: batch,
          offset,
          with_payload: { exclude: [HISTORY_KEY] },
          ...(this.options.exactSearch ? { params: { exact: true } } : {}),
        }),
      );
      const points = res.points as Point[];
      for (const p of points) {
        const rec = decodePoint(p);
        if (!rec) continue;
        if (!plan.exact && !evaluateFilter(query.filter, payloadField(rec.payload))) continue;
        found.push({ id: rec.id, score: p.score ?? 0, payload: rec.payload });
      }
      if (points.length < batch) break;
      if (found.length > limit) {
        found.sort(sortByScore);
        // Unseen points score at most the last one returned; strictly lower cannot reach the cut.
        const lastSeen = points[points.length - 1]!.score ?? -Infinity;
        if (lastSeen < found[limit - 1]!.score) break;
      }
      offset += batch;
      batch = Math.min(MAX_QUERY, batch * 2);
    }
    return found.sort(sortByScore).slice(0, limit);
  }

  async get(id: string): Promise<StoredMemory | null> {
    if (typeof id !== "string" || id.length === 0) return null;
    await this.ready();
    const points = await this.retrieve([pointId(id)], { exclude: [HISTORY_KEY] });
    const p = points.get(pointId(id));
    const rec = p ? decodePoint(p) : null;
    return rec && rec.id === id ? rec : null;
  }

  /** Every live point matching the native filter, page by page. */
  private async *scrollAll(filter: QdrantFilter, withPayload: Schemas["WithPayloadInterface"]): AsyncGenerator<Point> {
    let offset: Schemas["ExtendedPointId"] | undefined;
    for (;;) {
      const page = await this.call(() =>
        this.client.scroll(this.collectionName, {
          filter,
          limit: PAGE,
          with_payload: withPayload,
          with_vector: false,
          ...(offset !== undefined ? { offset } : {}),
        }),
      );
      for (const p of page.points) yield p as Point;
      const next = page.next_page_offset;
      if (next === undefined || next === null) return;
      offset = next as Schemas["ExtendedPointId"];
    }
  }

  /**
   * Oldest first (created_at, then id), as every store. Qdrant can only order by an indexed number
   * or datetime, not by our string order, so all matching rows are read and sorted here: the cost is
   * the number of matching memories (for getAll, one scope's).
   */
  async list(query: { filter: FilterNode | null; limit: number }): Promise<StoredMemory[]> {
    if (!(query.limit >= 1))
      throw new Mem0Error("INVALID_ARGUMENT", `qdrant store: list limit must be ≥ 1, got ${query.limit}`);
    await this.ready();
    const plan = this.plan(query.filter);
    if (plan.native === "none") return [];
    const out: StoredMemory[] = [];
    for await (const p of this.scrollAll(plan.native, { exclude: [HISTORY_KEY] })) {
      const rec = decodePoint(p);
      if (!rec) continue;
      if (!plan.exact && !evaluateFilter(query.filter, payloadField(rec.payload))) continue;
      out.push(rec);
    }
    return out.sort(compareCreated).slice(0, query.limit);
  }

  /** How many live memories match (Qdrant's exact count when the filter is native). */
  async count(filter: FilterNode | null = null): Promise<number> {
    await this.ready();
    const plan = this.plan(filter);
    if (plan.native === "none") return 0;
    if (plan.exact)
      return (
        await this.call(() =>
          this.client.count(this.collectionName, { filter: plan.native as QdrantFilter, exact: true }),
        )
      ).count;
    return (await this.list({ filter, limit: Number.MAX_SAFE_INTEGER })).length;
  }

  // ---------------------------------------------------------------- writes

  private eventsFor(options: WriteOptions | undefined, ids: ReadonlySet<string>): Map<string, HistoryEvent[]> {
    const by = new Map<string, HistoryEvent[]>();
    for (const e of options?.history ?? []) {
      if (!ids.has(e.memory_id))
        throw new Mem0Error(
          "INVALID_ARGUMENT",
          `qdrant store: history event ${e.id} is for memory ${e.memory_id}, which this write does not touch`,
        );
      by.set(e.memory_id, [...(by.get(e.memory_id) ?? []), { ...e }]);
    }
    return by;
  }

  /** Reads back `_mem0.w` to learn whether our write (identified by its nonce) is the one stored. */
  private async written(pids: string[], nonce: string): Promise<Set<string>> {
    const points = await this.retrieve(pids, [`${RESERVED_KEY}.w`]);
    return new Set([...points.values()].filter((p) => metaOf(p.payload).w === nonce).map((p) => String(p.id)));
  }

  async insert(
    records: readonly { id: string; vector: Vector; payload: MemoryPayload }[],
    options?: WriteOptions,
  ): Promise<void> {
    if (records.length === 0) return;
    // Everything that can be checked without the server is checked before the first request.
    const seen = new Map<string, string>();
    for (const r of records) {
      checkPayload(r.id, r.payload);
      const pid = pointId(r.id);
      if (seen.has(pid)) throw new Mem0Error("DUPLICATE_ID", `qdrant store: id ${r.id} appears twice in one insert`);
      seen.set(pid, r.id);
      this.checkVector(r.vector, r.id);
    }
    const events = this.eventsFor(options, new Set(records.map((r) => r.id)));
    await this.ready();
    const rows = records.map((r) => ({ ...r, pid: pointId(r.id), vector: this.checkVector(r.vector, r.id) }));
    const existing = await this.retrieve(
      rows.map((r) => r.pid),
      [RESERVED_KEY],
    );
    for (const r of rows) {
      const p = existing.get(r.pid);
      if (p && !metaOf(p.payload).deleted)
        throw new Mem0Error("DUPLICATE_ID", `qdrant store: id ${r.id} already exists`);
      if (p && recordIdOf(p) !== r.id)
        throw new Mem0Error("DUPLICATE_ID", `qdrant store: id ${r.id} maps to the point of id ${recordIdOf(p)}`);
    }
    const nonce = randomUUID();
    const dialect = await this.newPointDialect();
    const fresh = rows.filter((r) => !existing.has(r.pid));
    if (fresh.length > 0) {
      const points = fresh.map((r) => ({
        id: r.pid,
        vector: this.pointVector(r.vector),
        payload: encodePayload(r.id, r.payload, { history: events.get(r.id) ?? [], rev: 1, w: nonce }, dialect),
      }));
      // insert_only: a point another writer created meanwhile is never overwritten.
      await this.call(() =>
        this.client.upsert(this.collectionName, { ...this.writeArgs, points, update_mode: "insert_only" }),
      );
    }
    // Re-inserting a deleted id revives its tombstone, keeping the earlier history.
    for (const r of rows.filter((x) => existing.has(x.pid))) {
      await this.casWrite(
        r.id,
        r.pid,
        (cur) => ({
          payload: encodePayload(
            r.id,
            r.payload,
            { history: [...(cur.history ?? []), ...(events.get(r.id) ?? [])], rev: (cur.rev ?? 0) + 1, w: "" },
            dialect,
          ),
          vector: r.vector,
        }),
        { allowTombstone: true, events: events.get(r.id) },
      );
    }
    if (fresh.length > 0) {
      const ok = await this.written(
        fresh.map((r) => r.pid),
        nonce,
      );
      const lost = fresh.filter((r) => !ok.has(r.pid));
      if (lost.length > 0)
        throw new Mem0Error(
          "DUPLICATE_ID",
          `qdrant store: ${lost.map((r) => r.id).join(", ")} was inserted concurrently by another writer`,
        );
    }
    await this.mirrorHistory([...events.values()].flat());
  }

  /**
   * Read-modify-write of one point, guarded by its revision: the write only applies if nobody wrote
   * the point since we read it; otherwise it is retried on fresh data.
   */
  private async casWrite(
    id: string,
    pid: string,
    next: (
      cur: Partial<Mem0Meta>,
      payload: Record<string, unknown>,
      point: Point,
    ) => { payload: Record<string, unknown>; vector?: number[]; events?: readonly HistoryEvent[] },
    options: { allowTombstone?: boolean; events?: readonly HistoryEvent[] } = {},
  ): Promise<readonly HistoryEvent[]> {
    // The events of the last attempt: `next` may compute them from the point (with stable ids).
    let events = options.events ?? [];
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const cur = (await this.retrieve([pid], true)).get(pid);
      const meta = metaOf(cur?.payload);
      // Our write may have landed and been overwritten before we could read it back; its events
      // in the history say so, and writing again would record them twice.
      if (
        attempt > 0 &&
        events.length > 0 &&
        cur &&
        events.every((e) => (meta.history ?? []).some((h) => h.id === e.id))
      )
        return events;
      if (!cur || recordIdOf(cur) !== id || (meta.deleted && !options.allowTombstone)) throw new NotFoundError(id);
      const nonce = randomUUID();
      const change = next(meta, cur.payload ?? {}, cur);
      if (change.events) events = change.events;
      (change.payload[RESERVED_KEY] as Mem0Meta).w = nonce;
      const revIs: QdrantCondition =
        meta.rev === undefined ? { is_empty: { key: REV_KEY } } : { key: REV_KEY, match: { value: meta.rev } };
      if (change.vector && !this.layoutInfo.others) {
        const vector = this.pointVector(change.vector);
        await this.call(() =>
          this.client.upsert(this.collectionName, {
            ...this.writeArgs,
            points: [{ id: pid, vector, payload: change.payload }],
            update_filter: { must: [revIs] },
            update_mode: "update_only",
          }),
        );
      } else {
        // Without a new vector, or when the point carries vectors we do not manage (mem0ai's bm25
        // slot), the point keeps its vectors: overwrite the payload of this point only if its
        // revision is still the one we read; a new dense vector follows, only onto our own write.
        await this.call(() =>
          this.client.overwritePayload(this.collectionName, {
            ...this.writeArgs,
            payload: change.payload,
            filter: { must: [{ has_id: [pid] }, revIs] },
          }),
        );
        if (change.vector) {
          const vector = this.pointVector(change.vector);
          const ours: QdrantCondition = { key: `${RESERVED_KEY}.w`, match: { value: nonce } };
          await this.call(() =>
            this.client.updateVectors(this.collectionName, {
              ...this.writeArgs,
              points: [{ id: pid, vector }],
              update_filter: { must: [ours] },
            }),
          );
        }
      }
      if ((await this.written([pid], nonce)).has(pid)) return events;
    }
    throw new Mem0Error(
      "CONCURRENT_MODIFICATION",
      `qdrant store: memory ${id} kept changing under ${CAS_ATTEMPTS} attempts to write it`,
    );
  }

  async update(id: string, record: { vector?: Vector; payload: MemoryPayload }, options?: WriteOptions): Promise<void> {
    checkPayload(id, record.payload);
    const events = this.eventsFor(options, new Set([id])).get(id) ?? [];
    if (record.vector !== undefined) this.checkVector(record.vector, id);
    await this.ready();
    await this.writeChange({
      op: "update",
      id,
      vector: record.vector,
      next: () => ({ payload: record.payload, history: events }),
    });
  }

  async delete(id: string, options?: WriteOptions): Promise<void> {
    const events = this.eventsFor(options, new Set([id])).get(id) ?? [];
    await this.ready();
    await this.writeChange({ op: "delete", id, history: () => events });
  }

  /** A valid vector for points no query returns (tombstones). */
  private placeholderVector(): Schemas["VectorStruct"] {
    return this.pointVector(Array.from({ length: this.dims! }, (_, i) => (i === 0 ? 1 : 0)));
  }

  /**
   * The delete above is one atomic write (tombstone + history at the memory's point); this second
   * step moves the tombstone to its history point (merged with an earlier one: deleted, re-added,
   * deleted again) and removes the memory's point, only if nobody wrote it since. Interrupted, the
   * tombstone simply stays where it was, which every read here handles.
   */
  private async moveTombstone(id: string): Promise<void> {
    const pid = pointId(id);
    const hid = historyPointId(id);
    const points = await this.retrieve([pid, hid], [RESERVED_KEY]);
    const tomb = points.get(pid);
    const meta = metaOf(tomb?.payload);
    if (!tomb || !meta.deleted || recordIdOf(tomb) !== id) return;
    const earlier =
      points.get(hid) && recordIdOf(points.get(hid)!) === id ? (metaOf(points.get(hid)!.payload).history ?? []) : [];
    const seen = new Set(earlier.map((e) => e.id));
    const history = [...earlier, ...(meta.history ?? []).filter((e) => !seen.has(e.id))];
    const payload = { [RESERVED_KEY]: { ...meta, history, id } };
    await this.call(() =>
      this.client.upsert(this.collectionName, {
        ...this.writeArgs,
        points: [{ id: hid, vector: this.placeholderVector(), payload }],
      }),
    );
    const unchanged: QdrantCondition = { key: `${RESERVED_KEY}.w`, match: { value: meta.w ?? "" } };
    await this.call(() =>
      this.client.delete(this.collectionName, {
        ...this.writeArgs,
        filter: { must: [{ has_id: [pid] }, unchanged, { key: DELETED_KEY, match: { value: true } }] },
      }),
    );
  }

  /** Mem0 Python's history file, opened once (undefined without `history_db_path`). */
  private mem0History(): Promise<Mem0HistoryFile> | undefined {
    const path = this.options.historyFile;
    if (path === undefined) return undefined;
    this.historyFile ??= Mem0HistoryFile.open(path).catch((err) => {
      this.historyFile = undefined;
      throw err;
    });
    return this.historyFile;
  }

  /** After the write (and its on-point history) succeeded: the same events into Mem0's file. */
  private async mirrorHistory(events: readonly HistoryEvent[]): Promise<void> {
    const file = this.mem0History();
    if (file && events.length > 0) (await file).add(events);
  }

  /**
   * Batch write. Qdrant has no multi-point transaction: inserts go first in one request, then each
   * update or delete is a compare-and-set on its point's revision, computed from the point as read
   * (so concurrent writers lose nothing). With `missing: "fail"` every target is checked before
   * anything is written; with "skip" a target gone by the time it is written is reported, never a
   * throw after part of the batch landed.
   */
  async apply(changes: readonly StoreChange[], options: ApplyOptions = {}): Promise<ApplyResult> {
    const inserts = changes.filter((c): c is Extract<StoreChange, { op: "insert" }> => c.op === "insert");
    const others = changes.filter((c): c is Exclude<StoreChange, { op: "insert" }> => c.op !== "insert");
    for (const c of others) if (c.op === "update" && c.vector !== undefined) this.checkVector(c.vector, c.id);
    await this.ready();
    if (options.missing !== "skip" && others.length > 0) {
      const found = await this.retrieve(
        others.map((c) => pointId(c.id)),
        [RESERVED_KEY],
      );
      const gone = others.find((c) => {
        const p = found.get(pointId(c.id));
        return !p || recordIdOf(p) !== c.id || metaOf(p.payload).deleted;
      });
      if (gone) throw new NotFoundError(gone.id);
    }
    if (inserts.length > 0) await this.insert(inserts, { history: inserts.flatMap((c) => c.history ?? []) });
    const skipped: string[] = [];
    for (const c of others) {
      try {
        await this.writeChange(c);
      } catch (err) {
        if (!(options.missing === "skip" && err instanceof NotFoundError && err.id === c.id)) throw err;
        skipped.push(c.id);
      }
    }
    return { skipped };
  }

  /**
   * One update or delete (of `update`, `delete` or `apply`), computed from the point as it is when
   * written; then a deleted memory's tombstone moves to its history point, and the events that
   * landed go to Mem0's history file.
   */
  private async writeChange(c: Exclude<StoreChange, { op: "insert" }>): Promise<void> {
    const vector = c.op === "update" && c.vector !== undefined ? this.checkVector(c.vector, c.id) : undefined;
    const fallbackDialect = c.op === "update" ? await this.newPointDialect() : "python";
    const eventsOf = (events: readonly HistoryEvent[] | undefined) =>
      this.eventsFor({ history: events }, new Set([c.id])).get(c.id) ?? [];
    const written = await this.casWrite(c.id, pointId(c.id), (meta, previous, point) => {
      const current = decodePoint(point)!;
      const nextMeta = (events: readonly HistoryEvent[]) => ({
        history: [...(meta.history ?? []), ...events],
        rev: (meta.rev ?? 0) + 1,
        w: "",
      });
      if (c.op === "delete") {
        const events = eventsOf(c.history?.(current));
        return { payload: encodeTombstone(c.id, previous, nextMeta(events)), events };
      }
      const next = c.next(current);
      checkPayload(c.id, next.payload);
      const events = eventsOf(next.history);
      let metadata = next.payload.metadata;
      // Mem0's lemmatized copy of the old text would feed its keyword search stale words; without
      // it Mem0 falls back to `data`.
      if (current.payload.memory !== next.payload.memory && LEMMATIZED_KEYS.some((k) => k in metadata)) {
        metadata = Object.fromEntries(
          Object.entries(metadata).filter(([k]) => !(LEMMATIZED_KEYS as readonly string[]).includes(k)),
        );
      }
      // The point keeps the timestamp keys its writer used (mem0ai's createdAt, Python's created_at).
      const dialect = "created_at" in previous || "createdAt" in previous ? dialectOf(previous) : fallbackDialect;
      return { payload: encodePayload(c.id, { ...next.payload, metadata }, nextMeta(events), dialect), vector, events };
    });
    if (c.op === "delete") await this.moveTombstone(c.id);
    await this.mirrorHistory(written);
  }

  /**
   * Hard-deletes every memory matching `filter` (e.g. a user's) in one delete-by-filter request,
   * with its history and tombstones: for erasure requests, not for Mem0's `deleteAll`, which keeps
   * DELETE events. Returns how many memories (not tombstones) went.
   */
  async deleteAll(filter: FilterNode | null): Promise<number> {
    await this.ready();
    const t = translateFilter(filter, { textIndexed: this.textIndexed });
    if (t.filter === "none") return 0;
    const live = await this.count(filter);
    if (t.exact) {
      // Tombstones keep their scope ids under `_mem0.scope`: the same filter, read there, finds them.
      const tomb = translateFilter(filter, { textIndexed: this.textIndexed, fieldKey: tombstoneKey });
      const isTomb: QdrantCondition = { key: DELETED_KEY, match: { value: true } };
      const tombs: QdrantFilter[] =
        tomb.filter === "none" || !tomb.exact ? [] : [{ must: [...asArray(tomb.filter?.must), isTomb] }];
      const selector: QdrantFilter = tombs.length === 0 ? (t.filter ?? {}) : { should: [t.filter ?? {}, ...tombs] };
      await this.call(() => this.client.delete(this.collectionName, { ...this.writeArgs, filter: selector }));
      return live;
    }
    const ids = (await this.list({ filter, limit: Number.MAX_SAFE_INTEGER })).map((r) => pointId(r.id));
    for (let i = 0; i < ids.length; i += PAGE) {
      const points = ids.slice(i, i + PAGE);
      await this.call(() => this.client.delete(this.collectionName, { ...this.writeArgs, points }));
    }
    return live;
  }

  /**
   * Writes memories and tombstones as another store had them, history included (migration).
   * Points that already exist are left alone, so an interrupted migration can simply be re-run.
   * Returns the ids that were skipped because they exist.
   */
  async importRecords(
    rows: readonly {
      id: string;
      vector?: Vector;
      payload: MemoryPayload | null;
      history: readonly HistoryEvent[];
      scope?: Partial<Record<"user_id" | "agent_id" | "run_id", string>>;
    }[],
  ): Promise<string[]> {
    if (rows.length === 0) return [];
    await this.ready();
    const nonce = randomUUID();
    const dialect = await this.newPointDialect();
    const points = rows.map((r) => {
      const history = r.history.map((e) => ({ ...e }));
      if (r.payload === null) {
        // A deleted memory: its history on a tombstone at its history point (see moveTombstone).
        const payload = encodeTombstone(r.id, r.scope ?? {}, { history, rev: 1, w: nonce });
        (payload[RESERVED_KEY] as Mem0Meta).id = r.id;
        return { id: historyPointId(r.id), vector: this.placeholderVector(), payload };
      }
      checkPayload(r.id, r.payload);
      if (r.vector === undefined)
        throw new Mem0Error("INVALID_VECTOR", `qdrant store: ${r.id}: a live memory needs its vector`);
      return {
        id: pointId(r.id),
        vector: this.pointVector(this.checkVector(r.vector, r.id)),
        payload: encodePayload(r.id, r.payload, { history, rev: 1, w: nonce }, dialect),
      };
    });
    await this.call(() =>
      this.client.upsert(this.collectionName, { ...this.writeArgs, points, update_mode: "insert_only" }),
    );
    const ok = await this.written(
      points.map((p) => p.id),
      nonce,
    );
    return rows.filter((_, i) => !ok.has(points[i]!.id)).map((r) => r.id);
  }

  /**
   * Rewrites this project's v1 points (text under `memory`) in Mem0's shape (text under `data`;
   * tombstones with their scope ids inside `_mem0`), history and ids kept, each point guarded by its
   * revision like any write. Idempotent: v2 points are not touched. Returns how many were rewritten.
   */
  async upgradeLegacyPayloads(onProgress?: (upgraded: number) => void): Promise<number> {
    await this.ready();
    const legacy: QdrantFilter = { must: [{ key: `${RESERVED_KEY}.v`, match: { value: LEGACY_PAYLOAD_VERSION } }] };
    let upgraded = 0;
    for (;;) {
      // Each pass re-reads the first page: the points rewritten in the last pass no longer match.
      const page = await this.call(() =>
        this.client.scroll(this.collectionName, {
          filter: legacy,
          limit: PAGE,
          with_payload: true,
          with_vector: false,
        }),
      );
      if (page.points.length === 0) return upgraded;
      for (const p of page.points as Point[]) {
        const id = recordIdOf(p);
        await this.casWrite(
          id,
          String(p.id),
          (cur, previous) => {
            const meta = { history: cur.history ?? [], rev: (cur.rev ?? 0) + 1, w: "" };
            if (cur.deleted) return { payload: encodeTombstone(id, previous, meta) };
            return { payload: encodePayload(id, decodePoint({ id, payload: previous })!.payload, meta, "python") };
          },
          { allowTombstone: true },
        );
        await this.moveTombstone(id);
        onProgress?.(++upgraded);
      }
    }
  }

  /** Drops the collection (memories and history); the next call creates it afresh. */
  async reset(): Promise<void> {
    try {
      await this.call(() => this.client.deleteCollection(this.collectionName));
    } catch (err) {
      if (!(err instanceof ProviderError && err.status === 404)) throw err;
    }
    this.initializing = undefined;
    this.textIndexed = new Set();
  }

  async close(): Promise<void> {
    // The REST client holds nothing to release; Mem0's history file does.
    const file = this.historyFile;
    this.historyFile = undefined;
    if (file) (await file.catch(() => undefined))?.close();
  }

  // ---------------------------------------------------------------- history (used by QdrantHistory)

  async historyOf(memoryId: string): Promise<HistoryEvent[]> {
    await this.ready();
    // The memory's point (live, or a tombstone not moved yet) after its history point (earlier lives).
    const points = await this.retrieve([historyPointId(memoryId), pointId(memoryId)], [RESERVED_KEY]);
    const onPoint: HistoryEvent[] = [];
    for (const pid of [historyPointId(memoryId), pointId(memoryId)]) {
      const p = points.get(pid);
      if (!p || recordIdOf(p) !== memoryId) continue;
      for (const e of metaOf(p.payload).history ?? []) if (!onPoint.some((x) => x.id === e.id)) onPoint.push({ ...e });
    }
    const file = this.mem0History();
    return file ? mergeHistories(onPoint, (await file).get(memoryId)) : onPoint;
  }

  async appendHistory(events: readonly HistoryEvent[]): Promise<void> {
    await this.ready();
    const by = new Map<string, HistoryEvent[]>();
    for (const e of events) by.set(e.memory_id, [...(by.get(e.memory_id) ?? []), { ...e }]);
    for (const [id, list] of by) {
      const append = (pid: string) =>
        this.casWrite(
          id,
          pid,
          (cur, payload) => ({
            payload: {
              ...payload,
              [RESERVED_KEY]: { ...cur, history: [...(cur.history ?? []), ...list], rev: (cur.rev ?? 0) + 1 },
            },
          }),
          { allowTombstone: true, events: list },
        );
      // A deleted memory's history lives on its history point.
      await append(pointId(id)).catch((err: unknown) => {
        if (err instanceof NotFoundError) return append(historyPointId(id));
        throw err;
      });
    }
    await this.mirrorHistory(events);
  }

  async clearHistory(): Promise<void> {
    await this.ready();
    await this.call(() =>
      this.client.delete(this.collectionName, {
        ...this.writeArgs,
        filter: { must: [{ key: DELETED_KEY, match: { value: true } }] },
      }),
    );
    await this.call(() =>
      this.client.setPayload(this.collectionName, {
        ...this.writeArgs,
        payload: { history: [] },
        key: RESERVED_KEY,
        filter: {},
      }),
    );
    const file = this.mem0History();
    if (file) (await file).reset();
  }
}

/**
 * History lives on the memories' points, so reading it is one retrieve and writing it happens in
 * the store's writes; `add` appends to existing points (for callers outside a store write).
 */
export class QdrantHistory implements HistoryStore {
  constructor(private readonly store: QdrantVectorStore) {}
  add(events: readonly HistoryEvent[]): Promise<void> {
    return this.store.appendHistory(events);
  }
  get(memoryId: string): Promise<HistoryEvent[]> {
    return this.store.historyOf(memoryId);
  }
  reset(): Promise<void> {
    return this.store.clearHistory();
  }
}

function asArray<T>(v: T | T[] | null | undefined): T[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** Where a tombstone keeps a field: scope ids under `_mem0.scope`, nothing else. */
function tombstoneKey(field: string): string | undefined {
  return (SCOPE_KEYS as readonly string[]).includes(field) ? `${RESERVED_KEY}.scope.${field}` : fieldKey(field);
}

/** A payload-schema key back to the field name it indexes (`"a.b"` → a.b). */
function unquote(key: string): string {
  return key.startsWith('"') && key.endsWith('"') ? key.slice(1, -1) : key;
}
