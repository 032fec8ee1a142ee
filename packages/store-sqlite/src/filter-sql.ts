/**
 * Translates core's filter AST into one SQL boolean expression over `mem0_memories`, with exactly
 * the semantics of core's reference `evaluateFilter`. Nothing is evaluated after the query, so the
 * translation must never be looser or stricter than the reference; the property tests in
 * @mem0/testkit compare the two on generated data and filters.
 *
 * Every expression produced here is 0 or 1, never NULL: SQL's three-valued logic would otherwise
 * make `NOT` of a missing field NULL (row dropped) where the reference says true.
 */
import { evaluateFilter, parseIsoDate, type CompareNode, type FilterNode, type Scalar } from "@mem0/core";

/** Columns holding the record fields that filters read from the record itself (all TEXT or NULL). */
const COLUMNS = new Set(["user_id", "agent_id", "run_id", "memory", "hash", "created_at", "updated_at"]);

/** Application-defined SQL functions the translation relies on; registered by the store. */
export const sqlFunctions = {
  /** JavaScript's toLowerCase (Unicode-aware); SQLite's lower() folds ASCII only. */
  mem0_icontains: (value: unknown, needle: unknown): number =>
    typeof value === "string" && typeof needle === "string" && value.toLowerCase().includes(needle) ? 1 : 0,
  /** core's parseIsoDate, so date ranges accept and reject exactly the strings the reference does. */
  mem0_date: (value: unknown): number | null => (typeof value === "string" ? (parseIsoDate(value) ?? null) : null),
  /** A leaf on a metadata key that a JSON path cannot address: evaluated by the reference itself. */
  mem0_leaf: (nodeJson: unknown, metadataJson: unknown): number => {
    const node = JSON.parse(String(nodeJson)) as FilterNode;
    const metadata = JSON.parse(String(metadataJson)) as Record<string, unknown>;
    return evaluateFilter(node, (f) => (Object.hasOwn(metadata, f) ? metadata[f] : undefined)) ? 1 : 0;
  },
};

export interface SqlFilter {
  sql: string;
  /** Named parameters (`@f0`, `@f1`, …): a value can be used several times and in any order. */
  params: Record<string, unknown>;
}

/**
 * SQLite's JSON path labels are double-quoted and cannot contain `"` or `\` reliably, so keys with
 * those (or control characters) go through `mem0_leaf` instead of a path.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it keeps out of paths
const PATH_SAFE = /^[^"\\\u0000-\u001f]+$/;

const isNumber = (v: Scalar): v is number => typeof v === "number";
/** Longest `in` list bound value by value. */
const LONG_LIST = 64;

class Builder {
  readonly params: Record<string, unknown> = {};
  private n = 0;

  bind(value: unknown): string {
    const name = `f${this.n++}`;
    this.params[name] = value;
    return `@${name}`;
  }

  /**
   * `IN (…)` operands: one parameter each for short lists (the planner can use an index), one JSON
   * array read by json_each for long ones, as SQLite allows at most 32,766 parameters per statement.
   */
  list(values: readonly (string | number)[]): string {
    if (values.length <= LONG_LIST) return values.map((v) => this.bind(v)).join(", ");
    return `SELECT value FROM json_each(${this.bind(JSON.stringify(values))})`;
  }

  /** `underNot`: whether a NOT encloses this node, where a NULL would turn into a wrong answer. */
  node(n: FilterNode, underNot = false): string {
    switch (n.kind) {
      case "and":
        return n.children.length ? `(${n.children.map((c) => this.node(c, underNot)).join(" AND ")})` : "1";
      case "or":
        return n.children.length ? `(${n.children.map((c) => this.node(c, underNot)).join(" OR ")})` : "0";
      case "not":
        return `(NOT ${this.node(n.child, true)})`;
      case "exists":
        return COLUMNS.has(n.field) ? `(${n.field} IS NOT NULL)` : this.metadataLeaf(n, n.field);
      case "compare":
        return COLUMNS.has(n.field) ? this.columnCompare(n, underNot) : this.metadataLeaf(n, n.field);
    }
  }

