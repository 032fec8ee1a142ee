/**
 * Qdrant's filter semantics, as its engine implements them (lib/segment: `condition_checker.rs`,
 * `query_checker.rs`, `json_path`), for the Qdrant test double:
 *
 * - A condition's `key` is a JSON path: bare words (Unicode alphanumerics, `_`, `-`) or `"quoted"`
 *   names, `.key`, `[n]`, `[]`. It selects zero or more values; an array value is not flattened by
 *   the path, but every positive check (`match`, `range`) passes when any element passes.
 * - `match.value`: string = string, integer = integer (a stored float never equals), bool = bool.
 *   `match.any`: the same against a list. `match.except`: a value of another type, or not in the list
 *   (so a stored `[]`… has no value and fails; `null` fails).
 * - `match.text` / `phrase`: substring test on strings, unless the field has a full-text index, in
 *   which case it matches tokens (all of them, in order for `phrase`); `text_any`: any token.
 * - `range` with numbers: JSON numbers only, compared as doubles; with strings: datetimes (RFC 3339
 *   and Qdrant's other accepted forms), compared at microsecond precision.
 * - `is_empty`: missing, `null` or `[]`; `is_null`: an explicit `null`; `values_count`: the number of
 *   values (array length, else one).
 * - `must` all, `should` at least one (an empty list matches nothing), `must_not` none,
 *   `min_should` at least `min_count`; `nested` checks a filter against each object of an array.
 */

export type JsonPathItem = { key: string } | { index: number } | { wildcard: true };
export interface JsonPath {
  first: string;
  rest: JsonPathItem[];
}

const RAW = /^[\p{Alphabetic}\p{N}_-]+/u;

/** Parses a Qdrant JSON path, or returns undefined when Qdrant would reject it. */
export function parseJsonPath(text: string): JsonPath | undefined {
  let i = 0;
  const word = (): string | undefined => {
    const rest = text.slice(i);
    const raw = RAW.exec(rest);
    if (raw) {
      i += raw[0].length;
      return raw[0];
    }
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      if (end < 0) return undefined;
      const inner = rest.slice(1, end);
      if (inner.includes("\\")) return undefined;
      i += end + 1;
      return inner;
    }
    return undefined;
  };
  const first = word();
  if (first === undefined) return undefined;
  const rest: JsonPathItem[] = [];
  while (i < text.length) {
    if (text[i] === ".") {
      i += 1;
      const segmentKey = word();
      if (segmentKey === undefined) return undefined;
      rest.push({ key: segmentKey });
    } else if (text.startsWith("[]", i)) {
      i += 2;
      rest.push({ wildcard: true });
    } else if (text[i] === "[") {
      const indexMatch = /^\[(\d+)\]/.exec(text.slice(i));
      if (!indexMatch) return undefined;
      i += indexMatch[0].length;
      rest.push({ index: Number(indexMatch[1]) });
    } else return undefined;
  }
  return { first, rest };
}

/** The values a path selects in a payload (Qdrant's `value_get`). */
export function valuesAt(payload: Record<string, unknown>, path: JsonPath): unknown[] {
  const out: unknown[] = [];
  const walk = (items: JsonPathItem[], value: unknown) => {
    if (value === undefined) return;
    if (items.length === 0) {
      out.push(value);
      return;
    }
    const [head, ...tail] = items;
    if ("key" in head!) {
      if (value && typeof value === "object" && !Array.isArray(value))
        walk(tail, (value as Record<string, unknown>)[head.key]);
    } else if ("index" in head!) {
      if (Array.isArray(value) && head.index < value.length) walk(tail, value[head.index]);
    } else if (Array.isArray(value)) for (const v of value) walk(tail, v);
  };
  if (Object.hasOwn(payload, path.first)) walk(path.rest, payload[path.first]);
  return out;
}

const DATE_PART = String.raw`(\d{4})-(\d{2})-(\d{2})`;
const TIME_PART = String.raw`([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?`;
const ZONE_PART = String.raw`(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?`;
const QDRANT_DATETIME = new RegExp(`^${DATE_PART}(?:${TIME_PART}${ZONE_PART})?$`);

