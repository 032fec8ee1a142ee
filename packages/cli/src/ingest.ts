/**
 * Loading many memories at once (`mem0-ts add --file`, `compare --memories`, `eval`, the demo),
 * with a progress bar.
 */
import { ValidationError, type Memory } from "@mem0/core";
import pLimit from "p-limit";
import { InputError } from "./errors.js";
import type { MemorySpec } from "./inputs.js";
import type { Io } from "./io.js";
import { startProgress } from "./progress.js";

export interface IngestItem {
  memory: string;
  user_id?: string;
  agent_id?: string;
  run_id?: string;
  metadata?: Record<string, unknown>;
  /** Where the item came from, for error messages. */
  line?: number;
}

/**
 * Adds each item as one memory (`infer: false`: stored as given). A few adds run concurrently so a
 * hosted embedder's round trips overlap; a local one is not slowed by it.
 */
export async function ingest(
  memory: Memory,
  items: readonly (IngestItem | MemorySpec)[],
  io: Io,
  options: { label?: string; file?: string; concurrency?: number } = {},
): Promise<{ count: number; ms: number }> {
  const t0 = performance.now();
  const bar = startProgress(io, options.label ?? "loading memories", items.length);
  const limit = pLimit(options.concurrency ?? 4);
  try {
    await Promise.all(
      items.map((item) =>
        limit(async () => {
          const scope = {
            ...(item.user_id ? { user_id: item.user_id } : {}),
            ...(item.agent_id ? { agent_id: item.agent_id } : {}),
            ...(item.run_id ? { run_id: item.run_id } : {}),
          };
          try {
            await memory.add(item.memory, {
              ...scope,
              ...(item.metadata ? { metadata: item.metadata } : {}),
              infer: false,
            });
          } catch (err) {
            if (err instanceof ValidationError && options.file) {
              throw new InputError(
                options.file,
                item.line,
                err.path.replace(/^add\.options\./, "").replace(/^add\.messages/, "memory"),
                err.detail,
              );
            }
            throw err;
          }
          bar.increment();
        }),
      ),
    );
  } finally {
    bar.stop();
  }
  return { count: items.length, ms: performance.now() - t0 };
}
