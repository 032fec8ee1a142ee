/**
 * The vector store conformance suite: any `VectorStore` (ours or a third party's) runs it from a
 * jest test file to show it keeps the contract @mem0/core relies on, with core's reference
 * evaluator (`evaluateFilter`) as the judge of every filter.
 *
 *   import { describeStoreConformance } from "@mem0/testkit";
 *   describeStoreConformance("my-store", { create: ({ dims }) => MyStore.open({ dims }) });
 *
 * A store passes when, for generated records and generated filters (fast-check, every operator and
 * combinator nested to depth 3, over mixed-type metadata), `list` and `search` return exactly what
 * the reference returns, in the reference's order; and when its writes are all-or-nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import {
  andFilters,
  compareCreated,
  dot,
  evaluateFilter,
  normalizeVector,
  parseFilters,
  payloadField,
  scopeFilter,
  type Filters,
  type FilterNode,
  type HistoryEvent,
  type MemoryPayload,
  type StoredMemory,
  type VectorStore,
} from "@mem0/core";
import fc from "fast-check";
import { filterArb, recordsArb, scopeArb, type ArbitraryRecord } from "../arbitraries.js";
import { testSecretHolding } from "./secrets.js";

export interface StoreConformanceOptions {
  /** A new store for `dims`-dimensional vectors. Stores from earlier calls may stay open; `close` is called on each. */
  create(options: { dims: number }): VectorStore | Promise<VectorStore>;
  /** fast-check runs per property (default 60). */
  numRuns?: number;
  /** Per-test timeout in ms (default 60,000). */
  timeoutMs?: number;
  /**
   * Largest absolute difference allowed between a store's score and the reference cosine
   * (default 1e-5; stores that quantise vectors may need more).
   */
  scoreTolerance?: number;
  /**
   * The store keeps history with its writes (`VectorStore.history`); default true.
   * False skips those tests, visibly.
   */
  history?: boolean;
  /** The store implements `apply` (batch writes); default true. False skips those tests, visibly. */
  apply?: boolean;
  /**
   * Creates the store with `apiKey` as its credential (no request needed), for the secret-holding
   * check. Leave it out only for a store that takes no credential; the check is then skipped.
   */
  withApiKey?: (apiKey: string) => VectorStore | Promise<VectorStore>;
}

export interface TestRecord {
  id: string;
  vector: number[];
  payload: MemoryPayload;
}

const DIMS = 8;

/** Creation times with deliberate ties, so ordering by id is exercised. */
const TIMES = [
  "2024-01-01T00:00:00.000Z",
  "2024-01-01T00:00:00.000Z",
  "2024-03-05T10:00:00.000Z",
  "2025-06-30T23:59:59.999Z",
];

/** Small-integer vectors: plenty of exact ties (same direction) and zero vectors. */
const vectorArb = (dims: number) => fc.array(fc.integer({ min: -3, max: 3 }), { minLength: dims, maxLength: dims });

/** Records as the arbitraries make them, turned into store rows with ids, vectors and times. */
export const storeRecordsArb = (dims = DIMS, maxLength = 30): fc.Arbitrary<TestRecord[]> =>
  recordsArb({ maxLength }).chain((records) =>
    fc
      .tuple(
        fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{6}$/), { minLength: records.length, maxLength: records.length }),
        fc.array(vectorArb(dims), { minLength: records.length, maxLength: records.length }),
        fc.array(fc.constantFrom(...TIMES), { minLength: records.length, maxLength: records.length }),
      )
      .map(([ids, vectors, times]) => records.map((r, i) => toTestRecord(r, `m-${ids[i]}`, vectors[i]!, times[i]!))),
  );

function toTestRecord(r: ArbitraryRecord, id: string, vector: number[], at: string): TestRecord {
  const payload: MemoryPayload = {
    user_id: r.user_id,
    memory: r.memory,
    hash: `h-${r.memory.length}`,
    created_at: at,
    updated_at: at,
    metadata: r.metadata,
  };
  if (r.agent_id !== undefined) payload.agent_id = r.agent_id;
  return { id, vector, payload };
}

/** What `list` must return: matching records, oldest first (created_at, then id). */
export function referenceList(records: readonly TestRecord[], filter: FilterNode | null, limit: number): string[] {
  return records
    .filter((r) => evaluateFilter(filter, payloadField(r.payload)))
    .map((r): StoredMemory => ({ id: r.id, payload: r.payload }))
    .sort(compareCreated)
    .slice(0, limit)
    .map((r) => r.id);
}

