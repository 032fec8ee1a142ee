/**
 * The filter AST → a Qdrant filter with exactly core's reference semantics (`evaluateFilter`).
 *
 * Where Qdrant's native condition means the same thing, it is used:
 *   eq / in (strings, booleans)   match.value / match.any — exact equality, any array element
 *   eq / in (numbers)             range gte = lte = n — Qdrant compares every JSON number as a double,
 *                                 so 7 and 7.0 match alike; match.value would only see integers
 *   gt gte lt lte (numbers)       range — numbers only, strings and booleans never match
 *   gt … (ISO dates)              range on the field's date shadow (`_mem0.dates.<field>`), the epoch
 *                                 milliseconds core's own parser gives every date string the field
 *                                 holds; Qdrant's datetime parser accepts other strings than ours,
 *                                 so its datetime ranges are not used
 *   ne / nin / NOT                must_not — the exact negation, so missing fields match
 *   "*"                           must_not is_empty — not missing, not null, not []
 *   contains                      match.text — a substring test on fields without a full-text index
 *
 * What Qdrant cannot say exactly — `icontains` (no case-insensitive substring match), `contains` on a
 * field with a full-text index (tokens, not substrings), `contains ""`, fields whose names cannot be
 * written as a Qdrant key — is relaxed: the native filter is a superset (the leaf becomes "true",
 * or "false" under an odd number of NOTs) and the store re-checks every candidate with
 * `evaluateFilter`, paging until it has enough. No clause is ever dropped.
 */
import { parseIsoDate, type FilterNode, type Scalar } from "@mem0/core";
import type { Schemas } from "@qdrant/js-client-rest";
import { DELETED_KEY, dateKey, fieldKey, RESERVED_KEY } from "./paths.js";

export type QdrantFilter = Schemas["Filter"];
export type QdrantCondition = Schemas["Condition"];

/** A boolean formula over native conditions, with constants folded away before it is emitted. */
type Formula =
  | { t: "true" }
  | { t: "false" }
  | { t: "and"; c: Formula[] }
  | { t: "or"; c: Formula[] }
  | { t: "not"; c: Formula }
  | { t: "cond"; cond: QdrantCondition };

const TRUE: Formula = { t: "true" };
const FALSE: Formula = { t: "false" };
const cond = (c: QdrantCondition): Formula => ({ t: "cond", cond: c });

/** AND or OR of `parts`, nested ones of the same kind flattened; the identity drops out, the absorbing one wins. */
function junction(kind: "and" | "or", parts: Formula[]): Formula {
  const [identity, absorbing] = kind === "and" ? [TRUE, FALSE] : [FALSE, TRUE];
  const out: Formula[] = [];
  for (const part of parts) {
    if (part.t === absorbing.t) return absorbing;
    if (part.t === identity.t) continue;
    if (part.t === kind) out.push(...(part as { c: Formula[] }).c);
    else out.push(part);
  }
  return out.length === 0 ? identity : out.length === 1 ? out[0]! : { t: kind, c: out };
}

const and = (parts: Formula[]) => junction("and", parts);
const or = (parts: Formula[]) => junction("or", parts);

function not(formula: Formula): Formula {
  if (formula.t === "true") return FALSE;
  if (formula.t === "false") return TRUE;
  if (formula.t === "not") return formula.c;
  return { t: "not", c: formula };
}

export interface TranslateOptions {
  /** Fields with a Qdrant full-text index: `match.text` on them matches tokens, not substrings. */
  textIndexed?: ReadonlySet<string>;
  /** The payload key of a field, when not the field's own name (a tombstone's scope ids). */
  fieldKey?: (field: string) => string | undefined;
}

/**
 * Record fields whose payload key depends on who wrote the point: the text is `data` (Mem0, and us
 * since v2) or `memory` (our v1 layout, `_mem0.v: 1`); the created time is `created_at` (Mem0
 * Python, us) or `createdAt` (mem0ai, which has no `created_at`). Each alternative is guarded by
 * what tells the layouts apart, so the condition stays exact. `updated_at` falls back to the
 * created time when a writer left it out, which no native condition can say: it is re-checked.
 */
const LEGACY: QdrantCondition = { key: `${RESERVED_KEY}.v`, match: { value: 1 } };
const NO_SNAKE_CREATED: QdrantCondition = { is_empty: { key: "created_at" } };
const WRITER_KEYS: Record<string, { key: string; guard: Formula }[]> = {
  memory: [
    { key: "data", guard: { t: "not", c: { t: "cond", cond: LEGACY } } },
    { key: "memory", guard: { t: "cond", cond: LEGACY } },
  ],
  created_at: [
    { key: "created_at", guard: { t: "not", c: { t: "cond", cond: NO_SNAKE_CREATED } } },
    { key: "createdAt", guard: { t: "cond", cond: NO_SNAKE_CREATED } },
  ],
};
const RECHECKED_FIELDS = new Set(["updated_at"]);

