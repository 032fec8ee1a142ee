/**
 * Every error the library throws on purpose is a `Mem0Error` with a stable `code`, so callers can
 * branch on `instanceof` or on `code` without parsing messages.
 */
export class Mem0Error extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    // The cause may hold request objects with credentials: keep it reachable but not enumerable,
    // so logging or JSON-serialising the error never prints it.
    if (options && "cause" in options) {
      Object.defineProperty(this, "cause", {
        value: options.cause,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
  }
}

/** The configuration passed to `Memory.fromConfig` (or a provider's `config`) is invalid. */
export class ConfigError extends Mem0Error {
  /** One entry per problem, each `path: message`. */
  readonly issues: string[];
  constructor(issues: string[]) {
    super("CONFIG_INVALID", `Invalid mem0 config: ${issues.join("; ")}`);
    this.issues = issues;
  }
}

/** An argument of a Memory method is invalid (empty query, bad limit, missing scope, …). */
export class ValidationError extends Mem0Error {
  readonly path: string;
  /** What was wrong, without the `path: ` prefix of `message`, for callers that name the place their own way. */
  readonly detail: string;
  constructor(path: string, message: string) {
    super("INVALID_ARGUMENT", `${path}: ${message}`);
    this.path = path;
    this.detail = message;
  }
}

/** A `filters` object could not be parsed: unknown operator, wrong operand type, bad nesting. */
export class FilterError extends Mem0Error {
  readonly path: string;
  /** What was wrong, without the `path: ` prefix of `message`, for callers that name the place their own way. */
  readonly detail: string;
  constructor(path: string, message: string) {
    super("INVALID_FILTER", `${path}: ${message}`);
    this.path = path;
    this.detail = message;
  }
}

/** A store was given a filter node it cannot express natively (it never drops a clause). */
export class UnsupportedFilterError extends Mem0Error {
  constructor(store: string, message: string) {
    super("UNSUPPORTED_FILTER", `${store}: ${message}`);
  }
}

export class NotFoundError extends Mem0Error {
  readonly id: string;
  constructor(id: string) {
    super("NOT_FOUND", `Memory ${JSON.stringify(id)} not found`);
    this.id = id;
  }
}

/** The configured provider's package is not installed, or does not export a plugin for the role. */
export class ProviderNotFoundError extends Mem0Error {
  readonly role: string;
  readonly provider: string;
  readonly packageName: string;
  constructor(role: string, provider: string, packageName: string, detail: string, cause?: unknown) {
    super("PROVIDER_NOT_FOUND", `${role} provider ${JSON.stringify(provider)}: ${detail}`, { cause });
    this.role = role;
    this.provider = provider;
    this.packageName = packageName;
  }
}

/**
 * A call to a provider (hosted API or local model) failed. `retryable` says whether trying again
 * can help (429, 5xx, timeouts, resets) or not (400, 401, 403, 422, bad output).
 * Never carries an API key: providers build the message from status and the server's text only.
 */
export class ProviderError extends Mem0Error {
  readonly provider: string;
  /** The message without the `provider: ` prefix, so a wrapper can add context without slicing strings. */
  readonly detail: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(
    provider: string,
    message: string,
    options: { status?: number; retryable?: boolean; code?: string; cause?: unknown } = {},
  ) {
    super(options.code ?? "PROVIDER_ERROR", `${provider}: ${message}`, { cause: options.cause });
    this.provider = provider;
    this.detail = message;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/** The reranker ran past the request's `timeout_ms`. */
export class RerankTimeoutError extends Mem0Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super("RERANK_TIMEOUT", `reranker did not answer within timeout_ms=${timeoutMs}`);
    this.timeoutMs = timeoutMs;
  }
}

/** Thrown by `search` when reranking failed and fallback was disabled (`rerank_fallback: false`). */
export class RerankError extends Mem0Error {
  readonly provider: string;
  constructor(provider: string, cause: unknown) {
    super("RERANK_FAILED", `reranker ${provider} failed: ${errorMessage(cause)}`, { cause });
    this.provider = provider;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Replaces every occurrence of each secret in `text`; used before any provider text is surfaced. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join("[REDACTED]");
  return out;
}
