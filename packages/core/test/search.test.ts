import { type Memory, RerankError, ValidationError, type SearchResponse } from "@mem0/core";
import { behaviour, FOOD, memoryWith, overlapScore, resetBehaviour } from "./helpers.js";

async function seeded(rerankerConfig: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const m = await memoryWith({ reranker: { provider: "scripted", config: rerankerConfig }, ...extra });
  await m.add(
    FOOD.map((content) => ({ role: "user" as const, content })),
    { user_id: "alice", infer: false },
  );
  await m.add("Bob loves sushi too", { user_id: "bob", infer: false, metadata: { category: "food" } });
  return m;
}

beforeEach(resetBehaviour);

describe("candidate pool", () => {
  test("without top_k the reranker sees 3 × limit candidates, not the truncated top-limit", async () => {
    const m = await seeded();
    await m.search("ramen", { user_id: "alice", limit: 2 });
    expect(behaviour.calls).toHaveLength(1);
    expect(behaviour.calls[0]!.documents).toHaveLength(6);
    expect(behaviour.calls[0]!.top_k).toBe(2);
  });

  test("top_k sets the pool; a pool smaller than limit is raised to limit", async () => {
    const m = await seeded({ top_k: 7 });
    await m.search("ramen", { user_id: "alice", limit: 2 });
    expect(behaviour.calls[0]!.documents).toHaveLength(7);
    const small = await seeded({ top_k: 1 });
    behaviour.calls = [];
    await small.search("ramen", { user_id: "alice", limit: 3 });
    expect(behaviour.calls[0]!.documents).toHaveLength(3);
  });

  test("a relevant memory outside the vector top-limit is found by the reranker", async () => {
    const m = await seeded();
    const vectorOnly = await m.search("vegetarian space ramen", { user_id: "alice", limit: 1, rerank: false });
    const reranked = await m.search("vegetarian space ramen", { user_id: "alice", limit: 1 });
    const pool = behaviour.calls[0]!.documents;
    const bestOverlap = Math.max(...pool.map((d) => overlapScore("vegetarian space ramen", d)));
    expect(overlapScore("vegetarian space ramen", reranked.results[0]!.memory)).toBe(bestOverlap);
    expect(pool.length).toBe(3);
    expect(pool[0]).toBe(vectorOnly.results[0]!.memory);
    expect(reranked.results[0]!.memory).not.toBe(vectorOnly.results[0]!.memory);
    expect(vectorOnly.results).toHaveLength(1);
  });
});

