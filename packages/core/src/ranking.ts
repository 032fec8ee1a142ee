/**
 * The one check of a ranked answer, used by the search pipeline, by providers on their APIs'
 * answers and by the testkit conformance suite, so a reranker is judged the same way everywhere.
 *
 * The contract is lenient where that costs nothing: an answer may score more documents than asked
 * (most cross-encoders and many APIs score them all) and in any order; it is validated, sorted best
 * first and cut to `expected`. Fewer than `expected`, an index out of range or repeated, or a score
 * that is not a finite number is an error naming what was wrong.
 */
import { Mem0Error } from "./errors.js";
import type { RerankItem } from "./types.js";

export interface RankingCheck {
  /** How many documents were sent: every index must be in 0..documents-1. */
  documents: number;
  /** How many results were asked for (`min(top_k, documents)`): at least this many must come back. */
  expected: number;
  /** Where the score is in each result (default `score`; e.g. Cohere's `relevanceScore`). */
  scoreKey?: string;
  /** Builds the error for a bad answer (default: `Mem0Error` RERANK_BAD_OUTPUT, "reranker returned …"). */
  fail?: (problem: string) => Error;
}

const badOutput = (problem: string) => new Mem0Error("RERANK_BAD_OUTPUT", `reranker returned ${problem}`);

/** Validates a ranked answer, then returns its best `expected` items, best first. */
export function validateRanking(results: unknown, check: RankingCheck): RerankItem[] {
  const fail = check.fail ?? badOutput;
  const scoreKey = check.scoreKey ?? "score";
  if (!Array.isArray(results))
    throw fail(`${results === null ? "null" : typeof results}, expected an array of ranked results`);
  if (results.length < check.expected) throw fail(`${results.length} results for ${check.expected} expected`);
  const seen = new Set<number>();
  const items = results.map((result: Record<string, unknown> | null | undefined): RerankItem => {
    const index = result?.index;
    const score = result?.[scoreKey];
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= check.documents) {
      throw fail(`index ${JSON.stringify(index) ?? "undefined"} outside 0..${check.documents - 1}`);
    }
    if (seen.has(index)) throw fail(`index ${index} twice`);
    if (typeof score !== "number" || !Number.isFinite(score)) {
      throw fail(`a non-finite ${scoreKey} for index ${index} (${JSON.stringify(score) ?? "undefined"})`);
    }
    seen.add(index);
    return { index, score };
  });
  return items.sort((a, b) => b.score - a.score).slice(0, check.expected);
}
