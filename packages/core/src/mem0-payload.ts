/**
 * Mem0's stored payload (a vector store point's payload, as Mem0 Python and mem0ai write it) → our
 * record: the text under `data`, `hash`, the timestamps as `created_at` / `updated_at` (Python) or
 * `createdAt` / `updatedAt` (mem0ai 3.x), the scope ids, and every other key as metadata — nothing
 * is lost, so `text_lemmatized`, `attributedTo`, `actor_id`, `role`, … survive a read-modify-write.
 */
import { SCOPE_KEYS, type MemoryPayload } from "./types.js";

export type Mem0Dialect = "python" | "mem0ai";

export const MEM0_TIMESTAMP_KEYS = {
  python: { created: "created_at", updated: "updated_at" },
  mem0ai: { created: "createdAt", updated: "updatedAt" },
} as const;

/** mem0ai's when the payload has `createdAt` and no `created_at`. */
export function mem0DialectOf(payload: Record<string, unknown> | null | undefined): Mem0Dialect {
  return payload && !("created_at" in payload) && "createdAt" in payload ? "mem0ai" : "python";
}

const stringOr = (v: unknown, fallback: string): string =>
  typeof v === "string" ? v : v == null ? fallback : String(v);

/**
 * The record a Mem0 payload holds. `textKey` is where the text is (`data`; this project's old
 * Qdrant layout used `memory`); keys in `skip` are dropped (a store's own bookkeeping).
 */
export function fromMem0Payload(
  raw: Record<string, unknown>,
  options: { textKey?: string; skip?: readonly string[] } = {},
): MemoryPayload {
  const textKey = options.textKey ?? "data";
  const keys = MEM0_TIMESTAMP_KEYS[mem0DialectOf(raw)];
  const own = new Set<string>([...(options.skip ?? []), textKey, "hash", keys.created, keys.updated, ...SCOPE_KEYS]);
  const metadata: Record<string, unknown> = {};
  const payload: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!own.has(k)) metadata[k] = v;
    else if ((SCOPE_KEYS as readonly string[]).includes(k) && typeof v === "string") payload[k] = v;
  }
  payload.memory = stringOr(raw[textKey], "");
  payload.hash = stringOr(raw.hash, "");
  payload.created_at = stringOr(raw[keys.created], "");
  // mem0ai's add without inference writes no updatedAt: the memory was never updated.
  payload.updated_at = stringOr(raw[keys.updated], payload.created_at as string);
  payload.metadata = metadata;
  return payload as unknown as MemoryPayload;
}
