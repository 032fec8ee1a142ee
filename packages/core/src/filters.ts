/**
 * Mem0's enhanced filter language, parsed once into an AST that every store translates.
 *
 *   { category: "work" }                         eq
 *   { priority: { gte: 3, lte: 4 } }             every operator on a field applies (AND)
 *   { AND: [...] } { OR: [...] } { NOT: [...] }  nestable; NOT excludes rows matching ANY entry
 *   { tags: "*" }                                the field exists and is not null / empty array
 *   { category: ["a", "b"] }                     Mem0's list shorthand for { in: [...] }
 *   { $and: [...] } { $or: [...] } { $not: [...] }  Mem0's aliases of AND / OR / NOT
 *
 * `evaluateFilter` is the reference semantics: the in-memory store uses it and every other store
 * is tested against it.
 */
import { FilterError } from "./errors.js";

export const COMPARISON_OPERATORS = [
  "eq",
  "ne",
  "gt",
  "gte",
  "lt",
  "lte",
  "in",
  "nin",
  "contains",
  "icontains",
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];
export type Scalar = string | number | boolean;

export type FilterNode =
  | { kind: "and"; children: FilterNode[] }
  | { kind: "or"; children: FilterNode[] }
  | { kind: "not"; child: FilterNode }
  | { kind: "exists"; field: string }
  | { kind: "compare"; field: string; op: "eq" | "ne" | "contains" | "icontains"; value: Scalar }
  | { kind: "compare"; field: string; op: "gt" | "gte" | "lt" | "lte"; value: number | string }
  | { kind: "compare"; field: string; op: "in" | "nin"; value: Scalar[] };

export type CompareNode = Extract<FilterNode, { kind: "compare" }>;

/** The user-facing filter object, as accepted by `search` and `getAll`. */
export type Filters = { [field: string]: unknown };

const COMBINATORS = new Set(["AND", "OR", "NOT"]);
/** Mem0 (Python and mem0ai) accepts these spellings of the combinators. */
const COMBINATOR_ALIASES: Record<string, string> = { $and: "AND", $or: "OR", $not: "NOT" };
const OPS = new Set<string>(COMPARISON_OPERATORS);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO-8601 date or datetime to epoch milliseconds. A date or datetime without an offset
 * is UTC, so the result never depends on the machine's time zone. Returns undefined otherwise.
 */
