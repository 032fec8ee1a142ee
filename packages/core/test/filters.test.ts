import { evaluateFilter, FilterError, parseFilters, parseIsoDate, type FilterNode } from "@mem0/core";

const read = (row: Record<string, unknown>) => (field: string) => row[field];
const matches = (filters: unknown, row: Record<string, unknown>) => evaluateFilter(parseFilters(filters), read(row));

describe("parseFilters", () => {
  test("a bare value is eq, several fields are ANDed", () => {
    expect(parseFilters({ category: "work", done: false })).toEqual({
      kind: "and",
      children: [
        { kind: "compare", field: "category", op: "eq", value: "work" },
        { kind: "compare", field: "done", op: "eq", value: false },
      ],
    });
  });

  test("every operator on one field is kept (mem0ai keeps only one)", () => {
    const node = parseFilters({ priority: { gte: 3, lte: 4 } }) as Extract<FilterNode, { kind: "and" }>;
    expect(node.kind).toBe("and");
    expect(node.children.map((c) => (c.kind === "compare" ? c.op : c.kind))).toEqual(["gte", "lte"]);
  });

  test("the same field in several AND branches keeps every branch", () => {
    const node = parseFilters({ AND: [{ p: { gte: 3 } }, { p: { lte: 4 } }] });
    expect(node).toEqual({
      kind: "and",
      children: [
        { kind: "compare", field: "p", op: "gte", value: 3 },
        { kind: "compare", field: "p", op: "lte", value: 4 },
      ],
    });
  });

  test("NOT of several entries excludes rows matching any of them", () => {
    expect(parseFilters({ NOT: [{ a: 1 }, { b: 2 }] })).toEqual({
      kind: "not",
      child: {
        kind: "or",
        children: [
          { kind: "compare", field: "a", op: "eq", value: 1 },
          { kind: "compare", field: "b", op: "eq", value: 2 },
        ],
      },
    });
  });

  test("empty and absent filters mean no filter", () => {
    expect(parseFilters(undefined)).toBeNull();
    expect(parseFilters(null)).toBeNull();
    expect(parseFilters({})).toBeNull();
  });

  test("Mem0's shapes: a list is `in`, $and / $or / $not are AND / OR / NOT", () => {
    expect(parseFilters({ category: ["a", "b"] })).toEqual(parseFilters({ category: { in: ["a", "b"] } }));
    const mem0 = { $and: [{ user: "x" }, { $or: [{ p: 1 }, { p: 2 }] }], $not: [{ tag: "old" }] };
    const ours = { AND: [{ user: "x" }, { OR: [{ p: 1 }, { p: 2 }] }], NOT: [{ tag: "old" }] };
    expect(parseFilters(mem0)).toEqual(parseFilters(ours));
    expect(evaluateFilter(parseFilters({ $not: [{ category: ["a"] }] }), (f) => ({ category: "b" })[f])).toBe(true);
  });

  test.each([
    [{ priority: { $gte: 7 } }, 'filters.priority.$gte: unknown operator "$gte" (did you mean "gte"?)'],
    [{ priority: { between: [1, 2] } }, 'filters.priority.between: unknown operator "between"'],
    [
      { priority: { gte: { a: 1 } } },
      "filters.priority.gte: gte expects a finite number or an ISO-8601 date string, got an object",
    ],
    [
      { priority: { gte: "soon" } },
      'filters.priority.gte: gte expects a finite number or an ISO-8601 date string, got "soon"',
    ],
    [
      { priority: { gte: Number.NaN } },
      "filters.priority.gte: gte expects a finite number or an ISO-8601 date string, got NaN",
    ],
    [{ category: { in: "work" } }, "filters.category.in: in expects an array"],
    [
      { category: { in: ["a", { b: 1 }] } },
      "filters.category.in[1]: in values must be strings, numbers or booleans, got an object",
    ],
    [{ category: { contains: 3 } }, "filters.category.contains: contains expects a string, got a number"],
    [{ category: { eq: null } }, "filters.category.eq: eq expects a string, number or boolean, got null"],
    [
      { category: ["a", { b: 1 }] },
      "filters.category[1]: in values must be strings, numbers or booleans, got an object",
    ],
    [{ category: {} }, "filters.category: operator object must not be empty"],
    [{ AND: [] }, "filters.AND: AND must not be empty"],
    [{ AND: [{ a: 1 }, 5] }, "filters.AND[1]: expected an object, got a number"],
    [{ OR: "x" }, "filters.OR: OR expects an array of filter objects, got a string"],
    [{ and: [{ a: 1 }] }, 'filters.and: unknown combinator "and" (did you mean "AND"?)'],
    [{ AND: [{ OR: [{ p: { gte: [] } }] }] }, "filters.AND[0].OR[0].p.gte: gte expects"],
    ["category = work", "filters: expected an object, got a string"],
  ])("%j is rejected with a message naming the path", (filters, message) => {
    let caught: unknown;
    try {
      parseFilters(filters);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FilterError);
    expect((caught as Error).message).toContain(message);
  });
});

