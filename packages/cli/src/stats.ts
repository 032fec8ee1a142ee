/** Latency percentiles and the paired bootstrap used by `compare` and `eval`. */

/**
 * The p-th percentile (0–100) with linear interpolation between the two nearest ranks (numpy's
 * default, "type 7"): p50 of [1, 2, 3, 4] is 2.5. NaN for no values.
 */
export function percentile(values: readonly number[], percent: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = ((sorted.length - 1) * Math.min(100, Math.max(0, percent))) / 100;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const low = sorted[lo] ?? Number.NaN;
  return low + ((sorted[hi] ?? Number.NaN) - low) * (at - lo);
}

export const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;

/** mulberry32: a small, fast, seedable PRNG, so a bootstrap (and the demo's data) is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapCI {
  /** Mean of b − a over the queries. */
  diff: number;
  /** The (1 − alpha) percentile interval of the resampled mean difference. */
  lo: number;
  hi: number;
  samples: number;
  seed: number;
}

/**
 * Paired bootstrap of the mean difference b − a: resample queries with replacement (the same
 * query for both systems, hence "paired"), take the mean difference of each resample, report its
 * alpha/2 and 1 − alpha/2 percentiles.
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: { samples?: number; seed?: number; alpha?: number } = {},
): BootstrapCI {
  if (a.length !== b.length) throw new Error(`paired bootstrap needs equal lengths, got ${a.length} and ${b.length}`);
  const samples = options.samples ?? 10_000;
  const seed = options.seed ?? 42;
  const alpha = options.alpha ?? 0.05;
  const diffs = a.map((x, i) => b[i]! - x);
  const count = diffs.length;
  if (count === 0) return { diff: Number.NaN, lo: Number.NaN, hi: Number.NaN, samples, seed };
  const rand = seededRandom(seed);
  const means = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += diffs[Math.floor(rand() * count)]!;
    means[s] = sum / count;
  }
  const sorted = Array.from(means);
  return {
    diff: mean(diffs),
    lo: percentile(sorted, (100 * alpha) / 2),
    hi: percentile(sorted, 100 * (1 - alpha / 2)),
    samples,
    seed,
  };
}
