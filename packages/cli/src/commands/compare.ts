/**
 * `mem0-ts compare`: runs every query against two sides — rerank off vs on in one configuration, or
 * two configurations — and reports, per query, both lists with rank changes, scores and stage
 * latencies; then how often the top result changed, the latency reranking added, and failures.
 */
import { errorMessage, type Memory, type SearchResponse, type SearchResult } from "@mem0/core";
import type { QuerySpec } from "../inputs.js";
import type { Io } from "../io.js";
import { byHash, byId, listTitle, ms, rankDelta, resultLists, timingLine, wrap, type ResultKey } from "../format.js";
import { PLAIN, type Colors } from "../io.js";
import { startProgress } from "../progress.js";
import { percentile } from "../stats.js";

export interface CompareSide {
  label: string;
  memory: Memory;
  /** Forced per request (rerank off vs on); undefined: the configuration's own default. */
  rerank?: boolean;
}

type SideOutcome = { ok: true; response: SearchResponse } | { ok: false; error: string };

export interface QueryOutcome {
  id: string;
  query: string;
  line: number;
  scope: { user_id?: string; agent_id?: string; run_id?: string };
  filters?: Record<string, unknown>;
  limit: number;
  a: SideOutcome;
  b: SideOutcome;
  /** Per result of B: places moved against A (positive = up), null when not in A's list. */
  deltas: (number | null)[];
  topChanged: boolean;
}

interface StageStats {
  p50: number;
  p95: number;
}
export type Stages = Record<"embed_ms" | "search_ms" | "rerank_ms" | "total_ms", StageStats>;

export const RANK_BUCKETS = ["new", "↓3+", "↓2", "↓1", "=", "↑1", "↑2", "↑3+"] as const;

export interface ComparisonSummary {
  queries: number;
  compared: number;
  topChanged: number;
  /** Per side and stage; `added` is the per-query difference of total latency, B − A. */
  latency: { a: Stages; b: Stages; added: StageStats };
  rankChanges: Record<(typeof RANK_BUCKETS)[number], number>;
  failures: {
    a: { errors: number; fallbacks: number };
    b: { errors: number; fallbacks: number };
    list: { query: string; side: "a" | "b"; kind: "error" | "fallback"; message: string }[];
  };
}

export interface Comparison {
  mode: "rerank" | "configs";
  labels: { a: string; b: string };
  generated_at: string;
  queries: QueryOutcome[];
  summary: ComparisonSummary;
}

