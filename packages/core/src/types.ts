/**
 * The contracts between @mem0/core and provider packages. Types first: a provider package (ours or
 * a third party's) implements one of these interfaces and wraps it with `defineReranker` & co.
 */
import type { FilterNode } from "./filters.js";

export type Vector = Float32Array | number[];

/** The scope ids a memory belongs to. At least one is set on every memory. */
export interface Scope {
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

export const SCOPE_KEYS = ["user_id", "agent_id", "run_id"] as const;
/** Filter fields read from the record itself rather than from `metadata`. */
export const RECORD_FIELDS = [...SCOPE_KEYS, "created_at", "updated_at", "hash", "memory"] as const;

/** What a store keeps next to each vector. */
export interface MemoryPayload extends Scope {
  memory: string;
  hash: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
}

export interface StoredMemory {
  id: string;
  payload: MemoryPayload;
}

export interface ScoredMemory extends StoredMemory {
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

/** A history event, as Mem0 records them. */
export interface HistoryEvent {
  id: string;
  memory_id: string;
  event: "ADD" | "UPDATE" | "DELETE";
  old_memory: string | null;
  new_memory: string | null;
  created_at: string;
  updated_at: string | null;
  is_deleted: boolean;
  actor_id?: string | null;
  role?: string | null;
}

export interface HistoryStore {
  add(events: readonly HistoryEvent[]): Promise<void>;
  get(memoryId: string): Promise<HistoryEvent[]>;
  reset(): Promise<void>;
  close?(): Promise<void>;
}

/** Options on every store write: history events that must commit together with the write. */
export interface WriteOptions {
  history?: readonly HistoryEvent[];
}

/**
 * One change of a batch write (`VectorStore.apply`). An update's or delete's new payload and
 * history are computed by `next` / `history` from the record as it is inside the store's write,
 * so two concurrent read-modify-writes cannot lose each other's change. Both must be synchronous
 * and pure: a store may call them again (compare-and-set retries). A throw from them aborts the batch.
 */
export type StoreChange =
  | { op: "insert"; id: string; vector: Vector; payload: MemoryPayload; history?: readonly HistoryEvent[] }
  | {
      op: "update";
      id: string;
      /** Replaces the stored vector; omitted, the vector stays. */
      vector?: Vector;
      next(current: StoredMemory): { payload: MemoryPayload; history?: readonly HistoryEvent[] };
    }
  | { op: "delete"; id: string; history?(current: StoredMemory): readonly HistoryEvent[] };

export interface ApplyOptions {
  /**
   * An update or delete whose target is missing: "fail" (default) rejects the whole batch with
   * NotFoundError, nothing written; "skip" leaves it out and reports its id in `skipped`.
   */
  missing?: "fail" | "skip";
}

export interface ApplyResult {
  /** Ids of updates and deletes left out because their target was missing (`missing: "skip"`). */
  skipped: string[];
}

export interface VectorStore {
  readonly provider: string;
  /**
   * When set, the store persists `WriteOptions.history` in the same transaction as the write and
   * answers history queries; the Memory then uses it as its history store.
   */
  readonly history?: HistoryStore;
  insert(
    records: readonly { id: string; vector: Vector; payload: MemoryPayload }[],
    options?: WriteOptions,
  ): Promise<void>;
  /** Nearest neighbours among records matching `filter`, best first. Never drops a filter clause. */
  search(query: { vector: Vector; limit: number; filter: FilterNode | null }): Promise<ScoredMemory[]>;
  get(id: string): Promise<StoredMemory | null>;
  /** Records matching `filter`, oldest first (created_at, then id). */
  list(query: { filter: FilterNode | null; limit: number }): Promise<StoredMemory[]>;
  update(id: string, record: { vector?: Vector; payload: MemoryPayload }, options?: WriteOptions): Promise<void>;
  delete(id: string, options?: WriteOptions): Promise<void>;
  /**
   * Applies `changes` in order, all or nothing where the store has transactions (each change at
   * least atomic on its own record otherwise, and then never rejecting after a partial write with
   * `missing: "skip"`). Optional: without it, core applies the changes one by one, unprotected
   * against concurrent writers.
   */
  apply?(changes: readonly StoreChange[], options?: ApplyOptions): Promise<ApplyResult>;
  reset(): Promise<void>;
  close?(): Promise<void>;
}

export interface Embedder {
  readonly provider: string;
  readonly model?: string;
  readonly dims: number;
  embed(texts: readonly string[], kind: "add" | "search", options?: { signal?: AbortSignal }): Promise<Vector[]>;
  close?(): Promise<void>;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface LLM {
  readonly provider: string;
  readonly model?: string;
  generate(
    messages: readonly ChatMessage[],
    options?: {
      /** `strict` (default true where the provider supports it) asks for schema-constrained decoding. */
      response_format?:
        | { type: "json_object" }
        | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict?: boolean };
      signal?: AbortSignal;
      /** Where a provider reports usage, rate-limit headers and retries (as `RerankOptions.meta`). */
      meta?: Record<string, unknown>;
    },
  ): Promise<string>;
  close?(): Promise<void>;
}

export interface RerankItem {
  /** Index into the `documents` array passed to `rerank`. */
  index: number;
  /** Higher is more relevant. Any finite number; providers document their scale. */
  score: number;
}

export interface RerankOptions {
  /** Return at least this many items (the best ones); more are accepted, and cut by the pipeline. */
  top_k?: number;
  signal?: AbortSignal;
  /**
   * Where a provider reports what the API said about cost, throttling and latency (billed units,
   * rate-limit headers, retries made). The pipeline copies it into `response.rerank.meta`.
   */
  meta?: Record<string, unknown>;
}

/** One call of a split pool: documents `start` (inclusive) to `end` (exclusive). */
export interface RerankCall {
  start: number;
  end: number;
}

export interface Reranker {
  readonly provider: string;
  readonly model?: string;
  /** The candidate pool size configured by the user (`top_k`), if any. */
  readonly topK?: number;
  /**
   * The provider's hard limit of documents per call. The pipeline splits larger pools into calls
   * of this size, runs them concurrently and merges by score, so scores must be comparable across
   * calls (absolute relevance scores, not per-call normalised ones).
   */
  readonly maxDocumentsPerCall?: number;
  /**
   * For limits other than a document count (e.g. bytes per request): the calls to split a pool
   * into, contiguous and covering every document. Wins over `maxDocumentsPerCall`. Throw when a
   * document cannot be sent at all.
   */
  planCalls?(query: string, documents: readonly string[]): readonly RerankCall[];
  /** Calls of one split pool in flight at once (default 4). */
  readonly maxConcurrentCalls?: number;
  /**
   * True when the reranker calls a remote service. Such a reranker gets a default overall budget
   * per search (`rerank_timeout_ms`, 10 s) so a hanging service cannot stall searches.
   */
  readonly hosted?: boolean;
  /**
   * True when a document's score depends on the other documents of the call (listwise scoring, e.g.
   * an LLM comparing them): a score cache may then reuse only a whole call's answer, never merge
   * cached scores with new ones. Pointwise rerankers (cross-encoders, Cohere, TEI) leave it unset.
   */
  readonly listwise?: boolean;
  /**
   * At least `min(top_k, documents.length)` items (more are accepted and cut), in any order: the
   * pipeline validates, sorts best first and cuts. Each index at most once, each score finite.
   */
  rerank(query: string, documents: readonly string[], options?: RerankOptions): Promise<RerankItem[]>;
  close?(): Promise<void>;
}
