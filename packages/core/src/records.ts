/**
 * What callers get back for a stored memory: `MemoryItem`, Mem0's flat record (text, hash,
 * metadata, timestamps, scope ids), made from a store's `StoredMemory` in one place for every
 * method that returns memories (get, getAll, search), and what a search answers (`SearchResponse`).
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

export interface SearchResult extends MemoryItem {
  /** The reranker's score when the reranker ran, otherwise the vector similarity. */
  score: number;
  /** Cosine similarity from the vector search, always present. */
  vector_score: number;
  /** Present exactly when the reranker scored this result. */
  rerank_score?: number;
}

export interface RerankInfo {
  provider: string;
  model?: string;
  /** How many candidates were sent to the reranker. */
  candidates: number;
  ms: number;
  /** Why the reranked order was not used (the vector order was returned instead). */
  error?: string;
  /** What the provider reported: billed units, rate limits, retries, latency mode… */
  meta?: Record<string, unknown>;
}

export interface SearchResponse {
  results: SearchResult[];
  reranked: boolean;
  rerank?: RerankInfo;
  timings: { embed_ms: number; search_ms: number; rerank_ms: number; total_ms: number };
}
