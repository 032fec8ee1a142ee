import { judgedQueries, mrrAt, ndcgAt, pairedBootstrap, percentile, rankRun, recallAt, scoreQuery } from "@mem0/ts-cli";

const judged = (pairs: [string, number][]) => new Map(pairs);

describe("metrics, against values worked out by hand", () => {
  // qrels: d1 grade 2, d2 grade 1, d3 judged not relevant; d4 has no judgement.
  const judgements = judged([
    ["d1", 2],
    ["d2", 1],
    ["d3", 0],
  ]);
  const run = [
    { id: "d3", score: 4 },
    { id: "d1", score: 3 },
    { id: "d4", score: 2 },
    { id: "d2", score: 1 },
  ];

  test("nDCG@10 with graded gains and an unjudged document", () => {
    // DCG = 0/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5) = 1.261860 + 0.430677 = 1.692537
    // IDCG = 2/log2(2) + 1/log2(3) = 2 + 0.630930 = 2.630930
    expect(ndcgAt(rankRun(run), judgements, 10)).toBeCloseTo(1.692537 / 2.63093, 5);
    expect(ndcgAt(rankRun(run), judgements, 10)).toBeCloseTo(0.643325, 5);
  });

  test("the cutoff applies: nDCG@1 and @2", () => {
    expect(ndcgAt(rankRun(run), judgements, 1)).toBe(0); // d3 is judged 0
    expect(ndcgAt(rankRun(run), judgements, 2)).toBeCloseTo(1.26186 / 2.63093, 5); // IDCG@2 is the same
  });

  test("MRR@10: first relevant at rank 2; a grade 0 document is not relevant", () => {
    expect(mrrAt(rankRun(run), judgements, 10)).toBe(0.5);
    expect(mrrAt(rankRun(run), judgements, 1)).toBe(0);
  });

  test("Recall@k counts every relevant judged document, retrieved or not", () => {
    expect(recallAt(rankRun(run), judgements, 10)).toBe(1);
    expect(recallAt(rankRun(run), judgements, 2)).toBe(0.5);
    expect(
      recallAt(
        ["d1"],
        judged([
          ["d1", 1],
          ["dX", 1],
          ["dY", 3],
        ]),
        50,
      ),
    ).toBeCloseTo(1 / 3, 10);
  });

  test("ties are broken by document id, descending (trec_eval), whatever order they came in", () => {
    const tied = [
      { id: "a", score: 0.5 },
      { id: "b", score: 0.5 },
      { id: "c", score: 0.9 },
    ];
    expect(rankRun(tied)).toEqual(["c", "b", "a"]);
    expect(rankRun([...tied].reverse())).toEqual(["c", "b", "a"]);
    // Only "a" is relevant: it ranks 3rd, not 2nd, despite being listed first among the ties.
    const rel = judged([["a", 1]]);
    expect(mrrAt(rankRun(tied), rel, 10)).toBeCloseTo(1 / 3, 10);
    expect(ndcgAt(rankRun(tied), rel, 10)).toBeCloseTo(1 / Math.log2(4), 10); // = 0.5
  });

  test("no relevant document retrieved: every metric is 0; empty run too", () => {
    expect(scoreQuery([{ id: "zz", score: 1 }], judgements)).toEqual({
      "ndcg@10": 0,
      "mrr@10": 0,
      "recall@10": 0,
      "recall@50": 0,
    });
    expect(scoreQuery([], judgements)).toEqual({ "ndcg@10": 0, "mrr@10": 0, "recall@10": 0, "recall@50": 0 });
  });

  test("perfect ranking scores 1; Recall@50 sees past rank 10", () => {
    expect(
      scoreQuery(
        [
          { id: "d1", score: 2 },
          { id: "d2", score: 1 },
        ],
        judgements,
      ),
    ).toEqual({ "ndcg@10": 1, "mrr@10": 1, "recall@10": 1, "recall@50": 1 });
    const deep = Array.from({ length: 30 }, (_, i) => ({ id: `x${i}`, score: 100 - i })).concat({ id: "d2", score: 1 });
    const scores = scoreQuery(deep, judged([["d2", 1]]));
    expect(scores["recall@10"]).toBe(0);
    expect(scores["recall@50"]).toBe(1);
    expect(scores["mrr@10"]).toBe(0);
  });

  test("queries with no relevant judgement are not scorable", () => {
    const qrels = new Map([
      ["q1", judged([["d1", 1]])],
      ["q2", judged([["d1", 0]])],
      [
        "q3",
        judged([
          ["d1", 0],
          ["d2", 2],
        ]),
      ],
    ]);
    expect([...judgedQueries(qrels)].sort()).toEqual(["q1", "q3"]);
  });
});

describe("percentile (linear interpolation) and the paired bootstrap", () => {
  test("percentiles by hand", () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 95)).toBeCloseTo(4.8, 10); // at = 3.8
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test("a constant difference has a zero-width interval at that difference", () => {
    const ci = pairedBootstrap([0.1, 0.2, 0.3], [0.3, 0.4, 0.5], { samples: 500 });
    expect(ci.diff).toBeCloseTo(0.2, 12);
    expect(ci.lo).toBeCloseTo(0.2, 12);
    expect(ci.hi).toBeCloseTo(0.2, 12);
  });

  test("two queries with differences 0 and 1: resampled means are 0, ½ or 1 with chances ¼, ½, ¼", () => {
    const ci = pairedBootstrap([0, 0], [0, 1], { samples: 20000, seed: 7 });
    expect(ci.diff).toBe(0.5);
    expect(ci.lo).toBe(0); // P(mean = 0) = 25% > 2.5%
    expect(ci.hi).toBe(1);
    const narrow = pairedBootstrap([0, 0], [0, 1], { samples: 20000, seed: 7, alpha: 0.2 }); // 10th–90th percentile
    expect(narrow.lo).toBe(0);
    expect(narrow.hi).toBe(1);
    const middle = pairedBootstrap([0, 0], [0, 1], { samples: 20000, seed: 7, alpha: 0.9 }); // 45th–55th
    expect(middle.lo).toBe(0.5);
    expect(middle.hi).toBe(0.5);
  });

  test("seeded: the same seed gives the same interval, another seed may not", () => {
    const a = Array.from({ length: 40 }, (_, i) => ((i * 37) % 11) / 10);
    const b = a.map((x, i) => x + ((i * 13) % 7) / 20 - 0.1);
    expect(pairedBootstrap(a, b, { seed: 1 })).toEqual(pairedBootstrap(a, b, { seed: 1 }));
    const ci = pairedBootstrap(a, b, { seed: 1 });
    expect(ci.lo).toBeLessThanOrEqual(ci.diff);
    expect(ci.hi).toBeGreaterThanOrEqual(ci.diff);
    expect(pairedBootstrap(a, b, { seed: 2 }).lo).not.toBe(ci.lo);
  });

  test("unpaired input is refused", () => {
    expect(() => pairedBootstrap([1], [1, 2])).toThrow(/equal lengths/);
  });
});
