/**
 * The secret-holding check every provider runs (built into the reranker and store conformance
 * suites, and callable for embedders, LLMs and a whole Memory): created with a canary API key, the
 * object must not show the canary however it is printed — `util.inspect` (what `console.log` uses),
 * `JSON.stringify` and `String`.
 */
import { inspect } from "node:util";
import { expect, test } from "@jest/globals";

/** A key no real provider issues, long and distinctive so any partial echo is also visible. */
export const SECRET_CANARY = "canary-key-3f9a1c7e5b2d8f4a6c0e9b7d1f3a5c7e";

/** Every printed form of `subject`. A JSON error (a circular object) is its message, which holds no values. */
export function printedForms(subject: unknown): Record<"inspect" | "json" | "string", string> {
  let json: string;
  try {
    json = JSON.stringify(subject) ?? "";
  } catch (err) {
    json = err instanceof Error ? err.message : String(err);
  }
  return { inspect: inspect(subject, { depth: 8 }), json, string: String(subject) };
}

/** Fails naming each printed form that shows the canary (or its first 12 characters). */
export function expectNoSecret(subject: unknown, canary: string = SECRET_CANARY): void {
  const leaks = Object.entries(printedForms(subject))
    .filter(([, text]) => text.includes(canary) || text.includes(canary.slice(0, 12)))
    .map(([how]) => how);
  expect(leaks).toEqual([]);
}

/**
 * One test: `create(canary)` builds the subject with the canary as its API key; no printed form may
 * show it. Without `create` (a provider that takes no credential) the test is skipped, visibly.
 */
export function testSecretHolding(
  name: string,
  create: ((canary: string) => unknown | Promise<unknown>) | undefined,
  options: { timeoutMs?: number; close?: (subject: unknown) => unknown } = {},
): void {
  if (!create) {
    test.skip(`${name}: holds no credential, so there is no key to leak`, () => undefined);
    return;
  }
  test(
    `${name}: a canary API key shows in none of util.inspect, JSON.stringify, String`,
    async () => {
      const subject = await create(SECRET_CANARY);
      try {
        expectNoSecret(subject);
      } finally {
        await options.close?.(subject);
      }
    },
    options.timeoutMs,
  );
}
