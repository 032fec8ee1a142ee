/**
 * `mem0-ts eval`: an A/B evaluation of reranking on a BEIR-layout dataset. Loads the corpus as
 * memories, runs every judged query with reranking off and on, and reports nDCG@10, MRR@10,
 * Recall@10/50 for both, the difference with a paired bootstrap confidence interval, and latency
 * per stage.
 */
import { randomUUID } from "node:crypto";
import type { Memory, SearchResponse } from "@mem0/core";
import { InputError } from "../errors.js";
import type { CorpusDoc, Qrels } from "../inputs.js";
import { ingest } from "../ingest.js";
import type { Io } from "../io.js";
import { judgedQueries, METRICS, scoreQuery, type MetricName, type RunEntry } from "../metrics.js";
import { ms, table } from "../format.js";
import { startProgress } from "../progress.js";
import { mean, pairedBootstrap, percentile, type BootstrapCI } from "../stats.js";

/** Results fetched per query: the deepest cutoff reported (Recall@50). */
const EVAL_DEPTH = 50;

export interface EvalInput {
  corpus: CorpusDoc[];
  queries: { id: string; text: string; line: number }[];
  qrels: Qrels;
  files: { corpus: string; queries: string; qrels: string };
}

type Side = "off" | "on";
type StageName = "embed_ms" | "search_ms" | "rerank_ms" | "total_ms";

export interface EvalReport {
  documents: number;
  queries: { evaluated: number; without_judgements: number; without_relevant: number };
  /** Judged documents that are not in the corpus: they count as relevant and unretrievable. */
  unknown_judged_documents: number;
  depth: number;
  reranker: { provider: string; model?: string };
  metrics: Record<Side, Record<MetricName, number>>;
  diff: Record<MetricName, BootstrapCI>;
  latency: Record<Side, Record<StageName, { p50: number; p95: number }>>;
  fallbacks: { query: string; error: string }[];
  per_query: { id: string; off: Record<MetricName, number>; on: Record<MetricName, number> }[];
}

/** The run of one response: documents with the score the system ranked them by. */
function runOf(searchResponse: SearchResponse): RunEntry[] {
  return searchResponse.results.map((x) => ({ id: String(x.metadata.doc_id), score: x.score }));
}

function checkEvalInput(input: EvalInput): {
  evaluate: { id: string; text: string }[];
  withoutJudgements: number;
  withoutRelevant: number;
  unknownDocs: number;
} {
  const queryIds = new Set(input.queries.map((q) => q.id));
  for (const qid of input.qrels.keys()) {
    if (!queryIds.has(qid))
      throw new InputError(
        input.files.qrels,
        undefined,
        "query-id",
        `${JSON.stringify(qid)} is judged but not in ${input.files.queries}`,
      );
  }
  const scorable = judgedQueries(input.qrels);
  const docIds = new Set(input.corpus.map((d) => d.id));
  let unknownDocs = 0;
  for (const judged of input.qrels.values()) for (const id of judged.keys()) if (!docIds.has(id)) unknownDocs++;
  return {
    evaluate: input.queries.filter((q) => scorable.has(q.id)),
    withoutJudgements: input.queries.filter((q) => !input.qrels.has(q.id)).length,
    withoutRelevant: input.queries.filter((q) => input.qrels.has(q.id) && !scorable.has(q.id)).length,
    unknownDocs,
  };
}

