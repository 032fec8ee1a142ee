/**
 * How filter fields map onto Qdrant payload keys.
 *
 * The payload is flat, as Mem0 writes it: the record's own fields (`memory`, `hash`, `user_id`, …)
 * and every metadata key sit at the top level, so a filter field is a payload key of the same name.
 * Qdrant reads a condition's `key` as a JSON path (`a.b` is nested, `a[]` is an array), so a field
 * name that is not a bare word is written quoted (`"a.b"`); a name holding `"` or `\` cannot be
 * written at all (Qdrant's quoted keys have no escapes) and is evaluated client-side instead.
 */

/** The one payload key the store keeps for itself (ISO-date shadows, history, revision). */
export const RESERVED_KEY = "_mem0";

// Qdrant's unquoted keys are Unicode alphanumerics, `_` and `-`; ASCII is enough to decide when
// quoting is unnecessary, and quoting is always accepted.
const BARE = /^[A-Za-z0-9_-]+$/;

/** One path segment, quoted when needed; undefined when Qdrant cannot address the name. */
function pathSegment(name: string): string | undefined {
  if (name.length === 0) return undefined;
  if (BARE.test(name)) return name;
  if (name.includes('"') || name.includes("\\")) return undefined;
  return `"${name}"`;
}

/** The payload key of a filter field. */
export function fieldKey(field: string): string | undefined {
  return pathSegment(field);
}

/** The key of a field's ISO-date shadow: epoch milliseconds of every date string it holds. */
export function dateKey(field: string): string | undefined {
  const seg = pathSegment(field);
  return seg === undefined ? undefined : `${RESERVED_KEY}.dates.${seg}`;
}

export const DELETED_KEY = `${RESERVED_KEY}.deleted`;
export const REV_KEY = `${RESERVED_KEY}.rev`;
export const HISTORY_KEY = `${RESERVED_KEY}.history`;