export function parseIsoDate(value: string): number | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour = "00", minute = "00", second = "00", frac = "", tz] = match;
  let zone = tz ?? "Z";
  if (zone !== "Z" && !zone.includes(":")) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const epochMs = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${frac}${zone}`);
  if (Number.isNaN(epochMs)) return undefined;
  // Date.parse rolls 2024-02-31 over to March; a real calendar date must survive the round trip.
  const probe = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (probe.getUTCMonth() !== Number(month) - 1 || probe.getUTCDate() !== Number(day)) return undefined;
  return epochMs;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function parseOperand(op: ComparisonOperator, field: string, value: unknown, path: string): FilterNode {
  switch (op) {
    case "eq":
    case "ne":
      if (!isScalar(value))
        throw new FilterError(path, `${op} expects a string, number or boolean, got ${describe(value)}`);
      return { kind: "compare", field, op, value };
    case "contains":
    case "icontains":
      if (typeof value !== "string") throw new FilterError(path, `${op} expects a string, got ${describe(value)}`);
      return { kind: "compare", field, op, value };
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      if (typeof value === "number" && Number.isFinite(value)) return { kind: "compare", field, op, value };
      if (typeof value === "string" && parseIsoDate(value) !== undefined) return { kind: "compare", field, op, value };
      throw new FilterError(
        path,
        `${op} expects a finite number or an ISO-8601 date string, got ${
          typeof value === "string" ? JSON.stringify(value) : describe(value)
        }`,
      );
    case "in":
    case "nin": {
      if (!Array.isArray(value))
        throw new FilterError(path, `${op} expects an array of strings, numbers or booleans, got ${describe(value)}`);
      value.forEach((v, i) => {
        if (!isScalar(v))
          throw new FilterError(
            `${path}[${i}]`,
            `${op} values must be strings, numbers or booleans, got ${describe(v)}`,
          );
      });
      return { kind: "compare", field, op, value: [...value] as Scalar[] };
    }
  }
}

function parseField(field: string, spec: unknown, path: string): FilterNode {
  if (field.length === 0) throw new FilterError(path, "field name must not be empty");
  if (spec === "*") return { kind: "exists", field };
  if (isScalar(spec)) return { kind: "compare", field, op: "eq", value: spec };
  if (isPlainObject(spec)) {
    const entries = Object.entries(spec);
    if (entries.length === 0) throw new FilterError(path, "operator object must not be empty");
    const nodes = entries.map(([op, operand]) => {
      if (!OPS.has(op)) {
        const bare = op.replace(/^\$/, "").toLowerCase();
        const hint = OPS.has(bare)
          ? ` (did you mean "${bare}"?)`
          : ` (expected one of ${COMPARISON_OPERATORS.join(", ")})`;
        throw new FilterError(`${path}.${op}`, `unknown operator ${JSON.stringify(op)}${hint}`);
      }
      return parseOperand(op as ComparisonOperator, field, operand, `${path}.${op}`);
    });
    return nodes.length === 1 ? nodes[0]! : { kind: "and", children: nodes };
  }
  // Mem0's shorthand: a list matches any of its values (its Qdrant store sends match.any).
  if (Array.isArray(spec)) return parseOperand("in", field, spec, path);
  throw new FilterError(path, `expected a value, "*" or an operator object, got ${describe(spec)}`);
}

/**
 * How deeply AND/OR/NOT may nest. Real filters are a few levels deep; without a bound a crafted one
 * exhausts the stack (a RangeError) here or in a store's translation.
 */
export const MAX_FILTER_DEPTH = 32;

function parseObject(obj: unknown, path: string, depth = 1): FilterNode {
  if (depth > MAX_FILTER_DEPTH)
    throw new FilterError(path, `nested deeper than ${MAX_FILTER_DEPTH} levels of AND/OR/NOT`);
  if (!isPlainObject(obj)) throw new FilterError(path, `expected an object, got ${describe(obj)}`);
  const children: FilterNode[] = [];
  for (const [rawKey, spec] of Object.entries(obj)) {
    const keyPath = `${path}.${rawKey}`;
    const key = Object.hasOwn(COMBINATOR_ALIASES, rawKey) ? COMBINATOR_ALIASES[rawKey]! : rawKey;
    if (!COMBINATORS.has(key)) {
      const upper = key.replace(/^\$/, "").toUpperCase();
      if (Array.isArray(spec) && COMBINATORS.has(upper)) {
        throw new FilterError(keyPath, `unknown combinator ${JSON.stringify(key)} (did you mean "${upper}"?)`);
      }
      children.push(parseField(key, spec, keyPath));
    } else {
      const list = Array.isArray(spec) ? spec : isPlainObject(spec) ? [spec] : undefined;
      if (!list) throw new FilterError(keyPath, `${key} expects an array of filter objects, got ${describe(spec)}`);
      if (list.length === 0) throw new FilterError(keyPath, `${key} must not be empty`);
      const parsed = list.map((item, i) => parseObject(item, `${keyPath}[${i}]`, depth + 1));
      if (key === "AND") children.push(...parsed);
      else if (key === "OR") children.push(parsed.length === 1 ? parsed[0]! : { kind: "or", children: parsed });
      else children.push({ kind: "not", child: parsed.length === 1 ? parsed[0]! : { kind: "or", children: parsed } });
    }
  }
  if (children.length === 0) throw new FilterError(path, "filter object must not be empty");
  return children.length === 1 ? children[0]! : { kind: "and", children };
}

/**
 * Parses and validates a user filter. Throws `FilterError` naming the path of the first problem
 * (`filters.AND[1].priority.gte: …`). `undefined`/`null` means no filter.
 */
export function parseFilters(filters: unknown, path = "filters"): FilterNode | null {
  if (filters === undefined || filters === null) return null;
  if (isPlainObject(filters) && Object.keys(filters).length === 0) return null;
  return parseObject(filters, path);
}

/** ANDs nodes together, dropping nulls; null when nothing is left. */
export function andFilters(...nodes: (FilterNode | null | undefined)[]): FilterNode | null {
  const present = nodes.filter((n): n is FilterNode => n != null);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  return { kind: "and", children: present.flatMap((n) => (n.kind === "and" ? n.children : [n])) };
}

/** The value a filter field reads from a record: reserved names from the record, the rest from metadata. */
export type FieldReader = (field: string) => unknown;

function comparable(a: unknown, b: number | string): [number, number] | undefined {
  if (typeof b === "number") return typeof a === "number" && Number.isFinite(a) ? [a, b] : undefined;
  if (typeof a !== "string") return undefined;
  const ta = parseIsoDate(a);
  return ta === undefined ? undefined : [ta, parseIsoDate(b)!];
}

function matchScalar(node: CompareNode, value: unknown): boolean {
  switch (node.op) {
    case "eq":
    case "ne":
      return value === node.value;
    case "in":
    case "nin":
      return (node.value as Scalar[]).some((x) => x === value);
    case "contains":
      return typeof value === "string" && value.includes(node.value as string);
    case "icontains":
      return typeof value === "string" && value.toLowerCase().includes((node.value as string).toLowerCase());
    default: {
      const pair = comparable(value, node.value as number | string);
      if (!pair) return false;
      const [left, right] = pair;
      if (node.op === "gt") return left > right;
      if (node.op === "gte") return left >= right;
      if (node.op === "lt") return left < right;
      return left <= right;
    }
  }
}

/**
 * Reference semantics. A field holding an array matches a positive condition when any element does
 * (as in Qdrant and MongoDB); `ne` and `nin` are the exact negations of `eq` and `in`, so they also
 * match records where the field is missing.
 */
export function evaluateFilter(node: FilterNode | null, read: FieldReader): boolean {
  if (node === null) return true;
  switch (node.kind) {
    case "and":
      return node.children.every((c) => evaluateFilter(c, read));
    case "or":
      return node.children.some((c) => evaluateFilter(c, read));
    case "not":
      return !evaluateFilter(node.child, read);
    case "exists": {
      const value = read(node.field);
      return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
    }
    case "compare": {
      const value = read(node.field);
      const values = Array.isArray(value) ? value : [value];
      const hit = values.some((x) => matchScalar(node, x));
      return node.op === "ne" || node.op === "nin" ? !hit : hit;
    }
  }
}

/** Renders an AST back to the user-facing syntax (for messages and debugging). */
export function formatFilter(node: FilterNode | null): Filters {
  if (node === null) return {};
  switch (node.kind) {
    case "and":
      return { AND: node.children.map(formatFilter) };
    case "or":
      return { OR: node.children.map(formatFilter) };
    case "not":
      return { NOT: [formatFilter(node.child)] };
    case "exists":
      return { [node.field]: "*" };
    case "compare":
      return { [node.field]: { [node.op]: node.value } };
  }
}
