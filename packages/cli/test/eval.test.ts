import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mean, METRICS, type EvalReport } from "@mem0/ts-cli";
import { cli, fixture, tempDir } from "./helpers.js";

const beir = (...p: string[]) => fixture("beir", ...p);
const args = (qrels = beir("qrels", "test.tsv")) => [
  "eval",
  "--corpus",
  beir("corpus.jsonl"),
  "--queries",
  beir("queries.jsonl"),
  "--qrels",
  qrels,
];

let report: EvalReport;
let text: string;
beforeAll(async () => {
  const json = await cli([...args(), "--json"]);
  expect(json.code).toBe(0);
  report = JSON.parse(json.stdout);
  const plain = await cli(args());
  expect(plain.code).toBe(0);
  text = plain.stdout;
});

test("counts: judged queries are evaluated, the others are skipped and said so", () => {
  expect(report.documents).toBe(20);
  expect(report.queries).toEqual({ evaluated: 8, without_judgements: 1, without_relevant: 1 });
  expect(report.per_query.map((q) => q.id)).toEqual(["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]);
  expect(report.reranker).toEqual({ provider: "bm25", model: "okapi-bm25" });
  expect(text).toContain(
    "eval: 8 queries with relevant judgements over 20 documents, top 50 per query; reranker bm25 (okapi-bm25)",
  );
  expect(text).toContain("skipped: 1 queries with no judgements, 1 with no relevant document");
});

test("every document is retrieved (20 < 50), so Recall@50 is exactly 1 on both sides", () => {
  for (const q of report.per_query) {
    expect(q.off["recall@50"]).toBe(1);
    expect(q.on["recall@50"]).toBe(1);
  }
});

test("single-relevant queries: the metrics follow from the rank of that one document", () => {
  // q5 "how are python dictionaries implemented": d12 ("Python dictionaries…") comes first either way.
  const q5 = report.per_query.find((q) => q.id === "q5")!;
  expect(q5.off).toEqual({ "ndcg@10": 1, "mrr@10": 1, "recall@10": 1, "recall@50": 1 });
  expect(q5.on).toEqual(q5.off);
  // q6 "memory management in CPython": only d13 is relevant. Whatever its rank r, MRR = 1/r and
  // nDCG@10 = 1/log2(r + 1) (IDCG is 1): the two must agree.
  const q6 = report.per_query.find((q) => q.id === "q6")!;
  for (const side of [q6.off, q6.on]) {
    const firstRelevantRank = 1 / side["mrr@10"];
    expect(Number.isInteger(Math.round(firstRelevantRank * 1e9) / 1e9)).toBe(true);
    expect(side["ndcg@10"]).toBeCloseTo(1 / Math.log2(firstRelevantRank + 1), 12);
  }
});

test("aggregates are the means of the per-query values; differences come with a bootstrap CI", () => {
  for (const m of METRICS) {
    expect(report.metrics.off[m]).toBeCloseTo(mean(report.per_query.map((q) => q.off[m])), 12);
    expect(report.metrics.on[m]).toBeCloseTo(mean(report.per_query.map((q) => q.on[m])), 12);
    const diff = report.diff[m];
    expect(diff.diff).toBeCloseTo(report.metrics.on[m] - report.metrics.off[m], 12);
    expect(diff.lo).toBeLessThanOrEqual(diff.diff + 1e-12);
    expect(diff.hi).toBeGreaterThanOrEqual(diff.diff - 1e-12);
    expect(diff).toMatchObject({ samples: 10000, seed: 42 });
  }
  const row = (name: string, m: (typeof METRICS)[number]) =>
    new RegExp(
      `^${name}\\s+${report.metrics.off[m].toFixed(4)}\\s+${report.metrics.on[m].toFixed(4)}\\s+[+−]${Math.abs(report.diff[m].diff).toFixed(4)}\\s+\\[[+−][\\d.]+, [+−][\\d.]+\\]$`,
      "m",
    );
  expect(text).toMatch(row("nDCG@10", "ndcg@10"));
  expect(text).toMatch(row("MRR@10", "mrr@10"));
  expect(text).toMatch(row("Recall@10", "recall@10"));
  expect(text).toMatch(row("Recall@50", "recall@50"));
});

test("latency per stage: p50 and p95 for rerank off and on", () => {
  expect(report.latency.off.rerank_ms).toEqual({ p50: 0, p95: 0 });
  expect(report.latency.on.rerank_ms.p50).toBeGreaterThan(0);
  for (const side of [report.latency.off, report.latency.on])
    for (const s of Object.values(side)) expect(s.p95).toBeGreaterThanOrEqual(s.p50);
  expect(text).toMatch(
    /^rerank on\s+[\d.]+ ms \/ [\d.]+ ms\s+[\d.]+ ms \/ [\d.]+ ms\s+[\d.]+ ms \/ [\d.]+ ms\s+[\d.]+ ms \/ [\d.]+ ms$/m,
  );
  expect(text).toContain("reranker failures: none");
});

test("TREC qrels give the same metrics; another seed moves only the interval", async () => {
  const trec: EvalReport = JSON.parse((await cli([...args(beir("qrels", "test.trec")), "--json"])).stdout);
  expect(trec.metrics).toEqual(report.metrics);
  const seeded: EvalReport = JSON.parse((await cli([...args(), "--json", "--seed", "7", "--samples", "500"])).stdout);
  expect(seeded.metrics).toEqual(report.metrics);
  expect(seeded.diff["ndcg@10"]).toMatchObject({ seed: 7, samples: 500, diff: report.diff["ndcg@10"].diff });
});

test("bad inputs exit 2 naming file, line and field", async () => {
  const dir = tempDir();
  const qrels = join(dir, "qrels.tsv");
  writeFileSync(qrels, "query-id\tcorpus-id\tscore\nq1\td1\t2\nq99\td2\t1\n");
  const unknownQuery = await cli(args(qrels));
  expect(unknownQuery.code).toBe(2);
  expect(unknownQuery.stderr).toContain(
    `error: ${qrels}: query-id: "q99" is judged but not in ${beir("queries.jsonl")}`,
  );
  writeFileSync(qrels, "q1\td1\t2\nq1\td2\n");
  expect((await cli(args(qrels))).stderr).toMatch(new RegExp(`${qrels}:2: expected 3 columns`));
  const corpus = join(dir, "corpus.jsonl");
  writeFileSync(corpus, '{"_id":"d1","text":"a"}\n{"text":"no id"}\n');
  const cliRun = await cli([
    "eval",
    "--corpus",
    corpus,
    "--queries",
    beir("queries.jsonl"),
    "--qrels",
    beir("qrels", "test.tsv"),
  ]);
  expect(cliRun.code).toBe(2);
  expect(cliRun.stderr).toBe(`error: ${corpus}:2: _id: missing (expected a non-empty string; also accepted: id)`);
  const noReranker = await cli(["--config", fixture("norerank.config.json"), ...args()]);
  expect(noReranker.code).toBe(2);
  expect(noReranker.stderr).toMatch(/reranker: not configured; eval compares reranking off and on/);
  const missing = await cli(["eval", "--corpus", corpus]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/required option '--queries <file>' not specified/);
});
