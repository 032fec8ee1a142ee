/**
 * The reranker conformance suite: any `Reranker` (ours or a third party's) runs it from a jest test
 * file to show it keeps the contract the search pipeline relies on.
 *
 *   import { describeRerankerConformance } from "@mem0/testkit";
 *   describeRerankerConformance("my-reranker", async () => ({ reranker: await makeIt() }));
 */
import { describe, expect, test, beforeAll, afterAll } from "@jest/globals";
import { validateRanking, type Reranker, type RerankItem } from "@mem0/core";
import { testSecretHolding } from "./secrets.js";

export interface RerankerConformanceSubject {
  reranker: Reranker;
  /** Makes the next calls slow (≥ 1 s), so that aborting mid-call can be tested; e.g. a fake server's latency. */
  slowDown?: () => void;
  /** Undoes `slowDown`. */
  speedUp?: () => void;
  close?: () => Promise<void>;
}

export interface RerankerConformanceOptions {
  /**
   * Whether the reranker judges relevance (true for real models and for the testkit fakes, whose
   * scores follow word overlap). False for random-weight models: ordering checks are skipped.
   */
  relevance?: boolean;
  /** Whether equal documents get equal scores (true for cross-encoders and fakes; LLMs may differ). */
  deterministic?: boolean;
  /** Characters in the "very long document" case (default 20,000). */
  longDocumentChars?: number;
  /** Per-test timeout in ms (default 30,000). */
  timeoutMs?: number;
  /**
   * Why the subject cannot be slowed down to test aborting mid-call (no `slowDown`): the test is
   * then shown as skipped with this reason. Without `slowDown` and without a reason, it fails.
   */
  midCallAbortSkipReason?: string;
  /**
   * Creates the reranker with `apiKey` as its credential (no call is made), for the secret-holding
   * check. Leave it out only for a reranker that takes no credential; the check is then skipped.
   */
  withApiKey?: (apiKey: string) => Reranker | Promise<Reranker>;
}

/**
 * Checks an answer with core's own validator (the one the search pipeline uses) and returns it as
 * the pipeline would use it: best first, cut to `expected`. The contract is lenient: an answer may
 * score more documents than asked for, in any order; fewer, a bad or repeated index, or a score
 * that is not finite fails.
 */
export function expectValidRanking(
  out: readonly RerankItem[],
  documents: number,
  expected: number = documents,
): RerankItem[] {
  let ranking: RerankItem[] = [];
  expect(() => (ranking = validateRanking(out, { documents, expected }))).not.toThrow();
  return ranking;
}

const DOCS = [
  "The printer on the third floor is out of toner",
  "Alice loves sushi and ramen, especially tonkotsu ramen",
  "Quarterly report is due on Friday",
  "Alice is allergic to peanuts",
  "Ramen shop near the office opens at noon",
];
const QUERY = "what ramen does alice love";

