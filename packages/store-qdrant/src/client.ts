/**
 * The Qdrant client and how we talk through it, kept apart from what the store does with points:
 * the `QdrantClient` built from the config (its options and the API key, held as a secret and
 * redacted from every error), and the one wrapper every request goes through (retries, and the
 * client's errors as core's `ProviderError`).
 */
import { ProviderError } from "@mem0/core";
import {
  apiKeyPath,
  resolveApiKey,
  statusError,
  timeoutError,
  toProviderError,
  withRetries,
  type RetryPolicy,
  type Secret,
  type SecretLike,
} from "@mem0/provider-utils";
import { QdrantClient } from "@qdrant/js-client-rest";
import type { QdrantConfig } from "./config.js";

export const PROVIDER = "qdrant";
const DEFAULT_TIMEOUT_MS = 60_000;

/** What every request needs besides the client: its retry policy and the secrets to redact. */
export interface CallPolicy {
  /** Per-request timeout the client enforces, reported in timeout errors. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Redacted from every error message. */
  secrets?: readonly SecretLike[];
}

/**
 * The client for a validated config (or the one the config passes in), with the API key from the
 * config or QDRANT_API_KEY; `path` names the config block in error messages.
 */
export function createQdrantClient(
  config: QdrantConfig,
  options: { env: Readonly<Record<string, string | undefined>>; path?: string },
): { client: QdrantClient; apiKey: Secret | undefined; timeoutMs: number } {
  const apiKey = resolveApiKey({
    configured: config.api_key,
    env: options.env,
    envNames: ["QDRANT_API_KEY"],
    path: apiKeyPath(options, "vector_store"),
    optional: true,
  });
  const timeoutMs = config.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const client =
    (config.client as QdrantClient | undefined) ??
    new QdrantClient({
      ...(config.url !== undefined
        ? { url: config.url }
        : { host: config.host ?? "localhost", port: config.port ?? 6333 }),
      ...(config.https !== undefined ? { https: config.https } : {}),
      ...(apiKey !== undefined ? { apiKey: apiKey.reveal() } : {}),
      timeout: timeoutMs,
      // The client's own check logs to the console on any failure; the store reports problems itself.
      checkCompatibility: false,
    });
  return { client, apiKey, timeoutMs };
}

/** One Qdrant call with retries (429, 5xx, timeouts, resets) and errors as core's ProviderError. */
export function callQdrant<T>(request: () => Promise<T>, policy: CallPolicy): Promise<T> {
  return withRetries(
    PROVIDER,
    async () => {
      try {
        return await request();
      } catch (err) {
        throw qdrantError(err, policy);
      }
    },
    { policy: { ...policy.retry, timeoutMs: undefined }, secrets: policy.secrets },
  );
}

function isApiError(err: unknown): err is { status: number; data?: unknown; headers?: Headers } {
  const candidate = err as { status?: unknown; headers?: unknown };
  return typeof candidate?.status === "number" && candidate.headers !== undefined && "data" in (err as object);
}

/** The server's own words from a Qdrant error body (`{ status: { error } }`). */
function serverText(data: unknown): unknown {
  const error = (data as { status?: { error?: unknown } } | undefined)?.status?.error;
  return typeof error === "string" ? error : data;
}

function qdrantError(err: unknown, policy: CallPolicy): ProviderError {
  if (err instanceof ProviderError) return err;
  const name = (err as { name?: string })?.name;
  // The client aborts its own fetch on timeout; no caller signal is ever passed, so an abort is that.
  if (name === "QdrantClientTimeoutError" || name === "AbortError")
    return timeoutError(PROVIDER, policy.timeoutMs ?? 0);
  if (name === "QdrantClientResourceExhaustedError") {
    const retryAfter = (err as { retry_after?: number }).retry_after;
    return statusError(PROVIDER, 429, {
      body: "rate limited",
      headers: retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) },
      secrets: policy.secrets,
    });
  }
  if (isApiError(err))
    return statusError(PROVIDER, err.status, {
      body: serverText(err.data),
      headers: err.headers,
      secrets: policy.secrets,
    });
  return toProviderError(PROVIDER, err, { secrets: policy.secrets });
}
