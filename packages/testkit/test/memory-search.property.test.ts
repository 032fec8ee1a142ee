/**
 * Property: for random memories and random filters, `search` and `getAll` return exactly the
 * memories that the reference evaluator accepts within the scope — with reranking on and off.
 * This is @mem0/core's pipeline under test; it lives here because the arbitraries do.
 */
import {
  defineReranker,
  evaluateFilter,
  Memory,
  parseFilters,
  payloadField,
  providerConfigSchema,
  registerProvider,
  type MemoryPayload,
} from "@mem0/core";
import fc from "fast-check";
import { filterArb, scopedRecordsArb } from "../src/arbitraries.js";

// Reverses the candidate order, so a reranked result set that differs from the vector one would show.
registerProvider(
  defineReranker({
    provider: "reverse-for-properties",
    configSchema: providerConfigSchema({}),
    create: () => ({
      provider: "reverse-for-properties",
      async rerank(_q: string, docs: readonly string[], o?: { top_k?: number }) {
        return docs.map((_, index) => ({ index, score: -index })).slice(0, o?.top_k ?? docs.length);
      },
    }),
  }),
);

const RUNS = 300;

test("search and getAll return exactly the scoped memories the reference evaluator accepts", async () => {
  let partial = 0;
  await fc.assert(
    fc.asyncProperty(
      scopedRecordsArb({ maxLength: 25 }),
      filterArb,
      fc.boolean(),
      async ({ records, scope }, filters, rerank) => {
        const memory = await Memory.fromConfig({
          vector_store: { provider: "memory" },
          reranker: { provider: "reverse-for-properties" },
        });
        const expected = new Set<string>();
        const node = parseFilters(filters);
        for (const r of records) {
          const { results } = await memory.add(r.memory, {
            user_id: r.user_id,
            ...(r.agent_id ? { agent_id: r.agent_id } : {}),
            metadata: r.metadata,
            infer: false,
          });
          const payload = { ...r, hash: "", created_at: "", updated_at: "" } as MemoryPayload;
          const inScope =
            r.user_id === scope.user_id && (scope.agent_id === undefined || r.agent_id === scope.agent_id);
          if (inScope && evaluateFilter(node, payloadField(payload))) expected.add(results[0]!.id);
        }
        // Some but not all records: the answers that tell a right scope and filter from a wrong one.
        if (expected.size > 0 && expected.size < records.length) partial++;
        const limit = Math.max(1, records.length);
        const all = await memory.getAll({ ...scope, filters, limit });
        expect(new Set(all.results.map((x) => x.id))).toEqual(expected);
        const found = await memory.search("sushi ramen movie", { ...scope, filters, limit, rerank });
        expect(new Set(found.results.map((x) => x.id))).toEqual(expected);
        expect(found.reranked).toBe(rerank && expected.size > 0);
      },
    ),
    { numRuns: RUNS },
  );
  // Without it the property mostly checks empty answers (4.4% partial before the records were biased; about 28% now).
  expect(partial / RUNS).toBeGreaterThanOrEqual(0.15);
});

/** Every key of a filter object, at any depth, and "*" for an exists condition. */
function filterKeys(value: unknown, into: Set<string>): Set<string> {
  if (value === "*") into.add('"*"');
  if (Array.isArray(value)) for (const item of value) filterKeys(item, into);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      filterKeys(v, into);
    }
  }
  return into;
}

test("the arbitraries produce filters the parser accepts, covering every operator and combinator", () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(filterArb, (f) => {
      filterKeys(f, seen);
      expect(() => parseFilters(f)).not.toThrow();
    }),
    { numRuns: 500 },
  );
  const wanted = [
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
    "AND",
    "OR",
    "NOT",
    '"*"',
  ];
  expect(wanted.filter((k) => !seen.has(k))).toEqual([]);
});