describe("evaluateFilter (the reference semantics)", () => {
  const row = {
    category: "work",
    priority: 7,
    tags: ["urgent", "q3"],
    note: "Login FAILS on mobile",
    date: "2024-03-01",
    flag: false,
    nothing: null,
    empty: [],
  };

  test.each([
    [{ category: "work" }, true],
    [{ category: "Work" }, false],
    [{ category: { ne: "work" } }, false],
    [{ missing: { ne: "x" } }, true],
    [{ missing: { nin: ["x"] } }, true],
    [{ missing: "x" }, false],
    [{ priority: { gt: 6 } }, true],
    [{ priority: { gt: 7 } }, false],
    [{ priority: { gte: 7, lte: 7 } }, true],
    [{ priority: { gte: 3, lte: 4 } }, false],
    [{ AND: [{ priority: { gte: 3 } }, { priority: { lte: 4 } }] }, false],
    [{ priority: { lt: 7 } }, false],
    [{ priority: { in: [1, 7] } }, true],
    [{ priority: { in: ["7"] } }, false],
    [{ priority: { nin: [7] } }, false],
    [{ tags: "urgent" }, true],
    [{ tags: { in: ["q3", "q4"] } }, true],
    [{ tags: { ne: "urgent" } }, false],
    [{ tags: { nin: ["nope"] } }, true],
    [{ note: { contains: "FAILS" } }, true],
    [{ note: { contains: "fails" } }, false],
    [{ note: { icontains: "login fails" } }, true],
    [{ tags: { contains: "rg" } }, true],
    [{ priority: { contains: "7" } }, false],
    [{ date: { gte: "2024-01-01" } }, true],
    [{ date: { gte: "2024-03-01T00:00:00Z" } }, true],
    [{ date: { gt: "2024-03-01T00:00:00+01:00" } }, true],
    [{ date: { lt: "2024-02-29T23:59:59Z" } }, false],
    [{ category: { gte: "2024-01-01" } }, false],
    [{ priority: { gte: "2024-01-01" } }, false],
    [{ date: { gte: 5 } }, false],
    [{ flag: false }, true],
    [{ category: "*" }, true],
    [{ nothing: "*" }, false],
    [{ empty: "*" }, false],
    [{ missing: "*" }, false],
    [{ OR: [{ category: "home" }, { priority: 7 }] }, true],
    [{ OR: [{ category: "home" }, { priority: 8 }] }, false],
    [{ NOT: [{ category: "home" }] }, true],
    [{ NOT: [{ category: "home" }, { priority: 7 }] }, false],
    [{ AND: [{ category: "work" }, { NOT: [{ tags: "urgent" }] }] }, false],
    [{ category: "work", OR: [{ flag: true }, { note: { icontains: "mobile" } }] }, true],
  ])("%j → %s", (filters, expected) => {
    expect(matches(filters, row)).toBe(expected);
  });
});

describe("parseIsoDate", () => {
  test("dates and datetimes without an offset are UTC", () => {
    expect(parseIsoDate("2024-01-01")).toBe(Date.UTC(2024, 0, 1));
    expect(parseIsoDate("2024-01-01T10:00:00")).toBe(Date.UTC(2024, 0, 1, 10));
    expect(parseIsoDate("2024-01-01T10:00:00+0200")).toBe(Date.UTC(2024, 0, 1, 8));
    expect(parseIsoDate("2024-01-01 10:00")).toBe(Date.UTC(2024, 0, 1, 10));
  });
  test("impossible dates and other strings are not dates", () => {
    expect(parseIsoDate("2023-02-29")).toBeUndefined();
    expect(parseIsoDate("2024-13-01")).toBeUndefined();
    expect(parseIsoDate("yesterday")).toBeUndefined();
    expect(parseIsoDate("2024-01-01T25:00:00Z")).toBeUndefined();
  });
});
