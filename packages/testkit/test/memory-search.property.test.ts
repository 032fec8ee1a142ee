/**
 * Property: for random memories and random filters, `search` and `getAll` return exactly the
 * memories that the reference evaluator accepts within the scope — with reranking on and off.
 * This is @mem0/core's pipeline under test; it lives here because the arbitraries do.
 */
import { defineReranker, evaluateFilter, Memory, parseFilters, payloadField, providerConfigSchema, registerProvider, type MemoryPayload } from "@mem0/core";
import fc from "fast-check";
import { filterArb, recordsArb, scopeArb } from "../src/arbitraries.js";

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

test("search and getAll return exactly the scoped memories the reference evaluator accepts", async () => {
  await fc.assert(
    fc.asyncProperty(recordsArb({ maxLength: 25 }), filterArb, scopeArb, fc.boolean(), async (records, filters, scope, rerank) => {
      const m = await Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "reverse-for-properties" } });
      const expected = new Set<string>();
      const node = parseFilters(filters);
      for (const r of records) {
        const { results } = await m.add(r.memory, { user_id: r.user_id, ...(r.agent_id ? { agent_id: r.agent_id } : {}), metadata: r.metadata, infer: false });
        const payload = { ...r, hash: "", created_at: "", updated_at: "" } as MemoryPayload;
        const inScope = r.user_id === scope.user_id && (scope.agent_id === undefined || r.agent_id === scope.agent_id);
        if (inScope && evaluateFilter(node, payloadField(payload))) expected.add(results[0]!.id);
      }
      const limit = Math.max(1, records.length);
      const all = await m.getAll({ ...scope, filters, limit });
      expect(new Set(all.results.map((x) => x.id))).toEqual(expected);
      const found = await m.search("sushi ramen movie", { ...scope, filters, limit, rerank });
      expect(new Set(found.results.map((x) => x.id))).toEqual(expected);
      expect(found.reranked).toBe(rerank && expected.size > 0);
    }),
    { numRuns: 300 },
  );
});

test("the arbitraries produce filters the parser accepts, covering every operator and combinator", () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(filterArb, (f) => {
      const text = JSON.stringify(f);
      for (const k of ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "icontains", "AND", "OR", "NOT", '"*"']) if (text.includes(`"${k}"`) || text.includes(k)) seen.add(k);
      expect(() => parseFilters(f)).not.toThrow();
    }),
    { numRuns: 500 },
  );
  expect(seen.size).toBe(14);
});
