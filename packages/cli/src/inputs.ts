/**
 * Input files: JSONL records (queries, memories, BEIR corpus and queries) and relevance judgements
 * (BEIR's `query-id corpus-id score` TSV or TREC's `qid iter docid rel`). Each problem is an
 * InputError naming the file, the line and the field.
 */
import { readFileSync } from "node:fs";
import { InputError } from "./errors.js";

export function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      file,
      undefined,
      undefined,
      code === "ENOENT" ? "no such file" : `cannot read: ${(err as Error).message}`,
    );
  }
}

/** One JSON object per non-blank line, each with its line number. */
function readJsonl(file: string): { line: number; record: Record<string, unknown> }[] {
  const out: { line: number; record: Record<string, unknown> }[] = [];
  readText(file)
    .split("\n")
    .forEach((raw, i) => {
      const text = raw.trim();
      if (text === "") return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new InputError(file, i + 1, undefined, `invalid JSON: ${(err as Error).message}`);
      }
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new InputError(file, i + 1, undefined, "expected a JSON object");
      out.push({ line: i + 1, record: value as Record<string, unknown> });
    });
  if (out.length === 0)
    throw new InputError(file, undefined, undefined, "no records (expected one JSON object per line)");
  return out;
}

/** Typed field access on one record, with errors that point at the record. */
class Fields {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly record: Record<string, unknown>,
  ) {}

  error(field: string, message: string): InputError {
    return new InputError(this.file, this.line, field, message);
  }
  /** The first of `names` that is present (e.g. BEIR's `_id` or our `id`). */
  pick(...names: string[]): [string, unknown] | undefined {
    for (const n of names) if (this.record[n] !== undefined) return [n, this.record[n]];
    return undefined;
  }
  string(...names: string[]): string {
    const found = this.pick(...names);
    if (!found) {
      const aliases = names.length > 1 ? `; also accepted: ${names.slice(1).join(", ")}` : "";
      throw this.error(names[0]!, `missing (expected a non-empty string${aliases})`);
    }
    const [name, v] = found;
    if (typeof v !== "string" || v.trim() === "") throw this.error(name, "expected a non-empty string");
    return v;
  }
  optionalString(name: string): string | undefined {
    const v = this.record[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || v.trim() === "") throw this.error(name, "expected a non-empty string");
    return v;
  }
  /** Ids may be numbers in some datasets; they are compared as strings. */
  id(...names: string[]): string {
    const found = this.pick(...names);
    if (found && typeof found[1] === "number" && Number.isFinite(found[1])) return String(found[1]);
    return this.string(...names);
  }
  optionalPositiveInt(name: string): number | undefined {
    const v = this.record[name];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw this.error(name, "expected a positive integer");
    return v;
  }
  optionalObject(name: string): Record<string, unknown> | undefined {
    const v = this.record[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) throw this.error(name, "expected a JSON object");
    return v as Record<string, unknown>;
  }
  /** Rejects keys this file format does not have, so a typo (`user`, `filter`) is not ignored. */
  only(allowed: readonly string[]) {
    for (const key of Object.keys(this.record)) {
      if (!allowed.includes(key)) throw this.error(key, `unknown field (expected one of: ${allowed.join(", ")})`);
    }
  }
}