/** Datetimes in the forms Qdrant accepts (`DateTimePayloadType::from_str`), as epoch microseconds. */
export function parseQdrantDatetime(datetimeText: string): number | undefined {
  const datetimeMatch = QDRANT_DATETIME.exec(datetimeText);
  if (!datetimeMatch) return undefined;
  const [, y, mo, d, sep, h, mi, sec, frac, z, sign, oh, om] = datetimeMatch;
  const hasZone = z !== undefined || sign !== undefined;
  // Forms: date only; "YYYY-MM-DD HH:MM" (space, no seconds, no zone); anything else needs seconds.
  if (sep !== undefined && sec === undefined && (sep !== " " || hasZone)) return undefined;
  const Y = Number(y),
    M = Number(mo),
    D = Number(d);
  const H = Number(h ?? 0),
    Mi = Number(mi ?? 0),
    S = Number(sec ?? 0);
  if (M < 1 || M > 12 || D < 1 || D > 31 || H > 23 || Mi > 59 || S > 60) return undefined;
  const day = new Date(Date.UTC(Y, M - 1, D));
  if (day.getUTCMonth() !== M - 1 || day.getUTCDate() !== D) return undefined;
  const offsetMin = sign ? (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) : 0;
  const ms = Date.UTC(Y, M - 1, D, H, Mi, Math.min(S, 59)) - offsetMin * 60_000;
  const micros = frac ? Number(frac.padEnd(9, "0").slice(0, 6)) : 0;
  return ms * 1000 + micros;
}

/** A full-text index's parameters (what changes `match.text`). */
export interface TextIndex {
  tokenizer: "word" | "whitespace" | "prefix" | "multilingual";
  lowercase: boolean;
  minTokenLen?: number;
  maxTokenLen?: number;
}

export function tokenize(text: string, index: TextIndex): string[] {
  const raw = index.tokenizer === "whitespace" ? text.split(/\s+/u) : text.split(/[^\p{Alphabetic}\p{N}_]+/u);
  return raw
    .filter((t) => t.length > 0)
    .map((t) => (index.lowercase ? t.toLowerCase() : t))
    .filter(
      (t) =>
        (index.minTokenLen === undefined || [...t].length >= index.minTokenLen) &&
        (index.maxTokenLen === undefined || [...t].length <= index.maxTokenLen),
    );
}

export interface FilterContext {
  /** Full-text indexes by payload key (as written in the condition). */
  textIndexes: ReadonlyMap<string, TextIndex>;
  /** The point's id in its canonical form, for `has_id`. */
  pointId?: string | number;
}

// Filters and payloads are client JSON walked key by key like Qdrant's own deserializer does; each check names
// the bad field itself (filterProblem), so typing every node as unknown would only add casts, not safety.
// biome-ignore lint/suspicious/noExplicitAny: parsed request JSON, checked field by field where it is read
type Json = Record<string, any>;

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function matchOne(match: Json, value: unknown, key: string, ctx: FilterContext): boolean {
  if ("value" in match) {
    const want = match.value;
    if (typeof want === "string") return value === want;
    if (typeof want === "boolean") return value === want;
    return isInt(value) && value === want;
  }
  if ("any" in match) {
    const list: unknown[] = match.any;
    if (typeof value === "string") return list.some((x) => typeof x === "string" && x === value);
    if (isInt(value)) return list.some((x) => typeof x === "number" && x === value);
    return false;
  }
  if ("except" in match) {
    const list: unknown[] = match.except;
    // An empty list deserializes as the string variant in Qdrant; any non-matching type passes.
    const strings = list.length === 0 || typeof list[0] === "string";
    if (value === null) return false;
    if (typeof value === "string") return !strings || !list.includes(value);
    if (typeof value === "number") return strings || !isInt(value) || !list.includes(value);
    return true;
  }
  const index = ctx.textIndexes.get(key);
  if ("text" in match || "phrase" in match) {
    if (typeof value !== "string") return false;
    const query: string = match.text ?? match.phrase;
    if (!index) return value.includes(query);
    const doc = tokenize(value, index);
    const queryTokens = tokenize(query, index);
    if (queryTokens.length === 0) return false;
    if ("text" in match) return queryTokens.every((t) => doc.includes(t));
    for (let i = 0; i + queryTokens.length <= doc.length; i++)
      if (queryTokens.every((t, j) => doc[i + j] === t)) return true;
    return false;
  }
  if ("text_any" in match) {
    if (typeof value !== "string") return false;
    if (!index)
      return String(match.text_any)
        .split(/\s+/)
        .filter(Boolean)
        .some((t) => value.includes(t));
    const doc = tokenize(value, index);
    return tokenize(match.text_any, index).some((t) => doc.includes(t));
  }
  return false;
}

