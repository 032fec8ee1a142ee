/**
 * The one way a provider holds a credential. The value lives in a `#private` field, and every way
 * an object gets printed (`util.inspect`/`console.log`, `JSON.stringify`, `String`, template
 * strings) shows `[redacted]`, so logging a provider, a Memory or a config never prints a key.
 * Vendor SDK clients, which keep the key inside, are held in `#private` fields of the provider.
 */
import { redact } from "@mem0/core";

const REDACTED = "[redacted]";

export class Secret {
  readonly #value: string;
  readonly #forms: readonly string[];

  /** Trims the value once, here: what is sent is the trimmed key; both forms are redacted. */
  constructor(value: string) {
    const trimmed = value.trim();
    this.#value = trimmed;
    this.#forms = value === trimmed ? [trimmed] : [value, trimmed];
  }

  /** The value to put on the wire. */
  reveal(): string {
    return this.#value;
  }

  /** Every spelling of the key that may show up in text (as configured, and as sent), longest first. */
  get forms(): readonly string[] {
    return this.#forms;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Secret(${REDACTED})`;
  }
}

export type SecretLike = Secret | string | undefined;

/** Removes every form of every secret from `text`. */
export function redactSecrets(text: string, secrets: readonly SecretLike[] = []): string {
  const forms = secrets.flatMap((s) => (s instanceof Secret ? s.forms : s === undefined ? [] : [s, s.trim()]));
  // Longest first, so a key with trailing whitespace is removed whole before its trimmed form.
  return redact(
    text,
    [...new Set(forms)].sort((a, b) => b.length - a.length),
  );
}
