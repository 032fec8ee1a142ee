/**
 * Validates request and response bodies against the official OpenAPI documents in `../specs`
 * (see specs/SOURCES.md). OpenAPI 3.1 documents are JSON Schema 2020-12; 3.0 documents use
 * `nullable`, which Ajv understands natively. Documentation keywords are ignored.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";

export type SpecName = "cohere" | "openai" | "tei" | "zeroentropy";

export interface ValidationResult {
  ok: boolean;
  /** One line per problem, `/json/pointer: message`. */
  errors: string[];
}

/** The parts of an OpenAPI document this validator reads; everything else is Ajv's business. */
type JsonContent = { content?: Record<string, { schema?: unknown }> };
type ResponseObject = JsonContent & { $ref?: string };
type Operation = { requestBody?: JsonContent; responses?: Record<string, ResponseObject | undefined> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation | undefined> | undefined> };

/** Follows a local JSON pointer (`#/components/...`) through `root`; undefined where a segment is missing. */
function resolvePointer(root: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>(
      (node, segment) =>
        node !== null && typeof node === "object"
          ? (node as Record<string, unknown>)[segment.replace(/~1/g, "/").replace(/~0/g, "~")]
          : undefined,
      root,
    );
}

const docs = new Map<SpecName, OpenApiSpec>();

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * Rewrites OpenAPI's `nullable: true` (3.0, and still found in some 3.1 documents) as plain JSON
 * Schema, so one Ajv handles every document: `type: X` becomes `type: [X, "null"]`, a schema without
 * `type` becomes `anyOf: [schema, {type: null}]`, an `enum` gains `null`, and a bare
 * `{ nullable: true }` becomes `{ type: "null" }`.
 */
export function normalizeNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeNullable);
  if (!node || typeof node !== "object") return node;
  // Qdrant's document writes "X or null" as `anyOf: [X, { nullable: true }]`. A bare
  // `{ nullable: true }` has no type to make nullable; read literally it is the empty schema and
  // would accept anything, but what it means (and what the servers enforce) is null.
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === "nullable" && (node as { nullable: unknown }).nullable === true)
    return { type: "null" };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = normalizeNullable(v);
  if (out.nullable === undefined) return out;
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === "string") out.type = [out.type, "null"];
  else if (Array.isArray(out.type)) out.type = out.type.includes("null") ? out.type : [...out.type, "null"];
  else return { anyOf: [out, { type: "null" }] };
  return out;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  const lines = (errors ?? []).map((issue) => {
    const extra =
      issue.keyword === "additionalProperties"
        ? ` (${String((issue.params as { additionalProperty?: string }).additionalProperty)})`
        : issue.keyword === "enum"
          ? ` (${JSON.stringify((issue.params as { allowedValues?: unknown }).allowedValues)})`
          : "";
    return `${issue.instancePath || "(body)"}: ${issue.message ?? issue.keyword}${extra}`;
  });
  return [...new Set(lines)];
}

export class OpenApiSpec {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    readonly name: string,
    readonly doc: Doc,
  ) {
    const options = {
      strict: false,
      allErrors: true,
      validateFormats: false,
      validateSchema: false,
      logger: false,
    } as const;
    this.ajv = doc.openapi.startsWith("3.1") ? new Ajv2020(options) : new Ajv(options);
    this.ajv.addSchema(normalizeNullable(doc) as object, "spec");
  }

  /** Loads (once per process) one of the bundled specs. */
  static load(name: SpecName): OpenApiSpec {
    let spec = docs.get(name);
    if (!spec) {
      const file = new URL(`../specs/${name}.json`, import.meta.url);
      spec = new OpenApiSpec(name, JSON.parse(readFileSync(file, "utf8")) as Doc);
      docs.set(name, spec);
    }
    return spec;
  }

  private operation(method: string, path: string) {
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${this.name} spec has no ${method.toUpperCase()} ${path}`);
    return op;
  }

  private validator(pointer: string): ValidateFunction {
    let fn = this.compiled.get(pointer);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `spec#${pointer}` });
      this.compiled.set(pointer, fn);
    }
    return fn;
  }

  validateRequest(method: string, path: string, body: unknown): ValidationResult {
    const op = this.operation(method, path);
    if (!op.requestBody?.content?.["application/json"]?.schema) return { ok: true, errors: [] };
    const operation = `/paths/${escapePointer(path)}/${method.toLowerCase()}`;
    const pointer = `${operation}/requestBody/content/application~1json/schema`;
    const fn = this.validator(pointer);
    return fn(body) ? { ok: true, errors: [] } : { ok: false, errors: formatErrors(fn.errors) };
  }

  /** Validates a response body for `status` (falls back to `default`); unknown statuses are errors. */
  validateResponse(method: string, path: string, status: number, body: unknown): ValidationResult {
    const op = this.operation(method, path);
    let key = String(status);
    let response = op.responses?.[key];
    if (!response) {
      key = "default";
      response = op.responses?.default;
    }
    if (!response)
      return { ok: false, errors: [`(status): ${status} is not documented for ${method.toUpperCase()} ${path}`] };
    let responsePointer = `/paths/${escapePointer(path)}/${method.toLowerCase()}/responses/${key}`;
    if (typeof response.$ref === "string") {
      responsePointer = response.$ref.slice(1);
      response = resolvePointer(this.doc, response.$ref) as ResponseObject | undefined;
    }
    if (!response?.content?.["application/json"]?.schema) return { ok: true, errors: [] };
    const fn = this.validator(`${responsePointer}/content/application~1json/schema`);
    return fn(body) ? { ok: true, errors: [] } : { ok: false, errors: formatErrors(fn.errors) };
  }
}
