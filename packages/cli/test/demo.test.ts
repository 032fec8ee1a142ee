import { bm25Scores, rankChange, runDemo } from "@mem0/cli";

test("the demo prints both lists for every query, a filtered query, and the fallback", async () => {
  const lines: string[] = [];
  await runDemo({ out: (l) => lines.push(l) });
  const text = lines.join("\n");
  expect(text).toContain("loaded 36 memories");
  expect(lines.filter((l) => l.startsWith("━━ "))).toHaveLength(7);
  expect(lines.filter((l) => l.includes("vector only") && l.includes("│ reranked (bm25-demo)"))).toHaveLength(6);
  expect(text).toContain('filters: {"AND":[{"category":"work"},{"priority":{"gte":7}}]}');
  // The filtered query shows only work items of priority ≥ 7, in both lists.
  const filtered = lines.slice(lines.findIndex((l) => l.includes("important work tasks")));
  const rows = filtered.slice(0, filtered.findIndex((l) => l.startsWith("vector-only timings"))).filter((l) => /^\s*\d+ /.test(l));
  expect(rows.map((r) => r.slice(4, 34))).toEqual([
    "Alice has a quarterly review w",
    "Alice must finish the Q2 roadm",
    "Alice promised to review Bob's",
  ]);
  for (const r of rows) expect(r.split("│")[1]).toMatch(/Alice (has a quarterly|must finish|promised to review)/);
  expect(text).toContain("│ reranked: fell back to vector order");
  expect(text).toMatch(/fallback: reranked=false · rerank\.error: bm25-demo: query has 31 words, more than max_query_words=24 · event rerank:error: emitted/);
  expect(text).toMatch(/reranked {4}timings: embed [\d.]+ ms · vector search [\d.]+ ms · rerank [\d.]+ ms \(\d+ candidates\) · total [\d.]+ ms/);
  // Reranking changed at least one ranking: the demo shows something.
  expect(lines.some((l) => /│ .*(↑\d|↓\d|new)$/.test(l))).toBe(true);
});

test("bm25 scores documents with more rare query terms higher, and unrelated ones 0", () => {
  const [a, b, c] = bm25Scores("vegetarian ramen", ["vegetarian ramen broth", "ramen with pork", "printer broken"]);
  expect(a).toBeGreaterThan(b!);
  expect(b).toBeGreaterThan(0);
  expect(c).toBe(0);
});

test("rank change marks moves and newcomers", () => {
  expect(rankChange(["a", "b", "c"], "c", 0)).toBe("↑2");
  expect(rankChange(["a", "b", "c"], "a", 1)).toBe("↓1");
  expect(rankChange(["a", "b", "c"], "b", 1)).toBe("=");
  expect(rankChange(["a"], "z", 0)).toBe("new");
});
