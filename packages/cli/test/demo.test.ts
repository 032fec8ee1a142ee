import { bm25Scores, bufferIo, DEMO_MEMORIES, DEMO_QUERIES, rankChange, runDemo } from "@mem0/ts-cli";
import { join } from "node:path";
import { tempDir } from "./helpers.js";

describe("mem0-ts demo, offline (a fresh clone with no model files and no network)", () => {
  const io = bufferIo();
  let lines: string[];
  let text: string;
  beforeAll(async () => {
    const dir = tempDir();
    await runDemo({ io, offline: true, storePath: join(dir, "demo.db"), env: { HF_HOME: join(dir, "hf") } });
    lines = io.stdout;
    text = lines.join("\n");
  });

  test("says in one line which models it uses and why", () => {
    const models = lines.filter((l) => l.startsWith("models: "));
    expect(models).toHaveLength(1);
    expect(models[0]).toMatch(
      /^models: offline — lexical embedder \+ bm25 reranker \(keyword-level, no model files\), because (.+ is not installed|.+ failed to load: .+|the model files are not in .*hf\/hub and --offline is set)$/,
    );
    expect(lines.filter((l) => l.startsWith("store: "))).toHaveLength(1);
  });

  test("loads a few hundred memories of several users", () => {
    expect(DEMO_MEMORIES.length).toBeGreaterThanOrEqual(300);
    const scopes = new Set(DEMO_MEMORIES.map((m) => m.user_id ?? m.agent_id));
    expect(scopes.size).toBeGreaterThanOrEqual(5);
    expect(text).toMatch(
      new RegExp(`(loaded|reusing) ${DEMO_MEMORIES.length} memories of ${scopes.size} users and agents`),
    );
    for (const key of ["category", "priority", "rating", "date"])
      expect(DEMO_MEMORIES.some((m) => key in m.metadata)).toBe(true);
  });

  test("prints both lists side by side for every query, with per-stage timings", () => {
    expect(lines.filter((l) => l.startsWith("━━ "))).toHaveLength(DEMO_QUERIES.length + 2);
    expect(lines.filter((l) => /^vector only\s+│ reranked \(bm25\)$/.test(l))).toHaveLength(DEMO_QUERIES.length);
    expect(
      lines.filter((l) => /^ # {2}memory\s+vector {2}rerank │ {2}# {2}memory\s+vector {2}rerank {2}Δ$/.test(l)),
    ).toHaveLength(DEMO_QUERIES.length + 1);
    expect(
      text.match(
        /^reranked {4}timings: embed [\d.]+ ms · vector search [\d.]+ ms · rerank [\d.]+ ms \(\d+ candidates\) · total [\d.]+ ms$/gm,
      ),
    ).toHaveLength(DEMO_QUERIES.length);
    expect(
      text.match(/^vector-only timings: embed [\d.]+ ms · vector search [\d.]+ ms · total [\d.]+ ms$/gm),
    ).toHaveLength(DEMO_QUERIES.length);
    // Reranking moved something: the demo shows a difference, not two copies of one list.
    expect(lines.some((l) => /│ .*(↑\d|↓\d|new)$/.test(l))).toBe(true);
    expect(text).toMatch(
      /^━━ Summary: reranking changed the top result in [1-9]\d* of \d+ queries · rerank stage p50 [\d.]+ ms, p95 [\d.]+ ms/m,
    );
  });

  test("the filtered query shows only work items of priority ≥ 7, in both lists", () => {
    expect(text).toContain('filters: {"AND":[{"category":"work"},{"priority":{"gte":7}}]}');
    const start = lines.findIndex((l) => l.includes("important work tasks"));
    const rows = lines.slice(start, start + 12).filter((l) => /^\s*\d+ {2}/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    const allowed = DEMO_MEMORIES.filter(
      (m) => m.user_id === "alice" && m.metadata.category === "work" && (m.metadata.priority as number) >= 7,
    ).map((m) => m.text);
    for (const row of rows) {
      for (const side of row.split("│")) {
        const shown = side
          .replace(/^\s*\d+ {2}/, "")
          .split(/\s{2,}/)[0]!
          .replace(/…$/, "");
        expect(allowed.some((t) => t.startsWith(shown))).toBe(true);
      }
    }
  });

  test("a forced reranker failure falls back to the vector order, and says so", () => {
    expect(text).toContain(
      "━━ Reranker failure: the query has more than 24 words, and the demo caps queries at 24 words",
    );
    expect(text).toMatch(/^vector only\s+│ reranked: fell back to vector order$/m);
    expect(text).toContain(
      "fallback: reranked=false · rerank.error: bm25: query has 31 words, more than the demo's max_query_words=24 · event rerank:error: emitted → the vector order was returned, the query was not dropped",
    );
  });

  test("no progress bar drawn when output is not a terminal", () => {
    expect(io.stderr).toEqual([]);
  });
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
