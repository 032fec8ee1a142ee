import { fields } from "@mem0/core";
import type { RetryPolicy } from "./retry.js";

/** The config keys every hosted provider accepts, with the same names and messages everywhere. */
export function hostedConfigShape() {
  return {
    api_key: fields.apiKey().optional(),
    /** Any server speaking the same wire protocol (a proxy, a self-hosted deployment, a test fake). */
    base_url: fields.url().optional(),
    /** Per HTTP attempt; the search's own `timeout_ms` still bounds the whole rerank. */
    timeout_ms: fields.positiveInt().optional(),
    max_retries: fields.nonNegativeInt().optional(),
  };
}

export function retryPolicyFrom(config: { timeout_ms?: number; max_retries?: number }): Partial<RetryPolicy> {
  const policy: Partial<RetryPolicy> = {};
  if (config.timeout_ms !== undefined) policy.timeoutMs = config.timeout_ms;
  if (config.max_retries !== undefined) policy.maxRetries = config.max_retries;
  return policy;
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
