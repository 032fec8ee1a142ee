/**
 * The hosted call every HTTP provider makes: a JSON POST with the bearer key, one retry loop with
 * the per-attempt timeout, the shared error classification, a zod schema for the answer, and the
 * rerank `meta` accounting (attempts, retries, rate-limit headers). A provider is then a request
 * builder, a response schema, and what is really its own.
 */
import { type RankingCheck, type RerankItem, validateRanking } from "@mem0/core";
import type { z } from "zod";
import { badResponseError } from "./errors.js";
import { postJson } from "./http.js";
import { recordHeaders } from "./meta.js";
import { withRetries, type RetryPolicy } from "./retry.js";
import type { Secret, SecretLike } from "./secret.js";

export interface HostedCall<S extends z.ZodType> {
  provider: string;
  url: string;
  body: unknown;
  /** Sent as `Authorization: Bearer …`; redacted from every error and meta value. */
  apiKey?: Secret;
  headers?: Record<string, string>;
  /** What a successful answer must look like; anything else is a permanent bad response. */
  response: S;
  policy?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  meta?: Record<string, unknown>;
  /** The meta counter each attempt adds 1 to (default "calls"). */
  countAttempts?: string;
  /** Headers copied into `meta.rate_limit` (default: the rate-limit ones). */
  metaHeaders?: RegExp;
}

export async function postJsonWithRetries<S extends z.ZodType>(
  call: HostedCall<S>,
): Promise<{ data: z.output<S>; headers: Headers }> {
  const secrets = call.apiKey ? [call.apiKey] : [];
  const headers = { ...call.headers, ...(call.apiKey ? { authorization: `Bearer ${call.apiKey.reveal()}` } : {}) };
  const response = await withRetries(
    call.provider,
    (signal) => postJson(call.provider, call.url, call.body, { headers, signal, secrets }),
    {
      policy: call.policy,
      signal: call.signal,
      meta: call.meta,
      secrets,
      countAttempts: call.countAttempts ?? "calls",
    },
  );
  if (call.meta) recordHeaders(call.meta, response.headers, { match: call.metaHeaders, secrets });
  const parsed = call.response.safeParse(response.body);
  if (!parsed.success) throw badResponseError(call.provider, describeIssue(parsed.error), secrets);
  return { data: parsed.data, headers: response.headers };
}

/** The first zod issue as `path: message`, which is what a user debugging a proxy needs. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "unexpected answer";
  const path = issue.path.map(String).join(".");
  return `${path || "answer"}: ${issue.message}`;
}

/**
 * Core's ranking check on a hosted reranker's results for `documents`, a bad answer being this provider's
 * permanent bad-response error with `secrets` redacted from the message. The score is read from
 * `relevance_score`, the name hosted rerank APIs (Cohere, ZeroEntropy) give it, unless `scoreKey` says otherwise.
 */
export function validateHostedRanking(
  provider: string,
  results: unknown,
  check: {
    documents: readonly unknown[];
    expected: RankingCheck["expected"];
    scoreKey?: string;
    secrets: readonly SecretLike[];
  },
): RerankItem[] {
  return validateRanking(results, {
    documents: check.documents.length,
    expected: check.expected,
    scoreKey: check.scoreKey ?? "relevance_score",
    fail: (problem) => badResponseError(provider, problem, check.secrets),
  });
}
