/**
 * The store's side of migration: writing another store's memories and tombstones as points
 * (`migrate.ts` drives it), and rewriting this project's v1 points in Mem0's shape
 * (`mem0-qdrant-migrate --upgrade`). Both keep ids and history, and can be re-run after a stop.
 */
import { randomUUID } from "node:crypto";
import { Mem0Error, type HistoryEvent, type MemoryPayload, type Vector } from "@mem0/core";
import { casWrite, moveTombstone } from "./cas-write.js";
import { PAGE, type Point, type QdrantCollection } from "./collection.js";
import type { QdrantFilter } from "./filter.js";
import { RESERVED_KEY } from "./paths.js";
import {
  checkPayload,
  decodePoint,
  encodePayload,
  encodeTombstone,
  historyPointId,
  LEGACY_PAYLOAD_VERSION,
  pointId,
  recordIdOf,
  type Mem0Meta,
} from "./payload.js";

/** One record of the source store: a live memory (with its vector) or a deleted one (`payload: null`). */
export interface ImportedRecord {
  id: string;
  vector?: Vector;
  payload: MemoryPayload | null;
  history: readonly HistoryEvent[];
  scope?: Partial<Record<"user_id" | "agent_id" | "run_id", string>>;
}

/**
 * Writes memories and tombstones as another store had them, history included. Points that
 * already exist are left alone; returns the ids skipped because they exist.
 */
export async function importRecords(collection: QdrantCollection, rows: readonly ImportedRecord[]): Promise<string[]> {
  const nonce = randomUUID();
  const dialect = await collection.newPointDialect();
  const points = rows.map((row) => {
    const history = row.history.map((event) => ({ ...event }));
    if (row.payload === null) {
      // A deleted memory: its history on a tombstone at its history point (see moveTombstone).
      const payload = encodeTombstone(row.id, row.scope ?? {}, { history, rev: 1, w: nonce });
      (payload[RESERVED_KEY] as Mem0Meta).id = row.id;
      return { id: historyPointId(row.id), vector: collection.placeholderVector(), payload };
    }
    checkPayload(row.id, row.payload);
    if (row.vector === undefined)
      throw new Mem0Error("INVALID_VECTOR", `qdrant store: ${row.id}: a live memory needs its vector`);
    return {
      id: pointId(row.id),
      vector: collection.pointVector(collection.checkVector(row.vector, row.id)),
      payload: encodePayload(row.id, row.payload, { history, rev: 1, w: nonce }, dialect),
    };
  });
  await collection.call(() =>
    collection.client.upsert(collection.name, { ...collection.writeArgs, points, update_mode: "insert_only" }),
  );
  const ok = await collection.written(
    points.map((point) => point.id),
    nonce,
  );
  return rows.filter((_, index) => !ok.has(points[index]!.id)).map((row) => row.id);
}

/**
 * Rewrites v1 points (text under `memory`) in Mem0's shape (text under `data`; tombstones with
 * their scope ids inside `_mem0`), each point guarded by its revision like any write. Idempotent:
 * v2 points are not touched. Returns how many were rewritten.
 */
export async function upgradeLegacyPayloads(
  collection: QdrantCollection,
  onProgress?: (upgraded: number) => void,
): Promise<number> {
  const legacy: QdrantFilter = { must: [{ key: `${RESERVED_KEY}.v`, match: { value: LEGACY_PAYLOAD_VERSION } }] };
  let upgraded = 0;
  for (;;) {
    // Each pass re-reads the first page: the points rewritten in the last pass no longer match.
    const page = await collection.call(() =>
      collection.client.scroll(collection.name, {
        filter: legacy,
        limit: PAGE,
        with_payload: true,
        with_vector: false,
      }),
    );
    if (page.points.length === 0) return upgraded;
    for (const point of page.points as Point[]) {
      const id = recordIdOf(point);
      await casWrite(
        collection,
        id,
        String(point.id),
        (cur, previous) => {
          const meta = { history: cur.history ?? [], rev: (cur.rev ?? 0) + 1, w: "" };
          if (cur.deleted) return { payload: encodeTombstone(id, previous, meta) };
          return { payload: encodePayload(id, decodePoint({ id, payload: previous })!.payload, meta, "python") };
        },
        { allowTombstone: true },
      );
      await moveTombstone(collection, id);
      onProgress?.(++upgraded);
    }
  }
}
