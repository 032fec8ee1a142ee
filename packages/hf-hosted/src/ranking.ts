import { ValidationError, type RerankItem } from "@mem0/core";

/** Checks `rerank` arguments: a query string and an array of strings, naming the first bad one. */
export function checkRerankInput(query: unknown, documents: unknown): asserts documents is readonly string[] {
  if (typeof query !== "string")
    throw new ValidationError("rerank.query", `expected a string, got ${query === null ? "null" : typeof query}`);
  if (!Array.isArray(documents)) throw new ValidationError("rerank.documents", "expected an array of strings");
  const bad = documents.findIndex((d) => typeof d !== "string");
  if (bad >= 0)
    throw new ValidationError(
      `rerank.documents[${bad}]`,
      `expected a string, got ${documents[bad] === null ? "null" : typeof documents[bad]}`,
    );
}

/** Best first; equal scores keep the candidates' original (vector) order. */
export function rankScores(scores: readonly number[], topK?: number): RerankItem[] {
  const ranked = scores
    .map((score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
  return topK !== undefined ? ranked.slice(0, Math.max(0, topK)) : ranked;
}
