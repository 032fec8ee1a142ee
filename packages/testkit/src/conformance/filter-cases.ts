/**
 * The filter conformance fixture: one data set and several hundred named filter cases over it,
 * runnable against any `VectorStore`. A store passes when, for every case, `list` returns exactly
 * the ids core's reference evaluator (`evaluateFilter`) accepts, oldest first, and `search` returns
 * the same set.
 *
 *   import { describeFilterConformance } from "@mem0/testkit";
 *   describeFilterConformance("my-store", { create: ({ dims }) => MyStore.open({ dims }) });
 *
 * The records hold what real metadata holds and what stores get wrong: values of the "wrong" type
 * (the string "7" beside 7, 1 beside true), arrays (empty, mixed, nested), null, objects, missing
 * fields, valid and invalid dates with and without offsets, text whose case folding is not ASCII,
 * and keys that are awkward in JSON paths or SQL. Cases are grouped by what they probe; a few carry
 * hand-checked answers (`expect`) so the fixture is checked against more than the reference.
 */
import {
  andFilters,
  compareCreated,
  evaluateFilter,
  parseFilters,
  payloadField,
  scopeFilter,
  type FilterNode,
  type Filters,
  type MemoryPayload,
  type StoredMemory,
  type VectorStore,
} from "@mem0/core";

export interface FilterFixtureRecord {
  id: string;
  vector: number[];
  payload: MemoryPayload;
}

export interface FilterCase {
  /** What the case probes, e.g. `eq: a number does not equal its string`. */
  name: string;
  filters: Filters;
  /** Hand-checked ids (any order), when the case documents a rule. */
  expect?: string[];
}

export const FILTER_FIXTURE_DIMS = 4;

type Row = [
  id: string,
  user: string | null,
  agent: string | null,
  run: string | null,
  memory: string,
  created: string,
  metadata: Record<string, unknown>,
];

