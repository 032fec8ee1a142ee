/**
 * `QdrantVectorStore`: core's VectorStore contract on a Qdrant collection: reads, writes and
 * batches (`apply`). The parts it stands on each have their file: client.ts (client, retries,
 * errors), collection.ts (creating/checking the collection, its vector layout, point reads),
 * payload.ts (record ↔ point), filter.ts (filters), cas-write.ts (revision-guarded writes),
 * history.ts, erasure.ts (`deleteAll`) and migration.ts (import and `--upgrade`).
 *
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
  type ApplyOptions,
  type ApplyResult,
  type FilterNode,
  type HistoryEvent,
  type HistoryStore,
  type MemoryPayload,
  type ScoredMemory,
  type StoreChange,
  type StoredMemory,
  type Vector,
  type VectorStore,
  type WriteOptions,
} from "@mem0/core";
import { casWrite, moveTombstone } from "./cas-write.js";
import { PROVIDER } from "./client.js";
import { QdrantCollection, type Point, type QdrantStoreOptions, type VectorLayout } from "./collection.js";
import { eraseMatching } from "./erasure.js";
import { liveOnly, translateFilter, type QdrantFilter } from "./filter.js";
import { appendHistory, clearHistory, Mem0HistoryMirror, QdrantHistory, readHistory } from "./history.js";
import { importRecords, upgradeLegacyPayloads, type ImportedRecord } from "./migration.js";
import { HISTORY_KEY, RESERVED_KEY } from "./paths.js";
import {
  checkPayload,
  decodePoint,
  dialectOf,
  encodePayload,
  encodeTombstone,
  LEMMATIZED_KEYS,
  metaOf,
  pointId,
  recordIdOf,
} from "./payload.js";

export type { QdrantStoreOptions, VectorLayout } from "./collection.js";
export { QdrantHistory } from "./history.js";

/** The most a single query asks for. */
const MAX_QUERY = 1024;

