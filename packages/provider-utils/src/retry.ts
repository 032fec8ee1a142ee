/**
 * One retry loop for every hosted provider, so they all behave alike and report alike: backoff with
 * jitter on retryable errors, `Retry-After` honoured up to a cap, a per-attempt timeout, sleeps that
 * end the moment the caller aborts (the search pipeline aborts when its `timeout_ms` budget is
 * spent), and the number of retries recorded in the rerank `meta`.
 *
 * Vendor SDK retries are switched off where this is used: Cohere's honours Retry-After up to 60 s
 * (past any search budget), never retries a reset connection and reports nothing; OpenAI's retries
 * 409 too, sleeps without watching the abort signal and does not say how many tries it made.
 */
import type { ProviderError } from "@mem0/core";
import { HttpProviderError, isAbortError, timeoutError, toProviderError, type HeaderSource } from "./errors.js";
import { addCount } from "./meta.js";
import type { SecretLike } from "./secret.js";

export interface RetryPolicy {
  /** Retries after the first attempt (so at most `maxRetries + 1` calls). */
  maxRetries: number;
  /** First backoff; doubles per retry, with ±50 % jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is returned at once. */
  maxRetryAfterMs: number;
  /** Per-attempt timeout; undefined = none (the caller's signal still applies). */
  timeoutMs?: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 2,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 10_000,
  timeoutMs: 30_000,
};

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  /** The caller's signal: aborting it stops the current attempt and every later one. */
  signal?: AbortSignal;
  /** Where `retries` (and `retry_after_ms`, when waited for) are added up. */
  meta?: Record<string, unknown>;
  secrets?: readonly SecretLike[];
  /** When set, each attempt adds 1 to this counter of `meta` (e.g. "calls"). */
  countAttempts?: string;
  fromVendor?: (err: unknown) => { status: number; body?: unknown; headers?: HeaderSource } | undefined;
  /** Called before each retry, e.g. for logs; never sees secrets. */
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(exp * (0.5 + random() * 0.5));
}

/**
 * Runs `attempt` until it succeeds, fails permanently, or retries run out. Each attempt gets its own
 * signal, aborted by the caller's signal or by the per-attempt timeout. A caller abort is rethrown
 * as the caller's reason (not wrapped), so the pipeline sees its own timeout error.
 */
export async function withRetries<T>(
  provider: string,
  attempt: (signal: AbortSignal, attemptNo: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const outer = options.signal;
  for (let n = 0; ; n++) {
    if (outer?.aborted) throw outer.reason;
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer!.reason);
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    let timedOut = false;
    const timer =
      policy.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            controller.abort(timeoutError(provider, policy.timeoutMs!));
          }, policy.timeoutMs)
        : undefined;
    let error: ProviderError;
    try {
      if (options.meta && options.countAttempts) addCount(options.meta, options.countAttempts, 1);
      return await attempt(controller.signal, n);
    } catch (err) {
      if (outer?.aborted) throw outer.reason;
      if (timedOut) error = timeoutError(provider, policy.timeoutMs!);
      else if (isAbortError(err) && controller.signal.aborted) throw controller.signal.reason;
      else error = toProviderError(provider, err, { secrets: options.secrets, fromVendor: options.fromVendor });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
    if (!error.retryable || n >= policy.maxRetries) throw error;
    const retryAfter = error instanceof HttpProviderError ? error.retryAfterMs : undefined;
    if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
      throw new HttpProviderError(
        provider,
        `${error.detail} (Retry-After ${Math.ceil(retryAfter / 1000)} s is over the ` +
          `${policy.maxRetryAfterMs} ms cap; not waiting)`,
        {
          status: error.status,
          retryable: true,
          code: error.code,
          retryAfterMs: retryAfter,
        },
      );
    }
    const delayMs = retryAfter ?? backoffDelay(n, policy);
    if (options.meta) {
      addCount(options.meta, "retries", 1);
      if (retryAfter !== undefined) options.meta.retry_after_ms = retryAfter;
    }
    options.onRetry?.({ attempt: n + 1, delayMs, error });
    await abortableSleep(delayMs, outer);
  }
}