export interface Scoped {
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

function scopeOf(fields: Fields): Scoped {
  const scope: Scoped = {};
  for (const scopeKey of ["user_id", "agent_id", "run_id"] as const) {
    const scopeValue = fields.optionalString(scopeKey);
    if (scopeValue !== undefined) scope[scopeKey] = scopeValue;
  }
  return scope;
}

export interface QuerySpec extends Scoped {
  id: string;
  query: string;
  filters?: Record<string, unknown>;
  limit?: number;
  line: number;
}

/**
 * `mem0-ts compare` queries: `{ "query", "user_id" | "agent_id" | "run_id", "filters", "limit", "id" }`,
 * or BEIR's `{ "_id", "text" }`; `defaults` supplies the scope for records that have none.
 */
export function readQueries(file: string, defaults: Scoped & { limit?: number } = {}): QuerySpec[] {
  const seen = new Set<string>();
  return readJsonl(file).map(({ line, record }, i) => {
    const fields = new Fields(file, line, record);
    fields.only([
      "id",
      "_id",
      "query",
      "text",
      "user_id",
      "agent_id",
      "run_id",
      "filters",
      "limit",
      "metadata",
      "title",
    ]);
    const query = fields.string("query", "text");
    const id = fields.pick("id", "_id") ? fields.id("id", "_id") : `q${i + 1}`;
    if (seen.has(id)) throw fields.error(fields.pick("id", "_id")![0], `duplicate id ${JSON.stringify(id)}`);
    seen.add(id);
    const own = scopeOf(fields);
    const scope =
      Object.keys(own).length > 0
        ? own
        : {
            ...(defaults.user_id ? { user_id: defaults.user_id } : {}),
            ...(defaults.agent_id ? { agent_id: defaults.agent_id } : {}),
            ...(defaults.run_id ? { run_id: defaults.run_id } : {}),
          };
    const filters = fields.optionalObject("filters");
    if (Object.keys(scope).length === 0 && !filters)
      throw fields.error(
        "user_id",
        "missing: give user_id, agent_id, run_id or filters (or --user-id on the command line)",
      );
    const limit = fields.optionalPositiveInt("limit") ?? defaults.limit;
    return { id, query, line, ...scope, ...(filters ? { filters } : {}), ...(limit ? { limit } : {}) };
  });
}

export interface MemorySpec extends Scoped {
  memory: string;
  metadata?: Record<string, unknown>;
  line: number;
}

/** Memories to load: `{ "memory" | "text", "user_id" | "agent_id" | "run_id", "metadata" }`. */
export function readMemories(file: string): MemorySpec[] {
  return readJsonl(file).map(({ line, record }) => {
    const fields = new Fields(file, line, record);
    fields.only(["memory", "text", "user_id", "agent_id", "run_id", "metadata"]);
    const memory = fields.string("memory", "text");
    const scope = scopeOf(fields);
    if (Object.keys(scope).length === 0)
      throw fields.error("user_id", "missing: every memory needs user_id, agent_id or run_id");
    const metadata = fields.optionalObject("metadata");
    return { memory, line, ...scope, ...(metadata ? { metadata } : {}) };
  });
}

export interface CorpusDoc {
  id: string;
  text: string;
  metadata?: Record<string, unknown>;
}

/** A record's `_id` (or `id`), refused when an earlier line of the file had it. */
function uniqueId(fields: Fields, seen: Set<string>): string {
  const id = fields.id("_id", "id");
  if (seen.has(id)) throw fields.error(fields.pick("_id", "id")![0], `duplicate id ${JSON.stringify(id)}`);
  seen.add(id);
  return id;
}

/** BEIR corpus: `{ "_id", "title"?, "text", "metadata"? }`; the memory is `title. text`. */
export function readCorpus(file: string): CorpusDoc[] {
  const seen = new Set<string>();
  return readJsonl(file).map(({ line, record }) => {
    const fields = new Fields(file, line, record);
    const id = uniqueId(fields, seen);
    const title = typeof record.title === "string" ? record.title.trim() : "";
    if (record.title !== undefined && typeof record.title !== "string")
      throw fields.error("title", "expected a string");
    const body = typeof record.text === "string" ? record.text.trim() : "";
    if (record.text !== undefined && typeof record.text !== "string") throw fields.error("text", "expected a string");
    const text = title && body ? `${title}. ${body}` : title || body;
    if (!text) throw fields.error("text", "missing or empty (and no title)");
    const metadata = fields.optionalObject("metadata");
    return { id, text, ...(metadata ? { metadata } : {}) };
  });
}

/** BEIR queries: `{ "_id", "text" }`. */
export function readBeirQueries(file: string): { id: string; text: string; line: number }[] {
  const seen = new Set<string>();
  return readJsonl(file).map(({ line, record }) => {
    const fields = new Fields(file, line, record);
    const id = uniqueId(fields, seen);
    return { id, text: fields.string("text", "query"), line };
  });
}

/** query id → (doc id → graded relevance). */
export type Qrels = Map<string, Map<string, number>>;

/**
 * BEIR qrels (`query-id<TAB>corpus-id<TAB>score`, with or without its header line) or TREC qrels
 * (`qid iter docid rel`, whitespace separated). A pair judged twice is an error: which grade wins
 * would be a guess.
 */
export function readQrels(file: string): Qrels {
  const qrels: Qrels = new Map();
  const lines = readText(file).split("\n");
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) return;
    const cols = text.split(/\s+/);
    if (line === 1 && /^(query[-_]?id|qid)$/i.test(cols[0]!)) return;
    let qid: string, docid: string, relText: string, relName: string;
    if (cols.length === 3) [qid, docid, relText, relName] = [cols[0]!, cols[1]!, cols[2]!, "score (column 3)"];
    else if (cols.length === 4) [qid, docid, relText, relName] = [cols[0]!, cols[2]!, cols[3]!, "rel (column 4)"];
    else
      throw new InputError(
        file,
        line,
        undefined,
        `expected 3 columns (query-id corpus-id score) or 4 (qid iter docid rel), found ${cols.length}`,
      );
    if (!/^-?\d+$/.test(relText))
      throw new InputError(
        file,
        line,
        relName,
        `expected an integer relevance grade, found ${JSON.stringify(relText)}`,
      );
    const judged = qrels.get(qid) ?? new Map<string, number>();
    if (judged.has(docid))
      throw new InputError(
        file,
        line,
        "corpus-id",
        `${JSON.stringify(docid)} is judged twice for query ${JSON.stringify(qid)}`,
      );
    judged.set(docid, Number(relText));
    qrels.set(qid, judged);
  });
  if (qrels.size === 0) throw new InputError(file, undefined, undefined, "no judgements");
  return qrels;
}
