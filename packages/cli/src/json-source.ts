/**
 * JSON read with line numbers, so an error in a config file can say on which line the bad key is
 * (`mem0.config.json:7: reranker.config.top_k: expected a positive integer`). JSON.parse gives the
 * value; a small scanner records where each key starts and, when JSON.parse refuses the text,
 * where the syntax broke (Node's messages do not always carry a position).
 */
import { InputError } from "./errors.js";

export interface JsonSource {
  value: unknown;
  /** The line of the key (or array element) at `path`, or of its nearest located ancestor. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

class Scanner {
  pos = 0;
  readonly lines = new Map<string, number>();
  constructor(readonly text: string) {}

  line(at = this.pos): number {
    let n = 1;
    for (let i = 0; i < at && i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) n++;
    return n;
  }
  fail(what: string): never {
    const line = this.line();
    const column = this.pos - this.text.lastIndexOf("\n", this.pos - 1);
    throw Object.assign(new Error(`${what} at column ${column}`), { line });
  }
  ws() {
    while (/[ \t\r\n]/.test(this.text[this.pos] ?? "")) this.pos++;
  }
  value(path: string) {
    this.ws();
    const char = this.text[this.pos];
    if (char === "{") return this.object(path);
    if (char === "[") return this.array(path);
    if (char === '"') return void this.string();
    const literal = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.pos));
    if (!literal) this.fail(char === undefined ? "unexpected end of input" : `unexpected ${JSON.stringify(char)}`);
    this.pos += literal[0].length;
  }
  string(): string {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw U+0000 to U+001F inside a string.
    const literal = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(this.text.slice(this.pos));
    if (!literal) this.fail("invalid string");
    this.pos += literal[0].length;
    return JSON.parse(literal[0]) as string;
  }
  expect(ch: string) {
    this.ws();
    if (this.text[this.pos] !== ch) this.fail(`expected ${JSON.stringify(ch)}`);
    this.pos++;
  }
  object(path: string) {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === "}") return void this.pos++;
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail("expected a double-quoted property name");
      const keyAt = this.pos;
      const key = this.string();
      const child = path ? `${path}.${key}` : key;
      this.lines.set(child, this.line(keyAt));
      this.expect(":");
      this.value(child);
      this.ws();
      if (this.text[this.pos] === ",") this.pos++;
      else return this.expect("}");
    }
  }
  array(path: string) {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === "]") return void this.pos++;
    for (let i = 0; ; i++) {
      this.ws();
      const child = `${path}.${i}`;
      this.lines.set(child, this.line());
      this.value(child);
      this.ws();
      if (this.text[this.pos] === ",") this.pos++;
      else return this.expect("]");
    }
  }
}

export function parseJsonSource(text: string, file: string): JsonSource {
  let value: unknown;
  let parseError: Error | undefined;
  try {
    value = JSON.parse(text);
  } catch (err) {
    parseError = err as Error;
  }
  const scanner = new Scanner(text);
  try {
    scanner.value("");
    scanner.ws();
    if (scanner.pos < text.length) scanner.fail("unexpected text after the JSON value");
  } catch (err) {
    const failure = err as Error & { line?: number };
    throw new InputError(file, failure.line, undefined, `invalid JSON: ${failure.message}`);
  }
  if (parseError) throw new InputError(file, undefined, undefined, `invalid JSON: ${parseError.message}`);
  return {
    value,
    lineOf(path) {
      for (let n = path.length; n > 0; n--) {
        const line = scanner.lines.get(path.slice(0, n).join("."));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}