/** Why a leaf had to be checked client-side, for diagnostics. */
export interface Relaxation {
  field: string;
  op: string;
  reason: string;
}

interface Approx {
  /** Matches every row the node matches (and maybe more). */
  upper: Formula;
  /** Matches only rows the node matches (maybe fewer). */
  lower: Formula;
  exact: boolean;
}

const exactly = (f: Formula): Approx => ({ upper: f, lower: f, exact: true });

function numberEquals(key: string, value: number): Formula {
  return cond({ key, range: { gte: value, lte: value } });
}

/** `field` equals any of `values` (the positive half of eq / in), natively. */
function equalsAny(key: string, values: readonly Scalar[]): Formula {
  const strings = [...new Set(values.filter((v): v is string => typeof v === "string"))];
  const parts: Formula[] = [];
  if (strings.length === 1) parts.push(cond({ key, match: { value: strings[0]! } }));
  else if (strings.length > 1) parts.push(cond({ key, match: { any: strings } }));
  for (const bool of [true, false]) if (values.includes(bool)) parts.push(cond({ key, match: { value: bool } }));
  const numbers = new Set(values.filter((v): v is number => typeof v === "number"));
  for (const number of numbers) parts.push(numberEquals(key, number));
  return or(parts);
}

/** Substrings whose case-insensitive match is the case-sensitive one: ASCII without letters. */
const CASELESS = /^[\x20-\x40\x5b-\x60\x7b-\x7e]+$/;

class Translator {
  readonly relaxed: Relaxation[] = [];
  constructor(private readonly options: TranslateOptions) {}

  private keyOf(field: string): string | undefined {
    return (this.options.fieldKey ?? fieldKey)(field);
  }

  private relax(field: string, op: string, reason: string): Approx {
    this.relaxed.push({ field, op, reason });
    return { upper: TRUE, lower: FALSE, exact: false };
  }

  node(filter: FilterNode): Approx {
    switch (filter.kind) {
      case "and":
      case "or": {
        const kids = filter.children.map((child) => this.node(child));
        const combine = filter.kind === "and" ? and : or;
        return {
          upper: combine(kids.map((k) => k.upper)),
          lower: combine(kids.map((k) => k.lower)),
          exact: kids.every((k) => k.exact),
        };
      }
      case "not": {
        const inner = this.node(filter.child);
        return { upper: not(inner.lower), lower: not(inner.upper), exact: inner.exact };
      }
      case "exists":
        return this.exists(filter.field);
      case "compare":
        return this.compare(filter);
    }
  }

  private exists(field: string): Approx {
    // The store's own key is never a metadata field (writes refuse it), so it is always missing.
    if (field === RESERVED_KEY) return exactly(FALSE);
    if (RECHECKED_FIELDS.has(field))
      return this.relax(field, "*", "writers may leave this field out (it is then the created time)");
    const alternatives = WRITER_KEYS[field];
    if (alternatives) return this.either(alternatives, (key) => exactly(not(cond({ is_empty: { key } }))));
    const key = this.keyOf(field);
    if (key === undefined) return this.relax(field, "*", "the field name cannot be written as a Qdrant key");
    return exactly(not(cond({ is_empty: { key } })));
  }

  /** The leaf on whichever payload key the point's layout uses: OR over guarded alternatives. */
  private either(alternatives: { key: string; guard: Formula }[], leaf: (key: string) => Approx): Approx {
    const parts = alternatives.map((alternative) => ({ guard: alternative.guard, approx: leaf(alternative.key) }));
    return {
      upper: or(parts.map((part) => and([part.guard, part.approx.upper]))),
      lower: or(parts.map((part) => and([part.guard, part.approx.lower]))),
      exact: parts.every((part) => part.approx.exact),
    };
  }

  private compare(leaf: Extract<FilterNode, { kind: "compare" }>): Approx {
    const negated = leaf.op === "ne" || leaf.op === "nin";
    if (leaf.field === RESERVED_KEY) return exactly(negated ? TRUE : FALSE);
    if (RECHECKED_FIELDS.has(leaf.field))
      return this.relax(leaf.field, leaf.op, "writers may leave this field out (it is then the created time)");
    const alternatives = WRITER_KEYS[leaf.field];
    if (alternatives) {
      if (!negated) return this.either(alternatives, (key) => this.onKey(leaf, key));
      // ne / nin: the exact negation of eq / in on whichever key the point uses.
      const positive = this.either(alternatives, (key) =>
        this.onKey({ ...leaf, op: leaf.op === "ne" ? "eq" : "in" } as typeof leaf, key),
      );
      return { upper: not(positive.lower), lower: not(positive.upper), exact: positive.exact };
    }
    const key = this.keyOf(leaf.field);
    if (key === undefined) return this.relax(leaf.field, leaf.op, "the field name cannot be written as a Qdrant key");
    return this.onKey(leaf, key);
  }