// Ids sort differently from creation times on purpose, so "oldest first" is really exercised.
const ROWS: Row[] = [
  [
    "r01",
    "alice",
    null,
    null,
    "Loves sushi and ramen",
    "2024-01-01T09:00:00.000000Z",
    {
      category: "food",
      priority: 7,
      tags: ["food", "japan"],
      due: "2024-03-01",
      note: "Try the ramen place",
      flag: true,
      rating: 5,
    },
  ],
  [
    "r02",
    "alice",
    "planner",
    null,
    "Dentist appointment on Friday",
    "2024-01-02T09:00:00.000000Z",
    {
      category: "health",
      priority: 9.5,
      tags: ["urgent"],
      due: "2024-01-05T15:30:00Z",
      note: "Call before 10am",
      flag: false,
      rating: 3,
    },
  ],
  [
    "r03",
    "alice",
    "planner",
    "run-1",
    "Quarterly report deadline",
    "2024-01-03T09:00:00.000000Z",
    {
      category: "work",
      priority: 8,
      tags: ["work", "urgent"],
      due: "2024-03-31T23:59:59+02:00",
      note: "Q1 REPORT for ACME",
      flag: true,
    },
  ],
  [
    "r04",
    "bob",
    null,
    null,
    "Prefers vegetarian food",
    "2024-01-04T09:00:00.000000Z",
    { category: "Food", priority: "7", tags: [], due: "not-a-date", note: "VEGETARIAN, no fish", flag: 1 },
  ],
  [
    "r05",
    "bob",
    "support_bot",
    null,
    "Login fails on mobile",
    "2024-01-05T09:00:00.000000Z",
    {
      category: "work",
      priority: 3,
      tags: "urgent",
      due: "2024-02-30",
      note: "Login fails on the iOS app",
      flag: "true",
      rating: null,
    },
  ],
  [
    "r06",
    "bob",
    "support_bot",
    "run-2",
    "Ticket #42 escalated",
    "2024-01-06T09:00:00.000000Z",
    { category: null, priority: 0, tags: ["work", 42, true, null], due: 20240101, note: "ticket #42", flag: 0 },
  ],
  [
    "r07",
    "carol",
    null,
    null,
    "Café visit in Paris",
    "2024-01-07T09:00:00.000000Z",
    {
      category: "café",
      priority: -2.5,
      tags: ["travel", "🍣"],
      due: "2024-06-15 08:30",
      note: "naïve café au lait",
      flag: false,
    },
  ],
  [
    "r08",
    "carol",
    "planner",
    null,
    "Flight to Tokyo",
    "2024-01-08T09:00:00.000000Z",
    {
      category: "日本",
      priority: 1e21,
      tags: ["travel", "japan"],
      due: "2024-06-15T08:30:00+09:00",
      note: "東京 trip, Shinjuku",
      rating: 4,
    },
  ],
  [
    "r09",
    "carol",
    null,
    "run-1",
    "Birthday party planning",
    "2024-01-09T09:00:00.000000Z",
    { category: "", priority: [1, 9], tags: [["nested"]], due: ["2024-05-01", "garbage", 7], note: "", flag: [true] },
  ],
  [
    "r10",
    "dave",
    null,
    null,
    "Istanbul conference",
    "2024-01-10T09:00:00.000000Z",
    {
      category: "work",
      priority: 5,
      tags: ["travel", "work"],
      due: "2024-09-01T09:00:00.123456Z",
      note: "İstanbul keynote",
      rating: 4.5,
    },
  ],
  [
    "r11",
    "dave",
    "planner",
    null,
    "Street parking permit",
    "2024-01-11T09:00:00.000000Z",
    {
      category: "admin",
      priority: 2,
      tags: ["Urgent"],
      due: "2023-12-31T23:59:59.999Z",
      note: "straße parking, STRASSE office",
      flag: true,
    },
  ],
  [
    "r12",
    "dave",
    null,
    null,
    "Physics homework",
    "2024-01-12T09:00:00.000000Z",
    {
      category: "school",
      priority: 6,
      due: "2024-04-01T00:00:00-05:00",
      note: "Kelvin \u212A scale and Ωmega",
      rating: 2,
    },
  ],
  [
    "r13",
    "erin",
    null,
    null,
    "Gym membership renewal",
    "2024-01-13T09:00:00.000000Z",
    {
      category: ["health", "admin"],
      priority: true,
      tags: ["health"],
      due: "2024-01-13",
      note: "renew before JANUARY ends",
      flag: null,
    },
  ],
  [
    "r14",
    "erin",
    "support_bot",
    "run-3",
    "Refund request",
    "2024-01-14T09:00:00.000000Z",
    {
      category: { name: "billing" },
      priority: 4,
      tags: ["billing", "urgent"],
      due: "2024-01-14T12:00:00Z",
      note: "refund €42.50",
      rating: 1,
    },
  ],
  [
    "r15",
    "erin",
    null,
    null,
    "Plant watering schedule",
    "2024-01-15T09:00:00.000000Z",
    {
      priority: 7.0,
      tags: ["home"],
      note: "water the ficus",
      "a.b": "dotted",
      "sp ace": "spaced",
      ключ: "значение",
      "emoji🍣": "fish",
    },
  ],
  [
    "r16",
    "frank",
    null,
    null,
    "Car service due",
    "2024-01-16T09:00:00.000000Z",
    {
      category: "auto",
      priority: 10,
      tags: ["auto", "urgent"],
      due: "2024-07-01T10:00:00+00:00",
      note: "brake pads",
      flag: true,
      "a.b": 5,
      "sp ace": null,
    },
  ],
  [
    "r17",
    "frank",
    "planner",
    "run-4",
    "Tax return filing",
    "2024-01-17T09:00:00.000000Z",
    {
      category: "finance",
      priority: 9,
      tags: ["finance", "urgent", "work"],
      due: "2024-04-15",
      note: "TAX forms 1040",
      rating: 5,
    },
  ],
  [
    "r18",
    "frank",
    null,
    null,
    "Piano lesson",
    "2024-01-18T09:00:00.000000Z",
    {
      category: "hobby",
      priority: 3.5,
      tags: ["music"],
      due: "2024-01-20T17:00:00.5Z",
      note: "Chopin nocturne",
      flag: false,
    },
  ],
  // Same creation time as r18 (ties are ordered by id) and a user with no agent or run.
  [
    "r19",
    "grace",
    null,
    null,
    "Book club reading",
    "2024-01-18T09:00:00.000000Z",
    {
      category: "hobby",
      priority: 1,
      tags: ["books", "hobby"],
      due: "2024-02-29",
      note: "sci-fi space opera",
      rating: 4,
    },
  ],
  [
    "r20",
    "grace",
    "support_bot",
    null,
    "Password reset",
    "2024-01-20T09:00:00.000000Z",
    {
      category: "work",
      priority: -1,
      tags: ["urgent", "security"],
      due: "2024-01-21T08:00:00.000+01:00",
      note: "reset link expired",
      flag: true,
    },
  ],
  // Agent-only and run-only memories: no user id at all.
  [
    "r21",
    null,
    "planner",
    null,
    "Team standup notes",
    "2024-01-21T09:00:00.000000Z",
    { category: "work", priority: 4, tags: ["work"], due: "2024-01-22", note: "standup at 9", flag: true },
  ],
  [
    "r22",
    null,
    null,
    "run-5",
    "Experiment run log",
    "2024-01-22T09:00:00.000000Z",
    {
      category: "science",
      priority: 8.25,
      tags: ["lab"],
      due: "2024-08-08T08:08:08Z",
      note: "pH 7.4 buffer",
      rating: 3,
    },
  ],
  [
    "r23",
    "alice",
    null,
    null,
    "Grocery list",
    "2024-01-23T09:00:00.000000Z",
    { category: "food", priority: 2, tags: ["food", "home"], note: "eggs, milk, RAMEN noodles", flag: false },
  ],
  [
    "r24",
    "bob",
    null,
    null,
    "Weekend hiking trip",
    "2024-01-24T09:00:00.000000Z",
    {
      category: "travel",
      priority: 6.5,
      tags: ["travel", "outdoors"],
      due: "2024-05-18T06:00:00Z",
      note: "Mont Blanc — bring boots",
      rating: 5,
    },
  ],
  [
    "r25",
    "carol",
    null,
    null,
    "Unicode edge",
    "2024-01-25T09:00:00.000000Z",
    {
      category: "ÉCLAIR",
      priority: 0.1,
      tags: ["Ω"],
      due: "2024-10-10T10:10:10+05:30",
      note: "ÉCLAIR AU CHOCOLAT",
      flag: true,
    },
  ],
  ["r26", "dave", null, null, "Empty metadata memory", "2024-01-26T09:00:00.000000Z", {}],
  [
    "r27",
    "erin",
    null,
    null,
    "Null metadata values",
    "2024-01-27T09:00:00.000000Z",
    { category: null, priority: null, tags: null, due: null, note: null, flag: null, rating: null },
  ],
  [
    "r28",
    "frank",
    "planner",
    null,
    "Mixed array values",
    "2024-01-28T09:00:00.000000Z",
    {
      category: ["work", 7, true],
      priority: [3, "7", 11.5],
      tags: ["a", "A", "b"],
      due: ["2024-01-01T00:00:00Z", "2025-01-01"],
      note: ["first note", "SECOND NOTE"],
      flag: [false, 0],
    },
  ],
  [
    "r29",
    "grace",
    null,
    null,
    "Memory from last year",
    "2023-12-15T09:00:00.000000Z",
    { category: "work", priority: 5, tags: ["archive"], due: "2023-12-20", note: "old but gold", rating: 5 },
  ],
  [
    "r30",
    "alice",
    "support_bot",
    "run-1",
    "Support chat summary",
    "2024-01-30T09:00:00.000000Z",
    {
      category: "work",
      priority: 7,
      tags: ["work"],
      due: "2024-01-30T09:00:00Z",
      note: "customer asked about LOGIN",
      flag: true,
      rating: 4,
    },
  ],
];

