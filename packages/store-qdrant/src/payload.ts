/**
 * The point payload: Mem0's own shape, so Mem0 (Python 1.x/2.x and mem0ai 3.x) reads what we write
 * and we read what it writes, plus one reserved object, `_mem0`, that makes the store exact and its
 * writes atomic:
 *
 *   {
 *     "data": "…", "hash": "…",                                  (Mem0's text key)
 *     "created_at": "…", "updated_at": "…",                      (Python's keys; mem0ai's are
 *                                                                  createdAt / updatedAt, see dialect)
 *     "user_id": "alice", "agent_id": "…", "run_id": "…",        (those that are set)
 *     "category": "work", "priority": 7, …                        (metadata, flattened as Mem0 does)
 *     "_mem0": {
 *       "v": 2,
 *       "dates": { "created_at": 1718000000000, "due": [1718…] },  (ISO-date shadows, epoch ms)
 *       "history": [ { "event": "ADD", … } ],                       (this memory's history)
 *       "rev": 3, "w": "<uuid of the last write>",                 (optimistic concurrency)
 *       "id": "…",                                                  (only when the id is not a UUID)
 *       "deleted": true, "scope": { "user_id": "…" }               (tombstones only)
 *     }
 *   }
 *
 * Read side: a point without `_mem0` was written by Mem0 (text in `data`, timestamps in
 * `created_at` or `createdAt`); `_mem0.v: 1` is this project's earlier layout (text in `memory`).
 * Every other key — `text_lemmatized`, `attributedTo`, `actor_id`, `role`, … — is metadata, so it
 * survives a read-modify-write. Mem0 shows `_mem0` as one extra metadata key; nothing else differs.
 *
 * History lives on the memory's own point so that a write and its history event are one point
 * upsert, which Qdrant applies atomically. A deleted memory becomes a tombstone that keeps only
 * `_mem0` (scope ids inside it), so its history stays readable and no scoped Mem0 query sees it.
 */
import { createHash } from "node:crypto";
import {
  fromMem0Payload,
  MEM0_TIMESTAMP_KEYS,
  mem0DialectOf,
  Mem0Error,
  parseIsoDate,
  RECORD_FIELDS,
  SCOPE_KEYS,
  type HistoryEvent,
  type Mem0Dialect,
  type MemoryPayload,
} from "@mem0/core";
import { RESERVED_KEY } from "./paths.js";

export const PAYLOAD_VERSION = 2;
/** This project's layout before it wrote Mem0's keys: text under `memory`. */
export const LEGACY_PAYLOAD_VERSION = 1;

/**
 * Whose timestamp keys a point carries: Mem0 Python's `created_at` / `updated_at`, or mem0ai 3.x's
 * `createdAt` / `updatedAt`. A point keeps its writer's dialect when we update it.
 */
export type PayloadDialect = Mem0Dialect;
export const DIALECT_TIMESTAMP_KEYS = MEM0_TIMESTAMP_KEYS;
/** Mem0's text key. */
export const TEXT_KEY = "data";
/** Lemmatized copies of the text Mem0 keeps for BM25; stale once the text changes. */
export const LEMMATIZED_KEYS = ["text_lemmatized", "textLemmatized"] as const;

export interface Mem0Meta {
  v: number;
  dates?: Record<string, number | number[]>;
  history: HistoryEvent[];
  rev: number;
  w: string;
  id?: string;
  deleted?: true;
  /** A tombstone's scope ids, kept out of the top level where Mem0's scoped queries would find it. */
  scope?: Partial<Record<(typeof SCOPE_KEYS)[number], string>>;
}

const recordFields = new Set<string>(RECORD_FIELDS);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// A fixed namespace, so every process maps a non-UUID id to the same point id.
const NAMESPACE = Buffer.from("6f0e5b4c2a9d4e1fb1c37d8a9e2f4a10", "hex");

/** Qdrant point ids are UUIDs or integers: other ids map to a name-based UUID (v5), kept in `_mem0.id`. */
export function pointId(id: string): string {
  if (UUID.test(id)) return id;
  const digest = createHash("sha1").update(NAMESPACE).update(id, "utf8").digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Where a deleted memory's tombstone (its history) lives: not at the memory's own point id, where
 * Mem0's unscoped `get(id)` would still find a point, but at a name-based id of its own.
 */
export function historyPointId(id: string): string {
  return pointId(`mem0-history:${id}`);
}

export function isCanonicalUuid(id: string): boolean {
  return UUID.test(id);
}

/** The epoch-ms shadow of a value: every ISO date string in it, as core's parser reads it. */
function dateShadow(value: unknown): number | number[] | undefined {
  if (typeof value === "string") return parseIsoDate(value);
  if (!Array.isArray(value)) return undefined;
  const ms = value.flatMap((item) => {
    const time = typeof item === "string" ? parseIsoDate(item) : undefined;
    return time === undefined ? [] : [time];
  });
  return ms.length > 0 ? ms : undefined;
}

function invalid(message: string): Mem0Error {
  return new Mem0Error("INVALID_PAYLOAD", `qdrant store: ${message}`);
}

/** JSON turns NaN and ±Infinity into null and drops undefined; refuse what would not come back as written. */
function checkJson(value: unknown, path: string, seen: Set<unknown>): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalid(`${path} is ${value}, which JSON cannot hold`);
    return;
  }
  if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol") {
    throw invalid(`${path} is a ${typeof value}, which JSON cannot hold`);
  }
  if (value === null || typeof value !== "object") return;
  if (seen.has(value)) throw invalid(`${path} is circular`);
  seen.add(value);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkJson(item, `${path}[${index}]`, seen);
  } else
    for (const [key, item] of Object.entries(value)) if (item !== undefined) checkJson(item, `${path}.${key}`, seen);
  seen.delete(value);
}

