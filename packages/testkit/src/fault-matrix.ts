/**
 * The hosted-reranker fault matrix, reusable by any provider with a fake server: for each fault,
 * `memory.search(…, { rerank: true })` must return the vector order with `reranked: false` and a
 * useful `rerank.error`, within the request's `timeout_ms` plus a small margin, after the expected
 * number of calls (no retry for permanent errors), and never leak the API key.
 *
 *   describeRerankFaultMatrix({
 *     name: "cohere", path: "/v2/rerank", apiKey: "co-test-key",
 *     start: () => startCohereServer({ apiKey: "co-test-key" }),
 *     reranker: (server, apiKey) => ({ provider: "cohere", config: { api_key: apiKey, base_url: server.url } }),
 *   });
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { Memory, type ProviderBlock, type SearchResponse } from "@mem0/core";
import { exitAfterTimedOutSearch } from "./abort-exit.js";
import type { FakeServer, FaultInput } from "./servers/fake-server.js";

export interface FaultMatrixTarget {
  /** Provider name, for test titles. */
  name: string;
  start(): Promise<FakeServer>;
  /** The rerank route faults are injected on. */
  path: string;
  /** The key the fake accepts. */
  apiKey: string;
  /** The `reranker` config block pointing at `server` with `apiKey`. */
  reranker(server: FakeServer, apiKey: string): ProviderBlock;
  /** The provider's retries after a first attempt (default 2). */
  maxRetries?: number;
  /** Extra slack on the time budget, ms (default 400). */
  marginMs?: number;
  /** Faults the provider's protocol cannot express; skipped (say why in the test file). */
  skip?: string[];
  /**
   * Where a child process can load the provider (its package directory and name), for the test that
   * a timed-out search lets the process exit within 2 s. Every hosted provider gives it.
   */
  child?: { cwd: string; module: string };
}

interface FaultCase {
  name: string;
  fault?: FaultInput;
  /** Use a wrong API key instead of injecting a fault. */
  wrongKey?: boolean;
  timeoutMs: number;
  calls: (maxRetries: number) => number | "≥1";
  error: RegExp;
  /** The least time between consecutive calls (a Retry-After the client must wait for). */
  minGapMs?: number;
}

export const RERANK_FAULT_CASES: readonly FaultCase[] = [
  { name: "timeout", fault: "hang", timeoutMs: 800, calls: () => "≥1", error: /timeout_ms|no answer within/i },
  {
    name: "429 + Retry-After",
    fault: { type: "status", status: 429, retryAfter: 1 },
    timeoutMs: 3500,
    calls: (r) => r + 1,
    error: /429/,
    minGapMs: 950,
  },
  {
    name: "429 + Retry-After over the cap",
    fault: { type: "status", status: 429, retryAfter: 3600 },
    timeoutMs: 2500,
    calls: () => 1,
    error: /429.*Retry-After/i,
  },
  {
    name: "429 without Retry-After",
    fault: { type: "status", status: 429 },
    timeoutMs: 2500,
    calls: (r) => r + 1,
    error: /429/,
  },
  { name: "500", fault: { type: "status", status: 500 }, timeoutMs: 2500, calls: (r) => r + 1, error: /500/ },
  { name: "503", fault: { type: "status", status: 503 }, timeoutMs: 2500, calls: (r) => r + 1, error: /503/ },
  {
    name: "connection reset",
    fault: "reset",
    timeoutMs: 2500,
    calls: (r) => r + 1,
    error: /connection|reset|ECONNRESET/i,
  },
  {
    name: "malformed JSON",
    fault: "malformed-json",
    timeoutMs: 2500,
    calls: () => 1,
    error: /JSON|bad response|malformed/i,
  },
  {
    name: "wrong result count",
    fault: "wrong-count",
    timeoutMs: 2500,
    calls: () => 1,
    error: /result|count|expected|missing/i,
  },
  { name: "bad index", fault: "bad-index", timeoutMs: 2500, calls: () => 1, error: /index|unknown|outside/i },
  { name: "NaN score", fault: "nan-score", timeoutMs: 2500, calls: () => 1, error: /NaN|JSON|score|finite/i },
  {
    name: "non-numeric score",
    fault: "non-numeric-score",
    timeoutMs: 2500,
    calls: () => 1,
    error: /score|number|finite/i,
  },
  { name: "401", wrongKey: true, timeoutMs: 2500, calls: () => 1, error: /401/ },
];

const MEMORIES = [
  "Alice loves sushi and ramen",
  "Alice works on the payments team",
  "The office printer is broken again",
  "Alice prefers window seats on flights",
  "Ramen place on 5th street closes at 9pm",
  "Alice's favourite ramen is tonkotsu",
];
const QUERY = "which ramen does alice like";