/** The fixture's records: ids r01…r30, 4-dimensional vectors with some exact ties. */
export function filterFixture(): FilterFixtureRecord[] {
  return ROWS.map(([id, user, agent, run, memory, created, metadata], i) => {
    const payload: MemoryPayload = {
      memory,
      hash: `hash-${id}`,
      created_at: created,
      updated_at: i % 3 === 0 ? "2024-06-01T00:00:00.000000Z" : created,
      metadata: structuredClone(metadata),
    };
    if (user !== null) payload.user_id = user;
    if (agent !== null) payload.agent_id = agent;
    if (run !== null) payload.run_id = run;
    const vector = [((i * 3) % 5) - 2, ((i * 7) % 4) - 1, (i % 3) - 1, 1];
    return { id, vector, payload };
  });
}

const c = (name: string, filters: Filters, expect?: string[]): FilterCase =>
  expect ? { name, filters, expect } : { name, filters };

/** The cases. Names say what each probes; every case is checked against the reference evaluator. */
export function filterCases(): FilterCase[] {
  const cases: FilterCase[] = [
    // ---- eq: strict types, case-sensitive, arrays match when any element does
    c("eq: a string", { category: "work" }, ["r03", "r05", "r10", "r20", "r21", "r28", "r29", "r30"]),
    c("eq: case matters", { category: "Food" }, ["r04"]),
    c("eq: lower case does not match the capitalised value", { category: "food" }, ["r01", "r23"]),
    c("eq: the empty string is a value", { category: "" }, ["r09"]),
    c("eq: non-ASCII string", { category: "日本" }, ["r08"]),
    c("eq: accented string", { category: "café" }, ["r07"]),
    c("eq: accented capitals", { category: "ÉCLAIR" }, ["r25"]),
    c("eq: a number does not equal its string", { priority: 7 }, ["r01", "r15", "r30"]),
    c("eq: a string does not equal the number", { priority: "7" }, ["r04", "r28"]),
    c("eq: a float", { priority: 9.5 }, ["r02"]),
    c("eq: a negative float", { priority: -2.5 }),
    c("eq: zero", { priority: 0 }, ["r06"]),
    c("eq: a huge number", { priority: 1e21 }, ["r08"]),
    c("eq: true is not 1", { flag: true }),
    c("eq: 1 is not true", { flag: 1 }, ["r04"]),
    c("eq: false is not 0", { flag: false }),
    c("eq: 0 is not false", { flag: 0 }, ["r06", "r28"]),
    c('eq: the string "true" is a string', { flag: "true" }, ["r05"]),
    c("eq: inside an array", { tags: "urgent" }),
    c("eq: a single string value vs array elements", { tags: "work" }),
    c("eq: a number inside a mixed array", { tags: 42 }, ["r06"]),
    c("eq: a boolean inside a mixed array", { tags: true }, ["r06"]),
    c("eq: no match inside a nested array", { tags: "nested" }, []),
    c("eq: an array element of the category", { category: "health" }, ["r02", "r13"]),
    c("eq: emoji element", { tags: "🍣" }, ["r07"]),
    c("eq: a value no record holds", { category: "nope" }, []),
    c("eq: explicit operator", { category: { eq: "work" } }),
    c("eq: on a missing field", { missing_field: "x" }, []),
    c("eq: an array element 7 of a mixed array", { category: 7 }, ["r28"]),
    c("eq: an object value never equals a scalar", { category: "billing" }, []),
    // ---- ne: exact negation of eq, so missing fields and nulls match
    c("ne: a string (missing and null match)", { category: { ne: "work" } }),
    c("ne: case-sensitive", { category: { ne: "Food" } }),
    c("ne: a number vs the string", { priority: { ne: 7 } }),
    c("ne: a string vs the number", { priority: { ne: "7" } }),
    c("ne: true", { flag: { ne: true } }),
    c("ne: an array element excludes the record", { tags: { ne: "urgent" } }),
    c("ne: on a missing field matches everything", { missing_field: { ne: "x" } }),
    c("ne: the empty string", { category: { ne: "" } }),
    c("ne: zero", { priority: { ne: 0 } }),
    c("ne: non-ASCII", { note: { ne: "東京 trip, Shinjuku" } }),
    // ---- numeric ranges: numbers only, never strings or booleans
    c("gt: 7", { priority: { gt: 7 } }),
    c('gte: 7 (7.0 and 7 equal, "7" and true do not count)', { priority: { gte: 7 } }),
    c("lt: 7", { priority: { lt: 7 } }),
    c("lte: 7", { priority: { lte: 7 } }),
    c("gt: 0", { priority: { gt: 0 } }),
    c("gte: 0", { priority: { gte: 0 } }),
    c("lt: 0 (negatives)", { priority: { lt: 0 } }, ["r07", "r20"]),
    c("lte: -2.5", { priority: { lte: -2.5 } }, ["r07"]),
    c("gt: a float bound", { priority: { gt: 8.1 } }),
    c("lt: a float bound", { priority: { lt: 0.2 } }),
    c("gte: a huge bound", { priority: { gte: 1e20 } }, ["r08"]),
    c("lt: any element of an array", { priority: { lt: 2 } }),
    c("gt: any element of an array", { priority: { gt: 10 } }),
    c("gte: a float rating", { rating: { gte: 4.5 } }),
    c("lt: rating (null never compares)", { rating: { lt: 3 } }),
    c("gt: on a missing field", { missing_field: { gt: 0 } }, []),
    c("gt: numbers never compare with date strings", { due: { gt: 20000000 } }, ["r06"]),
    c("range: gte and lte together", { priority: { gte: 3, lte: 7 } }),
    c("range: gt and lt together", { priority: { gt: 3, lt: 7 } }),
    c(
      "range: each bound applies to any element separately, so an empty interval still matches arrays",
      { priority: { gt: 7, lt: 7 } },
      ["r09", "r28"],
    ),
    c("range: a point interval (7, 7.0, and arrays with an element on each side)", { priority: { gte: 7, lte: 7 } }, [
      "r01",
      "r09",
      "r15",
      "r28",
      "r30",
    ]),
    c("range: one element satisfies both bounds, or two elements one each", { priority: { gt: 8, lt: 2 } }, ["r09"]),
    c("range: rating between", { rating: { gte: 2, lte: 4 } }),
    // ---- dates: ISO strings compared as instants, only against date strings
    c("date gt: a day", { due: { gt: "2024-03-01" } }),
    c("date gte: a day includes midnight of it", { due: { gte: "2024-03-01" } }),
    c("date lt: a day", { due: { lt: "2024-01-14" } }),
    c("date lte: a datetime", { due: { lte: "2024-01-14T12:00:00Z" } }),
    c("date gt: an offset is an instant (r03 is 21:59:59Z)", { due: { gt: "2024-03-31T22:00:00Z" } }),
    c("date lt: an offset is an instant", { due: { lt: "2024-03-31T22:00:00Z" } }),
    c("date: the same instant in two offsets", { due: { gte: "2024-06-14T23:30:00Z", lte: "2024-06-14T23:30:00Z" } }, [
      "r08",
      "r28",
    ]),
    c("date: a range over a year", { due: { gte: "2024-01-01", lt: "2025-01-01" } }),
    c("date: invalid calendar dates never compare (2024-02-30)", { due: { gte: "2024-02-01", lt: "2024-03-01" } }),
    c("date: a leap day is valid", { due: { gte: "2024-02-29", lte: "2024-02-29T23:59:59Z" } }, ["r19", "r28"]),
    c("date: space separator and minutes only", { due: { gte: "2024-06-15T08:00:00Z", lte: "2024-06-15T09:00:00Z" } }, [
      "r07",
      "r28",
    ]),
    c("date: milliseconds", { due: { gt: "2023-12-31T23:59:59.998Z", lt: "2024-01-01" } }, ["r11"]),
    c(
      "date: microseconds compare at millisecond precision",
      { due: { gte: "2024-09-01T09:00:00.123Z", lte: "2024-09-01T09:00:00.123Z" } },
      ["r10", "r28"],
    ),
    c("date: half a second", { due: { gt: "2024-01-20T17:00:00Z", lt: "2024-01-20T17:00:01Z" } }, ["r18", "r28"]),
    c("date: any date of an array", { due: { lt: "2024-01-02" } }),
    c("date: before everything", { due: { lt: "1990-01-01" } }, []),
    c("date: on created_at", { created_at: { gte: "2024-01-15" } }),
    c("date: on created_at, last year", { created_at: { lt: "2024-01-01" } }, ["r29"]),
    c("date: on updated_at", { updated_at: { gt: "2024-05-31" } }),
    c("date: created_at between", { created_at: { gt: "2024-01-10", lte: "2024-01-18T09:00:00Z" } }),
    c("date: a date bound never matches numbers", { due: { gt: "1970-01-01" } }),
    c("date: on a missing field", { missing_field: { gt: "2024-01-01" } }, []),
    c("date: on a text field (nothing parses)", { note: { gt: "2000-01-01" } }, []),
    c("date: with a negative offset", { due: { gte: "2024-04-01T05:00:00Z", lte: "2024-04-01T05:00:00Z" } }, [
      "r12",
      "r28",
    ]),
    c("date: half-hour offset", { due: { lt: "2024-10-10T04:40:11Z", gt: "2024-10-10T04:40:09Z" } }, ["r25", "r28"]),
    // ---- in / nin
    c("in: strings", { category: { in: ["work", "food"] } }),
    c("in: strict types", { priority: { in: [7, "7"] } }),
    c("in: numbers only", { priority: { in: [7, 8, 9] } }),
    c("in: booleans", { flag: { in: [true] } }),
    c("in: a mixed list", { category: { in: ["hobby", 7, true] } }),
    c("in: array elements", { tags: { in: ["japan", "music"] } }),
    c("in: non-ASCII", { category: { in: ["日本", "café", "ÉCLAIR"] } }),
    c("in: an empty list matches nothing", { category: { in: [] } }, []),
    c("in: a single value", { category: { in: ["admin"] } }),
    c("in: the empty string", { category: { in: ["", "auto"] } }),
    c("in: floats", { priority: { in: [9.5, 3.5, 0.1] } }),
    c("in: record field", { user_id: { in: ["alice", "grace"] } }),
    c("nin: strings (missing fields match)", { category: { nin: ["work", "food"] } }),
    c("nin: strict types", { priority: { nin: [7] } }),
    c("nin: array elements exclude", { tags: { nin: ["urgent", "work"] } }),
    c("nin: an empty list matches everything", { category: { nin: [] } }),
    c("nin: booleans and numbers", { flag: { nin: [true, 1] } }),
    c("nin: record field", { agent_id: { nin: ["planner"] } }),
    c("in and nin on one field", { category: { in: ["work", "food", "hobby"], nin: ["food"] } }),
    c("in: mixed array with number and string", { category: { in: ["7"] } }, []),
    // ---- contains / icontains: substrings of strings (or of array elements)
    c("contains: a word", { note: { contains: "ramen" } }, ["r01"]),
    c("contains: case-sensitive", { note: { contains: "RAMEN" } }, ["r23"]),
    c("contains: a fragment of a word", { note: { contains: "tick" } }, ["r06"]),
    c("contains: punctuation", { note: { contains: "#42" } }, ["r06"]),
    c("contains: a substring across word boundaries", { note: { contains: "ls on th" } }, ["r05"]),
    c("contains: several words in order (match)", { note: { contains: "Login fails" } }, ["r05"]),
    c("contains: words in the wrong order do not match", { note: { contains: "fails Login" } }, []),
    c("contains: non-ASCII", { note: { contains: "café" } }, ["r07"]),
    c("contains: CJK", { note: { contains: "東京" } }, ["r08"]),
    c("contains: emoji element", { tags: { contains: "🍣" } }, ["r07"]),
    c("contains: in an array of strings", { note: { contains: "NOTE" } }, ["r28"]),
    c("contains: the empty string matches every string", { note: { contains: "" } }),
    c("contains: numbers are not strings", { tags: { contains: "42" } }, []),
    c("contains: the euro sign", { note: { contains: "€" } }, ["r14"]),
    c("contains: on memory", { memory: { contains: "Tokyo" } }, ["r08"]),
    c("contains: on a missing field", { missing_field: { contains: "a" } }, []),
    c("icontains: ASCII any case", { note: { icontains: "ramen" } }, ["r01", "r23"]),
    c("icontains: upper-case query", { note: { icontains: "LOGIN" } }, ["r05", "r30"]),
    c("icontains: accented capitals fold", { note: { icontains: "éclair" } }, ["r25"]),
    c("icontains: accented lower case from upper", { category: { icontains: "Éclair" } }, ["r25"]),
    c("icontains: German sharp s is not ss", { note: { icontains: "STRASSE" } }, ["r11"]),
    c("icontains: sharp s matches itself", { note: { icontains: "straße" } }, ["r11"]),
    c("icontains: dotted capital I lowers to i + dot", { note: { icontains: "i̇stanbul" } }, ["r10"]),
    c("icontains: plain istanbul does not match the dotted İ", { note: { icontains: "istanbul" } }, []),
    c("icontains: Kelvin sign lowers to k", { note: { icontains: "kelvin k" } }, ["r12"]),
    c("icontains: Greek", { note: { icontains: "ωMEGA" } }, ["r12"]),
    c("icontains: digits and punctuation", { note: { icontains: "#42" } }, ["r06"]),
    c("icontains: the empty string", { note: { icontains: "" } }),
    c("icontains: in arrays", { note: { icontains: "second" } }, ["r28"]),
    c("icontains: on memory", { memory: { icontains: "LOGIN" } }, ["r05"]),
    c("icontains: on category with mixed types", { category: { icontains: "WORK" } }),
    c("icontains: CJK has no case", { note: { icontains: "東京 TRIP" } }, ["r08"]),
    c("contains and icontains together", { note: { contains: "LOGIN", icontains: "customer" } }, ["r30"]),
    // ---- "*": present, not null, not an empty array
    c("exists: category (null and missing do not count)", { category: "*" }),
    c("exists: tags ([] does not count, [[…]] does)", { tags: "*" }),
    c("exists: rating", { rating: "*" }),
    c("exists: flag", { flag: "*" }),
    c("exists: note (the empty string counts)", { note: "*" }),
    c("exists: a missing field", { missing_field: "*" }, []),
    c("exists: agent_id", { agent_id: "*" }),
    c("exists: run_id", { run_id: "*" }),
    c("exists: user_id (agent-only and run-only records lack it)", { user_id: "*" }),
    c("exists: NOT", { NOT: [{ rating: "*" }] }),
    c("exists: an object value counts", { category: "*", priority: 4 }, ["r14", "r21"]),
    c("exists: a dotted key", { "a.b": "*" }, ["r15", "r16"]),
    // ---- record fields
    c("record: user_id", { user_id: "alice" }, ["r01", "r02", "r03", "r23", "r30"]),
    c("record: agent_id", { agent_id: "planner" }),
    c("record: run_id", { run_id: "run-1" }, ["r03", "r09", "r30"]),
    c("record: memory equality", { memory: "Flight to Tokyo" }, ["r08"]),
    c("record: hash", { hash: "hash-r12" }, ["r12"]),
    c("record: ne user_id includes records without a user", { user_id: { ne: "alice" } }),
    c("record: agent_id nin (records without an agent match)", { agent_id: { nin: ["support_bot"] } }),
    c("record: created_at equality", { created_at: "2024-01-18T09:00:00.000000Z" }, ["r18", "r19"]),
    c("record: hash in", { hash: { in: ["hash-r01", "hash-r30", "hash-zz"] } }, ["r01", "r30"]),
    c("record: memory icontains", { memory: { icontains: "café" } }, ["r07"]),
    // ---- several operators on one field: all apply (mem0ai applies one)
    c("multi-op: gte and lte", { priority: { gte: 3, lte: 4 } }),
    c("multi-op: gt and ne", { priority: { gt: 5, ne: 7 } }),
    c("multi-op: in and ne", { category: { in: ["work", "hobby"], ne: "hobby" } }),
    c("multi-op: contains and ne", { note: { contains: "e", ne: "ticket #42" } }),
    c("multi-op: date range and eq", { due: { gte: "2024-01-01", lt: "2024-02-01" }, category: "work" }),
    c("multi-op: gte lt ne", { priority: { gte: 1, lt: 9, ne: 5 } }),
    c("multi-op: icontains and nin", { note: { icontains: "the", nin: ["water the ficus"] } }),
    c("multi-op: exists and eq on another field", { rating: "*", category: "work" }),
    c("multi-op: three fields", { category: "work", flag: true, priority: { gte: 7 } }),
    c("multi-op: same field in two AND branches", { AND: [{ priority: { gte: 3 } }, { priority: { lte: 4 } }] }),
    // ---- AND / OR / NOT, nested
    c("AND: two fields", { AND: [{ category: "work" }, { flag: true }] }),
    c("OR: two values", { OR: [{ category: "food" }, { category: "hobby" }] }),
    c("OR: two fields", { OR: [{ rating: 5 }, { flag: false }] }),
    c("OR: ranges on both sides", { OR: [{ priority: { lt: 1 } }, { priority: { gt: 9 } }] }),
    c("NOT: one condition (missing fields match)", { NOT: [{ category: "work" }] }),
    c("NOT: several conditions exclude any", { NOT: [{ category: "work" }, { tags: "urgent" }] }),
    c("NOT: of NOT", { NOT: [{ NOT: [{ category: "work" }] }] }),
    c("NOT: of AND", { NOT: [{ AND: [{ category: "work" }, { flag: true }] }] }),
    c("NOT: of OR", { NOT: [{ OR: [{ category: "work" }, { category: "food" }] }] }),
    c("NOT: of a range", { NOT: [{ priority: { gte: 5 } }] }),
    c("NOT: of a date range", { NOT: [{ due: { lt: "2024-03-01" } }] }),
    c("NOT: of icontains", { NOT: [{ note: { icontains: "login" } }] }),
    c("NOT: of exists", { NOT: [{ tags: "*" }] }),
    c("NOT: of ne (double negation)", { NOT: [{ category: { ne: "work" } }] }),
    c("NOT: of in", { NOT: [{ priority: { in: [7, 8, 9] } }] }),
    c("AND of OR", {
      AND: [{ OR: [{ category: "work" }, { category: "food" }] }, { OR: [{ flag: true }, { rating: 5 }] }],
    }),
    c("OR of AND", {
      OR: [{ AND: [{ category: "work" }, { priority: { gte: 8 } }] }, { AND: [{ category: "food" }, { flag: false }] }],
    }),
    c("OR of NOT", { OR: [{ NOT: [{ category: "work" }] }, { priority: 7 }] }),
    c("AND with NOT", { AND: [{ tags: "urgent" }, { NOT: [{ category: "work" }] }] }),
    c("three levels", {
      OR: [
        { AND: [{ tags: "travel" }, { NOT: [{ OR: [{ category: "日本" }, { rating: 5 }] }] }] },
        { note: { icontains: "tax" } },
      ],
    }),
    c("four levels", {
      AND: [
        { OR: [{ user_id: "alice" }, { user_id: "bob" }] },
        { NOT: [{ AND: [{ OR: [{ category: "work" }, { tags: "urgent" }] }, { priority: { gt: 5 } }] }] },
      ],
    }),
    c("deep: NOT NOT NOT", { NOT: [{ NOT: [{ NOT: [{ flag: true }] }] }] }),
    c("OR with one branch", { OR: [{ category: "admin" }] }, ["r11", "r13"]),
    c("AND with one branch", { AND: [{ category: "admin" }] }, ["r11", "r13"]),
    c("OR: a branch that matches nothing", { OR: [{ category: "nope" }, { category: "auto" }] }, ["r16"]),
    c("AND: a branch that matches everything", { AND: [{ missing_field: { ne: 1 } }, { category: "auto" }] }, ["r16"]),
    c("OR: a branch that matches everything", { OR: [{ missing_field: { ne: 1 } }, { category: "auto" }] }),
    c("AND: contradictory branches", { AND: [{ category: "work" }, { category: { ne: "work" } }] }, []),
    c("OR: complementary branches", { OR: [{ category: "work" }, { category: { ne: "work" } }] }),
    c("top-level keys and OR together", { category: "work", OR: [{ flag: true }, { rating: 4 }] }),
    c("top-level keys and NOT together", { user_id: "frank", NOT: [{ tags: "urgent" }] }, ["r18", "r28"]),
    c("OR of exists", { OR: [{ rating: "*" }, { flag: "*" }] }),
    c("NOT of OR of exists", { NOT: [{ OR: [{ rating: "*" }, { flag: "*" }] }] }),
    c("NOT of contains, scoped", { user_id: "alice", NOT: [{ note: { contains: "ramen" } }] }, [
      "r02",
      "r03",
      "r23",
      "r30",
    ]),
    c("NOT with several ops", { NOT: [{ priority: { gte: 2, lte: 6 } }] }),
    c("OR of date ranges", { OR: [{ due: { lt: "2024-01-06" } }, { due: { gt: "2024-09-01" } }] }),
    c(
      "AND of icontains on two fields",
      { AND: [{ memory: { icontains: "ticket" } }, { note: { icontains: "TICKET" } }] },
      ["r06"],
    ),
    c("OR mixing operators", {
      OR: [
        { priority: { in: [1, 2] } },
        { note: { icontains: "chopin" } },
        { due: { gte: "2024-08-01" } },
        { "sp ace": "*" },
      ],
    }),
    // ---- missing fields and nulls
    c("missing: eq never matches", { rating: 4 }),
    c("missing: nin matches the missing", { rating: { nin: [4, 5] } }),
    c("missing: gt never matches null", { rating: { gt: -100 } }),
    c("missing: NOT exists finds missing and null", { NOT: [{ category: "*" }] }),
    c("missing: ne null-valued field", { flag: { ne: false } }),
    c("missing: OR with a missing field", { OR: [{ missing_field: "x" }, { rating: 1 }] }, ["r14"]),
    c(
      "missing: every field of an empty-metadata record",
      { user_id: "dave", NOT: [{ OR: [{ category: "*" }, { priority: "*" }, { tags: "*" }, { note: "*" }] }] },
      ["r26"],
    ),
    c(
      "missing: null everywhere",
      { user_id: "erin", category: { ne: "x" }, priority: { nin: [1] }, NOT: [{ note: "*" }] },
      ["r27"],
    ),
    // ---- awkward keys
    c("key with a dot", { "a.b": "dotted" }, ["r15"]),
    c("key with a dot, number", { "a.b": { gt: 1 } }, ["r16"]),
    c("key with a space", { "sp ace": "spaced" }, ["r15"]),
    c("key with a space: null does not exist", { "sp ace": "*" }, ["r15"]),
    c("Cyrillic key", { ключ: "значение" }, ["r15"]),
    c("Cyrillic key, icontains", { ключ: { icontains: "ЗНАЧ" } }, ["r15"]),
    c("emoji key", { "emoji🍣": "fish" }, ["r15"]),
    c("awkward key, ne", { "a.b": { ne: "dotted" } }),
    c("awkward key, in", { "a.b": { in: ["dotted", 5] } }, ["r15", "r16"]),
    c("awkward key under NOT", { NOT: [{ "emoji🍣": "*" }] }),
  ];
  return cases;
}

