/**
 * The mapping between a `mem0_memories` row and core's StoredMemory, kept apart so the CRUD code,
 * the search path and the scope cache read rows one way: NULL scope columns become absent fields.
 */
import type { MemoryPayload, StoredMemory } from "@mem0/core";

/** The columns a StoredMemory is read from, in `Row`'s order. */
export const COLUMNS = "id, user_id, agent_id, run_id, memory, hash, created_at, updated_at, metadata";

export interface Row {
  id: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  memory: string;
  hash: string;
  created_at: string;
  updated_at: string;
  metadata: string;
}

export function toStored(row: Row): StoredMemory {
  const payload: MemoryPayload = {
    memory: row.memory,
    hash: row.hash,
    created_at: row.created_at,
    updated_at: row.updated_at,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  };
  if (row.user_id !== null) payload.user_id = row.user_id;
  if (row.agent_id !== null) payload.agent_id = row.agent_id;
  if (row.run_id !== null) payload.run_id = row.run_id;
  return { id: row.id, payload };
}