function rangeOne(range: Json, value: unknown): boolean {
  const bounds = (["lt", "gt", "lte", "gte"] as const).filter((b) => range[b] !== undefined && range[b] !== null);
  const datetime = bounds.some((b) => typeof range[b] === "string");
  let x: number;
  if (datetime) {
    if (typeof value !== "string") return false;
    const timestamp = parseQdrantDatetime(value);
    if (timestamp === undefined) return false;
    x = timestamp;
  } else {
    if (typeof value !== "number") return false;
    x = value;
  }
  return bounds.every((boundKey) => {
    const bound = datetime ? parseQdrantDatetime(range[boundKey])! : (range[boundKey] as number);
    return boundKey === "lt" ? x < bound : boundKey === "gt" ? x > bound : boundKey === "lte" ? x <= bound : x >= bound;
  });
}

function countValues(values: unknown[]): number {
  return values.reduce<number>((n, v) => n + (v === null ? 0 : Array.isArray(v) ? v.length : 1), 0);
}

function valuesCount(vc: Json, values: unknown[]): boolean {
  const count = countValues(values);
  return (
    (vc.lt == null || count < vc.lt) &&
    (vc.gt == null || count > vc.gt) &&
    (vc.lte == null || count <= vc.lte) &&
    (vc.gte == null || count >= vc.gte)
  );
}

export function isEmptyValues(values: unknown[]): boolean {
  return values.every((v) => v === null || (Array.isArray(v) && v.length === 0));
}

export function isNullValues(values: unknown[]): boolean {
  return values.length > 0 && values.every((v) => v === null);
}

function fieldCondition(condition: Json, payload: Json, ctx: FilterContext): boolean {
  const path = parseJsonPath(condition.key)!;
  const values = valuesAt(payload, path);
  const any = (check: (v: unknown) => boolean) => values.some((v) => (Array.isArray(v) ? v.some(check) : check(v)));
  // Qdrant ORs the kinds of check present in one field condition.
  if (condition.match != null && any((v) => matchOne(condition.match, v, condition.key, ctx))) return true;
  if (condition.range != null && any((v) => rangeOne(condition.range, v))) return true;
  if (condition.values_count != null && valuesCount(condition.values_count, values)) return true;
  if (condition.is_empty != null && isEmptyValues(values) === condition.is_empty) return true;
  if (condition.is_null != null && isNullValues(values) === condition.is_null) return true;
  return false;
}

export function checkCondition(condition: Json, payload: Json, ctx: FilterContext): boolean {
  if ("key" in condition) return fieldCondition(condition, payload, ctx);
  if ("is_empty" in condition) return isEmptyValues(valuesAt(payload, parseJsonPath(condition.is_empty.key)!));
  if ("is_null" in condition) return isNullValues(valuesAt(payload, parseJsonPath(condition.is_null.key)!));
  if ("has_id" in condition)
    return (condition.has_id as unknown[]).some((id) => canonicalId(id as string | number) === ctx.pointId);
  if ("has_vector" in condition) return true;
  if ("nested" in condition) {
    const path = parseJsonPath(condition.nested.key)!;
    const objects = valuesAt(payload, path)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v) => v && typeof v === "object" && !Array.isArray(v));
    return objects.some((o) => checkFilter(condition.nested.filter, o as Json, { ...ctx, pointId: undefined }));
  }
  return checkFilter(condition, payload, ctx);
}

