/**
 * How vectors are stored: unit-length float32 bytes in a BLOB. Normalizing once on write lets
 * sqlite-vec's cosine distance and core's dot agree bit for bit with the reference store, and the
 * JavaScript distance here stands in where no sqlite-vec build exists, with the same answers.
 */
import { Mem0Error, scaleToUnit, type Vector, vectorProblem } from "@mem0/core";

/** The bytes of a float32 vector, without a copy. */
export const asBlob = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/**
 * The bytes of `vector` scaled to unit length, equal bit for bit to core's normalizeVector, or null
 * if an element is not a finite number (or overflows float32). One pass to check and sum, one to
 * scale, written straight into a pooled Buffer: a separate check, copy and new backing store per
 * row cost a bulk insert much of its JavaScript time.
 */
function unitBlob(vector: Vector): Buffer | null {
  if (!(vector instanceof Float32Array) && vectorProblem(vector)) return null; // a number[] may hold anything
  const length = vector.length;
  const blob = Buffer.allocUnsafe(length * 4); // from Node's pool, 8-byte aligned
  const out = new Float32Array(blob.buffer, blob.byteOffset, length);
  out.set(vector);
  let sum = 0;
  for (let index = 0; index < length; index++) sum += out[index]! * out[index]!;
  if (!Number.isFinite(sum)) return null; // NaN or ±Infinity somewhere
  scaleToUnit(out, sum);
  return blob;
}

/** `unitBlob` of a record's vector, or INVALID_VECTOR naming the record and what is wrong. */
export function checkedVector(vector: Vector, id: string, dims: number | undefined): Buffer {
  const blob = dims !== undefined && vector.length !== dims ? null : unitBlob(vector);
  if (!blob) {
    const problem = vectorProblem(vector, dims) ?? "an element is too large for a 32-bit float";
    throw new Mem0Error("INVALID_VECTOR", `sqlite store: ${id}: ${problem}`);
  }
  return blob;
}

export function asFloats(blob: Buffer): Float32Array {
  // A Float32Array view needs 4-byte alignment; copy in the rare case the driver's buffer is not.
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(Uint8Array.from(blob).buffer);
}

/**
 * Cosine distance for unit vectors, for platforms without a sqlite-vec build. NULL for a zero
 * vector, like sqlite-vec.
 */
export function jsCosineDistance(left: unknown, right: unknown): number | null {
  if (!Buffer.isBuffer(left) || !Buffer.isBuffer(right) || left.byteLength !== right.byteLength) return null;
  const leftFloats = asFloats(left);
  const rightFloats = asFloats(right);
  let product = 0;
  let leftSquares = 0;
  let rightSquares = 0;
  for (let index = 0; index < leftFloats.length; index++) {
    product += leftFloats[index]! * rightFloats[index]!;
    leftSquares += leftFloats[index]! * leftFloats[index]!;
    rightSquares += rightFloats[index]! * rightFloats[index]!;
  }
  return leftSquares === 0 || rightSquares === 0 ? null : 1 - product / Math.sqrt(leftSquares * rightSquares);
}