  /** Record columns hold strings or NULL, so number and boolean operands never match them. */
  private columnCompare(n: CompareNode, underNot: boolean): string {
    const col = n.field;
    const negated = n.op === "ne" || n.op === "nin";
    let positive: string;
    switch (n.op) {
      case "eq":
      case "ne":
        if (typeof n.value !== "string") positive = "0";
        // Outside any NOT, NULL and 0 both drop the row, and a bare `=` lets SQLite use the
        // partial (non-NULL) scope index; under a NOT, `IS` keeps the answer 0/1.
        else if (!underNot && !negated) return `(${col} = ${this.bind(n.value)})`;
        else positive = `(${col} IS ${this.bind(n.value)})`;
        break;
      case "in":
      case "nin": {
        const strings = n.value.filter((v): v is string => typeof v === "string");
        positive = strings.length ? `COALESCE(${col} IN (${this.list(strings)}), 0)` : "0";
        break;
      }
      case "contains":
        positive = `COALESCE(instr(${col}, ${this.bind(n.value)}) > 0, 0)`;
        break;
      case "icontains":
        positive = `mem0_icontains(${col}, ${this.bind(String(n.value).toLowerCase())})`;
        break;
      default:
        positive =
          typeof n.value === "number"
            ? "0"
            : `COALESCE(mem0_date(${col}) ${SQL_OP[n.op]} ${this.bind(parseIsoDate(n.value)!)}, 0)`;
    }
    return negated ? `(NOT ${positive})` : positive;
  }

  /**
   * A metadata field: a scalar matches on its own; an array matches a positive condition when any
   * element does (json_each walks the elements); objects and nulls match no comparison.
   */
  private metadataLeaf(n: FilterNode & { field: string }, field: string): string {
    if (!PATH_SAFE.test(field)) return `mem0_leaf(${this.bind(JSON.stringify(n))}, metadata)`;
    const path = this.bind(`$."${field}"`);
    if (n.kind === "exists") {
      // Present, not null, not an empty array.
      return `COALESCE(json_type(metadata, ${path}) NOT IN ('null', 'array') OR json_array_length(metadata, ${path}) > 0, 0)`;
    }
    if (n.kind !== "compare") throw new Error("unreachable");
    const cond = (t: string, v: string) => this.scalarCondition(n, t, v);
    const scalar = cond(`json_type(metadata, ${path})`, `json_extract(metadata, ${path})`);
    const any = `EXISTS (SELECT 1 FROM json_each(metadata, ${path}) AS e WHERE ${cond("e.type", "e.value")})`;
    const positive = `COALESCE(CASE json_type(metadata, ${path}) WHEN 'array' THEN ${any} ELSE ${scalar} END, 0)`;
    return n.op === "ne" || n.op === "nin" ? `(NOT ${positive})` : positive;
  }

  /** The positive form of a comparison on one JSON value of type `t` (json_type's names) and SQL value `v`. */
  private scalarCondition(n: CompareNode, t: string, v: string): string {
    const eqAny = (values: readonly Scalar[]): string => {
      const parts: string[] = [];
      const strings = values.filter((x): x is string => typeof x === "string");
      const numbers = values.filter(isNumber);
      if (strings.length) parts.push(`(${t} = 'text' AND ${v} IN (${this.list(strings)}))`);
      if (numbers.length) parts.push(`(${t} IN ('integer', 'real') AND ${v} IN (${this.list(numbers)}))`);
      if (values.includes(true)) parts.push(`${t} = 'true'`);
      if (values.includes(false)) parts.push(`${t} = 'false'`);
      return parts.length ? `(${parts.join(" OR ")})` : "0";
    };
    switch (n.op) {
      case "eq":
      case "ne":
        return eqAny([n.value]);
      case "in":
      case "nin":
        return eqAny(n.value);
      case "contains":
        return `(${t} = 'text' AND instr(${v}, ${this.bind(n.value)}) > 0)`;
      case "icontains":
        return `(${t} = 'text' AND mem0_icontains(${v}, ${this.bind(String(n.value).toLowerCase())}))`;
      default:
        // A number operand compares numbers only; a date operand compares ISO-date strings only.
        return typeof n.value === "number"
          ? `(${t} IN ('integer', 'real') AND ${v} ${SQL_OP[n.op]} ${this.bind(n.value)})`
          : `(${t} = 'text' AND mem0_date(${v}) ${SQL_OP[n.op]} ${this.bind(parseIsoDate(n.value)!)})`;
    }
  }
}

const SQL_OP = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

/** The SQL for `filter` (a WHERE-clause fragment) and its parameters, in order. */
export function filterToSql(filter: FilterNode | null): SqlFilter {
  if (filter === null) return { sql: "1", params: {} };
  const b = new Builder();
  const sql = b.node(filter);
  return { sql, params: b.params };
}
