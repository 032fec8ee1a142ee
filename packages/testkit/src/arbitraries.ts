/**
 * fast-check arbitraries for property-based tests of stores and of the search pipeline: records
 * with the awkward metadata real users have (missing fields, nulls, arrays, dates, unicode, mixed
 * types) and user filters (Mem0's syntax, not the AST) over those fields, nested up to depth 3.
 */
import fc from "fast-check";
import type { Filters } from "@mem0/core";

export const USERS = ["alice", "bob", "carol"] as const;
export const AGENTS = ["support_bot", "planner"] as const;
const CATEGORIES = ["work", "food", "Food", "movies", "éclair", "日本", ""];
const TAGS = ["a", "b", "urgent", "Urgent", "🍣"];
const NOTES = [
  "Login fails on mobile",
  "prefers VEGETARIAN food",
  "naïve café visit",
  "sci-fi space books",
  "ticket #42",
];
const DATES = [
  "2023-12-31",
  "2024-01-01",
  "2024-01-01T12:00:00Z",
  "2024-02-29",
  "2024-06-15T08:30:00+02:00",
  "not-a-date",
];

export interface ArbitraryRecord {
  memory: string;
  user_id: string;
  agent_id?: string;
  metadata: Record<string, unknown>;
}

/** A metadata value for `field`, sometimes of an unexpected type, so filters meet mixed data. */
const fieldValues: Record<string, fc.Arbitrary<unknown>> = {
  category: fc.oneof(fc.constantFrom(...CATEGORIES), fc.constant(null), fc.constant(7)),
  priority: fc.oneof(
    fc.integer({ min: 0, max: 10 }),
    fc.double({ min: -5, max: 15, noNaN: true, noDefaultInfinity: true }),
    fc.constant("7"),
  ),
  rating: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(null)),
  date: fc.constantFrom(...DATES),
  tags: fc.oneof(fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }), fc.constantFrom(...TAGS)),
  flag: fc.boolean(),
  note: fc.constantFrom(...NOTES),
};
export const FIELDS = Object.keys(fieldValues);

const metadataArb: fc.Arbitrary<Record<string, unknown>> = fc.record(fieldValues, { requiredKeys: [] }) as fc.Arbitrary<
  Record<string, unknown>
>;

const WORDS = [
  "sushi",
  "ramen",
  "movie",
  "book",
  "login",
  "mobile",
  "space",
  "vegetarian",
  "meeting",
  "deadline",
  "café",
  "ticket",
];
export const memoryTextArb = fc
  .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 })
  .map((w) => w.join(" "));

export const recordArb: fc.Arbitrary<ArbitraryRecord> = fc
  .record({
    memory: memoryTextArb,
    user_id: fc.constantFrom(...USERS),
    agent_id: fc.option(fc.constantFrom(...AGENTS), { nil: undefined }),
    metadata: metadataArb,
  })
  .map((r) => (r.agent_id === undefined ? { memory: r.memory, user_id: r.user_id, metadata: r.metadata } : r));

export const recordsArb = (options: { minLength?: number; maxLength?: number } = {}) =>
  fc.array(recordArb, { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 30 });

/**
 * A scope and records of which most fall inside it (its user, often its agent), so properties meet
 * scoped answers holding some but not all records, rather than mostly empty ones.
 */
export const scopedRecordsArb = (options: { minLength?: number; maxLength?: number } = {}) =>
  scopeArb.chain((scope) =>
    fc
      .array(
        fc
          .tuple(recordArb, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }))
          .map(([r, u, a]): ArbitraryRecord => {
            const out = { ...r, user_id: u < 7 ? scope.user_id : r.user_id };
            if (scope.agent_id !== undefined && a < 6) out.agent_id = scope.agent_id;
            return out;
          }),
        { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 30 },
      )
      .map((records) => ({ scope, records })),
  );

const scalarFor = (field: string): fc.Arbitrary<string | number | boolean> => {
  switch (field) {
    case "category":
      return fc.constantFrom(...CATEGORIES.filter((c) => c !== ""), 7);
    case "priority":
      return fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant("7"));
    case "rating":
      return fc.integer({ min: 1, max: 5 });
    case "date":
      return fc.constantFrom(...DATES.slice(0, 5));
    case "tags":
      return fc.constantFrom(...TAGS);
    case "flag":
      return fc.boolean();
    default:
      return fc.constantFrom(...NOTES, "user_id");
  }
};

const rangeOperandFor = (field: string): fc.Arbitrary<number | string> =>
  field === "date"
    ? fc.constantFrom(...DATES.slice(0, 5))
    : fc.oneof(fc.integer({ min: -1, max: 11 }), fc.double({ min: 0, max: 10, noNaN: true }));

const substringOf = fc.constantFrom("login", "LOGIN", "veg", "café", "CAFÉ", "space", "#4", "a", "rg");

/** One field condition: a bare value, "*", or an operator object with one or several operators. */
const conditionArb = (field: string): fc.Arbitrary<unknown> => {
  const scalar = scalarFor(field);
  const op = fc.oneof(
    scalar.map((v) => ({ eq: v })),
    scalar.map((v) => ({ ne: v })),
    rangeOperandFor(field).chain((v) => fc.constantFrom({ gt: v }, { gte: v }, { lt: v }, { lte: v })),
    fc.uniqueArray(scalar, { minLength: 1, maxLength: 3 }).map((v) => ({ in: v })),
    fc.uniqueArray(scalar, { minLength: 1, maxLength: 3 }).map((v) => ({ nin: v })),
    substringOf.map((v) => ({ contains: v })),
    substringOf.map((v) => ({ icontains: v })),
  );
  return fc.oneof(
    { weight: 2, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constant("*") },
    { weight: 4, arbitrary: op },
    // Several operators on one field must all apply (mem0ai keeps only one).
    {
      weight: 2,
      arbitrary: fc.tuple(rangeOperandFor(field), rangeOperandFor(field)).map(([a, b]) => ({ gte: a, lte: b })),
    },
  );
};

const fieldArb = fc.constantFrom(...FIELDS, "agent_id", "missing_field");

/** A user filter in Mem0's syntax over FIELDS, with AND / OR / NOT nesting. */
export const filterArb: fc.Arbitrary<Filters> = fc.letrec<{ filter: Filters }>((tie) => ({
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fieldArb.chain((f) => conditionArb(f).map((c) => ({ [f]: c }))),
    fc
      .tuple(fieldArb, fieldArb)
      .chain(([f, g]) =>
        fc.tuple(conditionArb(f), conditionArb(g)).map(([c, d]) => (f === g ? { [f]: c } : { [f]: c, [g]: d })),
      ),
    fc.array(tie("filter"), { minLength: 1, maxLength: 3 }).map((items) => ({ AND: items })),
    fc.array(tie("filter"), { minLength: 1, maxLength: 3 }).map((items) => ({ OR: items })),
    fc.array(tie("filter"), { minLength: 1, maxLength: 2 }).map((items) => ({ NOT: items })),
  ),
})).filter;

/** A scope for queries: always a user, sometimes an agent too. */
export const scopeArb = fc.record(
  { user_id: fc.constantFrom(...USERS), agent_id: fc.constantFrom(...AGENTS) },
  { requiredKeys: ["user_id"] },
);