export async function runEval(
  memory: Memory,
  input: EvalInput,
  io: Io,
  options: { userId?: string; samples?: number; seed?: number } = {},
): Promise<EvalReport> {
  if (!memory.reranker)
    throw new InputError(
      "config",
      undefined,
      "reranker",
      "mem0-ts eval compares reranking off and on: configure a reranker",
    );
  const checked = checkEvalInput(input);
  if (checked.evaluate.length === 0)
    throw new InputError(
      input.files.qrels,
      undefined,
      undefined,
      "no query has a relevant judgement (grade ≥ 1): nothing to evaluate",
    );
  // A fresh run_id keeps this evaluation's memories apart from anything already in the store.
  const scope = { user_id: options.userId ?? "eval", run_id: `eval-${randomUUID()}` };
  await ingest(
    memory,
    input.corpus.map((d) => ({ memory: d.text, ...scope, metadata: { ...d.metadata, doc_id: d.id } })),
    io,
    { label: "loading corpus", file: input.files.corpus },
  );
  const responses: Record<Side, SearchResponse[]> = { off: [], on: [] };
  // One untimed query first, so that loading a model is not counted as query latency.
  const [warmUp] = checked.evaluate;
  if (warmUp) await memory.search(warmUp.text, { ...scope, limit: EVAL_DEPTH });
  const bar = startProgress(io, "running queries", checked.evaluate.length);
  try {
    for (const evalQuery of checked.evaluate) {
      responses.off.push(await memory.search(evalQuery.text, { ...scope, limit: EVAL_DEPTH, rerank: false }));
      responses.on.push(await memory.search(evalQuery.text, { ...scope, limit: EVAL_DEPTH, rerank: true }));
      bar.increment();
    }
  } finally {
    bar.stop();
  }
  if (memory.vectorStore.provider !== "memory") await memory.deleteAll(scope);

  const perQuery = checked.evaluate.map((evalQuery, i) => {
    const judged = input.qrels.get(evalQuery.id) ?? new Map<string, number>();
    const scored = (side: Side) => {
      const response = responses[side][i];
      return scoreQuery(response ? runOf(response) : [], judged);
    };
    return { id: evalQuery.id, off: scored("off"), on: scored("on") };
  });
  const avg = (side: Side) =>
    Object.fromEntries(METRICS.map((m) => [m, mean(perQuery.map((p) => p[side][m]))])) as Record<MetricName, number>;
  const latency = (side: Side) =>
    Object.fromEntries(
      (["embed_ms", "search_ms", "rerank_ms", "total_ms"] as const).map((stage) => {
        const samples = responses[side].map((r) => r.timings[stage]);
        return [stage, { p50: percentile(samples, 50), p95: percentile(samples, 95) }];
      }),
    ) as EvalReport["latency"][Side];
  return {
    documents: input.corpus.length,
    queries: {
      evaluated: checked.evaluate.length,
      without_judgements: checked.withoutJudgements,
      without_relevant: checked.withoutRelevant,
    },
    unknown_judged_documents: checked.unknownDocs,
    depth: EVAL_DEPTH,
    reranker: {
      provider: memory.reranker.provider,
      ...(memory.reranker.model ? { model: memory.reranker.model } : {}),
    },
    metrics: { off: avg("off"), on: avg("on") },
    diff: Object.fromEntries(
      METRICS.map((m) => [
        m,
        pairedBootstrap(
          perQuery.map((p) => p.off[m]),
          perQuery.map((p) => p.on[m]),
          { samples: options.samples, seed: options.seed },
        ),
      ]),
    ) as EvalReport["diff"],
    latency: { off: latency("off"), on: latency("on") },
    fallbacks: checked.evaluate.flatMap((evalQuery, i) => {
      const error = responses.on[i]?.rerank?.error;
      return error ? [{ query: evalQuery.id, error }] : [];
    }),
    per_query: perQuery,
  };
}

const LABELS: Record<MetricName, string> = {
  "ndcg@10": "nDCG@10",
  "mrr@10": "MRR@10",
  "recall@10": "Recall@10",
  "recall@50": "Recall@50",
};
const signed = (n: number) => `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(4)}`;

export function renderEvalText(report: EvalReport): string[] {
  const ci = report.diff["ndcg@10"];
  const out = [
    `eval: ${report.queries.evaluated} queries with relevant judgements over ${report.documents} documents, ` +
      `top ${report.depth} per query; reranker ${report.reranker.provider}` +
      `${report.reranker.model ? ` (${report.reranker.model})` : ""}`,
  ];
  if (report.queries.without_judgements || report.queries.without_relevant) {
    out.push(
      `skipped: ${report.queries.without_judgements} queries with no judgements, ` +
        `${report.queries.without_relevant} with no relevant document (every metric would be 0 either way)`,
    );
  }
  if (report.unknown_judged_documents)
    out.push(
      `note: ${report.unknown_judged_documents} judged documents are not in the corpus; ` +
        "they count as relevant and never retrieved",
    );
  out.push(
    "",
    ...table(
      [
        "metric",
        "rerank off",
        "rerank on",
        "Δ on − off",
        `95% CI (paired bootstrap, ${ci.samples} resamples, seed ${ci.seed})`,
      ],
      (Object.keys(LABELS) as MetricName[]).map((m) => [
        LABELS[m],
        report.metrics.off[m].toFixed(4),
        report.metrics.on[m].toFixed(4),
        signed(report.diff[m].diff),
        `[${signed(report.diff[m].lo)}, ${signed(report.diff[m].hi)}]`,
      ]),
      160,
    ),
    "",
    ...table(
      ["latency p50 / p95", "embed", "vector search", "rerank", "total"],
      (["off", "on"] as const).map((side) => [
        `rerank ${side}`,
        ...(["embed_ms", "search_ms", "rerank_ms", "total_ms"] as const).map(
          (k) => `${ms(report.latency[side][k].p50)} / ${ms(report.latency[side][k].p95)}`,
        ),
      ]),
      160,
    ),
  );
  out.push(
    "",
    report.fallbacks.length
      ? `reranker failed on ${report.fallbacks.length} queries (vector order scored instead): ` +
          report.fallbacks.map((fallback) => `${fallback.query}: ${fallback.error}`).join("; ")
      : "reranker failures: none",
  );
  return out;
}