/** Validates a payload before anything is written. */
export function checkPayload(id: string, payload: MemoryPayload): void {
  if (typeof id !== "string" || id.length === 0) throw invalid(`record id must be a non-empty string`);
  if (!payload || typeof payload !== "object") throw invalid(`${id}: payload must be an object`);
  for (const field of ["memory", "hash", "created_at", "updated_at"] as const) {
    if (typeof payload[field] !== "string") throw invalid(`${id}: payload.${field} must be a string`);
  }
  for (const key of SCOPE_KEYS) {
    if (payload[key] !== undefined && typeof payload[key] !== "string")
      throw invalid(`${id}: payload.${key} must be a string`);
  }
  const metadata = payload.metadata ?? {};
  if (typeof metadata !== "object" || Array.isArray(metadata))
    throw invalid(`${id}: payload.metadata must be an object`);
  for (const key of Object.keys(metadata)) {
    if (recordFields.has(key)) throw invalid(`${id}: metadata.${key} is reserved for the record itself`);
    if (key === RESERVED_KEY) throw invalid(`${id}: metadata.${RESERVED_KEY} is reserved by the Qdrant store`);
    if (key === TEXT_KEY)
      throw invalid(`${id}: metadata.${TEXT_KEY} is reserved: Mem0 keeps the memory's text under it`);
  }
  checkJson(metadata, `${id}: metadata`, new Set());
}

/** The flat payload (Mem0's keys, in `dialect`) and the date shadows of a memory. */
export function encodePayload(
  id: string,
  payload: MemoryPayload,
  meta: Omit<Mem0Meta, "v" | "dates" | "id">,
  dialect: PayloadDialect = "python",
): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  const keys = DIALECT_TIMESTAMP_KEYS[dialect];
  for (const [key, value] of Object.entries(payload.metadata ?? {})) if (value !== undefined) flat[key] = value;
  flat[TEXT_KEY] = payload.memory;
  flat.hash = payload.hash;
  flat[keys.created] = payload.created_at;
  flat[keys.updated] = payload.updated_at;
  for (const key of SCOPE_KEYS) if (payload[key] !== undefined) flat[key] = payload[key];
  const dates: Record<string, number | number[]> = {};
  for (const [key, value] of Object.entries(flat)) {
    const shadow = dateShadow(value);
    // Filters name the record's timestamps created_at / updated_at whatever the dialect.
    const field = key === keys.created ? "created_at" : key === keys.updated ? "updated_at" : key;
    if (shadow !== undefined) dates[field] = shadow;
  }
  const reserved: Mem0Meta = { v: PAYLOAD_VERSION, ...meta };
  if (Object.keys(dates).length > 0) reserved.dates = dates;
  if (!isCanonicalUuid(id)) reserved.id = id;
  flat[RESERVED_KEY] = reserved;
  return flat;
}

/** A tombstone: only `_mem0`, with the scope ids inside it (so tools can still find a user's history). */
export function encodeTombstone(
  id: string,
  previous: Record<string, unknown>,
  meta: Omit<Mem0Meta, "v" | "dates" | "id" | "deleted" | "scope">,
): Record<string, unknown> {
  const scope: NonNullable<Mem0Meta["scope"]> = { ...metaOf(previous).scope };
  for (const key of SCOPE_KEYS) if (typeof previous[key] === "string") scope[key] = previous[key] as string;
  const reserved: Mem0Meta = { v: PAYLOAD_VERSION, ...meta, deleted: true, scope };
  if (!isCanonicalUuid(id)) reserved.id = id;
  return { [RESERVED_KEY]: reserved };
}

/**
 * Integers past 2^53 come back as BigInt from the client on runtimes with `JSON.rawJSON`; they were
 * written from JS numbers, so converting back is exact.
 */
function unBigInt(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(unBigInt);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unBigInt(v)]));
  return value;
}

export function metaOf(payload: Record<string, unknown> | null | undefined): Partial<Mem0Meta> {
  const reserved = payload?.[RESERVED_KEY];
  return reserved && typeof reserved === "object" && !Array.isArray(reserved) ? (reserved as Partial<Mem0Meta>) : {};
}

/** Which timestamp keys a stored payload uses: mem0ai's when it has `createdAt` and no `created_at`. */
export const dialectOf = mem0DialectOf;

/**
 * The record a point holds, or null for a tombstone. Reads Mem0 Python's, mem0ai's and this
 * project's earlier payloads alike; keys that are not the record's own are metadata.
 */
export function decodePoint(point: {
  id: string | number;
  payload?: Record<string, unknown> | null;
}): { id: string; payload: MemoryPayload } | null {
  const raw = (unBigInt(point.payload ?? {}) as Record<string, unknown>) ?? {};
  const meta = metaOf(raw);
  if (meta.deleted) return null;
  const textKey = meta.v === LEGACY_PAYLOAD_VERSION ? "memory" : TEXT_KEY;
  return {
    id: typeof meta.id === "string" ? meta.id : String(point.id),
    payload: fromMem0Payload(raw, { textKey, skip: [RESERVED_KEY] }),
  };
}

/** The id a point stands for. */
export function recordIdOf(point: { id: string | number; payload?: Record<string, unknown> | null }): string {
  const meta = metaOf(point.payload ?? undefined);
  return typeof meta.id === "string" ? meta.id : String(point.id);
}
