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
  const flatWidth = displayWidth(flat);
  if (flatWidth <= width) return flat + " ".repeat(width - flatWidth);
  let out = "";
  let used = 0;
  for (const { segment } of graphemes.segment(flat)) {
    const sw = displayWidth(segment);
    if (used + sw > width - 1) break;
    out += segment;
    used += sw;
  }
  return `${out}…${" ".repeat(Math.max(0, width - 1 - used))}`;
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
  const moved = rankDelta(before, key, rank);
  return moved === null ? "new" : moved > 0 ? `↑${moved}` : moved < 0 ? `↓${-moved}` : "=";
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
  const palette = layout.colors ?? PLAIN;
  const sideBySide = columns >= SIDE_BY_SIDE_MIN_COLUMNS;
  // A row: "##  memory vector  rerank"; the right list adds "  Δ" (at most 4 columns: "↑10").
  const memoryWidth = sideBySide
    ? Math.min(64, Math.floor((columns - 47) / 2))
    : Math.max(10, Math.min(80, columns - 25));
  const rowWidth = memoryWidth + 19;
  const before = left.response.results.map(key);
  const change = (result: SearchResult, i: number) => {
    const moved = rankDelta(before, key(result), i);
    const text = rankChange(before, key(result), i);
    return moved === null
      ? palette.cyan(text)
      : moved > 0
        ? palette.green(text)
        : moved < 0
          ? palette.red(text)
          : palette.dim(text);
  };
  const row = (result: SearchResult | undefined, i: number) =>
    result
      ? `${String(i + 1).padStart(2)}  ${fit(result.memory, memoryWidth)} ` +
        `${num(result.vector_score).padStart(6)} ${num(result.rerank_score).padStart(7)}`
      : " ".repeat(rowWidth);
  const rowWithChange = (result: SearchResult, i: number) => `${row(result, i)}  ${change(result, i)}`;
  const header = ` #  ${fit("memory", memoryWidth)} vector  rerank`;
  const rowCount = Math.max(left.response.results.length, right.response.results.length);
  const lines: string[] = [];
  if (sideBySide) {
    lines.push(
      `${palette.bold(fit(left.title, rowWidth))} │ ${palette.bold(fit(right.title, rowWidth + 4).trimEnd())}`,
      palette.dim(`${header} │ ${header}  Δ`),
    );
    for (let i = 0; i < rowCount; i++) {
      const rightResult = right.response.results[i];
      const rightRow = rightResult ? rowWithChange(rightResult, i) : "";
      lines.push(`${row(left.response.results[i], i)} │ ${rightRow}`.trimEnd());
    }
  } else {
    lines.push(palette.bold(fit(left.title, rowWidth + 4).trimEnd()), palette.dim(header));
    lines.push(...left.response.results.map((r, i) => row(r, i)));
    lines.push(palette.bold(fit(right.title, rowWidth + 4).trimEnd()), palette.dim(`${header}  Δ`));
    lines.push(...right.response.results.map(rowWithChange));
  }
  if (rowCount === 0) lines.push("  (no memories match)");
  return lines;
}

/** "reranked (bm25)", "vector only", or the fallback with its reason. */
export function listTitle(label: string, searchResponse: SearchResponse): string {
  const { reranked, rerank } = searchResponse;
  if (reranked) return `${label}: reranked (${rerank?.provider}${rerank?.model ? ` ${rerank.model}` : ""})`;
  if (rerank?.error) return `${label}: reranker failed, fell back to vector order`;
  return `${label}: vector only`;
}

export function timingLine(searchResponse: SearchResponse): string {
  const stageTimes = searchResponse.timings;
  const rerank = searchResponse.rerank
    ? ` · rerank ${ms(stageTimes.rerank_ms)} ` +
      `(${searchResponse.rerank.candidates} candidates${searchResponse.rerank.error ? ", failed" : ""})`
    : "";
  const search = `embed ${ms(stageTimes.embed_ms)} · vector search ${ms(stageTimes.search_ms)}`;
  return `timings: ${search}${rerank} · total ${ms(stageTimes.total_ms)}`;
}

/** A plain table; on a terminal the widest column shrinks to fit its width, in a pipe nothing is cut. */
export function table(headers: string[], rows: string[][], maxWidth = Number.POSITIVE_INFINITY): string[] {
  const widths = headers.map((h, c) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth((r[c] ?? "").replace(/\s+/g, " ")))),
  );
  const total = () => widths.reduce((s, x) => s + x, 0) + 2 * (widths.length - 1);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    const width = widths[widest] ?? 0;
    if (width <= 8) break;
    widths[widest] = width - 1;
  }
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => fit(cell ?? "", widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((x) => "─".repeat(x)).join("  "), ...rows.map(line)];
}