  /** A comparison on one payload key. */
  private onKey(leaf: Extract<FilterNode, { kind: "compare" }>, key: string): Approx {
    switch (leaf.op) {
      case "eq":
        return exactly(equalsAny(key, [leaf.value]));
      case "ne":
        return exactly(not(equalsAny(key, [leaf.value])));
      case "in":
        return exactly(equalsAny(key, leaf.value));
      case "nin":
        return exactly(not(equalsAny(key, leaf.value)));
      case "gt":
      case "gte":
      case "lt":
      case "lte": {
        if (typeof leaf.value === "number") return exactly(cond({ key, range: { [leaf.op]: leaf.value } }));
        const shadow = dateKey(leaf.field);
        const ms = parseIsoDate(leaf.value);
        // The parser only lets valid ISO dates through; a failure here would be a core bug.
        if (ms === undefined) throw new Error(`qdrant filter: ${JSON.stringify(leaf.value)} is not an ISO date`);
        if (shadow === undefined)
          return this.relax(leaf.field, leaf.op, "the field name cannot be written as a Qdrant key");
        const range = cond({ key: shadow, range: { [leaf.op]: ms } });
        if (!WRITER_KEYS[leaf.field]) return exactly(range);
        // Points Mem0 wrote have no date shadow: those are re-checked, ours are decided natively.
        this.relaxed.push({
          field: leaf.field,
          op: leaf.op,
          reason: "points without a date shadow (written by Mem0) are re-checked",
        });
        return { upper: or([range, cond({ is_empty: { key: shadow } })]), lower: range, exact: false };
      }
      case "contains":
      case "icontains": {
        const text = leaf.value as string;
        if (text === "")
          return this.relax(
            leaf.field,
            leaf.op,
            "an empty substring matches every string, which Qdrant cannot express",
          );
        if (this.options.textIndexed?.has(leaf.field))
          return this.relax(
            leaf.field,
            leaf.op,
            "the field has a full-text index, whose match is by tokens, not substrings",
          );
        if (leaf.op === "icontains" && !CASELESS.test(text))
          return this.relax(leaf.field, leaf.op, "Qdrant has no case-insensitive substring match");
        return exactly(cond({ key, match: { text } }));
      }
    }
  }
}

function toCondition(formula: Formula): QdrantCondition {
  switch (formula.t) {
    case "cond":
      return formula.cond;
    case "and":
      return { must: formula.c.map(toCondition) };
    case "or":
      return { should: formula.c.map(toCondition) };
    // must_not holds when no entry matches, so NOT(a OR b) is one must_not list.
    case "not": {
      const negated = formula.c;
      return { must_not: negated.t === "or" ? negated.c.map(toCondition) : [toCondition(negated)] };
    }
    case "true":
    case "false":
      throw new Error("constants are folded before emitting");
  }
}

export interface Translation {
  /**
   * The native filter: `null` when it matches everything, `"none"` when it matches nothing (no
   * request needs to be sent). The top-level AND's operands — the scope ids among them — are the
   * entries of the top-level `must`.
   */
  filter: QdrantFilter | null | "none";
  /** False when rows must be re-checked with `evaluateFilter` (the native filter is a superset). */
  exact: boolean;
  relaxed: Relaxation[];
}

export function translateFilter(node: FilterNode | null, options: TranslateOptions = {}): Translation {
  if (node === null) return { filter: null, exact: true, relaxed: [] };
  const translator = new Translator(options);
  const approx = translator.node(node);
  const upper = approx.upper;
  let filter: Translation["filter"];
  if (upper.t === "true") filter = null;
  else if (upper.t === "false") filter = "none";
  else if (upper.t === "and") filter = { must: upper.c.map(toCondition) };
  else filter = { must: [toCondition(upper)] };
  return { filter, exact: approx.exact, relaxed: translator.relaxed };
}

/** The filter restricted to live points (tombstones carry `_mem0.deleted`). */
export function liveOnly(filter: QdrantFilter | null): QdrantFilter {
  const notDeleted: QdrantCondition = { key: DELETED_KEY, match: { value: true } };
  if (filter === null) return { must_not: [notDeleted] };
  return { ...filter, must_not: [...asArray(filter.must_not), notDeleted] };
}

/** A filter clause (one condition, a list, or nothing) as a list. */
export function asArray<T>(value: T | T[] | null | undefined): T[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}
