import type { Vector } from "./types.js";

/** Scales `v` to unit length in place and returns it (a zero vector stays zero). */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return scaleToUnit(v, sum);
}

/**
 * Divides `v` by √sum (its squared norm, already computed) in place. Multiplies by the reciprocal:
 * a division per element was a sixth of a bulk insert's JavaScript time, and the float64 results
 * differ by at most one float64 ulp, which rounding to float32 almost never shows.
 */
export function scaleToUnit(v: Float32Array, sum: number): Float32Array {
  const norm = Math.sqrt(sum);
  if (norm > 0) {
    const inverse = 1 / norm;
    for (let i = 0; i < v.length; i++) v[i]! *= inverse;
  }
  return v;
}

/** Copies a vector into a unit-length Float32Array (a zero vector stays zero). */
export function normalizeVector(v: Vector): Float32Array {
  // The constructor copies a typed array in one block; Float32Array.from walks its iterator.
  return normalizeInPlace(new Float32Array(v));
}

/** Dot product of two equal-length vectors: cosine similarity when both are unit length. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Checks every element is finite and the length is `dims` (when given); returns a message or null. */
export function vectorProblem(v: Vector, dims?: number): string | null {
  if (dims !== undefined && v.length !== dims) return `expected a vector of ${dims} dimensions, got ${v.length}`;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return `vector element ${i} is not a finite number`;
  return null;
}
