/**
 * Turns whatever a hosted call threw (an HTTP status, a vendor SDK's error, a socket error, a
 * timeout) into core's `ProviderError`, classified as retryable or permanent. Messages are built
 * from the status and the server's own text, with every secret redacted; vendor error objects
 * (which hold response headers and sometimes request options) are never attached.
 */
import { ProviderError } from "@mem0/core";
import { redactSecrets, type SecretLike } from "./secret.js";

/** 408, 429 and 5xx can succeed on a second try; 501 (not implemented) cannot. Everything else is permanent. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/** A provider error that carries what the server said about when to come back. */
export class HttpProviderError extends ProviderError {
  /** From `Retry-After` / `retry-after-ms`, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(
    provider: string,
    message: string,
    options: { status?: number; retryable: boolean; code?: string; retryAfterMs?: number },
  ) {
    super(provider, message, {
      status: options.status,
      retryable: options.retryable,
      code: options.code ?? "PROVIDER_ERROR",
    });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export type HeaderSource =
  | Headers
  | Map<string, string>
  | Record<string, string | string[] | undefined>
  | null
  | undefined;

/** Reads headers from a fetch `Headers`, a Map, or a plain object, as lower-case name → value. */
export function headersToRecord(headers: HeaderSource): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (typeof (headers as Headers).forEach === "function" && typeof (headers as Headers).get === "function") {
    (headers as Headers).forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

/** `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: HeaderSource, now = Date.now()): number | undefined {
  const received = headersToRecord(headers);
  const ms = received["retry-after-ms"];
  if (ms !== undefined && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = received["retry-after"];
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const MAX_SERVER_TEXT = 300;

/**
 * The human part of an error body, whatever the API's shape: Cohere `{message}`, OpenAI
 * `{error:{message}}`, TEI `{error, error_type}`, FastAPI `{detail}`, or plain text. Secrets are
 * removed before the text is cut to length, so a key straddling the cut cannot leak in part.
 */
export function serverMessage(body: unknown, secrets: readonly SecretLike[] = []): string {
  let text: string;
  if (typeof body === "string") text = body;
  else if (body && typeof body === "object") {
    const fields = body as Record<string, unknown>;
    const err = fields.error;
    if (typeof fields.message === "string") text = fields.message;
    else if (err && typeof err === "object" && typeof (err as Record<string, unknown>).message === "string")
      text = (err as { message: string }).message;
    else if (typeof err === "string")
      text = typeof fields.error_type === "string" ? `${fields.error_type}: ${err}` : err;
    else if (typeof fields.detail === "string") text = fields.detail;
    else if (Array.isArray(fields.detail))
      text = fields.detail
        .map((d) =>
          d && typeof d === "object" && "msg" in d ? String((d as { msg: unknown }).msg) : JSON.stringify(d),
        )
        .join("; ");
    else text = JSON.stringify(body);
  } else text = body === undefined || body === null ? "" : String(body);
  return clip(redactSecrets(text, secrets).replace(/\s+/g, " ").trim());
}

/** Cuts provider text to a readable length; only ever called on text that is already redacted. */
function clip(text: string): string {
  return text.length > MAX_SERVER_TEXT ? `${text.slice(0, MAX_SERVER_TEXT)}…` : text;
}

/** An HTTP error answer as a classified provider error. */
export function statusError(
  provider: string,
  status: number,
  options: { body?: unknown; headers?: HeaderSource; secrets?: readonly SecretLike[] } = {},
): HttpProviderError {
  const said = serverMessage(options.body, options.secrets);
  const retryAfterMs = parseRetryAfter(options.headers);
  const retryable = isRetryableStatus(status);
  const hint = status === 401 || status === 403 ? " (check the API key)" : "";
  return new HttpProviderError(provider, `HTTP ${status}${said ? `: ${said}` : ""}${hint}`, {
    status,
    retryable,
    code: status === 429 ? "PROVIDER_RATE_LIMITED" : "PROVIDER_HTTP_ERROR",
    retryAfterMs,
  });
}

/** The answer arrived but is not what the API promises (malformed JSON, missing fields, NaN). Not retried. */
export function badResponseError(provider: string, what: string, secrets: readonly SecretLike[] = []): ProviderError {
  const said = clip(redactSecrets(what, secrets));
  return new ProviderError(provider, `bad response: ${said}`, { retryable: false, code: "PROVIDER_BAD_RESPONSE" });
}

/** One attempt ran past its per-call timeout. Retryable: the next attempt may be faster. */
export function timeoutError(provider: string, timeoutMs: number): ProviderError {
  return new ProviderError(provider, `no answer within ${timeoutMs} ms (per-call timeout_ms)`, {
    retryable: true,
    code: "PROVIDER_TIMEOUT",
  });
}

const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** Walks `cause` chains looking for a socket-level error code (fetch wraps them in "fetch failed"). */
export function connectionErrorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return code;
    const message = (current as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /socket hang up|other side closed|^terminated$|ECONNRESET|fetch failed|Connection error/i.test(message) &&
      !(current as { cause?: unknown }).cause
    ) {
      return "ECONNRESET";
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A request that never got an answer (reset, refused, DNS): retryable. */
export function connectionError(provider: string, code: string): ProviderError {
  return new ProviderError(provider, `connection failed (${code})`, { retryable: true, code: "PROVIDER_CONNECTION" });
}

export function isAbortError(err: unknown): boolean {
  const name = (err as { name?: unknown })?.name;
  return name === "AbortError" || name === "APIUserAbortError";
}

type VendorError = { status: number; body?: unknown; headers?: HeaderSource };

/**
 * The status, body and headers of a vendor SDK's HTTP error, read by shape so provider-utils needs
 * no SDK: OpenAI's `APIError` (`status`, `error`, `headers`), Hugging Face's `ProviderApiError`
 * (`httpResponse`), Fern-generated clients (`statusCode`, `body`, `rawResponse`).
 */
export function vendorHttpError(err: unknown): VendorError | undefined {
  if (!err || typeof err !== "object" || err instanceof ProviderError) return undefined;
  const vendor = err as {
    status?: unknown;
    statusCode?: unknown;
    error?: unknown;
    body?: unknown;
    message?: unknown;
    headers?: HeaderSource;
    rawResponse?: { headers?: HeaderSource };
    httpResponse?: { status?: unknown; body?: unknown; headers?: HeaderSource };
  };
  const status = [vendor.status, vendor.statusCode, vendor.httpResponse?.status].find(
    (s): s is number => typeof s === "number",
  );
  if (status === undefined) return undefined;
  // A plain-text error body only survives in the SDK's message ("503 upstream busy").
  const text = typeof vendor.message === "string" ? vendor.message.replace(/^\d{3}\s*/, "") : undefined;
  const body = vendor.error ?? vendor.body ?? vendor.httpResponse?.body ?? text;
  return { status, body, headers: vendor.headers ?? vendor.rawResponse?.headers ?? vendor.httpResponse?.headers };
}

/**
 * Classifies anything an attempt threw: the one classifier every hosted provider uses. `fromVendor`
 * overrides `vendorHttpError` for an SDK whose error has another shape.
 */
export function toProviderError(
  provider: string,
  err: unknown,
  options: {
    secrets?: readonly SecretLike[];
    fromVendor?: (err: unknown) => VendorError | undefined;
  } = {},
): ProviderError {
  if (err instanceof ProviderError) return err;
  const vendor = (options.fromVendor ?? vendorHttpError)(err);
  if (vendor && Number.isInteger(vendor.status) && vendor.status >= 400) {
    return statusError(provider, vendor.status, {
      body: vendor.body,
      headers: vendor.headers,
      secrets: options.secrets,
    });
  }
  // By name, not instanceof: a SyntaxError from fetch's body parser may come from another realm.
  if ((err as { name?: unknown })?.name === "SyntaxError")
    return badResponseError(provider, "HTTP 200 body is not JSON");
  const code = connectionErrorCode(err);
  if (code) return connectionError(provider, code);
  const said = clip(redactSecrets(err instanceof Error ? err.message : String(err), options.secrets));
  return new ProviderError(provider, said, { retryable: false });
}

/** The same error with `context` appended (e.g. which call failed), class, status and Retry-After kept. */
export function withContext(err: ProviderError, context: string): ProviderError {
  const options = { status: err.status, retryable: err.retryable, code: err.code };
  const message = `${err.detail} ${context}`;
  if (err instanceof HttpProviderError)
    return new HttpProviderError(err.provider, message, { ...options, retryAfterMs: err.retryAfterMs });
  return new ProviderError(err.provider, message, options);
}
