/** Plain-text layout for the terminal: side-by-side result lists. */
import type { SearchResponse } from "@mem0/core";

export function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text + " ".repeat(width - chars.length) : chars.slice(0, width - 1).join("") + "…";
}

const num = (n: number | undefined, digits = 3) => (n === undefined ? "" : n.toFixed(digits));
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;

/** "↑2", "↓1", "=" or "new": where a reranked result stood in the vector-only list. */
export function rankChange(vectorIds: readonly string[], id: string, rank: number): string {
  const before = vectorIds.indexOf(id);
  if (before < 0) return "new";
  const d = before - rank;
  return d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : "=";
}

export function sideBySide(vector: SearchResponse, reranked: SearchResponse, memoryWidth = 44): string[] {
  const left = (i: number) => {
    const r = vector.results[i];
    return r ? `${String(i + 1).padStart(2)}  ${fit(r.memory, memoryWidth)} ${num(r.vector_score).padStart(6)}` : " ".repeat(memoryWidth + 11);
  };
  const ids = vector.results.map((r) => r.id);
  const right = (i: number) => {
    const r = reranked.results[i];
    if (!r) return "";
    return `${String(i + 1).padStart(2)}  ${fit(r.memory, memoryWidth)} ${num(r.vector_score).padStart(6)} ${num(r.rerank_score).padStart(7)}  ${rankChange(ids, r.id, i)}`;
  };
  const title = reranked.reranked ? `reranked (${reranked.rerank?.provider})` : "reranked: fell back to vector order";
  const lines = [
    `${fit("vector only", memoryWidth + 11)} │ ${title}`,
    ` #  ${fit("memory", memoryWidth)} vector │  #  ${fit("memory", memoryWidth)} vector  rerank  Δ`,
  ];
  const n = Math.max(vector.results.length, reranked.results.length);
  for (let i = 0; i < n; i++) lines.push(`${left(i)} │ ${right(i)}`);
  if (n === 0) lines.push("  (no memories match)");
  return lines;
}

export function timingLine(r: SearchResponse): string {
  const t = r.timings;
  const rerank = r.rerank ? ` · rerank ${ms(t.rerank_ms)} (${r.rerank.candidates} candidates)` : "";
  return `timings: embed ${ms(t.embed_ms)} · vector search ${ms(t.search_ms)}${rerank} · total ${ms(t.total_ms)}`;
}
