/**
 * What callers get back for a stored memory: `MemoryItem`, Mem0's flat record (text, hash,
 * metadata, timestamps, scope ids), made from a store's `StoredMemory` in one place for every
 * method that returns memories (get, getAll, search).
 */
import { SCOPE_KEYS, type Scope, type StoredMemory } from "./types.js";

export interface MemoryItem extends Scope {
  id: string;
  memory: string;
  hash: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export function toMemoryItem(stored: StoredMemory): MemoryItem {
  const payload = stored.payload;
  const item: MemoryItem = {
    id: stored.id,
    memory: payload.memory,
    hash: payload.hash,
    metadata: payload.metadata,
    created_at: payload.created_at,
    updated_at: payload.updated_at,
  };
  for (const key of SCOPE_KEYS) if (payload[key] !== undefined) item[key] = payload[key];
  return item;
}
