/**
 * The tests can fail: three plausible translations that many Qdrant integrations use are run
 * through the filter fixture against the test double, and each is caught on the cases it gets
 * wrong. (The store itself passes the same fixture in filter-conformance.test.ts.)
 */
import { parseIsoDate, type FilterNode } from "@mem0/core";
import { checkFilterCases, filterFixture, FILTER_FIXTURE_DIMS } from "@mem0/testkit";
import type { QdrantVectorStore } from "../src/index.js";
import { qdrantTarget, type QdrantTarget } from "./helpers.js";

let target: QdrantTarget;
beforeAll(async () => {
  target = await qdrantTarget();
});
afterAll(() => target.close());

// biome-ignore lint/suspicious/noExplicitAny: the rewrites below reach into arbitrary filter JSON
type Json = Record<string, any>;
const walk = (node: unknown, f: (o: Json) => Json): unknown => {
  if (Array.isArray(node)) return node.map((n) => walk(n, f));
  if (!node || typeof node !== "object") return node;
  return f(Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, f)])));
};

/** A store whose native filter is rewritten by `rewrite`, and which trusts it (no re-check). */
function naiveStore(name: string, rewrite: (o: Json) => Json, trust = false): QdrantVectorStore {
  const store = target.store({
    collection_name: `naive_${name}_${Date.now()}`,
    embedding_model_dims: FILTER_FIXTURE_DIMS,
  });
  const plan = store.plan.bind(store);
  store.plan = (node: FilterNode | null) => {
    const p = plan(node);
    return {
      ...p,
      exact: trust ? true : p.exact,
      native: p.native === "none" ? p.native : (walk(p.native, rewrite) as typeof p.native),
    };
  };
  return store;
}

async function failuresOf(store: QdrantVectorStore) {
  await store.insert(filterFixture());
  return (await checkFilterCases(store, undefined, { search: false })).map((f) => f.name);
}

test("ne / nin as match.except (misses missing fields, null and [])", async () => {
  const store = naiveStore("except", (o) => {
    const inner = o.must_not?.[0];
    if (
      o.must_not?.length === 1 &&
      inner?.key &&
      !inner.key.startsWith("_mem0") &&
      inner.match &&
      ("value" in inner.match || "any" in inner.match) &&
      typeof (inner.match.value ?? inner.match.any?.[0]) === "string"
    ) {
      return { key: inner.key, match: { except: inner.match.any ?? [inner.match.value] } };
    }
    return o;
  });
  const wrong = await failuresOf(store);
  expect(wrong).toEqual(
    expect.arrayContaining(["ne: a string (missing and null match)", "nin: strings (missing fields match)"]),
  );
});

test("dates as Qdrant datetime ranges on the field (other parser, other precision)", async () => {
  const store = naiveStore("dates", (o) => {
    if (typeof o.key === "string" && o.key.startsWith("_mem0.dates.") && o.range) {
      const field = o.key.slice("_mem0.dates.".length);
      return {
        key: field,
        range: Object.fromEntries(Object.entries(o.range).map(([b, ms]) => [b, new Date(ms as number).toISOString()])),
      };
    }
    return o;
  });
  const wrong = await failuresOf(store);
  expect(wrong).toEqual(expect.arrayContaining(["date: microseconds compare at millisecond precision"]));
  expect(parseIsoDate("2024-09-01T09:00:00.123456Z")).toBe(parseIsoDate("2024-09-01T09:00:00.123Z"));
});

test("icontains left to Qdrant without the client-side re-check (the clause silently dropped)", async () => {
  const store = naiveStore("icontains", (o) => o, true);
  const wrong = await failuresOf(store);
  expect(wrong).toEqual(expect.arrayContaining(["icontains: ASCII any case", "icontains: upper-case query"]));
});