async function runSide(side: CompareSide, querySpec: QuerySpec, limit: number): Promise<SideOutcome> {
  try {
    const response = await side.memory.search(querySpec.query, {
      ...(querySpec.user_id ? { user_id: querySpec.user_id } : {}),
      ...(querySpec.agent_id ? { agent_id: querySpec.agent_id } : {}),
      ...(querySpec.run_id ? { run_id: querySpec.run_id } : {}),
      ...(querySpec.filters ? { filters: querySpec.filters } : {}),
      limit,
      ...(side.rerank !== undefined ? { rerank: side.rerank } : {}),
    });
    return { ok: true, response };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

export function bucketOf(delta: number | null): (typeof RANK_BUCKETS)[number] {
  if (delta === null) return "new";
  if (delta === 0) return "=";
  const steps = Math.min(3, Math.abs(delta));
  return `${delta > 0 ? "↑" : "↓"}${steps}${steps === 3 ? "+" : ""}` as (typeof RANK_BUCKETS)[number];
}

function stages(responses: SearchResponse[]): Stages {
  const of = (k: keyof SearchResponse["timings"]) => {
    const samples = responses.map((r) => r.timings[k]);
    return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
  };
  return { embed_ms: of("embed_ms"), search_ms: of("search_ms"), rerank_ms: of("rerank_ms"), total_ms: of("total_ms") };
}

export function summarize(queries: QueryOutcome[]): ComparisonSummary {
  const both = queries.filter((q) => q.a.ok && q.b.ok) as (QueryOutcome & {
    a: { ok: true; response: SearchResponse };
    b: { ok: true; response: SearchResponse };
  })[];
  const rankChanges = Object.fromEntries(RANK_BUCKETS.map((b) => [b, 0])) as ComparisonSummary["rankChanges"];
  for (const q of both) for (const d of q.deltas) rankChanges[bucketOf(d)]++;
  const list: ComparisonSummary["failures"]["list"] = [];
  const count = (side: "a" | "b") => {
    let errors = 0;
    let fallbacks = 0;
    for (const queryOutcome of queries) {
      const outcome = queryOutcome[side];
      if (!outcome.ok) {
        errors++;
        list.push({ query: queryOutcome.id, side, kind: "error", message: outcome.error });
      } else if (outcome.response.rerank?.error) {
        fallbacks++;
        list.push({ query: queryOutcome.id, side, kind: "fallback", message: outcome.response.rerank.error });
      }
    }
    return { errors, fallbacks };
  };
  const added = both.map((q) => q.b.response.timings.total_ms - q.a.response.timings.total_ms);
  return {
    queries: queries.length,
    compared: both.length,
    topChanged: both.filter((q) => q.topChanged).length,
    latency: {
      a: stages(queries.flatMap((q) => (q.a.ok ? [q.a.response] : []))),
      b: stages(queries.flatMap((q) => (q.b.ok ? [q.b.response] : []))),
      added: { p50: percentile(added, 50), p95: percentile(added, 95) },
    },
    rankChanges,
    failures: { a: count("a"), b: count("b"), list },
  };
}

export function compareOutcome(
  a: SideOutcome,
  b: SideOutcome,
  key: ResultKey,
): { deltas: (number | null)[]; topChanged: boolean } {
  if (!a.ok || !b.ok) return { deltas: [], topChanged: false };
  const before = a.response.results.map(key);
  const deltas = b.response.results.map((r: SearchResult, i) => rankDelta(before, key(r), i));
  const topA = a.response.results[0];
  const topB = b.response.results[0];
  const topChanged =
    (topA === undefined) !== (topB === undefined) ||
    (topA !== undefined && topB !== undefined && key(topA) !== key(topB));
  return { deltas, topChanged };
}

export async function runComparison(
  a: CompareSide,
  b: CompareSide,
  queries: QuerySpec[],
  io: Io,
  options: { limit?: number } = {},
): Promise<Comparison> {
  const mode = a.memory === b.memory ? "rerank" : "configs";
  // Results of two stores have different ids; the same text has the same hash in both.
  const key = mode === "rerank" ? byId : byHash;
  // One untimed query per side first, so that loading a model is not counted as query latency.
  if (queries[0])
    await Promise.all([runSide(a, queries[0], options.limit ?? 10), runSide(b, queries[0], options.limit ?? 10)]);
  const bar = startProgress(io, "running queries", queries.length);
  const outcomes: QueryOutcome[] = [];
  try {
    for (const spec of queries) {
      const limit = spec.limit ?? options.limit ?? 10;
      const ra = await runSide(a, spec, limit);
      const rb = await runSide(b, spec, limit);
      const scope = {
        ...(spec.user_id ? { user_id: spec.user_id } : {}),
        ...(spec.agent_id ? { agent_id: spec.agent_id } : {}),
        ...(spec.run_id ? { run_id: spec.run_id } : {}),
      };
      outcomes.push({
        id: spec.id,
        query: spec.query,
        line: spec.line,
        scope,
        ...(spec.filters ? { filters: spec.filters } : {}),
        limit,
        a: ra,
        b: rb,
        ...compareOutcome(ra, rb, key),
      });
      bar.increment();
    }
  } finally {
    bar.stop();
  }
  return {
    mode,
    labels: { a: a.label, b: b.label },
    generated_at: new Date().toISOString(),
    queries: outcomes,
    summary: summarize(outcomes),
  };
}

const pct = (part: number, whole: number) => (whole === 0 ? "–" : `${((100 * part) / whole).toFixed(0)}%`);

export function renderComparisonText(comparison: Comparison, columns?: number, colors: Colors = PLAIN): string[] {
  const out: string[] = [];
  for (const outcome of comparison.queries) {
    const scope = Object.entries(outcome.scope)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    out.push(
      "",
      `━━ ${outcome.id}: ${JSON.stringify(outcome.query)} · ${scope}` +
        `${outcome.filters ? ` · filters: ${JSON.stringify(outcome.filters)}` : ""} · limit ${outcome.limit}`,
    );
    if (outcome.a.ok && outcome.b.ok) {
      const leftList = { title: listTitle(comparison.labels.a, outcome.a.response), response: outcome.a.response };
      out.push(
        ...resultLists(
          leftList,
          { title: listTitle(comparison.labels.b, outcome.b.response), response: outcome.b.response },
          { ...(columns ? { columns } : {}), colors, key: comparison.mode === "rerank" ? byId : byHash },
        ),
      );
      out.push(
        `${comparison.labels.a}: ${timingLine(outcome.a.response)}`,
        `${comparison.labels.b}: ${timingLine(outcome.b.response)}`,
      );
      if (outcome.b.response.rerank?.error)
        out.push(`${comparison.labels.b}: reranker failed (${outcome.b.response.rerank.error}); vector order returned`);
    }
    if (!outcome.a.ok) out.push(`${comparison.labels.a}: ${colors.red("FAILED")}: ${outcome.a.error}`);
    if (!outcome.b.ok) out.push(`${comparison.labels.b}: ${colors.red("FAILED")}: ${outcome.b.error}`);
  }
  const summaryOf = comparison.summary;
  const latencyLine = (perStage: Stages) =>
    (["embed_ms", "search_ms", "rerank_ms", "total_ms"] as const)
      .map((stage) => `${stage.slice(0, -3)} ${ms(perStage[stage].p50)}/${ms(perStage[stage].p95)}`)
      .join(" · ");
  const failuresOf = (side: "a" | "b") => {
    const { errors, fallbacks } = summaryOf.failures[side];
    return `${comparison.labels[side]}: ${errors} errors, ${fallbacks} reranker fallbacks`;
  };
  out.push(
    "",
    "━━ Summary",
    `queries: ${summaryOf.queries} (${summaryOf.compared} with both sides answered)`,
    `top result changed: ${summaryOf.topChanged} of ${summaryOf.compared} ` +
      `(${pct(summaryOf.topChanged, summaryOf.compared)})`,
    `rank changes of ${comparison.labels.b} against ${comparison.labels.a}: ${Object.entries(summaryOf.rankChanges)
      .map(([k, v]) => `${k} ${v}`)
      .join(" · ")}`,
    `latency p50/p95, ${comparison.labels.a}: ${latencyLine(summaryOf.latency.a)}`,
    `latency p50/p95, ${comparison.labels.b}: ${latencyLine(summaryOf.latency.b)}`,
    `latency added by ${comparison.mode === "rerank" ? "reranking" : comparison.labels.b} ` +
      `(per-query total difference): p50 ${ms(summaryOf.latency.added.p50)} · p95 ${ms(summaryOf.latency.added.p95)}`,
    `failures: ${failuresOf("a")} · ${failuresOf("b")}`,
  );
  for (const failure of summaryOf.failures.list)
    out.push(`  ${failure.query} (${comparison.labels[failure.side]}) ${failure.kind}: ${failure.message}`);
  // Prose lines wrap at the terminal's width; the result lists are already laid out for it.
  return out.flatMap((line) => (line.includes(" │ ") || line.startsWith(" #  ") ? [line] : wrap(line, columns)));
}