export function describeRerankFaultMatrix(target: FaultMatrixTarget): void {
  const maxRetries = target.maxRetries ?? 2;
  const margin = target.marginMs ?? 400;
  const wrongKey = `wrong-${target.apiKey}-0000`;

  describe(`fault matrix: ${target.name}`, () => {
    let server: FakeServer;
    /** Memory texts in vector order (ids differ between Memory instances). */
    let vectorOrder: string[];
    const memories = new Map<string, Memory>();

    const memoryFor = async (key: string) => {
      let searchMemory = memories.get(key);
      if (!searchMemory) {
        searchMemory = await Memory.fromConfig({
          vector_store: { provider: "memory" },
          reranker: target.reranker(server, key),
        });
        for (const text of MEMORIES) await searchMemory.add(text, { user_id: "alice", infer: false });
        memories.set(key, searchMemory);
      }
      return searchMemory;
    };

    beforeAll(async () => {
      server = await target.start();
      // Every case runs against a server that echoes the key, so each one also proves redaction.
      server.echoKey = true;
      const searchMemory = await memoryFor(target.apiKey);
      vectorOrder = (await searchMemory.search(QUERY, { user_id: "alice", limit: 4, rerank: false })).results.map(
        (r) => r.memory,
      );
    });
    afterAll(async () => {
      await Promise.all([...memories.values()].map((m) => m.close()));
      await server?.close();
    });
    beforeEach(() => void server.reset());

    test("healthy server: reranks, with provider metadata", async () => {
      const searchMemory = await memoryFor(target.apiKey);
      const searchResult = await searchMemory.search(QUERY, {
        user_id: "alice",
        limit: 4,
        rerank: true,
        timeout_ms: 2500,
      });
      expect(searchResult.reranked).toBe(true);
      expect(searchResult.rerank?.error).toBeUndefined();
      expect(searchResult.results[0]!.rerank_score).toBeDefined();
      expect(server.callsTo(target.path).length).toBeGreaterThanOrEqual(1);
      // The server echoed the key in warning and rate-limit headers; meta shows neither.
      expect(JSON.stringify(searchResult)).not.toContain(target.apiKey);
    });

    for (const faultCase of RERANK_FAULT_CASES) {
      const run = target.skip?.includes(faultCase.name) ? test.skip : test;
      run(
        `${faultCase.name}: vector order, reranked false, a useful error, in budget`,
        async () => {
          if (faultCase.fault) server.always(faultCase.fault, { path: target.path });
          const searchMemory = await memoryFor(faultCase.wrongKey ? wrongKey : target.apiKey);
          const events: unknown[] = [];
          const onError = (e: unknown) => events.push(e);
          searchMemory.on("rerank:error", onError);
          const started = performance.now();
          let response: SearchResponse;
          try {
            response = await searchMemory.search(QUERY, {
              user_id: "alice",
              limit: 4,
              rerank: true,
              timeout_ms: faultCase.timeoutMs,
            });
          } finally {
            searchMemory.off("rerank:error", onError);
          }
          const elapsed = performance.now() - started;
          expect(response.reranked).toBe(false);
          expect(response.results.map((r) => r.memory)).toEqual(vectorOrder);
          for (const r of response.results) expect(r.rerank_score).toBeUndefined();
          expect(response.rerank?.error).toMatch(faultCase.error);
          expect(elapsed).toBeLessThan(faultCase.timeoutMs + margin);
          expect(events).toHaveLength(1);

          const calls = server.callsTo(target.path).length;
          const expected = faultCase.calls(maxRetries);
          if (expected === "≥1") expect(calls).toBeGreaterThanOrEqual(1);
          else expect(calls).toBe(expected);
          if (faultCase.minGapMs !== undefined) {
            const at = server.callsTo(target.path).map((call) => call.at);
            for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(faultCase.minGapMs);
          }

          // Nothing leaks the key, not even the part before a 300-character cut: not the response,
          // the event, nor the error's enumerable fields.
          for (const key of [target.apiKey, wrongKey]) {
            const head = key.slice(0, Math.ceil(key.length / 2));
            expect(JSON.stringify(response)).not.toContain(head);
            expect(JSON.stringify(events)).not.toContain(head);
            expect(String((events[0] as { error?: Error })?.error?.message)).not.toContain(head);
          }
          // No retry outlives the request: the call log stays still after the answer.
          await new Promise((r) => setTimeout(r, 250));
          expect(server.callsTo(target.path).length).toBe(calls);
        },
        faultCase.timeoutMs + 5000,
      );
    }

    const exitTest = target.child ? test : test.skip;
    exitTest(
      "a timed-out search lets the process exit within 2 s (no timer, socket or sleep outlives the abort)",
      async () => {
        server.always("hang", { path: target.path });
        const result = await exitAfterTimedOutSearch({
          ...target.child!,
          reranker: target.reranker(server, target.apiKey),
          timeoutMs: 100,
        });
        expect(result.search.reranked).toBe(false);
        expect(result.search.error).toMatch(/timeout_ms|no answer within/i);
        expect(result.exitCode).toBe(0);
        expect(result.exitMs).toBeLessThan(2000);
      },
      30_000,
    );

    test("rerank_fallback: false throws a RerankError instead, naming the provider", async () => {
      server.always({ type: "status", status: 500 }, { path: target.path });
      const searchMemory = await memoryFor(target.apiKey);
      await expect(
        searchMemory.search(QUERY, {
          user_id: "alice",
          limit: 4,
          rerank: true,
          rerank_fallback: false,
          timeout_ms: 2500,
        }),
      ).rejects.toMatchObject({
        code: "RERANK_FAILED",
        message: expect.stringMatching(/500/),
      });
    }, 8000);
  });
}
