import { afterAll, describe, expect, test } from "@jest/globals";
import {
  andFilters,
  InMemoryVectorStore,
  parseFilters,
  scopeFilter,
  type FilterNode,
  type MemoryPayload,
  type VectorStore,
} from "@mem0/core";
import { SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const DIMS = 16;
const at = "2024-01-01T00:00:00.000Z";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows for 4 users; every 7th row repeats an earlier vector, so exact ties need the id order. */
function rows(n: number, seed: number) {
  const next = rng(seed);
  const out: { id: string; vector: number[]; payload: MemoryPayload }[] = [];
  for (let i = 0; i < n; i++) {
    const vector = i % 7 === 6 ? out[i - 3]!.vector : Array.from({ length: DIMS }, () => next() - 0.5);
    const payload = {
      user_id: `u${i % 4}`,
      memory: `m${i}`,
      hash: "h",
      created_at: at,
      updated_at: at,
      metadata: { category: ["a", "b", "c"][i % 3]!, priority: i % 10 },
    };
    out.push({ id: `id-${String(i).padStart(4, "0")}`, vector, payload });
  }
  return out;
}

const queries = (count: number, seed: number) => {
  const next = rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: DIMS }, () => next() - 0.5));
};

const filters: (FilterNode | null)[] = [
  scopeFilter({ user_id: "u1" }),
  andFilters(scopeFilter({ user_id: "u2" }), parseFilters({ AND: [{ category: "b" }, { priority: { gte: 7 } }] })),
  parseFilters({ category: "c" }),
  null,
  andFilters(scopeFilter({ user_id: "u3" }), parseFilters({ NOT: { priority: { in: [1, 2, 3] } } })),
];

const answer = async (s: VectorStore, vector: number[], filter: FilterNode | null, limit = 10) =>
  (await s.search({ vector, limit, filter })).map((h) => [h.id, h.score]);

describe("scoped search over the in-memory block (search_cache_mb)", () => {
  test("gives the reference store's ids, order and scores, cold and warm, and the SQL path's too", async () => {
    const data = rows(600, 1);
    const cached = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: DIMS });
    const sqlOnly = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: DIMS, search_cache_mb: 0 });
    const reference = new InMemoryVectorStore();
    for (const s of [cached, sqlOnly, reference]) await s.insert(data);
    for (const vector of queries(6, 2)) {
      for (const filter of filters) {
        for (const limit of [1, 10, 200]) {
          const expected = await answer(reference, vector, filter, limit);
          expect(await answer(sqlOnly, vector, filter, limit)).toEqual(expected);
          // the first search of a scope runs in SQL, the second copies it, the third reads the copy
          for (let round = 0; round < 3; round++) expect(await answer(cached, vector, filter, limit)).toEqual(expected);
        }
      }
    }
    expect(cached.searchCacheBytes).toBeGreaterThan(0);
    expect(sqlOnly.searchCacheBytes).toBe(0);
    await cached.close();
    await sqlOnly.close();
  });

  test("a write by this store or by another process's connection is seen by the next search", async () => {
    const file = tmp.file();
    const a = SqliteVectorStore.open({ path: file, embedding_model_dims: DIMS });
    const b = SqliteVectorStore.open({ path: file, embedding_model_dims: DIMS });
    await a.insert(rows(200, 3));
    const [query] = queries(1, 4);
    const scope = scopeFilter({ user_id: "u0" });
    const top = async () => (await a.search({ vector: query!, limit: 3, filter: scope })).map((h) => h.id);
    await top();
    const before = await top();
    expect(a.searchCacheBytes).toBeGreaterThan(0);
    // Another connection adds the query itself: it must come first at once.
    const payload = { user_id: "u0", memory: "new", hash: "h", created_at: at, updated_at: at, metadata: {} };
    await b.insert([{ id: "zz-other", vector: query!, payload }]);
    expect((await top())[0]).toBe("zz-other");
    // This connection deletes it and updates another row's vector to the query.
    await a.delete("zz-other");
    expect(await top()).toEqual(before);
    await a.update(before[2]!, { vector: query!, payload: { ...payload, memory: "moved" } });
    await top();
    expect((await top())[0]).toBe(before[2]);
    // A row moved to another user leaves this user's results.
    await b.update(before[2]!, { payload: { ...payload, user_id: "u1" } });
    expect(await top()).not.toContain(before[2]);
    await a.close();
    await b.close();
  });

  test("a scope larger than the budget stays in SQL, with the same answers", async () => {
    const small = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: DIMS, search_cache_mb: 0.001 });
    const reference = new InMemoryVectorStore();
    const data = rows(300, 5);
    await small.insert(data);
    await reference.insert(data);
    const [vector] = queries(1, 6);
    for (let round = 0; round < 3; round++)
      expect(await answer(small, vector!, null)).toEqual(await answer(reference, vector!, null));
    expect(small.searchCacheBytes).toBe(0);
    await small.close();
  });
});

