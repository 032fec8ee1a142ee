/**
 * Memory history on Qdrant. History lives on the memories' own points (`_mem0.history`; a deleted
 * memory's on its history point), so a write and its events are one point operation; reading is
 * one retrieve. With `history_db_path`, every event is mirrored to Mem0 Python's history file and
 * read back merged.
 */
import { NotFoundError, type HistoryEvent, type HistoryStore } from "@mem0/core";
import { casWrite } from "./cas-write.js";
import type { QdrantCollection } from "./collection.js";
import { Mem0HistoryFile, mergeHistories } from "./history-db.js";
import { DELETED_KEY, RESERVED_KEY } from "./paths.js";
import { historyPointId, metaOf, pointId, recordIdOf } from "./payload.js";

/** What QdrantHistory needs of the store (the store's public history methods). */
export interface HistoryHost {
  appendHistory(events: readonly HistoryEvent[]): Promise<void>;
  historyOf(memoryId: string): Promise<HistoryEvent[]>;
  clearHistory(): Promise<void>;
}

/**
 * History lives on the memories' points, so reading it is one retrieve and writing it happens in
 * the store's writes; `add` appends to existing points (for callers outside a store write).
 */
export class QdrantHistory implements HistoryStore {
  constructor(private readonly store: HistoryHost) {}
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

/** Mem0 Python's history file, opened once on first use; nothing without `history_db_path`. */
export class Mem0HistoryMirror {
  private file: Promise<Mem0HistoryFile> | undefined;
  constructor(private readonly path: string | undefined) {}

  /** The open file (undefined without a path); a failed open is retried on the next call. */
  open(): Promise<Mem0HistoryFile> | undefined {
    if (this.path === undefined) return undefined;
    const path = this.path;
    this.file ??= Mem0HistoryFile.open(path).catch((err) => {
      this.file = undefined;
      throw err;
    });
    return this.file;
  }

  /** After the write (and its on-point history) succeeded: the same events into Mem0's file. */
  async add(events: readonly HistoryEvent[]): Promise<void> {
    const file = this.open();
    if (file && events.length > 0) (await file).add(events);
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    if (file) (await file.catch(() => undefined))?.close();
  }
}

/** One memory's history: its point (live, or a tombstone not moved yet) after its history point. */
export async function readHistory(
  collection: QdrantCollection,
  mirror: Mem0HistoryMirror,
  memoryId: string,
): Promise<HistoryEvent[]> {
  const pids = [historyPointId(memoryId), pointId(memoryId)];
  const points = await collection.retrieve(pids, [RESERVED_KEY]);
  const onPoint: HistoryEvent[] = [];
  for (const pid of pids) {
    const point = points.get(pid);
    if (!point || recordIdOf(point) !== memoryId) continue;
    for (const event of metaOf(point.payload).history ?? [])
      if (!onPoint.some((had) => had.id === event.id)) onPoint.push({ ...event });
  }
  const file = mirror.open();
  return file ? mergeHistories(onPoint, (await file).get(memoryId)) : onPoint;
}

/** Appends events to their memories' points (a deleted memory's: its history point). */
export async function appendHistory(
  collection: QdrantCollection,
  mirror: Mem0HistoryMirror,
  events: readonly HistoryEvent[],
): Promise<void> {
  const byMemory = new Map<string, HistoryEvent[]>();
  for (const event of events) byMemory.set(event.memory_id, [...(byMemory.get(event.memory_id) ?? []), { ...event }]);
  for (const [id, list] of byMemory) {
    const append = (pid: string) =>
      casWrite(
        collection,
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
    await append(pointId(id)).catch((err: unknown) => {
      if (err instanceof NotFoundError) return append(historyPointId(id));
      throw err;
    });
  }
  await mirror.add(events);
}

/** Drops every tombstone and empties every point's history (and Mem0's file). */
export async function clearHistory(collection: QdrantCollection, mirror: Mem0HistoryMirror): Promise<void> {
  const { client, name } = collection;
  await collection.call(() =>
    client.delete(name, {
      ...collection.writeArgs,
      filter: { must: [{ key: DELETED_KEY, match: { value: true } }] },
    }),
  );
  await collection.call(() =>
    client.setPayload(name, {
      ...collection.writeArgs,
      payload: { history: [] },
      key: RESERVED_KEY,
      filter: {},
    }),
  );
  const file = mirror.open();
  if (file) (await file).reset();
}
