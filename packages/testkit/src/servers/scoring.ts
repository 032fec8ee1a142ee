/**
 * Deterministic scores for the fakes: how many of the query's words a document contains, so a test
 * can predict the order. Depends only on (query, document), never on position, so scores from
 * split calls merge correctly, as a real cross-encoder's do.
 */
import type { AnswerFault, Reply } from "./fake-server.js";

export function words(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1);
}

/**
 * In [0, 1]: the share of distinct query words found in the document, weighted 0.8, plus 0.2 ×
 * the share of the document's distinct words that are query words (denser matches rank higher).
 */
export function lexicalScore(query: string, document: string): number {
  const queryWords = new Set(words(query));
  const documentWords = new Set(words(document));
  if (queryWords.size === 0 || documentWords.size === 0) return 0;
  let shared = 0;
  for (const w of queryWords) if (documentWords.has(w)) shared += 1;
  return Math.round((0.8 * (shared / queryWords.size) + 0.2 * (shared / documentWords.size)) * 1e6) / 1e6;
}

export type Scorer = (query: string, document: string) => number;

/** Indices sorted by score, best first; ties keep the documents' order. */
export function rank(
  query: string,
  documents: readonly string[],
  scorer: Scorer = lexicalScore,
): { index: number; score: number }[] {
  return documents
    .map((d, index) => ({ index, score: scorer(query, d) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

const NAN_MARK = "__fake_NaN__";

/**
 * Applies an answer fault to a reply whose results are `{ index, <scoreKey> }` objects, at `list`
 * of the body (or the body itself when it is a bare array, as TEI's is).
 */
export function rankedAnswerFault(
  fault: AnswerFault,
  reply: Reply,
  options: { documents: number; scoreKey: string; list?: (body: Record<string, unknown>) => unknown },
): Reply {
  const body = structuredClone(reply.body) as Record<string, unknown>;
  const list = options.list ? options.list(body) : body;
  if (!Array.isArray(list) || list.length === 0) return reply;
  const first = list[0] as Record<string, unknown>;
  switch (fault) {
    case "wrong-count":
      list.pop();
      return { ...reply, body };
    case "bad-index":
      first.index = options.documents + 5;
      return { ...reply, body };
    case "non-numeric-score":
      first[options.scoreKey] = String(first[options.scoreKey]);
      return { ...reply, body };
    case "nan-score":
      first[options.scoreKey] = NAN_MARK;
      return { ...reply, body: undefined, raw: JSON.stringify(body).replace(`"${NAN_MARK}"`, "NaN") };
  }
}