describe("scores and ordering", () => {
  test("score is the reranker's, vector_score the similarity, rerank_score present exactly when reranked", async () => {
    const m = await seeded();
    const r = await m.search("spicy ramen", { user_id: "alice", limit: 3 });
    expect(r.reranked).toBe(true);
    expect(r.rerank).toMatchObject({ provider: "scripted", model: "overlap-v1", candidates: 8 });
    expect(r.rerank!.meta).toEqual({ billed_units: 1 });
    for (const x of r.results) {
      expect(x.rerank_score).toBe(x.score);
      expect(typeof x.vector_score).toBe("number");
    }
    const scores = r.results.map((x) => x.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(r.results[0]!.memory).toBe("Enjoys spicy ramen on cold days");

    const plain = await m.search("spicy ramen", { user_id: "alice", limit: 3, rerank: false });
    expect(plain.reranked).toBe(false);
    expect(plain.rerank).toBeUndefined();
    for (const x of plain.results) {
      expect(x).not.toHaveProperty("rerank_score");
      expect(x.score).toBe(x.vector_score);
    }
    const vs = plain.results.map((x) => x.vector_score);
    expect(vs).toEqual([...vs].sort((a, b) => b - a));
  });

  test("reranking reorders the same candidates; rerank: false keeps vector order", async () => {
    const m = await seeded({ top_k: 8 });
    const on = await m.search("vegetarian", { user_id: "alice", limit: 8 });
    const off = await m.search("vegetarian", { user_id: "alice", limit: 8, rerank: false });
    expect(new Set(on.results.map((r) => r.id))).toEqual(new Set(off.results.map((r) => r.id)));
    // The order is the reranker's: by word overlap (ties towards later candidates), not the vector order.
    const byOverlap = off.results
      .map((r, i) => ({ id: r.id, key: overlapScore("vegetarian", r.memory) + i / 80 }))
      .sort((a, b) => b.key - a.key)
      .map((r) => r.id);
    expect(on.results.map((r) => r.id)).toEqual(byOverlap);
    expect(on.results.map((r) => r.id)).not.toEqual(off.results.map((r) => r.id));
  });

  test("timings cover every stage", async () => {
    const m = await seeded();
    const r = await m.search("ramen", { user_id: "alice" });
    for (const k of ["embed_ms", "search_ms", "rerank_ms", "total_ms"] as const)
      expect(r.timings[k]).toBeGreaterThanOrEqual(0);
    expect(r.timings.total_ms).toBeGreaterThanOrEqual(r.timings.rerank_ms);
  });

  test("results carry the memory's fields", async () => {
    const m = await seeded();
    const r = await m.search("sushi", { user_id: "bob" });
    expect(r.results[0]).toMatchObject({
      memory: "Bob loves sushi too",
      user_id: "bob",
      metadata: { category: "food" },
    });
    expect(r.results[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.results[0]!.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  test("threshold drops candidates below the vector similarity", async () => {
    const m = await seeded();
    const r = await m.search("ramen", { user_id: "alice", threshold: 0.2, rerank: false, limit: 10 });
    expect(r.results.length).toBeGreaterThan(0);
    expect(r.results.length).toBeLessThan(8);
    for (const x of r.results) expect(x.vector_score).toBeGreaterThanOrEqual(0.2);
  });

  test("no candidates: nothing to rerank, the reranker is not called", async () => {
    const m = await seeded();
    const r = await m.search("ramen", { user_id: "nobody" });
    expect(r.results).toEqual([]);
    expect(r.reranked).toBe(false);
    expect(behaviour.calls).toHaveLength(0);
  });
});

describe("fallback", () => {
  const failures = ["throw", "wrong-count", "bad-index", "nan", "duplicate"] as const;
  test.each(failures)(
    "reranker failure (%s) returns vector order with reranked: false, the error, and an event",
    async (mode) => {
      const m = await seeded();
      const events: unknown[] = [];
      m.on("rerank:error", (e) => events.push(e));
      const expected = await m.search("ramen", { user_id: "alice", limit: 3, rerank: false });
      behaviour.mode = mode;
      const r = await m.search("ramen", { user_id: "alice", limit: 3 });
      expect(r.reranked).toBe(false);
      expect(r.rerank!.error).toEqual(expect.any(String));
      expect(r.rerank!.error!.length).toBeGreaterThan(5);
      expect(r.results.map((x) => x.id)).toEqual(expected.results.map((x) => x.id));
      for (const x of r.results) expect(x).not.toHaveProperty("rerank_score");
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ query: "ramen", provider: "scripted" });
    },
  );

  test("a reranker that hangs past timeout_ms is abandoned within the budget", async () => {
    const m = await seeded();
    behaviour.mode = "hang";
    const t = Date.now();
    const r = await m.search("ramen", { user_id: "alice", timeout_ms: 150 });
    expect(Date.now() - t).toBeLessThan(150 + 250);
    expect(r.reranked).toBe(false);
    expect(r.rerank!.error).toContain("timeout_ms=150");
  });

  test("on timeout the reranker's AbortSignal fires, so a provider can cancel its request", async () => {
    const m = await seeded();
    behaviour.mode = "hang";
    await m.search("ramen", { user_id: "alice", timeout_ms: 50 });
    const signal = behaviour.calls[0]!.signal!;
    expect(signal.aborted).toBe(true);
    expect(String(signal.reason)).toContain("timeout_ms=50");
  });

  test("the caller's own abort is not a reranker failure: search rejects with its reason", async () => {
    const m = await seeded();
    behaviour.mode = "hang";
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user went away")), 30);
    await expect(m.search("ramen", { user_id: "alice", signal: controller.signal })).rejects.toThrow("user went away");
    expect(behaviour.calls[0]!.signal!.aborted).toBe(true);
  });

  test("the config's rerank_timeout_ms is the default budget", async () => {
    const m = await seeded({}, { rerank_timeout_ms: 100 });
    behaviour.delayMs = 1000;
    const r = await m.search("ramen", { user_id: "alice" });
    expect(r.reranked).toBe(false);
    expect(r.rerank!.error).toContain("timeout_ms=100");
  });

  test("rerank_fallback: false throws RerankError, per request and from config", async () => {
    const m = await seeded();
    behaviour.mode = "throw";
    await expect(m.search("ramen", { user_id: "alice", rerank_fallback: false })).rejects.toBeInstanceOf(RerankError);
    const strict = await seeded({}, { rerank_fallback: false });
    await expect(strict.search("ramen", { user_id: "alice" })).rejects.toThrow(
      "reranker scripted failed: provider exploded",
    );
    const r = await strict.search("ramen", { user_id: "alice", rerank_fallback: true });
    expect(r.reranked).toBe(false);
  });

  test("a search event reports every response", async () => {
    const m = await seeded();
    const seen: SearchResponse[] = [];
    m.on("search", ({ response }) => seen.push(response));
    const r = await m.search("ramen", { user_id: "alice" });
    expect(seen).toEqual([r]);
  });
});

describe("maxDocumentsPerCall", () => {
  test("a pool larger than the provider's limit is split into calls and merged by score", async () => {
    const m = await seeded({ top_k: 8, max_docs: 3 });
    const r = await m.search("spicy ramen vegetarian", { user_id: "alice", limit: 4 });
    expect(behaviour.calls.map((c) => c.documents.length)).toEqual([3, 3, 2]);
    expect(r.reranked).toBe(true);
    const all = behaviour.calls.flatMap((c) => c.documents);
    const bestOverlap = Math.max(...all.map((d) => overlapScore("spicy ramen vegetarian", d)));
    expect(overlapScore("spicy ramen vegetarian", r.results[0]!.memory)).toBe(bestOverlap);
    const scores = r.results.map((x) => x.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(r.results).toHaveLength(4);
  });
});

describe("scope and filters", () => {
  test("no filter can reach another user's memories", async () => {
    const m = await seeded();
    const r = await m.search("sushi", {
      user_id: "alice",
      filters: { OR: [{ user_id: "bob" }, { category: "food" }] },
      limit: 50,
    });
    expect(r.results).toEqual([]);
    const n = await m.search("sushi", { user_id: "alice", filters: { NOT: [{ user_id: "alice" }] }, limit: 50 });
    expect(n.results).toEqual([]);
    const all = await m.search("sushi", { user_id: "alice", limit: 50 });
    expect(all.results.every((x) => x.user_id === "alice")).toBe(true);
  });

  test("filters apply with reranking on, and reranking never brings back a filtered-out memory", async () => {
    const m = await memoryWith({ reranker: { provider: "scripted", config: {} } });
    for (let i = 0; i < 12; i++) {
      await m.add(`task ${i} important work`, {
        user_id: "alice",
        infer: false,
        metadata: { category: i % 2 ? "work" : "home", priority: i },
      });
    }
    const r = await m.search("important work tasks", {
      user_id: "alice",
      filters: { AND: [{ category: "work" }, { priority: { gte: 7 } }] },
      limit: 20,
    });
    expect(r.reranked).toBe(true);
    expect(r.results.map((x) => x.metadata.priority).sort()).toEqual([11, 7, 9]);
  });

  test("an explicit filter alone is a valid scope", async () => {
    const m = await seeded();
    const r = await m.search("sushi", { filters: { category: "food" } });
    expect(r.results.map((x) => x.memory)).toEqual(["Bob loves sushi too"]);
  });
});

describe("bad input is a typed error and nothing runs", () => {
  test.each([
    [undefined, {}, "query: expected a string"],
    [42, { user_id: "a" }, "query: expected a string, got number"],
    ["   ", { user_id: "a" }, "query: must not be empty"],
    ["q", {}, "search.options: give at least one of user_id, agent_id, run_id, or filters"],
    ["q", { user_id: "a", limit: 0 }, "search.options.limit: expected an integer ≥ 1"],
    ["q", { user_id: "a", limit: 1.5 }, "search.options.limit: expected an integer ≥ 1"],
    ["q", { user_id: "a", limit: "5" }, "search.options.limit: expected an integer ≥ 1"],
    ["q", { user_id: "a", filters: { p: { $gte: 1 } } }, 'unknown operator "$gte"'],
    ["q", { user_id: "a", rerank: "yes" }, "search.options.rerank: expected a boolean"],
    ["q", { user_id: "" }, "search.options.user_id"],
  ])("search(%j, %j)", async (query, options, message) => {
    const m = await seeded();
    await expect(m.search(query as string, options as never)).rejects.toThrow(message);
    expect(behaviour.calls).toHaveLength(0);
  });

  test("rerank: true with no reranker configured answers in vector order, says why, and emits rerank:error (Mem0 ignores it)", async () => {
    const m = await memoryWith();
    await m.add(
      FOOD.map((content) => ({ role: "user" as const, content })),
      { user_id: "alice", infer: false },
    );
    const errors: string[] = [];
    m.on("rerank:error", (e) => errors.push(`${e.provider}: ${e.error.message}`));
    const plain = await m.search("ramen", { user_id: "alice", limit: 3 });
    const r = await m.search("ramen", { user_id: "alice", limit: 3, rerank: true });
    expect(r.reranked).toBe(false);
    expect(r.rerank).toMatchObject({
      provider: "none",
      candidates: 0,
      error: "rerank: true but no reranker is configured",
    });
    expect(r.results.map((x) => x.id)).toEqual(plain.results.map((x) => x.id));
    expect(errors).toEqual(["none: rerank: true but no reranker is configured"]);
  });

  test("mem0ai's topK / top_k is the result count; with a different limit it is a ValidationError", async () => {
    const m = await seeded();
    expect((await m.search("ramen", { user_id: "alice", topK: 2, rerank: false } as never)).results).toHaveLength(2);
    expect((await m.search("ramen", { user_id: "alice", top_k: 1, limit: 1, rerank: false })).results).toHaveLength(1);
    await expect(m.search("ramen", { user_id: "alice", top_k: 2, limit: 3 })).rejects.toThrow(
      /search.options.top_k: top_k \(2\) and limit \(3\) disagree/,
    );
    expect((await m.getAll({ user_id: "alice", topK: 2 } as never)).results).toHaveLength(2);
    await expect(m.getAll({ user_id: "alice", top_k: 2, limit: 5 })).rejects.toBeInstanceOf(ValidationError);
  });

  test("threshold is range-checked like Mem0 2.x: [0, 1]", async () => {
    const m = await seeded();
    await expect(m.search("ramen", { user_id: "alice", threshold: 1.5 })).rejects.toThrow(
      /search.options.threshold: expected a number between 0 and 1/,
    );
    await expect(m.search("ramen", { user_id: "alice", threshold: -0.1 })).rejects.toBeInstanceOf(ValidationError);
    expect((await m.search("ramen", { user_id: "alice", threshold: 0, rerank: false })).results.length).toBeGreaterThan(
      0,
    );
  });

  test("camelCase options are accepted (mem0ai's TS spelling)", async () => {
    const m = await seeded();
    const r = await m.search("sushi", { userId: "bob" } as never);
    expect(r.results[0]!.user_id).toBe("bob");
  });
});

test("Memory without a reranker returns vector order and no rerank block", async () => {
  const m: Memory = await memoryWith();
  await m.add("hello world", { user_id: "u", infer: false });
  const r = await m.search("hello", { user_id: "u" });
  expect(r).toMatchObject({ reranked: false, results: [{ memory: "hello world" }] });
  expect(r.rerank).toBeUndefined();
});
