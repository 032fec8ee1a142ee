/**
 * Ranking metrics with trec_eval's conventions (what BEIR reports through pytrec_eval), so numbers
 * are comparable with published ones:
 * - a run is ranked by score, highest first; equal scores are ordered by document id, descending
 *   (trec_eval's tie-break), whatever order the system listed them in;
 * - a document with no judgement counts as not relevant; relevant means grade ≥ 1;
 * - nDCG's gain is the grade itself (not 2^grade − 1), discounted by log2(rank + 1); the ideal
 *   ranking is built from every judged document of the query, retrieved or not.
 */
import type { Qrels } from "./inputs.js";

export interface RunEntry {
  id: string;
  score: number;
}

export function rankRun(run: readonly RunEntry[]): string[] {
  return [...run].sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((e) => e.id);
}

export function ndcgAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    const gain = Math.max(0, judged.get(id) ?? 0);
    dcg += gain / Math.log2(i + 2);
  });
  const ideal = [...judged.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const idcg = ideal.reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  return idcg === 0 ? 0 : dcg / idcg;
}

export function mrrAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const i = ranked.slice(0, k).findIndex((id) => (judged.get(id) ?? 0) >= 1);
  return i < 0 ? 0 : 1 / (i + 1);
}

export function recallAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const relevant = [...judged.entries()].filter(([, g]) => g >= 1).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

export const METRICS = ["ndcg@10", "mrr@10", "recall@10", "recall@50"] as const;
export type MetricName = (typeof METRICS)[number];

export function scoreQuery(run: readonly RunEntry[], judged: ReadonlyMap<string, number>): Record<MetricName, number> {
  const ranked = rankRun(run);
  return {
    "ndcg@10": ndcgAt(ranked, judged, 10),
    "mrr@10": mrrAt(ranked, judged, 10),
    "recall@10": recallAt(ranked, judged, 10),
    "recall@50": recallAt(ranked, judged, 50),
  };
}

/**
 * The queries that can be scored: those with at least one relevant judgement (trec_eval and BEIR
 * skip the others: every metric would be 0 whatever the system did).
 */
export function judgedQueries(qrels: Qrels): Set<string> {
  return new Set([...qrels].filter(([, judged]) => [...judged.values()].some((g) => g >= 1)).map(([qid]) => qid));
}
