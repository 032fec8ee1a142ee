import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Comparison } from "@mem0/ts-cli";
import { COMPARE_ARGS, cli, fixture, tempDir } from "./helpers.js";

const base = COMPARE_ARGS;

describe("mem0-ts compare: rerank off vs on", () => {
  let comparison: Comparison;
  let text: string;
  const dir = tempDir();
  const html = join(dir, "report.html");

  beforeAll(async () => {
    const json = await cli([...base, "--json"]);
    expect(json.code).toBe(0);
    comparison = JSON.parse(json.stdout);
    const plain = await cli([...base, "--html", html]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain(`report written to ${html}`);
    text = plain.stdout;
  });

  test("every query has both lists, with scores, rank changes and per-stage timings", () => {
    expect(comparison.mode).toBe("rerank");
    expect(comparison.labels).toEqual({ a: "rerank off", b: "rerank on" });
    expect(comparison.queries.map((q) => q.id)).toEqual([
      "food",
      "movies",
      "work-filtered",
      "bob-scifi",
      "support-login",
      "too-long",
      "dana-caffeine",
      "dana-night",
    ]);
    for (const id of comparison.queries.map((q) => q.id)) expect(text).toContain(`━━ ${id}: `);
    expect(text.match(/rerank off: vector only\s+│ rerank on: reranked \(bm25 okapi-bm25\)/g)).toHaveLength(7);
    expect(
      text.match(
        /^rerank on: timings: embed [\d.]+ ms · vector search [\d.]+ ms · rerank [\d.]+ ms \(\d+ candidates\) · total [\d.]+ ms$/gm,
      ),
    ).toHaveLength(7);
    for (const q of comparison.queries) {
      if (!q.a.ok || !q.b.ok) throw new Error(`query ${q.id} failed`);
      expect(q.a.response.reranked).toBe(false);
      expect(q.b.response.results.length).toBeLessThanOrEqual(q.limit);
    }
  });

  test("rank changes and top-result changes agree with the two lists", () => {
    let changed = 0;
    for (const q of comparison.queries) {
      if (!q.a.ok || !q.b.ok) continue;
      const before = q.a.response.results.map((r) => r.id);
      for (const [i, result] of q.b.response.results.entries()) {
        expect(q.deltas[i]).toBe(before.includes(result.id) ? before.indexOf(result.id) - i : null);
      }
      const top = q.a.response.results[0]?.id !== q.b.response.results[0]?.id;
      expect(q.topChanged).toBe(top);
      if (top) changed++;
    }
    expect(changed).toBeGreaterThanOrEqual(2);
    expect(comparison.summary.topChanged).toBe(changed);
    const dana = comparison.queries.find((q) => q.id === "dana-caffeine")!;
    // BM25 weighs the rare "caffeine" over a memory that repeats "coffee": a newcomer takes the top.
    expect(dana.topChanged).toBe(true);
    expect(dana.deltas[0]).toBeNull();
    expect(dana.b.ok && dana.b.response.results[0]!.memory).toMatch(/^Dana switched to decaf coffee/);
    const bucketTotal = Object.values(comparison.summary.rankChanges).reduce((s, n) => s + n, 0);
    expect(bucketTotal).toBe(comparison.queries.reduce((s, q) => s + q.deltas.length, 0));
    expect(text).toContain(`top result changed: ${changed} of 8 (${Math.round((100 * changed) / 8)}%)`);
    expect(text).toMatch(/^ 1 {2}Dana likes coffee.*│ {2}1 {2}Dana switched to decaf coffee.* new$/m);
  });

  test("filtered queries keep every clause in both lists", () => {
    const outcome = comparison.queries.find((x) => x.id === "work-filtered")!;
    for (const side of [outcome.a, outcome.b]) {
      if (!side.ok) throw new Error(side.error);
      expect(side.response.results.length).toBeGreaterThan(0);
      for (const r of side.response.results) {
        expect(r.metadata.category).toBe("work");
        expect(r.metadata.priority as number).toBeGreaterThanOrEqual(7);
      }
    }
  });

  test("the reranker failure is a fallback, counted and explained, not a dropped query", () => {
    const outcome = comparison.queries.find((x) => x.id === "too-long")!;
    if (!outcome.b.ok || !outcome.a.ok) throw new Error("expected answers");
    expect(outcome.b.response.reranked).toBe(false);
    expect(outcome.b.response.rerank!.error).toBe("bm25: query has 22 words, more than max_query_words=16");
    expect(outcome.b.response.results.map((r) => r.id)).toEqual(outcome.a.response.results.map((r) => r.id));
    expect(comparison.summary.failures.b).toEqual({ errors: 0, fallbacks: 1 });
    expect(text).toContain("rerank on: reranker failed, fell back to vector order");
    expect(text).toContain(
      "failures: rerank off: 0 errors, 0 reranker fallbacks · rerank on: 0 errors, 1 reranker fallbacks",
    );
    expect(text).toContain("  too-long (rerank on) fallback: bm25: query has 22 words, more than max_query_words=16");
  });

  test("latency summary: p50/p95 per stage and the latency reranking added", () => {
    const latency = comparison.summary.latency;
    for (const side of [latency.a, latency.b])
      for (const stage of Object.values(side)) expect(stage.p95).toBeGreaterThanOrEqual(stage.p50);
    expect(latency.a.rerank_ms).toEqual({ p50: 0, p95: 0 });
    expect(latency.b.rerank_ms.p50).toBeGreaterThan(0);
    expect(Number.isFinite(latency.added.p50) && Number.isFinite(latency.added.p95)).toBe(true);
    expect(text).toMatch(
      /latency added by reranking \(per-query total difference\): p50 −?[\d.-]+ ms · p95 [\d.-]+ ms/,
    );
    expect(text).toMatch(
      /latency p50\/p95, rerank on: embed [\d.]+ ms\/[\d.]+ ms · search [\d.]+ ms\/[\d.]+ ms · rerank [\d.]+ ms\/[\d.]+ ms · total/,
    );
  });

  test("the HTML report is one file with everything inline", () => {
    const page = readFileSync(html, "utf8");
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(page).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(page.match(/<section class="query"/g)).toHaveLength(8);
    expect(page).toContain('id="chart-latency"');
    expect(page).toContain('id="chart-rank"');
    // Memory text is escaped: the fixture's apostrophes and quotes cannot break out of the markup.
    expect(page).toContain("Alice&#39;s favourite movies");
  });
});

test("two configurations: results are matched by text across stores", async () => {
  const cliRun = await cli([...base, "--against", fixture("against.config.json"), "--json"]);
  expect(cliRun.code).toBe(0);
  const c: Comparison = JSON.parse(cliRun.stdout);
  expect(c.mode).toBe("configs");
  expect(c.labels).toEqual({ a: "offline", b: "against" });
  // Different stores give different ids; the same memory is still recognised (not "new").
  const food = c.queries.find((q) => q.id === "food")!;
  expect(food.deltas.filter((d) => d !== null).length).toBeGreaterThan(0);
  // Side B has no max_query_words, so the long query is reranked there and falls back only on A.
  expect(c.summary.failures).toMatchObject({ a: { errors: 0, fallbacks: 1 }, b: { errors: 0, fallbacks: 0 } });
  const text = await cli([...base, "--against", fixture("against.config.json")]);
  expect(text.stdout).toContain("latency added by against (per-query total difference)");
});

test("rerank off vs on without a reranker is bad usage (exit 2)", async () => {
  const cliRun = await cli([
    "--config",
    fixture("norerank.config.json"),
    "compare",
    "--queries",
    fixture("queries.jsonl"),
  ]);
  expect(cliRun.code).toBe(2);
  expect(cliRun.stderr).toBe(
    `error: ${fixture("norerank.config.json")}: reranker: not configured; compare without --against runs rerank off vs on, which needs one`,
  );
});

test("no config: the offline setup, said on stderr; a bad queries line exits 2", async () => {
  const cliRun = await cli([
    "compare",
    "--queries",
    fixture("queries.jsonl"),
    "--memories",
    fixture("memories.jsonl"),
    "--json",
  ]);
  expect(cliRun.code).toBe(0);
  expect(cliRun.stderr).toContain("no config given; comparing with the offline setup");
  expect(JSON.parse(cliRun.stdout).summary.failures.b.fallbacks).toBe(0);
  const bad = await cli(["compare", "--queries", fixture("memories.jsonl")]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe(
    `error: ${fixture("memories.jsonl")}:1: memory: unknown field (expected one of: id, _id, query, text, user_id, agent_id, run_id, filters, limit, metadata, title)`,
  );
});

test("a memory core rejects is reported at its file line and field, in core's own words", async () => {
  const memories = join(tempDir(), "memories.jsonl");
  writeFileSync(
    memories,
    `${JSON.stringify({ memory: "likes tea", user_id: "dana" })}\n` +
      `${JSON.stringify({ memory: "likes coffee", user_id: "dana", metadata: { created_at: "yesterday" } })}\n`,
  );
  const cliRun = await cli([...base.slice(0, -1), memories]); // `base` with this test's memories file
  expect(cliRun.code).toBe(2);
  expect(cliRun.stderr).toBe(
    `error: ${memories}:2: metadata.created_at: is reserved for the record itself; choose another metadata key`,
  );
});
