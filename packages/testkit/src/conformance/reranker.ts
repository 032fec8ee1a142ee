/**
 * The reranker conformance suite: any `Reranker` (ours or a third party's) runs it from a jest test
 * file to show it keeps the contract the search pipeline relies on.
 *
 *   import { describeRerankerConformance } from "@mem0/testkit";
 *   describeRerankerConformance("my-reranker", async () => ({ reranker: await makeIt() }));
 */
import { describe, expect, test, beforeAll, afterAll } from "@jest/globals";
import type { Reranker, RerankItem } from "@mem0/core";
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
   * Creates the reranker with `apiKey` as its credential (no call is made), for the secret-holding
   * check. Leave it out only for a reranker that takes no credential; the check is then skipped.
   */
  withApiKey?: (apiKey: string) => Reranker | Promise<Reranker>;
}

/** Checks the structural contract: each index once and in range, finite scores, sorted best first. */
export function expectValidRanking(out: readonly RerankItem[], documents: number, expected: number = documents): void {
  expect(Array.isArray(out)).toBe(true);
  expect(out).toHaveLength(expected);
  const seen = new Set<number>();
  for (const item of out) {
    expect(Number.isInteger(item.index)).toBe(true);
    expect(item.index).toBeGreaterThanOrEqual(0);
    expect(item.index).toBeLessThan(documents);
    expect(seen.has(item.index)).toBe(false);
    seen.add(item.index);
    expect(typeof item.score).toBe("number");
    expect(Number.isFinite(item.score)).toBe(true);
  }
  for (let i = 1; i < out.length; i++) expect(out[i - 1]!.score).toBeGreaterThanOrEqual(out[i]!.score);
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

    testSecretHolding("the reranker", options.withApiKey, { timeoutMs: timeout, close: (r) => (r as Reranker).close?.() });

    test("returns every document once, with finite scores, best first", async () => {
      const out = await subject.reranker.rerank(QUERY, DOCS);
      expectValidRanking(out, DOCS.length);
    }, timeout);

    if (relevance) {
      test("ranks the obviously relevant document first and unrelated ones below it", async () => {
        const out = await subject.reranker.rerank(QUERY, DOCS);
        expect(out[0]!.index).toBe(1);
        const position = (i: number) => out.findIndex((r) => r.index === i);
        expect(position(1)).toBeLessThan(position(2));
        expect(position(1)).toBeLessThan(position(0));
      }, timeout);

      test("indices refer to the documents passed in, whatever their order", async () => {
        const reversed = [...DOCS].reverse();
        const out = await subject.reranker.rerank(QUERY, reversed);
        expect(reversed[out[0]!.index]).toBe(DOCS[1]);
      }, timeout);
    }

    test("top_k returns only the best k, the same ones a full call ranks first", async () => {
      const full = await subject.reranker.rerank(QUERY, DOCS);
      const top = await subject.reranker.rerank(QUERY, DOCS, { top_k: 2 });
      expectValidRanking(top, DOCS.length, 2);
      if (deterministic) {
        expect(new Set(top.map((r) => r.index))).toEqual(new Set(full.slice(0, 2).map((r) => r.index)));
        for (const r of top) expect(r.score).toBeCloseTo(full.find((f) => f.index === r.index)!.score, 4);
      }
    }, timeout);

    test("an empty document list gives an empty ranking", async () => {
      await expect(subject.reranker.rerank(QUERY, [])).resolves.toEqual([]);
    }, timeout);

    test("a single document gives one result with index 0", async () => {
      const out = await subject.reranker.rerank(QUERY, [DOCS[1]!]);
      expectValidRanking(out, 1);
      expect(out[0]!.index).toBe(0);
    }, timeout);

    test("duplicate documents each get their own index" + (deterministic ? " and the same score" : ""), async () => {
      const docs = [DOCS[1]!, DOCS[2]!, DOCS[1]!];
      const out = await subject.reranker.rerank(QUERY, docs);
      expectValidRanking(out, 3);
      if (deterministic) {
        const score = (i: number) => out.find((r) => r.index === i)!.score;
        expect(score(0)).toBeCloseTo(score(2), 5);
      }
    }, timeout);

    test("unicode text (CJK, emoji, RTL, combining marks) is ranked, not mangled", async () => {
      const docs = ["私は寿司とラーメンが大好きです 🍣🍜", "Le café est fermé le dimanche", "أحب القهوة العربية", "Zoë’s naïve résumé 👩‍💻", "寿司 ramen"];
      const out = await subject.reranker.rerank("寿司 ramen 🍣", docs);
      expectValidRanking(out, docs.length);
      if (relevance) expect([0, 4]).toContain(out[0]!.index);
    }, timeout);

    test("a very long document is handled (truncated or split), not an error", async () => {
      const long = ("Alice loves ramen. " + "Unrelated filler sentence about nothing much. ".repeat(50)).repeat(Math.ceil((options.longDocumentChars ?? 20_000) / 2400)).slice(0, options.longDocumentChars ?? 20_000);
      const out = await subject.reranker.rerank(QUERY, [DOCS[2]!, long, DOCS[0]!]);
      expectValidRanking(out, 3);
    }, timeout);

    test("an already-aborted signal rejects without answering", async () => {
      const controller = new AbortController();
      controller.abort(new Error("caller gave up"));
      await expect(subject.reranker.rerank(QUERY, DOCS, { signal: controller.signal })).rejects.toBeDefined();
    }, timeout);

    test("aborting mid-call rejects promptly", async () => {
      if (!subject.slowDown) return; // the subject cannot be slowed down; the pre-aborted case above still ran
      subject.slowDown();
      try {
        const controller = new AbortController();
        const started = performance.now();
        const pending = subject.reranker.rerank(QUERY, DOCS, { signal: controller.signal });
        setTimeout(() => controller.abort(new Error("caller gave up")), 50);
        await expect(pending).rejects.toBeDefined();
        expect(performance.now() - started).toBeLessThan(900);
      } finally {
        subject.speedUp?.();
      }
    }, timeout);
  });
}
