/** Plain-text layout for the terminal: tables, side-by-side result lists, timings. */
import type { SearchResponse, SearchResult } from "@mem0/core";

export function fit(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, " ")];
  return chars.length <= width ? chars.join("") + " ".repeat(width - chars.length) : chars.slice(0, Math.max(0, width - 1)).join("") + "…";
}

export const num = (n: number | undefined, digits = 3) => (n === undefined || Number.isNaN(n) ? "" : n.toFixed(digits));
export const ms = (n: number) => (Number.isNaN(n) ? "–" : `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`);

/** How a result is recognised in the other list: by id (same store) or by text hash (two stores). */
export type ResultKey = (r: SearchResult) => string;
export const byId: ResultKey = (r) => r.id;
export const byHash: ResultKey = (r) => r.hash;

/** Places moved up (positive), down (negative), or null when the result was not in the other list. */
export function rankDelta(before: readonly string[], key: string, rank: number): number | null {
  const at = before.indexOf(key);
  return at < 0 ? null : at - rank;
}

/** "↑2", "↓1", "=" or "new". */
export function rankChange(before: readonly string[], key: string, rank: number): string {
  const d = rankDelta(before, key, rank);
  return d === null ? "new" : d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : "=";
}

export interface ListSide {
  title: string;
  response: SearchResponse;
}

/** Two result lists side by side; the right one carries the rank change against the left one. */
export function sideBySide(left: ListSide, right: ListSide, options: { memoryWidth?: number; key?: ResultKey } = {}): string[] {
  const w = options.memoryWidth ?? 44;
  const key = options.key ?? byId;
  const leftWidth = w + 19;
  const row = (r: SearchResult | undefined, i: number) =>
    r ? `${String(i + 1).padStart(2)}  ${fit(r.memory, w)} ${num(r.vector_score).padStart(6)} ${num(r.rerank_score).padStart(7)}` : " ".repeat(leftWidth - 2);
  const before = left.response.results.map(key);
  const lines = [
    `${fit(left.title, leftWidth - 2)} │ ${right.title}`,
    ` #  ${fit("memory", w)} vector  rerank │  #  ${fit("memory", w)} vector  rerank  Δ`,
  ];
  const n = Math.max(left.response.results.length, right.response.results.length);
  for (let i = 0; i < n; i++) {
    const r = right.response.results[i];
    lines.push(`${row(left.response.results[i], i)} │ ${r ? `${row(r, i)}  ${rankChange(before, key(r), i)}` : ""}`.trimEnd());
  }
  if (n === 0) lines.push("  (no memories match)");
  return lines;
}

/** "reranked (bm25)", "vector only", or the fallback with its reason. */
export function listTitle(label: string, r: SearchResponse): string {
  if (r.reranked) return `${label}: reranked (${r.rerank!.provider}${r.rerank!.model ? ` ${r.rerank!.model}` : ""})`;
  if (r.rerank?.error) return `${label}: reranker failed, fell back to vector order`;
  return `${label}: vector only`;
}

export function timingLine(r: SearchResponse): string {
  const t = r.timings;
  const rerank = r.rerank ? ` · rerank ${ms(t.rerank_ms)} (${r.rerank.candidates} candidates${r.rerank.error ? ", failed" : ""})` : "";
  return `timings: embed ${ms(t.embed_ms)} · vector search ${ms(t.search_ms)}${rerank} · total ${ms(t.total_ms)}`;
}

/** A plain table; on a terminal the widest column shrinks to fit its width, in a pipe nothing is cut. */
export function table(headers: string[], rows: string[][], maxWidth = Number.POSITIVE_INFINITY): string[] {
  const widths = headers.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...(r[c] ?? "")].length)));
  const total = () => widths.reduce((s, x) => s + x, 0) + 2 * (widths.length - 1);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 12) break;
    widths[widest]! -= 1;
  }
  const line = (cells: string[]) => cells.map((c, i) => fit(c ?? "", widths[i]!)).join("  ").trimEnd();
  return [line(headers), widths.map((x) => "─".repeat(x)).join("  "), ...rows.map(line)];
}
