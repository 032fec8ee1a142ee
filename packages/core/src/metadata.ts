/**
 * What `add` and `update` accept as metadata. Every store must be able to store, return and filter
 * on whatever is accepted, so the limits are set by the weakest: SQLite's JSON functions fail on
 * documents nested about 1,000 deep, and one such record made every filtered query of its
 * collection fail. Values must be what JSON holds as is, so every store returns what was written.
 */
export const METADATA_LIMITS = {
  /** Levels of objects/arrays below the metadata object itself. */
  maxDepth: 32,
  /** Characters in one key, at any level. */
  maxKeyLength: 256,
  /** The metadata as JSON, in UTF-8 bytes. */
  maxBytes: 64 * 1024,
} as const;

export interface MetadataProblem {
  /** Keys and indexes from the metadata object down to the offending value. */
  path: (string | number)[];
  message: string;
}

function kindOf(value: unknown): string {
  if (typeof value !== "object") return `a ${typeof value}`;
  const proto = Object.getPrototypeOf(value);
  return `a ${proto?.constructor?.name ?? "non-plain object"}`;
}

function valueProblem(value: unknown, path: (string | number)[], depth: number): MetadataProblem | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number")
    return Number.isFinite(value) ? null : { path, message: `${value} is not a JSON number` };
  if (typeof value !== "object")
    return { path, message: `${kindOf(value)} cannot be stored as metadata (only JSON values)` };
  if (depth > METADATA_LIMITS.maxDepth)
    return { path, message: `nested deeper than ${METADATA_LIMITS.maxDepth} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined)
        return { path: [...path, i], message: "undefined cannot be stored in an array (use null)" };
      const problem = valueProblem(value[i], [...path, i], depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  // Plain objects only (any realm's Object.prototype, or none): a Date, Map or class instance
  // would come back from a store as something else.
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null)
    return { path, message: `${kindOf(value)} is not a plain object (store dates as ISO strings)` };
  if (Object.getOwnPropertySymbols(value).length > 0)
    return { path, message: "Symbol keys cannot be stored as metadata" };
  for (const key of Object.keys(value)) {
    if (key.length > METADATA_LIMITS.maxKeyLength) {
      return {
        path: [...path, `${key.slice(0, 32)}…`],
        message: `key longer than ${METADATA_LIMITS.maxKeyLength} characters`,
      };
    }
    const entry = (value as Record<string, unknown>)[key];
    if (entry === undefined) continue; // dropped, as a missing key reads the same
    const problem = valueProblem(entry, [...path, key], depth + 1);
    if (problem) return problem;
  }
  return null;
}

/**
 * The first reason `metadata` cannot be stored, or null. Never throws, whatever it is given
 * (functions, `toJSON`, Symbol keys, cycles, 10,000 levels).
 */
export function metadataProblem(metadata: unknown): MetadataProblem | null {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
    return { path: [], message: "expected a plain object" };
  const problem = valueProblem(metadata, [], 0);
  if (problem) return problem;
  const bytes = Buffer.byteLength(JSON.stringify(metadata), "utf8");
  if (bytes > METADATA_LIMITS.maxBytes)
    return { path: [], message: `is ${bytes} bytes as JSON; the limit is ${METADATA_LIMITS.maxBytes}` };
  return null;
}
