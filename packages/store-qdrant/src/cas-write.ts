/**
 * Writes to one existing point, guarded by its revision number (`_mem0.rev`): Qdrant has no
 * multi-point transaction, so every update, delete, history append and upgrade is a
 * compare-and-set here, and concurrent writers can neither lose each other's history events nor
 * resurrect a deleted memory. Also the second step of a delete (moving the tombstone).
 */
import { randomUUID } from "node:crypto";
import { Mem0Error, NotFoundError, type HistoryEvent } from "@mem0/core";
import type { Point, QdrantCollection } from "./collection.js";
import type { QdrantCondition } from "./filter.js";
import { DELETED_KEY, RESERVED_KEY, REV_KEY } from "./paths.js";
import { historyPointId, metaOf, pointId, recordIdOf, type Mem0Meta } from "./payload.js";

/** Compare-and-set attempts before a write gives up on a hot memory. */
const CAS_ATTEMPTS = 8;

/** What a compare-and-set write puts on the point, computed from the point as read. */
export interface PointChange {
  payload: Record<string, unknown>;
  vector?: number[];
  events?: readonly HistoryEvent[];
}

/**
 * Read-modify-write of one point, guarded by its revision: the write only applies if nobody wrote
 * the point since we read it; otherwise it is retried on fresh data. Returns the events written.
 */
export async function casWrite(
  collection: QdrantCollection,
  id: string,
  pid: string,
  next: (cur: Partial<Mem0Meta>, payload: Record<string, unknown>, point: Point) => PointChange,
  options: { allowTombstone?: boolean; events?: readonly HistoryEvent[] } = {},
): Promise<readonly HistoryEvent[]> {
  const { client, name } = collection;
  // The events of the last attempt: `next` may compute them from the point (with stable ids).
  let events = options.events ?? [];
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const cur = (await collection.retrieve([pid], true)).get(pid);
    const meta = metaOf(cur?.payload);
    // Our write may have landed and been overwritten before we could read it back; its events
    // in the history say so, and writing again would record them twice.
    const alreadyWritten = events.every((event) => (meta.history ?? []).some((had) => had.id === event.id));
    if (attempt > 0 && events.length > 0 && cur && alreadyWritten) return events;
    if (!cur || recordIdOf(cur) !== id || (meta.deleted && !options.allowTombstone)) throw new NotFoundError(id);
    const nonce = randomUUID();
    const change = next(meta, cur.payload ?? {}, cur);
    if (change.events) events = change.events;
    (change.payload[RESERVED_KEY] as Mem0Meta).w = nonce;
    const revIs: QdrantCondition =
      meta.rev === undefined ? { is_empty: { key: REV_KEY } } : { key: REV_KEY, match: { value: meta.rev } };
    if (change.vector && !collection.layout.others) {
      const vector = collection.pointVector(change.vector);
      await collection.call(() =>
        client.upsert(name, {
          ...collection.writeArgs,
          points: [{ id: pid, vector, payload: change.payload }],
          update_filter: { must: [revIs] },
          update_mode: "update_only",
        }),
      );
    } else {
      // Without a new vector, or when the point carries vectors we do not manage (mem0ai's bm25
      // slot), the point keeps its vectors: overwrite the payload of this point only if its
      // revision is still the one we read; a new dense vector follows, only onto our own write.
      await collection.call(() =>
        client.overwritePayload(name, {
          ...collection.writeArgs,
          payload: change.payload,
          filter: { must: [{ has_id: [pid] }, revIs] },
        }),
      );
      if (change.vector) {
        const vector = collection.pointVector(change.vector);
        const ours: QdrantCondition = { key: `${RESERVED_KEY}.w`, match: { value: nonce } };
        await collection.call(() =>
          client.updateVectors(name, {
            ...collection.writeArgs,
            points: [{ id: pid, vector }],
            update_filter: { must: [ours] },
          }),
        );
      }
    }
    if ((await collection.written([pid], nonce)).has(pid)) return events;
  }
  throw new Mem0Error(
    "CONCURRENT_MODIFICATION",
    `qdrant store: memory ${id} kept changing under ${CAS_ATTEMPTS} attempts to write it`,
  );
}

/**
 * A delete is one atomic write (tombstone + history at the memory's point); this second step
 * moves the tombstone to its history point (merged with an earlier one: deleted, re-added,
 * deleted again) and removes the memory's point, only if nobody wrote it since. Interrupted, the
 * tombstone simply stays where it was, which every read handles.
 */
export async function moveTombstone(collection: QdrantCollection, id: string): Promise<void> {
  const { client, name } = collection;
  const pid = pointId(id);
  const hid = historyPointId(id);
  const points = await collection.retrieve([pid, hid], [RESERVED_KEY]);
  const tomb = points.get(pid);
  const meta = metaOf(tomb?.payload);
  if (!tomb || !meta.deleted || recordIdOf(tomb) !== id) return;
  const historyPoint = points.get(hid);
  const earlier = historyPoint && recordIdOf(historyPoint) === id ? (metaOf(historyPoint.payload).history ?? []) : [];
  const seen = new Set(earlier.map((event) => event.id));
  const history = [...earlier, ...(meta.history ?? []).filter((event) => !seen.has(event.id))];
  const payload = { [RESERVED_KEY]: { ...meta, history, id } };
  await collection.call(() =>
    client.upsert(name, {
      ...collection.writeArgs,
      points: [{ id: hid, vector: collection.placeholderVector(), payload }],
    }),
  );
  const unchanged: QdrantCondition = { key: `${RESERVED_KEY}.w`, match: { value: meta.w ?? "" } };
  await collection.call(() =>
    client.delete(name, {
      ...collection.writeArgs,
      filter: { must: [{ has_id: [pid] }, unchanged, { key: DELETED_KEY, match: { value: true } }] },
    }),
  );
}