export function checkFilter(filter: Json | null | undefined, payload: Json, ctx: FilterContext): boolean {
  if (!filter) return true;
  const check = (condition: Json) => checkCondition(condition, payload, ctx);
  if (filter.should != null && !asList(filter.should).some((c) => check(c as Json))) return false;
  if (filter.min_should != null) {
    const hits = (filter.min_should.conditions as Json[]).filter(check).length;
    if (hits < filter.min_should.min_count) return false;
  }
  if (filter.must != null && !asList(filter.must).every((c) => check(c as Json))) return false;
  if (filter.must_not != null && asList(filter.must_not).some((c) => check(c as Json))) return false;
  return true;
}

/** Point ids as Qdrant stores them: integers, or UUIDs in lower-case hyphenated form. */
export function canonicalId(id: string | number): string | number {
  if (typeof id === "number") return id;
  const hex = id
    .replace(/^urn:uuid:/i, "")
    .replace(/[{}-]/g, "")
    .toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The UUID spellings Qdrant (Rust's `uuid` crate) accepts: hyphenated, simple, braced, URN. */
export function isUuid(candidate: string): boolean {
  return (
    /^(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(candidate) ||
    /^[0-9a-f]{32}$/i.test(candidate) ||
    /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i.test(candidate)
  );
}

/**
 * What Qdrant refuses in a filter that its OpenAPI document lets through (the document has no
 * formats checked and loose condition schemas): unparsable keys, field conditions with nothing to
 * check, datetime bounds it cannot parse, mixed range bounds, non-UUID ids in `has_id`. Returns
 * `[status, message]` or undefined.
 */
export function filterProblem(filter: Json | null | undefined, at = "filter"): [number, string] | undefined {
  if (!filter) return undefined;
  const conditions: [Json, string][] = [];
  for (const clause of ["must", "should", "must_not"] as const) {
    for (const [i, condition] of asList(filter[clause]).entries()) {
      conditions.push([condition as Json, `${at}.${clause}[${i}]`]);
    }
  }
  if (filter.min_should) {
    for (const [i, condition] of (filter.min_should.conditions as Json[]).entries()) {
      conditions.push([condition, `${at}.min_should.conditions[${i}]`]);
    }
  }
  for (const [condition, where] of conditions) {
    const problem = conditionProblem(condition, where);
    if (problem) return problem;
  }
  return undefined;
}

function conditionProblem(condition: Json, where: string): [number, string] | undefined {
  const keyOf = (k: unknown): [number, string] | undefined =>
    typeof k === "string" && parseJsonPath(k)
      ? undefined
      : [400, `Format error in JSON body: ${where}: invalid payload key ${JSON.stringify(k)}`];
  if ("key" in condition) {
    const bad = keyOf(condition.key);
    if (bad) return bad;
    const kinds = [
      "match",
      "range",
      "geo_bounding_box",
      "geo_radius",
      "geo_polygon",
      "values_count",
      "is_empty",
      "is_null",
    ].filter((k) => condition[k] != null);
    if (kinds.length === 0)
      return [422, `Validation error in JSON body: [${where}.match: At least one field condition must be specified]`];
    if (condition.range != null) {
      const values = (["lt", "gt", "lte", "gte"] as const).map((b) => condition.range[b]).filter((v) => v != null);
      const strings = values.filter((v) => typeof v === "string");
      if (strings.length > 0 && strings.length < values.length)
        return [400, `Format error in JSON body: ${where}.range: mixes numbers and datetimes`];
      for (const item of strings) {
        if (parseQdrantDatetime(item) === undefined)
          return [
            400,
            `Format error in JSON body: ${where}.range: '${item}' is not in a supported date/time format, ` +
              "please use RFC 3339",
          ];
      }
    }
    return undefined;
  }
  if ("is_empty" in condition) return keyOf(condition.is_empty?.key);
  if ("is_null" in condition) return keyOf(condition.is_null?.key);
  if ("has_id" in condition) {
    const bad = (condition.has_id as unknown[]).find((id) => typeof id === "string" && !isUuid(id));
    return bad === undefined
      ? undefined
      : [
          400,
          `Format error in JSON body: ${where}.has_id: ${JSON.stringify(bad)} is not a valid point id ` +
            "(an unsigned integer or a UUID)",
        ];
  }
  if ("nested" in condition)
    return keyOf(condition.nested?.key) ?? filterProblem(condition.nested?.filter, `${where}.nested.filter`);
  if ("has_vector" in condition) return undefined;
  return filterProblem(condition, where);
}
