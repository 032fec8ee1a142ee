import {
  ConfigError,
  defineReranker,
  Mem0Error,
  planByWeight,
  providerConfigSchema,
  registerProvider,
  runReranker,
  SPECIFICATION_VERSION,
  validateRanking,
  type Reranker,
  type RerankItem,
} from "@mem0/core";
import { behaviour, FOOD, memoryWith, overlapScore, resetBehaviour } from "./helpers.js";

beforeEach(resetBehaviour);

async function seeded(rerankerConfig: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const m = await memoryWith({ reranker: { provider: "scripted", config: rerankerConfig }, ...extra });
  await m.add(
    FOOD.map((content) => ({ role: "user" as const, content })),
    { user_id: "alice", infer: false },
  );
  return m;
}

describe("validateRanking: the one check of a ranked answer", () => {
  const ok = [
    { index: 2, score: 0.1 },
    { index: 0, score: 0.9 },
    { index: 1, score: 0.5 },
  ];

  test("a superset of the requested top_k, in any order, is validated, sorted best first and cut", () => {
    expect(validateRanking(ok, { documents: 3, expected: 2 })).toEqual([
      { index: 0, score: 0.9 },
      { index: 1, score: 0.5 },
    ]);
  });

  test("fewer than requested, bad or repeated indexes and non-finite scores are errors naming the problem", () => {
    const problem = (results: unknown, expected = 3) => {
      try {
        validateRanking(results, { documents: 3, expected });
      } catch (err) {
        expect(err).toBeInstanceOf(Mem0Error);
        expect((err as Mem0Error).code).toBe("RERANK_BAD_OUTPUT");
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(problem(ok.slice(0, 2))).toBe("reranker returned 2 results for 3 expected");
    expect(problem([...ok.slice(0, 2), { index: 3, score: 1 }])).toBe("reranker returned index 3 outside 0..2");
    expect(problem([...ok.slice(0, 2), { index: 1.5, score: 1 }])).toBe("reranker returned index 1.5 outside 0..2");
    expect(problem([...ok.slice(0, 2), { index: 0, score: 1 }])).toBe("reranker returned index 0 twice");
    expect(problem([...ok.slice(0, 2), { index: 1, score: Number.NaN }])).toBe(
      "reranker returned a non-finite score for index 1 (null)",
    );
    expect(problem({ results: ok })).toBe("reranker returned object, expected an array of ranked results");
  });

  test("providers name their own score field and error type", () => {
    const fail = (problem: string) => new ConfigError([problem]);
    expect(() =>
      validateRanking([{ index: 0, relevanceScore: "x" }], {
        documents: 1,
        expected: 1,
        scoreKey: "relevanceScore",
        fail,
      }),
    ).toThrow('a non-finite relevanceScore for index 0 ("x")');
    expect(
      validateRanking([{ index: 0, relevanceScore: 0.3 }], { documents: 1, expected: 1, scoreKey: "relevanceScore" }),
    ).toEqual([{ index: 0, score: 0.3 }]);
  });
});

describe("the lenient contract in the pipeline", () => {
  test("a reranker that scores every candidate, worst first, ignoring top_k, is used: sorted and cut to limit", async () => {
    const m = await seeded({ top_k: 8 });
    const vector = await m.search("spicy ramen", { user_id: "alice", limit: 8, rerank: false });
    behaviour.mode = "all-unsorted";
    const r = await m.search("spicy ramen", { user_id: "alice", limit: 3 });
    expect(r.reranked).toBe(true);
    expect(r.rerank!.error).toBeUndefined();
    const expected = vector.results
      .map((x, i) => ({ id: x.id, score: overlapScore("spicy ramen", x.memory) + i / 80 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    expect(r.results.map((x) => [x.id, x.rerank_score])).toEqual(expected.map((x) => [x.id, x.score]));
  });
});

/** A reranker whose calls the test inspects; scores are word overlap, `fail` makes one call throw. */
function recordingReranker(extra: Partial<Reranker> = {}, fail?: (documents: readonly string[]) => boolean) {
  const calls: { documents: readonly string[]; top_k?: number; signal?: AbortSignal }[] = [];
  const reranker: Reranker = {
    provider: "recording",
    ...extra,
    async rerank(query, documents, options = {}): Promise<RerankItem[]> {
      calls.push({ documents, top_k: options.top_k, signal: options.signal });
      if (fail?.(documents)) throw new Error("this call failed");
      if (calls.length > 1 || fail) await new Promise((resolve) => setTimeout(resolve, 20));
      return documents.map((d, index) => ({ index, score: overlapScore(query, d) }));
    },
  };
  return { reranker, calls };
}

describe("runReranker: split, cap concurrency, shift indexes, merge", () => {
  const docs = ["a b", "a", "c", "a b c", "b", "a c", "z"];

  test("planCalls splits by the provider's own measure (here: characters) and wins over maxDocumentsPerCall", async () => {
    const { reranker, calls } = recordingReranker({
      maxDocumentsPerCall: 100,
      planCalls: (_query, documents) =>
        planByWeight(
          documents.map((d) => d.length),
          6,
          (i) => new Error(`document ${i} too long`),
        ),
    });
    const meta: Record<string, unknown> = {};
    const out = await runReranker(reranker, "a b c", docs, { top_k: 2, meta });
    expect(calls.map((c) => c.documents)).toEqual([
      ["a b", "a", "c"],
      ["a b c", "b"],
      ["a c", "z"],
    ]);
    // Each call is asked only for its best min(top_k, size): the overall best two are among them.
    expect(calls.map((c) => c.top_k)).toEqual([2, 2, 2]);
    expect(out).toEqual([
      { index: 3, score: 3 },
      { index: 0, score: 2 },
    ]);
    expect(meta.requests_split).toBe(3);
  });

  test("a plan that does not cover the documents in order is refused before any call", async () => {
    const { reranker, calls } = recordingReranker({
      planCalls: () => [
        { start: 0, end: 3 },
        { start: 4, end: 7 },
      ],
    });
    await expect(runReranker(reranker, "a", docs, { top_k: 2 })).rejects.toThrow(
      "reranker recording planned calls that do not cover documents 0..6 in order",
    );
    expect(calls).toHaveLength(0);
  });

  test("a document the plan cannot place is the provider's error; nothing is sent", async () => {
    const { reranker, calls } = recordingReranker({
      planCalls: (_q, d) =>
        planByWeight(
          d.map((x) => x.length),
          4,
          (i, w) => new Error(`document ${i} weighs ${w}`),
        ),
    });
    await expect(runReranker(reranker, "a", docs, { top_k: 2 })).rejects.toThrow("document 3 weighs 5");
    expect(calls).toHaveLength(0);
  });

  test("maxConcurrentCalls caps the calls in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const reranker: Reranker = {
      provider: "counting",
      maxDocumentsPerCall: 1,
      maxConcurrentCalls: 2,
      async rerank(_q, documents) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight--;
        return documents.map((_, index) => ({ index, score: 1 }));
      },
    };
    await runReranker(reranker, "q", docs, { top_k: 7 });
    expect(most).toBe(2);
  });

  test("one failing call fails the whole rerank and aborts its siblings: no document gets a score the provider did not give", async () => {
    const { reranker, calls } = recordingReranker(
      { maxDocumentsPerCall: 2, maxConcurrentCalls: 4 },
      (d) => d[0] === "c",
    );
    await expect(runReranker(reranker, "a", docs, { top_k: 7 })).rejects.toThrow("this call failed");
    expect(calls.filter((c) => c.documents[0] !== "c").every((c) => c.signal!.aborted)).toBe(true);
  });

  test("a split call's answer is validated within its own documents", async () => {
    const reranker: Reranker = {
      provider: "off-by-one",
      maxDocumentsPerCall: 3,
      rerank: async (_q, d) => d.map((_, i) => ({ index: i + 1, score: 1 })),
    };
    await expect(runReranker(reranker, "a", docs, { top_k: 2 })).rejects.toThrow(
      "reranker returned index 3 outside 0..2",
    );
  });
});

describe("the overall rerank budget", () => {
  afterEach(() => jest.useRealTimers());

  test("a hosted reranker that hangs is abandoned after 10 s by default, retries included", async () => {
    const m = await seeded({ hosted: true });
    behaviour.mode = "hang";
    jest.useFakeTimers();
    const pending = m.search("ramen", { user_id: "alice" });
    await jest.advanceTimersByTimeAsync(10_000);
    const r = await pending;
    expect(r.reranked).toBe(false);
    expect(r.rerank!.error).toContain("timeout_ms=10000");
    expect(behaviour.calls[0]!.signal!.aborted).toBe(true);
  });

  test("the config's rerank_timeout_ms replaces the default; a local reranker has none", async () => {
    const configured = await seeded({ hosted: true }, { rerank_timeout_ms: 30_000 });
    const local = await seeded();
    behaviour.delayMs = 15_000;
    jest.useFakeTimers();
    const pending = [configured.search("ramen", { user_id: "alice" }), local.search("ramen", { user_id: "alice" })];
    await jest.advanceTimersByTimeAsync(15_000);
    for (const r of await Promise.all(pending)) expect(r.reranked).toBe(true);
  });
});

describe("specificationVersion", () => {
  const make = (provider: string, specificationVersion?: string) => ({
    ...defineReranker({
      provider,
      configSchema: providerConfigSchema({}),
      create: () => ({ provider, rerank: async () => [] }),
    }),
    specificationVersion,
  });

  test("define* stamps the current version; a plugin without one is taken as current", async () => {
    expect(
      defineReranker({
        provider: "x",
        configSchema: providerConfigSchema({}),
        create: () => ({ provider: "x", rerank: async () => [] }),
      }).specificationVersion,
    ).toBe(SPECIFICATION_VERSION);
    registerProvider(make("unversioned-reranker", undefined));
    const m = await memoryWith({ reranker: { provider: "unversioned-reranker" } });
    expect(m.reranker!.provider).toBe("unversioned-reranker");
  });

  test("a plugin written for another version is a ConfigError naming the plugin and both versions", async () => {
    registerProvider(make("future-reranker", "v2"));
    const err = await memoryWith({ reranker: { provider: "future-reranker" } }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues).toEqual([
      'reranker.provider: reranker plugin "future-reranker" targets provider specification "v2", but this @mem0/core implements "v1"; ' +
        "install a release of the plugin and @mem0/core that agree",
    ]);
  });
});
