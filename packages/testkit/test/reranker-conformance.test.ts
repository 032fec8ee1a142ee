import type { Reranker, RerankOptions } from "@mem0/core";
import { describeRerankerConformance } from "../src/conformance/reranker.js";
import { lexicalScore } from "../src/index.js";

/**
 * A reranker written the way many cross-encoders and APIs answer: a score for every document,
 * worst first, whatever `top_k` asks. The lenient contract accepts it (the pipeline validates,
 * sorts and cuts), so the conformance suite must pass it too; its slowDown is a real delay that
 * honours the abort signal.
 */
function scoresEverything(): { reranker: Reranker; slowDown: () => void; speedUp: () => void } {
  let delayMs = 0;
  const reranker: Reranker = {
    provider: "scores-everything",
    async rerank(query: string, documents: readonly string[], options: RerankOptions = {}) {
      options.signal?.throwIfAborted();
      if (delayMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, delayMs);
          const abort = () => {
            clearTimeout(timer);
            reject(options.signal?.reason);
          };
          options.signal?.addEventListener("abort", abort, { once: true });
        });
      }
      return documents.map((d, index) => ({ index, score: lexicalScore(query, d) })).sort((a, b) => a.score - b.score);
    },
  };
  const slowDown = () => {
    delayMs = 2000;
  };
  const speedUp = () => {
    delayMs = 0;
  };
  return { reranker, slowDown, speedUp };
}

describeRerankerConformance("a reranker that scores every document, worst first", scoresEverything);
