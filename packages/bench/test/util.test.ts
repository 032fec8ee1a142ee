// The benchmark's own helpers: both sides must get identical data, and percentiles must be right,
// or every figure in docs/benchmarks.md is wrong. (The benchmarks themselves are scripts, not tests.)
import { percentile, rng, unitVector } from "../src/util.js";

test("the seeded generator repeats exactly, and differs across seeds", () => {
  const a = rng(42);
  const b = rng(42);
  const xs = Array.from({ length: 5 }, () => a());
  expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
  expect(rng(43)()).not.toBe(xs[0]);
  expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
});

test("unit vectors have length 1 and the requested dimensions", () => {
  const v = unitVector(385, rng(1));
  expect(v).toHaveLength(385);
  expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
});

test("nearest-rank percentiles", () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
  expect(percentile(xs, 50)).toBe(50);
  expect(percentile(xs, 95)).toBe(95);
  expect(percentile([7], 95)).toBe(7);
  expect(percentile([], 50)).toBeNaN();
});