export function describeRerankerConformance(
  name: string,
  setup: () => Promise<RerankerConformanceSubject> | RerankerConformanceSubject,
  options: RerankerConformanceOptions = {},
): void {
  const relevance = options.relevance ?? true;
  const deterministic = options.deterministic ?? true;
  const timeout = options.timeoutMs ?? 30_000;

  describe(`reranker conformance: ${name}`, () => {
    let subject: RerankerConformanceSubject;
    beforeAll(async () => {
      subject = await setup();
    }, timeout);
    afterAll(async () => {
      await subject?.close?.();
    }, timeout);

    testSecretHolding("the reranker", options.withApiKey, {
      timeoutMs: timeout,
      close: (r) => (r as Reranker).close?.(),
    });

    test(
      "returns every document once, with finite scores",
      async () => {
        const out = await subject.reranker.rerank(QUERY, DOCS);
        expectValidRanking(out, DOCS.length);
      },
      timeout,
    );

    if (relevance) {
      test(
        "ranks the obviously relevant document first and unrelated ones below it",
        async () => {
          const out = expectValidRanking(await subject.reranker.rerank(QUERY, DOCS), DOCS.length);
          expect(out[0]!.index).toBe(1);
          const position = (i: number) => out.findIndex((r) => r.index === i);
          expect(position(1)).toBeLessThan(position(2));
          expect(position(1)).toBeLessThan(position(0));
        },
        timeout,
      );

      test(
        "indices refer to the documents passed in, whatever their order",
        async () => {
          const reversed = [...DOCS].reverse();
          const out = expectValidRanking(await subject.reranker.rerank(QUERY, reversed), DOCS.length);
          expect(reversed[out[0]!.index]).toBe(DOCS[1]);
        },
        timeout,
      );
    }

    test(
      "top_k returns at least the best k (more are cut), the same ones a full call ranks first",
      async () => {
        const full = expectValidRanking(await subject.reranker.rerank(QUERY, DOCS), DOCS.length);
        const top = expectValidRanking(await subject.reranker.rerank(QUERY, DOCS, { top_k: 2 }), DOCS.length, 2);
        if (deterministic) {
          expect(new Set(top.map((r) => r.index))).toEqual(new Set(full.slice(0, 2).map((r) => r.index)));
          for (const r of top) expect(r.score).toBeCloseTo(full.find((f) => f.index === r.index)!.score, 4);
        }
      },
      timeout,
    );

    test(
      "an empty document list gives an empty ranking",
      async () => {
        await expect(subject.reranker.rerank(QUERY, [])).resolves.toEqual([]);
      },
      timeout,
    );

    test(
      "a single document gives one result with index 0",
      async () => {
        const out = expectValidRanking(await subject.reranker.rerank(QUERY, [DOCS[1]!]), 1);
        expect(out).toEqual([{ index: 0, score: expect.any(Number) }]);
      },
      timeout,
    );

    test(
      `duplicate documents each get their own index${deterministic ? " and the same score" : ""}`,
      async () => {
        const docs = [DOCS[1]!, DOCS[2]!, DOCS[1]!];
        const out = await subject.reranker.rerank(QUERY, docs);
        expectValidRanking(out, 3);
        if (deterministic) {
          const score = (i: number) => out.find((r) => r.index === i)!.score;
          expect(score(0)).toBeCloseTo(score(2), 5);
        }
      },
      timeout,
    );

    test(
      "unicode text (CJK, emoji, RTL, combining marks) is ranked, not mangled",
      async () => {
        const docs = [
          "私は寿司とラーメンが大好きです 🍣🍜",
          "Le café est fermé le dimanche",
          "أحب القهوة العربية",
          "Zoë’s naïve résumé 👩‍💻",
          "寿司 ramen",
        ];
        const out = expectValidRanking(await subject.reranker.rerank("寿司 ramen 🍣", docs), docs.length);
        if (relevance) expect([0, 4]).toContain(out[0]!.index);
      },
      timeout,
    );

    test(
      "a very long document is handled (truncated or split), not an error",
      async () => {
        const long = `Alice loves ramen. ${"Unrelated filler sentence about nothing much. ".repeat(50)}`
          .repeat(Math.ceil((options.longDocumentChars ?? 20_000) / 2400))
          .slice(0, options.longDocumentChars ?? 20_000);
        const out = await subject.reranker.rerank(QUERY, [DOCS[2]!, long, DOCS[0]!]);
        expectValidRanking(out, 3);
      },
      timeout,
    );

    test(
      "an already-aborted signal rejects with the signal's reason, without answering",
      async () => {
        const controller = new AbortController();
        const reason = new Error("caller gave up");
        controller.abort(reason);
        await expect(subject.reranker.rerank(QUERY, DOCS, { signal: controller.signal })).rejects.toBe(reason);
      },
      timeout,
    );

    const midCall = "aborting mid-call rejects promptly with the signal's reason";
    if (options.midCallAbortSkipReason) {
      test.skip(`${midCall} (skipped: ${options.midCallAbortSkipReason})`, () => undefined);
    } else {
      test(
        midCall,
        async () => {
          if (!subject.slowDown)
            throw new Error(
              "give the subject slowDown(), or options.midCallAbortSkipReason saying why it cannot have one",
            );
          subject.slowDown();
          try {
            const controller = new AbortController();
            const reason = new Error("caller gave up");
            const started = performance.now();
            const pending = subject.reranker.rerank(QUERY, DOCS, { signal: controller.signal });
            setTimeout(() => controller.abort(reason), 50);
            await expect(pending).rejects.toBe(reason);
            expect(performance.now() - started).toBeLessThan(900);
          } finally {
            subject.speedUp?.();
          }
        },
        timeout,
      );
    }
  });
}
