/**
 * How every store reads a stored payload the same way when it filters or lists client-side: a
 * filter field's value (scope ids and timestamps from the record, the rest from metadata) and the
 * "oldest first" order. Shared by the in-memory store and the store packages.
 */
import { RECORD_FIELDS, type MemoryPayload, type StoredMemory } from "./types.js";

const recordFields = new Set<string>(RECORD_FIELDS);

/** Reads a filter field from a payload: scope ids and timestamps from the record, the rest from metadata. */
export function payloadField(payload: MemoryPayload) {
  // Own properties only: `{ constructor: "*" }` must not match through Object.prototype.
  return (field: string): unknown => {
    const source = (recordFields.has(field) ? payload : payload.metadata) as Record<string, unknown>;
    return Object.hasOwn(source, field) ? source[field] : undefined;
  };
}

/** Oldest first: by `created_at`, then by id (the order every store lists in). */
export function compareCreated(a: StoredMemory, b: StoredMemory): number {
  if (a.payload.created_at !== b.payload.created_at) return a.payload.created_at < b.payload.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