const sortByScore = (a: ScoredMemory, b: ScoredMemory) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class QdrantVectorStore implements VectorStore {
  readonly provider = PROVIDER;
  readonly history: HistoryStore;
  readonly collectionName: string;
  // Holds the client and the API key: #private, so logging the store never prints it.
  readonly #collection: QdrantCollection;
  readonly #mirror: Mem0HistoryMirror;

  constructor(options: QdrantStoreOptions) {
    this.#collection = new QdrantCollection(options);
    this.#mirror = new Mem0HistoryMirror(options.historyFile);
    this.collectionName = options.collectionName;
    this.history = new QdrantHistory(this);
  }

  /** The vector size in use (known after first use when it came from the collection). */
  get dimensions(): number | undefined {
    return this.#collection.dims;
  }

  /** The collection's vector layout (known after first use). */
  get layout(): VectorLayout {
    const layout = this.#collection.layout;
    return { ...layout, sparse: [...layout.sparse] };
  }

  /** One Qdrant call with retries (429, 5xx, timeouts, resets) and errors as core's ProviderError. */
  call<T>(request: () => Promise<T>): Promise<T> {
    return this.#collection.call(request);
  }

  /** Creates or checks the collection and its indexes, once; a failure is retried on the next call. */
  ready(): Promise<void> {
    return this.#collection.ready();
  }

  /** The native filter for a node, and whether its rows need re-checking client-side. */
  plan(node: FilterNode | null) {
    const translation = translateFilter(node, { textIndexed: this.#collection.textIndexed });
    return {
      ...translation,
      native: translation.filter === "none" ? ("none" as const) : liveOnly(translation.filter),
    };
  }

  // ---------------------------------------------------------------- reads

  async search(query: { vector: Vector; limit: number; filter: FilterNode | null }): Promise<ScoredMemory[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1)
      throw new Mem0Error(
        "INVALID_ARGUMENT",
        `qdrant store: search limit must be a positive integer, got ${query.limit}`,
      );
    await this.ready();
    const collection = this.#collection;
    const vector = collection.checkVector(query.vector, "query vector");
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
        collection.client.query(this.collectionName, {
          query: vector,
          ...(collection.layout.dense !== undefined ? { using: collection.layout.dense } : {}),
          filter,
          limit: batch,
          offset,
          with_payload: { exclude: [HISTORY_KEY] },
          ...(collection.options.exactSearch ? { params: { exact: true } } : {}),
        }),
      );
      const points = res.points as Point[];
      for (const point of points) {
        const rec = decodePoint(point);
        if (!rec) continue;
        if (!plan.exact && !evaluateFilter(query.filter, payloadField(rec.payload))) continue;
        found.push({ id: rec.id, score: point.score ?? 0, payload: rec.payload });
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
    const points = await this.#collection.retrieve([pointId(id)], { exclude: [HISTORY_KEY] });
    const point = points.get(pointId(id));
    const rec = point ? decodePoint(point) : null;
    return rec && rec.id === id ? rec : null;
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
    for await (const point of this.#collection.scrollAll(plan.native, { exclude: [HISTORY_KEY] })) {
      const rec = decodePoint(point);
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
    if (plan.exact) {
      const native = plan.native as QdrantFilter;
      return (
        await this.call(() => this.#collection.client.count(this.collectionName, { filter: native, exact: true }))
      ).count;
    }
    return (await this.list({ filter, limit: Number.MAX_SAFE_INTEGER })).length;
  }

  // ---------------------------------------------------------------- writes

  private eventsFor(options: WriteOptions | undefined, ids: ReadonlySet<string>): Map<string, HistoryEvent[]> {
    const byMemory = new Map<string, HistoryEvent[]>();
    for (const event of options?.history ?? []) {
      if (!ids.has(event.memory_id))
        throw new Mem0Error(
          "INVALID_ARGUMENT",
          `qdrant store: history event ${event.id} is for memory ${event.memory_id}, which this write does not touch`,
        );
      byMemory.set(event.memory_id, [...(byMemory.get(event.memory_id) ?? []), { ...event }]);
    }
    return byMemory;
  }

  async insert(
    records: readonly { id: string; vector: Vector; payload: MemoryPayload }[],
    options?: WriteOptions,
  ): Promise<void> {
    if (records.length === 0) return;
    const collection = this.#collection;
    // Everything that can be checked without the server is checked before the first request.
    const seen = new Map<string, string>();
    for (const record of records) {
      checkPayload(record.id, record.payload);
      const pid = pointId(record.id);
      if (seen.has(pid))
        throw new Mem0Error("DUPLICATE_ID", `qdrant store: id ${record.id} appears twice in one insert`);
      seen.set(pid, record.id);
      collection.checkVector(record.vector, record.id);
    }
    const events = this.eventsFor(options, new Set(records.map((record) => record.id)));
    await this.ready();
    const rows = records.map((record) => ({
      ...record,
      pid: pointId(record.id),
      vector: collection.checkVector(record.vector, record.id),
    }));
    const existing = await collection.retrieve(
      rows.map((row) => row.pid),
      [RESERVED_KEY],
    );
    for (const row of rows) {
      const point = existing.get(row.pid);
      if (point && !metaOf(point.payload).deleted)
        throw new Mem0Error("DUPLICATE_ID", `qdrant store: id ${row.id} already exists`);
      if (point && recordIdOf(point) !== row.id)
        throw new Mem0Error("DUPLICATE_ID", `qdrant store: id ${row.id} maps to the point of id ${recordIdOf(point)}`);
    }
    const nonce = randomUUID();
    const dialect = await collection.newPointDialect();
    const fresh = rows.filter((row) => !existing.has(row.pid));
    if (fresh.length > 0) {
      const points = fresh.map((row) => ({
        id: row.pid,
        vector: collection.pointVector(row.vector),
        payload: encodePayload(row.id, row.payload, { history: events.get(row.id) ?? [], rev: 1, w: nonce }, dialect),
      }));
      // insert_only: a point another writer created meanwhile is never overwritten.
      await this.call(() =>
        collection.client.upsert(this.collectionName, { ...collection.writeArgs, points, update_mode: "insert_only" }),
      );
    }
    // Re-inserting a deleted id revives its tombstone, keeping the earlier history.
    for (const row of rows.filter((candidate) => existing.has(candidate.pid))) {
      const rowEvents = events.get(row.id) ?? [];
      await casWrite(
        collection,
        row.id,
        row.pid,
        (cur) => ({
          payload: encodePayload(
            row.id,
            row.payload,
            { history: [...(cur.history ?? []), ...rowEvents], rev: (cur.rev ?? 0) + 1, w: "" },
            dialect,
          ),
          vector: row.vector,
        }),
        { allowTombstone: true, events: events.get(row.id) },
      );
    }
    if (fresh.length > 0) {
      const ok = await collection.written(
        fresh.map((row) => row.pid),
        nonce,
      );
      const lost = fresh.filter((row) => !ok.has(row.pid));
      if (lost.length > 0)
        throw new Mem0Error(
          "DUPLICATE_ID",
          `qdrant store: ${lost.map((row) => row.id).join(", ")} was inserted concurrently by another writer`,
        );
    }
    await this.#mirror.add([...events.values()].flat());
  }

  async update(id: string, record: { vector?: Vector; payload: MemoryPayload }, options?: WriteOptions): Promise<void> {
    checkPayload(id, record.payload);
    const events = this.eventsFor(options, new Set([id])).get(id) ?? [];
    if (record.vector !== undefined) this.#collection.checkVector(record.vector, id);
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
    for (const change of others)
      if (change.op === "update" && change.vector !== undefined) this.#collection.checkVector(change.vector, change.id);
    await this.ready();
    if (options.missing !== "skip" && others.length > 0) {
      const found = await this.#collection.retrieve(
        others.map((change) => pointId(change.id)),
        [RESERVED_KEY],
      );
      const gone = others.find((change) => {
        const point = found.get(pointId(change.id));
        return !point || recordIdOf(point) !== change.id || metaOf(point.payload).deleted;
      });
      if (gone) throw new NotFoundError(gone.id);
    }
    if (inserts.length > 0) await this.insert(inserts, { history: inserts.flatMap((c) => c.history ?? []) });
    const skipped: string[] = [];
    for (const change of others) {
      try {
        await this.writeChange(change);
      } catch (err) {
        if (!(options.missing === "skip" && err instanceof NotFoundError && err.id === change.id)) throw err;
        skipped.push(change.id);
      }
    }
    return { skipped };
  }

  /**
   * One update or delete (of `update`, `delete` or `apply`), computed from the point as it is when
   * written; then a deleted memory's tombstone moves to its history point, and the events that
   * landed go to Mem0's history file.
   */
  private async writeChange(change: Exclude<StoreChange, { op: "insert" }>): Promise<void> {
    const collection = this.#collection;
    const vector =
      change.op === "update" && change.vector !== undefined
        ? collection.checkVector(change.vector, change.id)
        : undefined;
    const fallbackDialect = change.op === "update" ? await collection.newPointDialect() : "python";
    const eventsOf = (events: readonly HistoryEvent[] | undefined) =>
      this.eventsFor({ history: events }, new Set([change.id])).get(change.id) ?? [];
    const written = await casWrite(collection, change.id, pointId(change.id), (meta, previous, point) => {
      const current = decodePoint(point)!;
      const nextMeta = (events: readonly HistoryEvent[]) => ({
        history: [...(meta.history ?? []), ...events],
        rev: (meta.rev ?? 0) + 1,
        w: "",
      });
      if (change.op === "delete") {
        const events = eventsOf(change.history?.(current));
        return { payload: encodeTombstone(change.id, previous, nextMeta(events)), events };
      }
      const next = change.next(current);
      checkPayload(change.id, next.payload);
      const events = eventsOf(next.history);
      let metadata = next.payload.metadata;
      // Mem0's lemmatized copy of the old text would feed its keyword search stale words; without
      // it Mem0 falls back to `data`.
      if (current.payload.memory !== next.payload.memory && LEMMATIZED_KEYS.some((key) => key in metadata)) {
        metadata = Object.fromEntries(
          Object.entries(metadata).filter(([key]) => !(LEMMATIZED_KEYS as readonly string[]).includes(key)),
        );
      }
      // The point keeps the timestamp keys its writer used (mem0ai's createdAt, Python's created_at).
      const dialect = "created_at" in previous || "createdAt" in previous ? dialectOf(previous) : fallbackDialect;
      return {
        payload: encodePayload(change.id, { ...next.payload, metadata }, nextMeta(events), dialect),
        vector,
        events,
      };
    });
    if (change.op === "delete") await moveTombstone(collection, change.id);
    await this.#mirror.add(written);
  }

  /**
   * Hard-deletes every memory matching `filter` (e.g. a user's) in one delete-by-filter request,
   * with its history and tombstones: for erasure requests, not for Mem0's `deleteAll`, which keeps
   * DELETE events. Returns how many memories (not tombstones) went.
   */
  async deleteAll(filter: FilterNode | null): Promise<number> {
    await this.ready();
    return eraseMatching(this.#collection, filter, {
      countLive: () => this.count(filter),
      matchingIds: async () =>
        (await this.list({ filter, limit: Number.MAX_SAFE_INTEGER })).map((record) => pointId(record.id)),
    });
  }

  /**
   * Writes memories and tombstones as another store had them, history included (migration).
   * Points that already exist are left alone, so an interrupted migration can simply be re-run.
   * Returns the ids that were skipped because they exist.
   */
  async importRecords(rows: readonly ImportedRecord[]): Promise<string[]> {
    if (rows.length === 0) return [];
    await this.ready();
    return importRecords(this.#collection, rows);
  }

  /**
   * Rewrites this project's v1 points (text under `memory`) in Mem0's shape, history and ids kept.
   * Idempotent. Returns how many were rewritten.
   */
  async upgradeLegacyPayloads(onProgress?: (upgraded: number) => void): Promise<number> {
    await this.ready();
    return upgradeLegacyPayloads(this.#collection, onProgress);
  }

  /** Drops the collection (memories and history); the next call creates it afresh. */
  async reset(): Promise<void> {
    try {
      await this.call(() => this.#collection.client.deleteCollection(this.collectionName));
    } catch (err) {
      if (!(err instanceof ProviderError && err.status === 404)) throw err;
    }
    this.#collection.forget();
  }

  async close(): Promise<void> {
    // The REST client holds nothing to release; Mem0's history file does.
    await this.#mirror.close();
  }

  // ---------------------------------------------------------------- history (used by QdrantHistory)

  async historyOf(memoryId: string): Promise<HistoryEvent[]> {
    await this.ready();
    return readHistory(this.#collection, this.#mirror, memoryId);
  }

  async appendHistory(events: readonly HistoryEvent[]): Promise<void> {
    await this.ready();
    await appendHistory(this.#collection, this.#mirror, events);
  }

  async clearHistory(): Promise<void> {
    await this.ready();
    await clearHistory(this.#collection, this.#mirror);
  }
}
