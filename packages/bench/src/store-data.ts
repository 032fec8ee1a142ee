/**
 * The store benchmarks' data set and queries (store.ts, peers.ts): seeded, so every side of every
 * script gets the same rows and the same queries, whatever N.
 */
import { rng, unitVector } from "./util.js";

export const DIMS = 384;
export const USERS = 100;
export const CATEGORIES = ["work", "food", "travel", "health", "family"];
export const BATCH = 1_000;

export interface Item {
  id: string;
  vector: Float32Array;
  user: string;
  category: string;
  priority: number;
  text: string;
}

/** The data set, in insertion batches of BATCH rows. */
export function* dataset(n: number): Generator<Item[]> {
  const next = rng(42);
  for (let start = 0; start < n; start += BATCH) {
    const batch: Item[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const user = `user-${Math.floor(next() * USERS)}`;
      const category = CATEGORIES[Math.floor(next() * CATEGORIES.length)]!;
      const priority = Math.floor(next() * 10);
      batch.push({
        id: `mem-${i}`,
        vector: unitVector(DIMS, next),
        user,
        category,
        priority,
        text: `memory ${i} about ${category}`,
      });
    }
    yield batch;
  }
}

export interface Query {
  vector: Float32Array;
  user: string;
  category: string;
}

export function queries(count: number): Query[] {
  const next = rng(7);
  return Array.from({ length: count }, () => ({
    vector: unitVector(DIMS, next),
    user: `user-${Math.floor(next() * USERS)}`,
    category: CATEGORIES[Math.floor(next() * CATEGORIES.length)]!,
  }));
}

/**
 * Inserts the data set through `insert`, then `finish` (a checkpoint, compaction…); returns the rows
 * per second of both.
 */
export async function loadDataset(
  label: string,
  n: number,
  insert: (batch: Item[]) => Promise<void>,
  finish: () => Promise<void>,
): Promise<number> {
  let ms = 0;
  let done = 0;
  for (const batch of dataset(n)) {
    const t = performance.now();
    await insert(batch);
    ms += performance.now() - t;
    done += batch.length;
    if (done % 100_000 === 0) process.stderr.write(`  ${label}: ${done.toLocaleString("en-US")} inserted\n`);
  }
  const t = performance.now();
  await finish();
  ms += performance.now() - t;
  return n / (ms / 1000);
}
