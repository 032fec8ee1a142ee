/**
 * Helpers for the rerank `meta` object. The pipeline hands one object to every call of a split
 * request (and they run concurrently), so counters are added up, never overwritten.
 */
import { headersToRecord, type HeaderSource } from "./errors.js";
import { redactSecrets, type SecretLike } from "./secret.js";

export function addCount(meta: Record<string, unknown>, key: string, n: number): void {
  const prev = meta[key];
  meta[key] = (typeof prev === "number" ? prev : 0) + n;
}

/** Adds each numeric field of `values` into `meta[key]` (an object of counters), e.g. billed units. */
export function addCounts(
  meta: Record<string, unknown>,
  key: string,
  values: Record<string, unknown> | undefined,
): void {
  if (!values) return;
  if (!meta[key] || typeof meta[key] !== "object") meta[key] = {};
  const target = meta[key] as Record<string, unknown>;
  for (const [unit, count] of Object.entries(values))
    if (typeof count === "number" && Number.isFinite(count)) addCount(target, unit, count);
}

/** Appends unique strings to `meta[key]` (e.g. API warnings), redacted: a server may echo the key. */
export function addUnique(
  meta: Record<string, unknown>,
  key: string,
  values: readonly unknown[] | undefined,
  secrets: readonly SecretLike[] = [],
): void {
  if (!values?.length) return;
  if (!Array.isArray(meta[key])) meta[key] = [];
  const list = meta[key] as unknown[];
  for (const value of values) {
    const clean = typeof value === "string" ? redactSecrets(value, secrets) : value;
    if (!list.includes(clean)) list.push(clean);
  }
}

/** Throttling headers worth keeping: every `x-ratelimit-*` / `ratelimit-*` header and `retry-after`. */
export const RATE_LIMIT_HEADER = /^(x-)?ratelimit|^x-rate-limit|^retry-after/i;

/**
 * Copies the headers matching `match` (default: rate-limit headers) into `meta[key]`. The latest
 * answer wins per header, which is what a user watching quota wants to see.
 */
export function recordHeaders(
  meta: Record<string, unknown>,
  headers: HeaderSource,
  options: { key?: string; match?: RegExp | readonly string[]; secrets?: readonly SecretLike[] } = {},
): void {
  const key = options.key ?? "rate_limit";
  const match = options.match ?? RATE_LIMIT_HEADER;
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headersToRecord(headers))) {
    const wanted = match instanceof RegExp ? match.test(name) : match.includes(name);
    if (wanted) picked[name] = redactSecrets(value, options.secrets);
  }
  if (Object.keys(picked).length === 0) return;
  meta[key] = { ...((meta[key] as Record<string, string> | undefined) ?? {}), ...picked };
}