/** Each case ANDed with a user scope, as `Memory.search` sends it. */
export function scopedFilterCases(users: readonly string[] = ["alice", "bob", "frank"]): FilterCase[] {
  return filterCases().flatMap((k, i) => {
    const user = users[i % users.length]!;
    return [{ name: `${k.name} [scoped to ${user}]`, filters: { AND: [{ user_id: user }, k.filters] } }];
  });
}

/** What `list` must return for a filter: matching ids, oldest first (created_at, then id). */
export function referenceIds(records: readonly FilterFixtureRecord[], node: FilterNode | null): string[] {
  return records
    .filter((r) => evaluateFilter(node, payloadField(r.payload)))
    .map((r): StoredMemory => ({ id: r.id, payload: r.payload }))
    .sort(compareCreated)
    .map((r) => r.id);
}

export interface FilterCaseFailure {
  name: string;
  filters: Filters;
  method: "list" | "search" | "expect";
  got: string[];
  want: string[];
}

/**
 * Runs cases against a store that already holds `filterFixture()` and returns every mismatch (an
 * empty list means the store agrees with the reference on all of them). Usable outside jest.
 */
export async function checkFilterCases(
  store: VectorStore,
  cases: readonly FilterCase[] = filterCases(),
  options: { search?: boolean } = {},
): Promise<FilterCaseFailure[]> {
  const records = filterFixture();
  const failures: FilterCaseFailure[] = [];
  const query = [1, 0.5, -0.25, 1];
  for (const k of cases) {
    const node = parseFilters(k.filters);
    const want = referenceIds(records, node);
    if (k.expect && JSON.stringify([...k.expect].sort()) !== JSON.stringify([...want].sort())) {
      failures.push({ name: k.name, filters: k.filters, method: "expect", got: want, want: [...k.expect].sort() });
    }
    const got = (await store.list({ filter: node, limit: records.length + 10 })).map((r) => r.id);
    if (JSON.stringify(got) !== JSON.stringify(want))
      failures.push({ name: k.name, filters: k.filters, method: "list", got, want });
    if (options.search !== false) {
      const hits = (await store.search({ vector: query, limit: records.length + 10, filter: node }))
        .map((r) => r.id)
        .sort();
      const wantSet = [...want].sort();
      if (JSON.stringify(hits) !== JSON.stringify(wantSet))
        failures.push({ name: k.name, filters: k.filters, method: "search", got: hits, want: wantSet });
    }
  }
  return failures;
}