describe("the search cache's compact rows, own writes and budget", () => {
  const scoped = (user: string) => scopeFilter({ user_id: user });

  test("a write by this store drops only the scopes it touched: another user's next search is still a cache hit", async () => {
    const data = rows(400, 7);
    const file = tmp.file();
    const store = SqliteVectorStore.open({ path: file, embedding_model_dims: DIMS });
    const reference = new InMemoryVectorStore();
    for (const s of [store, reference]) await s.insert(data);
    const [query] = queries(1, 8);
    for (const user of ["u0", "u1"]) for (let round = 0; round < 2; round++) await answer(store, query!, scoped(user));
    const copies = store.searchCacheStats.copies;
    expect(copies).toBe(2);
    // An add to u0: the query itself, so it must come first in u0's answer at once.
    const added = { id: "zz-added", vector: query!, payload: { ...data[0]!.payload, user_id: "u0", memory: "new" } };
    for (const s of [store, reference]) await s.insert([added]);
    const before = store.searchCacheStats;
    expect(await answer(store, query!, scoped("u1"))).toEqual(await answer(reference, query!, scoped("u1")));
    expect(store.searchCacheStats.hits).toBe(before.hits + 1); // u1's block survived the write to u0
    const u0 = await answer(store, query!, scoped("u0"));
    expect(u0).toEqual(await answer(reference, query!, scoped("u0")));
    expect(u0[0]![0]).toBe("zz-added");
    expect(store.searchCacheStats.misses).toBe(before.misses + 1); // u0's block was dropped: SQL answered
    // An update that moves a row from u1 to u2 touches both: u1 is dropped, u3's block stays.
    for (let round = 0; round < 2; round++) await answer(store, query!, scoped("u3"));
    const moved = data.find((r) => r.payload.user_id === "u1")!;
    for (const s of [store, reference]) await s.update(moved.id, { payload: { ...moved.payload, user_id: "u2" } });
    const hitsBefore = store.searchCacheStats.hits;
    expect(await answer(store, query!, scoped("u3"))).toEqual(await answer(reference, query!, scoped("u3")));
    expect(store.searchCacheStats.hits).toBe(hitsBefore + 1);
    for (const user of ["u1", "u2"])
      for (let round = 0; round < 3; round++)
        expect(await answer(store, query!, scoped(user))).toEqual(await answer(reference, query!, scoped(user)));
    // u3's hit, then per dropped scope: SQL, then a copy that answers, then a hit
    expect(store.searchCacheStats.hits).toBe(hitsBefore + 5);
    // A write by another connection drops everything.
    const other = SqliteVectorStore.open({ path: file, embedding_model_dims: DIMS });
    await other.delete(data.find((r) => r.payload.user_id === "u3")!.id);
    const missesBefore = store.searchCacheStats.misses;
    await answer(store, query!, scoped("u3"));
    expect(store.searchCacheStats.misses).toBe(missesBefore + 1);
    await other.close();
    await store.close();
  });

  test("ties, near-ties closer than int8 can tell apart, odd and large dimensions: the reference store's answers", async () => {
    for (const dims of [3, 10, 1536]) {
      const next = rng(dims);
      const base = Array.from({ length: dims }, () => next() - 0.5);
      // Rows 1e-6 apart in one coordinate, exact copies, and unrelated rows, for two users.
      const data = Array.from({ length: 120 }, (_, i) => ({
        id: `r-${String(i).padStart(3, "0")}`,
        vector:
          i % 3 === 0
            ? base.map((x, k) => (k === i % dims ? x + 1e-6 * i : x))
            : i % 3 === 1
              ? base
              : base.map(() => next() - 0.5),
        payload: { ...rows(1, 1)[0]!.payload, user_id: `u${i % 2}`, metadata: { priority: i % 10 } },
      }));
      const store = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: dims });
      const reference = new InMemoryVectorStore();
      for (const s of [store, reference]) await s.insert(data);
      const probes = [base, base.map((x) => -x), ...Array.from({ length: 3 }, () => base.map(() => next() - 0.5))];
      const filters = [scoped("u0"), andFilters(scoped("u1"), parseFilters({ priority: { gte: 5 } })), null];
      // Two searches per scope copy it; every search after is answered from the compact rows. (The SQL
      // path ranks candidates by sqlite-vec's float32 distance, which cannot order rows 1e-8 apart.)
      for (const filter of filters) for (let round = 0; round < 2; round++) await answer(store, base, filter);
      const { misses } = store.searchCacheStats;
      for (const vector of probes)
        for (const filter of filters)
          for (const limit of [1, 5, 60])
            expect(await answer(store, vector, filter, limit)).toEqual(await answer(reference, vector, filter, limit));
      expect(store.searchCacheStats.misses).toBe(misses);
      expect(store.searchCacheStats.hits).toBeGreaterThan(0);
      await store.close();
    }
  });

  test("over the budget the least recently searched scopes go; answers stay the reference store's", async () => {
    const data = rows(800, 9); // 200 rows per user, 16-d: 32 B per row in the cache
    // Room for about two users' blocks (with the scratch space), not four.
    const store = SqliteVectorStore.open({
      path: tmp.file(),
      embedding_model_dims: DIMS,
      search_cache_mb: 18_000 / 2 ** 20,
    });
    const reference = new InMemoryVectorStore();
    for (const s of [store, reference]) await s.insert(data);
    const qs = queries(3, 10);
    for (let round = 0; round < 4; round++)
      for (const user of ["u0", "u1", "u2", "u3", "u1"])
        for (const vector of qs)
          expect(await answer(store, vector, scoped(user))).toEqual(await answer(reference, vector, scoped(user)));
    const stats = store.searchCacheStats;
    expect(store.searchCacheBytes).toBeLessThanOrEqual(18_000);
    expect(stats.copies).toBeGreaterThan(4); // blocks were dropped and copied again
    expect(stats.hits).toBeGreaterThan(0);
    await store.close();
  });
});
