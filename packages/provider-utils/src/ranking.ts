import type { RerankItem } from "@mem0/core";
import { badResponseError } from "./errors.js";

/**
 * A hosted reranker's results, checked before they are trusted: exactly `expected` of them, each
 * index in 0..n-1 and at most once, a finite score under `scoreKey`. Returned best first. A bad
 * answer is a permanent bad-response error that says what was wrong.
 */
export function checkRankedResults(provider: string, results: unknown, n: number, expected: number, scoreKey: string): RerankItem[] {
  if (!Array.isArray(results)) throw badResponseError(provider, "no results array");
  if (results.length !== expected) throw badResponseError(provider, `${results.length} results for ${expected} expected`);
  const seen = new Set<number>();
  const out = results.map((r: Record<string, unknown> | null | undefined) => {
    const index = r?.index;
    const score = r?.[scoreKey];
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= n) throw badResponseError(provider, `index ${String(index)} outside 0..${n - 1}`);
    if (seen.has(index)) throw badResponseError(provider, `index ${index} twice`);
    if (typeof score !== "number" || !Number.isFinite(score)) throw badResponseError(provider, `relevance_score for index ${index} is not a finite number (${JSON.stringify(score)})`);
    seen.add(index);
    return { index, score };
  });
  return out.sort((a, b) => b.score - a.score);
}