export interface FilterConformanceOptions {
  /** A new, empty store for `dims`-dimensional vectors; the fixture is inserted into it. */
  create(options: { dims: number }): VectorStore | Promise<VectorStore>;
  /** Per-test timeout in ms (default 120,000). */
  timeoutMs?: number;
}

const describeFailures = (failures: FilterCaseFailure[]) =>
  failures.map(
    (f) =>
      `${f.method} ${f.name} ${JSON.stringify(f.filters)}: ` +
      `got ${JSON.stringify(f.got)}, want ${JSON.stringify(f.want)}`,
  );

type JestGlobals = Pick<typeof import("@jest/globals"), "describe" | "expect" | "test" | "beforeAll" | "afterAll">;

/** Registers the fixture's jest tests for a store (call it from a jest test file). */
export function describeFilterConformance(name: string, options: FilterConformanceOptions): void {
  // Jest's globals, read when the suite is declared, so this module also loads outside jest (where
  // importing @jest/globals throws) for `checkFilterCases` and the fixture.
  const { describe, expect, test, beforeAll, afterAll } = globalThis as unknown as JestGlobals;
  const timeout = options.timeoutMs ?? 120_000;
  describe(`${name}: filter conformance (${filterCases().length} cases, fixture of ${ROWS.length} records)`, () => {
    let store: VectorStore;
    beforeAll(async () => {
      store = await options.create({ dims: FILTER_FIXTURE_DIMS });
      await store.insert(filterFixture());
    }, timeout);
    afterAll(async () => {
      await store?.close?.();
    });

    test(
      "list and search return exactly the reference's ids for every case",
      async () => {
        expect(describeFailures(await checkFilterCases(store))).toEqual([]);
      },
      timeout,
    );

    test(
      "the same cases scoped to a user (the scope is ANDed outside, as Memory does)",
      async () => {
        expect(describeFailures(await checkFilterCases(store, scopedFilterCases()))).toEqual([]);
      },
      timeout,
    );

    test(
      "each case negated returns the complement",
      async () => {
        const negated = filterCases().map((k) => ({ name: `NOT(${k.name})`, filters: { NOT: [k.filters] } }));
        expect(describeFailures(await checkFilterCases(store, negated, { search: false }))).toEqual([]);
      },
      timeout,
    );

    test(
      "a scope filter built by core (scopeFilter) combines with every case",
      async () => {
        const failures: string[] = [];
        const records = filterFixture();
        for (const k of filterCases()) {
          const node = andFilters(scopeFilter({ user_id: "carol" }), parseFilters(k.filters));
          const got = (await store.list({ filter: node, limit: 100 })).map((r) => r.id);
          const want = referenceIds(records, node);
          if (JSON.stringify(got) !== JSON.stringify(want))
            failures.push(`${k.name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
        expect(failures).toEqual([]);
      },
      timeout,
    );
  });
}
