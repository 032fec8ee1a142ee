/**
 * The filter conformance fixture itself: its size and coverage, its hand-checked answers, and the
 * in-memory store (core's reference evaluator) passing it. Other stores run it from their own
 * packages (sqlite, qdrant).
 */
import { InMemoryVectorStore, parseFilters, type Filters } from "@mem0/core";
import {
  describeFilterConformance,
  filterCases,
  filterFixture,
  referenceIds,
} from "../src/conformance/filter-cases.js";

describe("the fixture", () => {
  const cases = filterCases();
  const records = filterFixture();

  test("at least 200 uniquely named cases, all valid filters", () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(new Set(cases.map((k) => k.name)).size).toBe(cases.length);
    for (const k of cases) expect(() => parseFilters(k.filters)).not.toThrow();
  });

  test("every operator and combinator appears, nested up to four levels", () => {
    const text = JSON.stringify(cases.map((k) => k.filters));
    for (const op of ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "icontains", "AND", "OR", "NOT"])
      expect(text).toContain(`"${op}":`);
    expect(text).toContain('"*"');
    const depth = (f: unknown): number =>
      f && typeof f === "object"
        ? 1 +
          Math.max(
            0,
            ...Object.entries(f as Filters).map(([k, v]) =>
              ["AND", "OR", "NOT"].includes(k) ? Math.max(...(v as unknown[]).map(depth)) : 0,
            ),
          )
        : 0;
    expect(Math.max(...cases.map((k) => depth(k.filters)))).toBeGreaterThanOrEqual(4);
  });

  test("hand-checked answers agree with the reference evaluator", () => {
    const wrong = cases
      .filter((k) => k.expect)
      .map((k) => ({
        name: k.name,
        want: [...k.expect!].sort(),
        got: [...referenceIds(records, parseFilters(k.filters))].sort(),
      }))
      .filter((x) => JSON.stringify(x.want) !== JSON.stringify(x.got));
    expect(wrong).toEqual([]);
    expect(cases.filter((k) => k.expect).length).toBeGreaterThanOrEqual(80);
  });

  test("the cases discriminate: most match some records but not all", () => {
    const sizes = cases.map((k) => referenceIds(records, parseFilters(k.filters)).length);
    const partial = sizes.filter((n) => n > 0 && n < records.length).length;
    expect(partial / cases.length).toBeGreaterThan(0.8);
  });

  test("the data set has 30 records across users, agent-only and run-only memories", () => {
    expect(records).toHaveLength(30);
    expect(records.some((r) => r.payload.user_id === undefined && r.payload.agent_id !== undefined)).toBe(true);
    expect(records.some((r) => r.payload.user_id === undefined && r.payload.run_id !== undefined)).toBe(true);
  });
});

describeFilterConformance("memory", { create: ({ dims }) => new InMemoryVectorStore(dims) });
