/**
 * Plain-text layout for the terminal: tables, result lists (side by side on wide terminals,
 * stacked on narrow ones), timings. Widths are display columns (CJK and most emoji take two).
 */
import type { SearchResponse, SearchResult } from "@mem0/core";
import stringWidth from "string-width";
import { PLAIN, type Colors } from "./io.js";

/** Below this many columns the two result lists are printed one above the other. */
export const SIDE_BY_SIDE_MIN_COLUMNS = 110;

export const displayWidth = (text: string) => stringWidth(text);
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `text` on one line, padded or cut (with "…") to exactly `width` display columns. */
export function fit(text: string, width: number): string {
  const flat = text.replace(/\s+/g, " ");
  const w = displayWidth(flat);
  if (w <= width) return flat + " ".repeat(width - w);
  let out = "";
  let used = 0;
  for (const { segment } of graphemes.segment(flat)) {
    const sw = displayWidth(segment);
    if (used + sw > width - 1) break;
    out += segment;
    used += sw;
  }
  return out + "…" + " ".repeat(Math.max(0, width - 1 - used));
}

/** Word-wraps a line to `columns` display columns (a longer word is cut); no limit when undefined. */
export function wrap(text: string, columns: number | undefined, indent = "  "): string[] {
  if (columns === undefined || displayWidth(text) <= columns) return [text];
  const lines: string[] = [];
  let line = "";
  const push = () => {
    if (line.trim()) lines.push(line.trimEnd());
    line = lines.length ? indent : "";
  };
  for (const word of text.split(/(?<= )/)) {
    if (displayWidth(line + word.trimEnd()) > columns && line.trim()) push();
    let rest = word;
    while (displayWidth(line + rest.trimEnd()) > columns) {
      const room = columns - displayWidth(line);
      let head = "";
      for (const { segment } of graphemes.segment(rest)) {
        if (displayWidth(head + segment) > room) break;
        head += segment;
      }
      if (!head) break;
      line += head;
      rest = rest.slice(head.length);
      push();
    }
    line += rest;
  }
  push();
  return lines;
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

export interface ListLayout {
  /** Terminal width; undefined (a pipe) lays the lists out as on a 120-column terminal. */
  columns?: number;
  key?: ResultKey;
  colors?: Colors;
}

/**
 * The two result lists; the right one carries the rank change against the left one. Side by side
 * from SIDE_BY_SIDE_MIN_COLUMNS on, else stacked; no line is wider than `columns`.
 */
export function resultLists(left: ListSide, right: ListSide, layout: ListLayout = {}): string[] {
  const columns = layout.columns ?? 120;
  const key = layout.key ?? byId;
  const c = layout.colors ?? PLAIN;
  const sideBySide = columns >= SIDE_BY_SIDE_MIN_COLUMNS;
  // A row: "##  memory vector  rerank"; the right list adds "  Δ" (at most 4 columns: "↑10").
  const w = sideBySide ? Math.min(64, Math.floor((columns - 47) / 2)) : Math.max(10, Math.min(80, columns - 25));
  const rowWidth = w + 19;
  const before = left.response.results.map(key);
  const change = (r: SearchResult, i: number) => {
    const d = rankDelta(before, key(r), i);
    const text = rankChange(before, key(r), i);
    return d === null ? c.cyan(text) : d > 0 ? c.green(text) : d < 0 ? c.red(text) : c.dim(text);
  };
  const row = (r: SearchResult | undefined, i: number) =>
    r
      ? `${String(i + 1).padStart(2)}  ${fit(r.memory, w)} ${num(r.vector_score).padStart(6)} ${num(r.rerank_score).padStart(7)}`
      : " ".repeat(rowWidth);
  const header = ` #  ${fit("memory", w)} vector  rerank`;
  const n = Math.max(left.response.results.length, right.response.results.length);
  const lines: string[] = [];
  if (sideBySide) {
    lines.push(
      `${c.bold(fit(left.title, rowWidth))} │ ${c.bold(fit(right.title, rowWidth + 4).trimEnd())}`,
      c.dim(`${header} │ ${header}  Δ`),
    );
    for (let i = 0; i < n; i++) {
      const r = right.response.results[i];
      lines.push(`${row(left.response.results[i], i)} │ ${r ? `${row(r, i)}  ${change(r, i)}` : ""}`.trimEnd());
    }
  } else {
    lines.push(c.bold(fit(left.title, rowWidth + 4).trimEnd()), c.dim(header));
    left.response.results.forEach((r, i) => lines.push(row(r, i)));
    lines.push(c.bold(fit(right.title, rowWidth + 4).trimEnd()), c.dim(`${header}  Δ`));
    right.response.results.forEach((r, i) => lines.push(`${row(r, i)}  ${change(r, i)}`));
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
  const rerank = r.rerank
    ? ` · rerank ${ms(t.rerank_ms)} (${r.rerank.candidates} candidates${r.rerank.error ? ", failed" : ""})`
    : "";
  return `timings: embed ${ms(t.embed_ms)} · vector search ${ms(t.search_ms)}${rerank} · total ${ms(t.total_ms)}`;
}

/** A plain table; on a terminal the widest column shrinks to fit its width, in a pipe nothing is cut. */
export function table(headers: string[], rows: string[][], maxWidth = Number.POSITIVE_INFINITY): string[] {
  const widths = headers.map((h, c) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth((r[c] ?? "").replace(/\s+/g, " ")))),
  );
  const total = () => widths.reduce((s, x) => s + x, 0) + 2 * (widths.length - 1);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 8) break;
    widths[widest]! -= 1;
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => fit(c ?? "", widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((x) => "─".repeat(x)).join("  "), ...rows.map(line)];
}
