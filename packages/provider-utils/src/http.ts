/**
 * A JSON POST over Node's built-in fetch (undici), for APIs with no SDK worth its weight. Non-2xx
 * answers become classified provider errors; a 2xx body that is not JSON is a bad response.
 */
import { badResponseError, statusError } from "./errors.js";
import type { SecretLike } from "./secret.js";

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function postJson<T = unknown>(
  provider: string,
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; signal?: AbortSignal; secrets?: readonly SecretLike[] } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...options.headers },
    body: JSON.stringify(body),
    signal: options.signal,
  });
  // Reading the body can still fail on a reset mid-stream; that error propagates as a connection error.
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    if (response.ok)
      throw badResponseError(provider, `HTTP ${response.status} body is not JSON (${text.length} bytes)`);
  }
  if (!response.ok)
    throw statusError(provider, response.status, { body: parsed, headers: response.headers, secrets: options.secrets });
  return { status: response.status, headers: response.headers, body: parsed as T };
}