/** What `search` must return: matching records by cosine to `query`, best first, ties by id. */
export function referenceSearch(
  records: readonly TestRecord[],
  query: readonly number[],
  filter: FilterNode | null,
  limit: number,
): { id: string; score: number }[] {
  const q = normalizeVector([...query]);
  return records
    .filter((r) => evaluateFilter(filter, payloadField(r.payload)))
    .map((r) => ({ id: r.id, score: dot(q, normalizeVector(r.vector)) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit);
}

/**
 * Checks a search answer against the reference. Exact equality of ids would wrongly fail a store
 * whose float arithmetic differs by an ulp on two near-equal candidates, so: every returned record
 * matches the filter, the answer is sorted, and its scores are the reference's scores (within
 * `tolerance`) position by position. When the answer holds every match, the id sets are equal too.
 */
export function expectSearchMatches(
  got: readonly { id: string; score: number }[],
  records: readonly TestRecord[],
  query: readonly number[],
  filter: FilterNode | null,
  limit: number,
  tolerance: number,
): void {
  const want = referenceSearch(records, query, filter, limit);
  const byId = new Map(records.map((r) => [r.id, r]));
  expect(got.length).toBe(want.length);
  for (const hit of got) {
    const record = byId.get(hit.id);
    expect(record).toBeDefined();
    expect(evaluateFilter(filter, payloadField(record!.payload))).toBe(true);
  }
  for (let i = 0; i < got.length; i++) {
    expect(Math.abs(got[i]!.score - want[i]!.score)).toBeLessThanOrEqual(tolerance);
    if (i > 0) expect(got[i - 1]!.score).toBeGreaterThanOrEqual(got[i]!.score - tolerance);
  }
  expect(new Set(got.map((h) => h.id)).size).toBe(got.length);
  const matching = records.filter((r) => evaluateFilter(filter, payloadField(r.payload))).length;
  if (matching <= limit) expect(new Set(got.map((h) => h.id))).toEqual(new Set(want.map((h) => h.id)));
}

/**
 * Records whose metadata sits on every edge of the filter semantics: values of the "wrong" type
 * (the string "7" beside the number 7, true beside 1), arrays (empty, nested, mixed), null,
 * objects, non-ASCII text whose lower case differs between naive and Unicode folding, valid and
 * invalid dates with offsets, and keys that are awkward in JSON paths.
 */
export const EDGE_KEYS = [
  "category",
  "priority",
  "flag",
  "tags",
  "date",
  "note",
  "a.b",
  'we"ird',
  "back\\slash",
  "日本",
  "sp ace",
  "[0]",
  "$x",
] as const;
const EDGE_VALUES: Record<(typeof EDGE_KEYS)[number], unknown[]> = {
  category: ["work", "Work", "", null, 7, "7", true, ["work", "food"], [], [["work"]], { work: 1 }],
  priority: [7, 7.5, "7", -0.5, 0, 1e21, true, [1, 9], [], null, 3],
  flag: [true, false, 1, 0, "true", [true], null],
  tags: [["a", "b"], ["A"], [], "a", ["a", 1, true, null], [["a"]], null],
  date: [
    "2024-01-01",
    "2024-01-01T12:00:00Z",
    "2024-01-01T13:00:00+02:00",
    "2024-02-30",
    "not-a-date",
    20240101,
    "2023-12-31T23:59:59.999Z",
    ["2024-06-01", "1999-01-01"],
    "2024-06-15 08:30",
  ],
  note: ["İstanbul trip", "Kelvin \u212A scale", "ÉCLAIR au café", "plain ascii", "ß straße", "", "LOGIN fails"],
  "a.b": ["dot", 1],
  'we"ird': ["quote", 2],
  "back\\slash": ["slash", 3],
  日本: ["東京", 4],
  "sp ace": ["space", 5],
  "[0]": ["bracket", 6],
  $x: ["dollar", 7],
};

/** Deterministic: record i takes value (i * k) mod n of each key's list, or leaves the key out. */
export function edgeRecords(count = 48, dims = DIMS): TestRecord[] {
  const users = ["alice", "bob", "carol"];
  return Array.from({ length: count }, (_, i) => {
    const metadata: Record<string, unknown> = {};
    EDGE_KEYS.forEach((key, k) => {
      const values = EDGE_VALUES[key];
      const pick = (i * (k + 3) + k) % (values.length + 1);
      if (pick < values.length) metadata[key] = structuredClone(values[pick]);
    });
    const vector = Array.from({ length: dims }, (_, j) => ((i * 7 + j * 3) % 5) - 2);
    const p: MemoryPayload = {
      user_id: users[i % 3]!,
      memory: ["Loves sushi", "login fails on mobile", "Café meeting", "İ dotted"][i % 4]!,
      hash: `hash-${i % 5}`,
      created_at: TIMES[i % TIMES.length]!,
      updated_at: ["2024-01-01T00:00:00.000Z", "2024-07-01T00:00:00.000Z"][i % 2]!,
      metadata,
    };
    if (i % 4 === 1) p.agent_id = "planner";
    if (i % 6 === 2) p.run_id = "run-1";
    return { id: `edge-${String((i * 37) % 101).padStart(3, "0")}`, vector, payload: p };
  });
}

/** One-field conditions (Mem0's syntax) that probe each operator at its edges. */
export function edgeConditions(): unknown[] {
  const scalars: unknown[] = [
    "work",
    "Work",
    "",
    "7",
    7,
    7.5,
    0,
    -0.5,
    1e21,
    true,
    false,
    1,
    "a",
    "A",
    "dot",
    "東京",
    "quote",
    "2024-01-01",
    "planner",
    "run-1",
    "alice",
    "hash-1",
    "Loves sushi",
  ];
  const dates = [
    "2024-01-01",
    "2024-01-01T12:00:00Z",
    "2024-01-01T11:00:00Z",
    "2023-12-31T23:59:59.999Z",
    "2024-06-15T08:30:00+00:00",
  ];
  const numbers = [-1, 0, 3, 7, 7.5, 9, 1e21];
  const subs = ["work", "WORK", "i̇stanbul", "istanbul", "k", "K", "éclair", "ÉCLAIR", "SS", "ß", "", "login", "a"];
  return [
    "*",
    ...scalars,
    ...scalars.map((v) => ({ ne: v })),
    ...numbers.flatMap((v) => [{ gt: v }, { gte: v }, { lt: v }, { lte: v }]),
    ...dates.flatMap((v) => [{ gt: v }, { gte: v }, { lt: v }, { lte: v }]),
    { in: ["work", 7, true] },
    { in: ["7", "a", false] },
    { in: [0, 1] },
    { nin: ["work", 7, true] },
    { nin: ["a", "b"] },
    ...subs.flatMap((v) => [{ contains: v }, { icontains: v }]),
    { gte: 3, lte: 7 },
    { gt: "2024-01-01", lt: "2024-12-31" },
    { ne: "work", nin: [7] },
  ];
}

/** Every edge condition on every edge key and record field, as a parsed filter. */
export function edgeFilters(): { filters: Filters; node: FilterNode | null }[] {
  const fields = [
    ...EDGE_KEYS,
    "user_id",
    "agent_id",
    "run_id",
    "memory",
    "hash",
    "created_at",
    "updated_at",
    "missing",
  ];
  return fields.flatMap((field) =>
    edgeConditions().map((c) => ({ filters: { [field]: c } as Filters, node: parseFilters({ [field]: c }) })),
  );
}

/**
 * A memory's history read no stale record: each event's old_memory is the previous event's
 * new_memory. A lost update (two writers reading the same version) breaks the chain.
 */
export function expectChainedHistory(events: readonly HistoryEvent[]): void {
  const breaks = events
    .slice(1)
    .flatMap((e, i) =>
      e.old_memory === events[i]!.new_memory ? [] : [`${i + 1}: ${e.old_memory} after ${events[i]!.new_memory}`],
    );
  expect(breaks).toEqual([]);
}

const at = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString();

function payload(memory: string, extra: Partial<MemoryPayload> = {}, i = 0): MemoryPayload {
  return {
    user_id: "alice",
    memory,
    hash: `h-${memory}`,
    created_at: at(i),
    updated_at: at(i),
    metadata: {},
    ...extra,
  };
}

function event(
  memoryId: string,
  kind: HistoryEvent["event"],
  oldMemory: string | null,
  newMemory: string | null,
  i: number,
): HistoryEvent {
  return {
    id: `e-${memoryId}-${kind}-${i}`,
    memory_id: memoryId,
    event: kind,
    old_memory: oldMemory,
    new_memory: newMemory,
    created_at: at(i),
    updated_at: kind === "ADD" ? null : at(i),
    is_deleted: kind === "DELETE",
  };
}

const unit = (i: number, dims = DIMS) => Array.from({ length: dims }, (_, j) => (j === i ? 1 : 0));

async function ids(p: Promise<StoredMemory[]>): Promise<string[]> {
  return (await p).map((r) => r.id);
}

export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  const numRuns = options.numRuns ?? 60;
  const timeout = options.timeoutMs ?? 60_000;
  const tolerance = options.scoreTolerance ?? 1e-5;
  const opened: VectorStore[] = [];
  const fresh = async (dims = DIMS) => {
    const store = await options.create({ dims });
    opened.push(store);
    return store;
  };
  const all = Number.MAX_SAFE_INTEGER;

  describe(`${name}: vector store conformance`, () => {
    afterAll(async () => {
      await Promise.allSettled(opened.map((s) => s.close?.()));
    });

    testSecretHolding("the store", options.withApiKey, {
      timeoutMs: timeout,
      close: (s) => (s as VectorStore).close?.(),
    });

    describe("records", () => {
      let store: VectorStore;
      beforeAll(async () => {
        store = await fresh();
      });

      test("insert then get returns the payload as written; a missing id is null", async () => {
        const p = payload("Loves sushi", {
          agent_id: "bot",
          run_id: "r1",
          metadata: {
            category: "food",
            tags: ["a", "🍣"],
            nested: { x: [1, null, "y"] },
            n: -0.5,
            ok: false,
            none: null,
          },
        });
        await store.insert([{ id: "rec-1", vector: unit(0), payload: p }]);
        expect(await store.get("rec-1")).toEqual({ id: "rec-1", payload: p });
        expect(await store.get("rec-missing")).toBeNull();
      });

      test("absent scope ids stay absent", async () => {
        await store.insert([
          {
            id: "rec-agent-only",
            vector: unit(1),
            payload: { memory: "x", hash: "h", created_at: at(1), updated_at: at(1), metadata: {}, agent_id: "bot" },
          },
        ]);
        const got = await store.get("rec-agent-only");
        expect(got!.payload.user_id).toBeUndefined();
        expect(got!.payload.run_id).toBeUndefined();
        expect(got!.payload.agent_id).toBe("bot");
      });

      test("the stored payload is a copy: mutating the input or the output changes nothing", async () => {
        const p = payload("mutable", { metadata: { list: [1, 2] } });
        await store.insert([{ id: "rec-copy", vector: unit(2), payload: p }]);
        (p.metadata.list as number[]).push(3);
        p.memory = "changed";
        const got = await store.get("rec-copy");
        expect(got!.payload.memory).toBe("mutable");
        expect(got!.payload.metadata).toEqual({ list: [1, 2] });
        (got!.payload.metadata.list as number[]).push(4);
        expect((await store.get("rec-copy"))!.payload.metadata).toEqual({ list: [1, 2] });
      });

      test("update replaces the payload, and the vector when given; the id stays", async () => {
        await store.insert([{ id: "rec-up", vector: unit(3), payload: payload("before", {}, 3) }]);
        const after = payload("after", { metadata: { v: 2 } }, 3);
        await store.update("rec-up", { payload: after });
        expect(await store.get("rec-up")).toEqual({ id: "rec-up", payload: after });
        const [top] = await store.search({
          vector: unit(3),
          limit: 1,
          filter: { kind: "compare", field: "memory", op: "eq", value: "after" },
        });
        expect(top!.score).toBeCloseTo(1, 5);
        await store.update("rec-up", { vector: unit(4), payload: after });
        const [moved] = await store.search({
          vector: unit(4),
          limit: 1,
          filter: { kind: "compare", field: "memory", op: "eq", value: "after" },
        });
        expect(moved!.id).toBe("rec-up");
        expect(moved!.score).toBeCloseTo(1, 5);
      });

      test("update and delete of a missing id reject with NOT_FOUND", async () => {
        await expect(store.update("rec-nope", { payload: payload("x") })).rejects.toMatchObject({ code: "NOT_FOUND" });
        await expect(store.delete("rec-nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
      });

      test("delete removes the record from get, list and search", async () => {
        await store.insert([{ id: "rec-del", vector: unit(5), payload: payload("doomed", { user_id: "dora" }) }]);
        await store.delete("rec-del");
        expect(await store.get("rec-del")).toBeNull();
        const scope = scopeFilter({ user_id: "dora" });
        expect(await store.list({ filter: scope, limit: 10 })).toEqual([]);
        expect(await store.search({ vector: unit(5), limit: 10, filter: scope })).toEqual([]);
      });

      test("a duplicate id rejects the whole batch: nothing of it is written", async () => {
        await store.insert([{ id: "rec-dup", vector: unit(0), payload: payload("first") }]);
        await expect(
          store.insert([
            { id: "rec-dup-new", vector: unit(0), payload: payload("new") },
            { id: "rec-dup", vector: unit(0), payload: payload("second") },
          ]),
        ).rejects.toMatchObject({ code: "DUPLICATE_ID" });
        expect(await store.get("rec-dup-new")).toBeNull();
        expect((await store.get("rec-dup"))!.payload.memory).toBe("first");
        await expect(
          store.insert([
            { id: "rec-dup-twice", vector: unit(0), payload: payload("a") },
            { id: "rec-dup-twice", vector: unit(0), payload: payload("b") },
          ]),
        ).rejects.toMatchObject({ code: "DUPLICATE_ID" });
        expect(await store.get("rec-dup-twice")).toBeNull();
      });
    });

    describe("dimensions", () => {
      test("a vector of the wrong length or with a non-finite element is rejected and nothing is written", async () => {
        const store = await fresh();
        const bad: [string, number[]][] = [
          ["short", unit(0).slice(1)],
          ["long", [...unit(0), 0]],
          ["nan", [Number.NaN, ...unit(0).slice(1)]],
          ["inf", [Number.POSITIVE_INFINITY, ...unit(0).slice(1)]],
        ];
        for (const [label, vector] of bad) {
          await expect(
            store.insert([
              { id: `dims-ok-${label}`, vector: unit(0), payload: payload("ok") },
              { id: `dims-${label}`, vector, payload: payload("bad") },
            ]),
          ).rejects.toMatchObject({ code: "INVALID_VECTOR" });
          expect(await store.get(`dims-ok-${label}`)).toBeNull();
          expect(await store.get(`dims-${label}`)).toBeNull();
        }
        await store.insert([{ id: "dims-good", vector: unit(0), payload: payload("good") }]);
        await expect(
          store.update("dims-good", { vector: unit(0).slice(2), payload: payload("changed") }),
        ).rejects.toMatchObject({ code: "INVALID_VECTOR" });
        expect((await store.get("dims-good"))!.payload.memory).toBe("good");
      });

      test("Float32Array and number[] vectors are equivalent", async () => {
        const store = await fresh();
        await store.insert([
          { id: "f32", vector: Float32Array.from([3, 4, 0, 0, 0, 0, 0, 0]), payload: payload("f32") },
        ]);
        const [hit] = await store.search({ vector: [3, 4, 0, 0, 0, 0, 0, 0], limit: 1, filter: null });
        expect(hit!.id).toBe("f32");
        expect(hit!.score).toBeCloseTo(1, 5);
      });
    });

    describe("ordering", () => {
      test("list is oldest first (created_at, then id) and honours limit", async () => {
        const store = await fresh();
        const rows = [
          { id: "c", i: 2 },
          { id: "b", i: 1 },
          { id: "a", i: 2 },
          { id: "d", i: 0 },
        ];
        await store.insert(rows.map((r) => ({ id: r.id, vector: unit(0), payload: payload(r.id, {}, r.i) })));
        expect(await ids(store.list({ filter: null, limit: 10 }))).toEqual(["d", "b", "a", "c"]);
        expect(await ids(store.list({ filter: null, limit: 2 }))).toEqual(["d", "b"]);
      });

      test("search is best cosine first, ties broken by id, scores are cosine similarities", async () => {
        const store = await fresh();
        const v = (xs: number[]) => [...xs, ...Array(DIMS - xs.length).fill(0)];
        await store.insert([
          { id: "far", vector: v([-1, 0]), payload: payload("far") },
          { id: "tie-b", vector: v([1, 1]), payload: payload("tie-b") },
          { id: "tie-a", vector: v([2, 2]), payload: payload("tie-a") },
          { id: "near", vector: v([1, 0]), payload: payload("near") },
          { id: "ortho", vector: v([0, 0, 1]), payload: payload("ortho") },
        ]);
        const hits = await store.search({ vector: v([5, 0]), limit: 10, filter: null });
        expect(hits.map((h) => h.id)).toEqual(["near", "tie-a", "tie-b", "ortho", "far"]);
        const want = [1, Math.SQRT1_2, Math.SQRT1_2, 0, -1];
        for (const [i, hit] of hits.entries()) expect(hit.score).toBeCloseTo(want[i] ?? Number.NaN, 5);
        expect((await store.search({ vector: v([5, 0]), limit: 2, filter: null })).map((h) => h.id)).toEqual([
          "near",
          "tie-a",
        ]);
        expect(hits[0]!.payload).toEqual(payload("near"));
      });

      test("a zero vector scores 0 against everything, in either role", async () => {
        const store = await fresh();
        await store.insert([
          { id: "z-zero", vector: Array(DIMS).fill(0), payload: payload("zero") },
          { id: "z-one", vector: unit(0), payload: payload("one") },
        ]);
        const hits = await store.search({ vector: unit(0), limit: 10, filter: null });
        expect(hits.map((h) => [h.id, Math.round(h.score * 1e6) / 1e6])).toEqual([
          ["z-one", 1],
          ["z-zero", 0],
        ]);
        const fromZero = await store.search({ vector: Array(DIMS).fill(0), limit: 10, filter: null });
        expect(fromZero.map((h) => [h.id, h.score])).toEqual([
          ["z-one", 0],
          ["z-zero", 0],
        ]);
      });
    });

    describe("filters (mem0ai's silent drops, each a case)", () => {
      let store: VectorStore;
      const records: TestRecord[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((p, i) => ({
        id: `p${p}`,
        vector: unit(i % DIMS),
        payload: payload(`priority ${p}`, { metadata: { priority: p, category: p % 2 ? "odd" : "even" } }, i),
      }));
      beforeAll(async () => {
        store = await fresh();
        await store.insert(records);
      });
      const cases: [string, Filters][] = [
        ["several operators on one field all apply", { priority: { gte: 3, lte: 4 } }],
        ["the same field in several AND branches", { AND: [{ priority: { gte: 3 } }, { priority: { lte: 4 } }] }],
        ["OR of ranges", { OR: [{ priority: { lt: 2 } }, { priority: { gt: 8 } }] }],
        ["NOT excludes any match", { NOT: [{ category: "odd" }, { priority: 2 }] }],
        ["ne matches missing fields too", { missing: { ne: "x" } }],
        ["in and nin together", { priority: { in: [1, 2, 3, "3"], nin: [2] } }],
      ];
      for (const [label, filters] of cases) {
        test(label, async () => {
          const node = parseFilters(filters);
          expect(await ids(store.list({ filter: node, limit: all }))).toEqual(referenceList(records, node, all));
          const query = unit(0);
          expectSearchMatches(
            await store.search({ vector: query, limit: 100, filter: node }),
            records,
            query,
            node,
            100,
            tolerance,
          );
        });
      }
    });

    describe("filters (hand-checked answers: dates, invalid dates, odd keys)", () => {
      // The expected ids are worked out by hand, not by core's evaluator, so a store and the
      // reference sharing a bug (e.g. a date parser accepting 2024-02-30) cannot agree on it.
      const DATE_VALUES: [string, unknown][] = [
        ["d01", "2024-01-01"],
        ["d02", "2024-01-01T12:00:00Z"],
        ["d03", "2024-01-01T13:00:00+02:00"], // 11:00 UTC
        ["d04", "2024-02-30"], // no such day
        ["d05", "not-a-date"],
        ["d06", 20240101], // a number, never a date
        ["d07", "2023-12-31T23:59:59.999Z"],
        ["d08", ["2024-06-01", "1999-01-01"]], // an array matches when any element does
        ["d09", "2024-06-15 08:30"], // space separator, no seconds: 08:30 UTC
        ["d10", "2024-02-29"], // a leap day
        ["d11", "2023-02-29"], // not a leap year
        ["d12", "2024-13-01"], // no such month
        ["d13", undefined], // no date at all
      ];
      const ODD: [string, Record<string, unknown>][] = [
        ["k1", { 'we"ird': "quote" }],
        ["k2", { "back\\slash": "slash" }],
        ["k3", { "a.b": "dot" }],
        ["k4", { a: { b: "dot" } }], // a path a.b would reach this one
        ["k5", { 日本: "東京" }],
        ["k6", { "sp ace": "space" }],
        ["k7", { "[0]": "bracket" }],
        ["k8", { $x: "dollar" }],
        ["k9", { x: "dollar" }], // a key with its $ stripped would reach this one
      ];
      const rows: TestRecord[] = [
        ...DATE_VALUES.map(([id, date], i) => ({
          id,
          vector: unit(i % DIMS),
          payload: payload(id, { metadata: date === undefined ? {} : { date } }, i),
        })),
        ...ODD.map(([id, metadata], i) => ({ id, vector: unit(i % DIMS), payload: payload(id, { metadata }, 20 + i) })),
      ];
      const dateIds = DATE_VALUES.map(([id]) => id);
      const oddIds = ODD.map(([id]) => id);
      const cases: [Filters, string[]][] = [
        [{ date: { gte: "2024-01-01" } }, ["d01", "d02", "d03", "d08", "d09", "d10"]],
        [{ date: { gt: "2024-01-01T11:00:00Z" } }, ["d02", "d08", "d09", "d10"]],
        [{ date: { lt: "2024-01-01" } }, ["d07", "d08"]],
        [{ date: { lte: "2024-02-29" } }, ["d01", "d02", "d03", "d07", "d08", "d10"]],
        [{ date: { gt: "2024-02-28", lt: "2024-03-01" } }, ["d08", "d10"]],
        [{ date: { gte: "2024-01-01T11:00:00+00:00", lte: "2024-01-01T13:00:00+02:00" } }, ["d03", "d08"]],
        [{ date: "2024-02-30" }, ["d04"]],
        [{ date: { ne: "2024-02-30" } }, [...dateIds.filter((id) => id !== "d04"), ...oddIds]],
        [{ date: { lt: 20240102 } }, ["d06"]],
        [{ date: "*" }, dateIds.filter((id) => id !== "d13")],
        [{ 'we"ird': "quote" }, ["k1"]],
        [{ "back\\slash": "*" }, ["k2"]],
        [{ "a.b": "dot" }, ["k3"]],
        [{ "a.b": "*" }, ["k3"]],
        [{ 日本: { icontains: "東" } }, ["k5"]],
        [{ "sp ace": { in: ["space"] } }, ["k6"]],
        [{ "[0]": "bracket" }, ["k7"]],
        [{ $x: "dollar" }, ["k8"]],
        [{ $x: { ne: "dollar" } }, [...dateIds, ...oddIds.filter((id) => id !== "k8")]],
      ];
      let store: VectorStore;
      beforeAll(async () => {
        store = await fresh();
        await store.insert(rows);
      });
      for (const [filters, want] of cases) {
        test(JSON.stringify(filters), async () => {
          const node = parseFilters(filters);
          const got = (await store.list({ filter: node, limit: all })).map((r) => r.id).sort();
          expect(got).toEqual([...want].sort());
          const hits = await store.search({ vector: unit(0), limit: 100, filter: node });
          expect(hits.map((h) => h.id).sort()).toEqual([...want].sort());
        });
      }
      test("a range on an invalid date is a FilterError, before any store sees it", () => {
        for (const bad of ["2024-02-30", "2023-02-29", "2024-13-01", "not-a-date"])
          expect(() => parseFilters({ date: { gte: bad } })).toThrow(/ISO-8601/);
      });
    });

    describe("filters (every operator at its edges, against the reference evaluator)", () => {
      let store: VectorStore;
      const records = edgeRecords();
      const cases = edgeFilters();
      beforeAll(async () => {
        store = await fresh();
        await store.insert(records);
      });

      test(
        `list: ${cases.length} one-field filters over mixed-type metadata`,
        async () => {
          const wrong: string[] = [];
          for (const { filters, node } of cases) {
            const got = await ids(store.list({ filter: node, limit: all }));
            const want = referenceList(records, node, all);
            if (JSON.stringify(got) !== JSON.stringify(want))
              wrong.push(
                `${JSON.stringify(filters)}: got ${got.length} ${JSON.stringify(got)}, ` +
                  `want ${want.length} ${JSON.stringify(want)}`,
              );
          }
          expect(wrong).toEqual([]);
        },
        timeout,
      ); // thousands of queries: over HTTP on a busy machine they outlast jest's default

      test(
        "search: the same filters, negated, return the complement",
        async () => {
          const query = unit(1);
          for (const { node } of cases.filter((_, i) => i % 9 === 0)) {
            const negated: FilterNode = { kind: "not", child: node! };
            expectSearchMatches(
              await store.search({ vector: query, limit: all, filter: negated }),
              records,
              query,
              negated,
              records.length,
              tolerance,
            );
          }
        },
        timeout,
      );

      test(
        "random AND / OR / NOT trees of edge conditions, scoped",
        async () => {
          const leaf = fc.constantFrom(...cases.map((c) => c.filters));
          const tree = fc.letrec<{ f: Filters }>((tie) => ({
            f: fc.oneof(
              { depthSize: "small", withCrossShrink: true },
              leaf,
              fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map((xs) => ({ AND: xs })),
              fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map((xs) => ({ OR: xs })),
              fc.array(tie("f"), { minLength: 1, maxLength: 2 }).map((xs) => ({ NOT: xs })),
            ),
          })).f;
          await fc.assert(
            fc.asyncProperty(
              tree,
              fc.option(scopeArb, { nil: undefined }),
              fc.integer({ min: 1, max: 60 }),
              async (filters, scope, limit) => {
                const node = andFilters(scope ? scopeFilter(scope) : null, parseFilters(filters));
                expect(await ids(store.list({ filter: node, limit }))).toEqual(referenceList(records, node, limit));
                const query = unit(limit % DIMS);
                expectSearchMatches(
                  await store.search({ vector: query, limit, filter: node }),
                  records,
                  query,
                  node,
                  limit,
                  tolerance,
                );
              },
            ),
            { numRuns: numRuns * 3 },
          );
        },
        timeout,
      );
    });

    describe("filters (property-based, against the reference evaluator)", () => {
      let store: VectorStore;
      beforeAll(async () => {
        store = await fresh();
      });

      test(
        "list returns exactly the matching records, oldest first",
        async () => {
          await fc.assert(
            fc.asyncProperty(
              storeRecordsArb(),
              filterArb,
              fc.option(scopeArb, { nil: undefined }),
              fc.integer({ min: 1, max: 40 }),
              async (records, filters, scope, limit) => {
                await store.reset();
                await store.insert(records);
                const node = andFilters(scope ? scopeFilter(scope) : null, parseFilters(filters));
                expect(await ids(store.list({ filter: node, limit }))).toEqual(referenceList(records, node, limit));
              },
            ),
            { numRuns },
          );
        },
        timeout,
      );

      test(
        "search returns the matching records nearest the query, best first",
        async () => {
          await fc.assert(
            fc.asyncProperty(
              storeRecordsArb(),
              filterArb,
              fc.option(scopeArb, { nil: undefined }),
              vectorArb(DIMS),
              fc.integer({ min: 1, max: 40 }),
              async (records, filters, scope, query, limit) => {
                await store.reset();
                await store.insert(records);
                const node = andFilters(scope ? scopeFilter(scope) : null, parseFilters(filters));
                expectSearchMatches(
                  await store.search({ vector: query, limit, filter: node }),
                  records,
                  query,
                  node,
                  limit,
                  tolerance,
                );
              },
            ),
            { numRuns },
          );
        },
        timeout,
      );
    });

    // History is optional in the contract (core keeps it beside such stores): a store declares it.
    const historyTest = options.history === false ? test.skip : test;
    const noHistory = options.history === false ? " (skipped: the store declares no history)" : "";
    describe("history committed with the write", () => {
      historyTest(
        `a store that keeps history records each write's events, oldest first, and reset clears them${noHistory}`,
        async () => {
          const store = await fresh();
          expect(store.history).toBeDefined();
          const h = store.history!;
          await store.insert([{ id: "hist-1", vector: unit(0), payload: payload("v1") }], {
            history: [event("hist-1", "ADD", null, "v1", 1)],
          });
          await store.update(
            "hist-1",
            { payload: payload("v2") },
            { history: [event("hist-1", "UPDATE", "v1", "v2", 2)] },
          );
          await store.delete("hist-1", { history: [event("hist-1", "DELETE", "v2", null, 3)] });
          const events = await h.get("hist-1");
          expect(events.map((e) => [e.event, e.old_memory, e.new_memory, e.is_deleted])).toEqual([
            ["ADD", null, "v1", false],
            ["UPDATE", "v1", "v2", false],
            ["DELETE", "v2", null, true],
          ]);
          expect(events[0]).toMatchObject(event("hist-1", "ADD", null, "v1", 1));
          expect(await h.get("hist-other")).toEqual([]);
          await store.reset();
          expect(await h.get("hist-1")).toEqual([]);
        },
      );

      historyTest(`a rejected write leaves no history event behind${noHistory}`, async () => {
        const store = await fresh();
        expect(store.history).toBeDefined();
        await store.insert([{ id: "hist-a", vector: unit(0), payload: payload("a") }], {
          history: [event("hist-a", "ADD", null, "a", 1)],
        });
        await expect(
          store.insert(
            [
              { id: "hist-b", vector: unit(0), payload: payload("b") },
              { id: "hist-a", vector: unit(0), payload: payload("dup") },
            ],
            { history: [event("hist-b", "ADD", null, "b", 2), event("hist-a", "ADD", null, "dup", 2)] },
          ),
        ).rejects.toMatchObject({ code: "DUPLICATE_ID" });
        await expect(
          store.insert([{ id: "hist-c", vector: [1], payload: payload("c") }], {
            history: [event("hist-c", "ADD", null, "c", 3)],
          }),
        ).rejects.toMatchObject({
          code: "INVALID_VECTOR",
        });
        await expect(
          store.update(
            "hist-missing",
            { payload: payload("m") },
            { history: [event("hist-missing", "UPDATE", "x", "m", 4)] },
          ),
        ).rejects.toMatchObject({ code: "NOT_FOUND" });
        await expect(
          store.delete("hist-missing", { history: [event("hist-missing", "DELETE", "x", null, 5)] }),
        ).rejects.toMatchObject({ code: "NOT_FOUND" });
        expect((await store.history!.get("hist-a")).length).toBe(1);
        for (const id of ["hist-b", "hist-c", "hist-missing"]) expect(await store.history!.get(id)).toEqual([]);
      });
    });

    const applyTest = options.apply === false ? test.skip : test;
    const noApply = options.apply === false ? " (skipped: the store declares no apply)" : "";
    describe("apply: batch writes computed from the current records", () => {
      const addKey = (key: string) => (cur: StoredMemory) => ({
        payload: { ...cur.payload, metadata: { ...cur.payload.metadata, [key]: true } },
      });

      applyTest(
        `inserts, updates from the current record and deletes, in one call, with their history${noApply}`,
        async () => {
          const store = await fresh();
          await store.insert([
            { id: "ap-1", vector: unit(0), payload: payload("one", { metadata: { keep: 1 } }) },
            { id: "ap-2", vector: unit(1), payload: payload("two") },
          ]);
          const seen: string[] = [];
          const result = await store.apply!([
            {
              op: "insert",
              id: "ap-3",
              vector: unit(2),
              payload: payload("three"),
              history: [event("ap-3", "ADD", null, "three", 3)],
            },
            {
              op: "update",
              id: "ap-1",
              vector: unit(3),
              next: (cur) => {
                seen.push(cur.payload.memory);
                return {
                  payload: {
                    ...cur.payload,
                    memory: "one+",
                    hash: "h-one+",
                    metadata: { ...cur.payload.metadata, added: 2 },
                  },
                  history: [event("ap-1", "UPDATE", cur.payload.memory, "one+", 4)],
                };
              },
            },
            { op: "delete", id: "ap-2", history: (cur) => [event("ap-2", "DELETE", cur.payload.memory, null, 5)] },
          ]);
          expect(result).toEqual({ skipped: [] });
          expect(seen[0]).toBe("one");
          expect((await store.get("ap-1"))!.payload).toEqual(payload("one+", { metadata: { keep: 1, added: 2 } }));
          const [moved] = await store.search({ vector: unit(3), limit: 1, filter: null });
          expect([moved!.id, Math.round(moved!.score * 1e4) / 1e4]).toEqual(["ap-1", 1]);
          expect(await store.get("ap-2")).toBeNull();
          expect((await store.get("ap-3"))!.payload.memory).toBe("three");
          if (store.history) {
            expect((await store.history.get("ap-1")).map((e) => [e.event, e.old_memory, e.new_memory])).toEqual([
              ["UPDATE", "one", "one+"],
            ]);
            expect((await store.history.get("ap-2")).map((e) => [e.event, e.old_memory])).toEqual([["DELETE", "two"]]);
            expect((await store.history.get("ap-3")).map((e) => e.event)).toEqual(["ADD"]);
          }
        },
      );

      applyTest(
        `missing: "fail" (the default) rejects NOT_FOUND and writes nothing of the batch${noApply}`,
        async () => {
          const store = await fresh();
          await store.insert([{ id: "af-1", vector: unit(0), payload: payload("one") }]);
          await expect(
            store.apply!([
              { op: "insert", id: "af-new", vector: unit(1), payload: payload("new") },
              { op: "update", id: "af-1", next: (cur) => ({ payload: { ...cur.payload, memory: "changed" } }) },
              { op: "delete", id: "af-missing" },
            ]),
          ).rejects.toMatchObject({ code: "NOT_FOUND" });
          expect(await store.get("af-new")).toBeNull();
          expect((await store.get("af-1"))!.payload.memory).toBe("one");
        },
      );

      applyTest(`missing: "skip" reports vanished targets and applies the rest${noApply}`, async () => {
        const store = await fresh();
        await store.insert([{ id: "as-1", vector: unit(0), payload: payload("one") }]);
        const result = await store.apply!(
          [
            { op: "insert", id: "as-new", vector: unit(1), payload: payload("new") },
            { op: "update", id: "as-gone", next: (cur) => ({ payload: cur.payload }) },
            { op: "update", id: "as-1", next: (cur) => ({ payload: { ...cur.payload, memory: "changed" } }) },
            { op: "delete", id: "as-gone-too" },
          ],
          { missing: "skip" },
        );
        expect(result).toEqual({ skipped: ["as-gone", "as-gone-too"] });
        expect((await store.get("as-new"))!.payload.memory).toBe("new");
        expect((await store.get("as-1"))!.payload.memory).toBe("changed");
      });

      applyTest(`concurrent updates of one record, each adding a key, lose none${noApply}`, async () => {
        const store = await fresh();
        await store.insert([{ id: "ac-1", vector: unit(0), payload: payload("one") }]);
        const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
        await Promise.all(keys.map((k) => store.apply!([{ op: "update", id: "ac-1", next: addKey(k) }])));
        expect(Object.keys((await store.get("ac-1"))!.payload.metadata).sort()).toEqual(keys);
      });
    });

    describe("reset", () => {
      test("reset empties the store and it stays usable", async () => {
        const store = await fresh();
        await store.insert([{ id: "r1", vector: unit(0), payload: payload("one") }]);
        await store.reset();
        expect(await store.get("r1")).toBeNull();
        expect(await store.list({ filter: null, limit: 10 })).toEqual([]);
        await store.insert([{ id: "r1", vector: unit(0), payload: payload("again") }]);
        expect((await store.get("r1"))!.payload.memory).toBe("again");
      });
    });
  });
}
