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
      batch.push({ id: `mem-${i}`, vector: unitVector(DIMS, next), user, category, priority, text: `memory ${i} about ${category}` });
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
