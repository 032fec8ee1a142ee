/**
 * Hugging Face Text Embeddings Inference (TEI) `/rerank` and `/embed`, as the router answers:
 * bare JSON arrays, `{error, error_type}` errors with the capitalised `error_type` the server
 * really sends, and TEI's status codes:
 * - more than `max_client_batch_size` (default 32) texts → 413, `error_type: "Validation"`;
 * - an input longer than `max_input_length` tokens without `truncate` → 413, "Validation";
 * - empty `texts` / `inputs` → 400, "Empty";
 * - a body that does not deserialize into the request type → 422, plain text (axum's rejection);
 *   a body that is not JSON at all → 400, plain text;
 * - a body over `payload_limit` (default 2,000,000 bytes) → 413, plain text;
 * - 429 "Overloaded", 424 "Backend", 503 "Unhealthy" through `status` faults.
 * Successful answers carry TEI's timing headers (`x-compute-time`, `x-total-time`, …).
 */
import { fnv1a } from "@mem0/core";
import { OpenApiSpec } from "../openapi.js";
import { FakeServer, type FakeServerOptions, type Reply, type RouteRequest } from "./fake-server.js";
import { lexicalScore, rank, rankedAnswerFault, words, type Scorer } from "./scoring.js";

export interface TeiServerOptions {
  /** TEI's `--max-client-batch-size` (default 32). */
  maxClientBatchSize?: number;
  /** TEI's `--payload-limit` in bytes (default 2,000,000). */
  payloadLimit?: number;
  /** The model's max input length in tokens (words here); default 512. */
  maxInputLength?: number;
  /** Embedding size for `/embed` (default 384, like all-MiniLM-L6-v2). */
  dims?: number;
  scorer?: Scorer;
  latencyMs?: FakeServerOptions["latencyMs"];
  /** TEI's `--api-key`: when set, requests need `Authorization: Bearer <key>`. */
  apiKey?: string;
}

export type TeiServer = FakeServer;

const ERROR_TYPE: Record<number, string> = {
  400: "Empty",
  413: "Validation",
  422: "Tokenizer",
  424: "Backend",
  429: "Overloaded",
  503: "Unhealthy",
};

export function teiErrorBody(status: number, message: string) {
  return { error: message, error_type: ERROR_TYPE[status] ?? "Backend" };
}

/** A deterministic unit vector from a text's words (hashed bag of words), for `/embed`. */
export function hashEmbedding(text: string, dims: number, normalize = true): number[] {
  const v: number[] = Array.from({ length: dims }, () => 0);
  for (const word of words(text)) {
    const hash = fnv1a(word);
    v[hash % dims]! += hash & 1 ? 1 : -1;
  }
  if (!v.some((x) => x !== 0)) v[0] = 1;
  if (!normalize) return v;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const logit = (probability: number) => {
  const clamped = Math.min(1 - 1e-6, Math.max(1e-6, probability));
  return Math.log(clamped / (1 - clamped));
};

export async function startTeiServer(options: TeiServerOptions = {}): Promise<TeiServer> {
  const spec = OpenApiSpec.load("tei");
  const maxBatch = options.maxClientBatchSize ?? 32;
  const maxTokens = options.maxInputLength ?? 512;
  const dims = options.dims ?? 384;
  const scorer = options.scorer ?? lexicalScore;

  const timing = (chars: number, tokens: number, ms: number): Record<string, string> => ({
    "x-compute-type": "cpu",
    "x-compute-time": String(ms),
    "x-compute-characters": String(chars),
    "x-compute-tokens": String(tokens),
    "x-total-time": String(ms),
    "x-tokenization-time": "0",
    "x-queue-time": "0",
    "x-inference-time": String(ms),
  });

  /** TEI's request parsing: not JSON → 400 text; wrong shape → 422 text (axum's Json rejection). */
  const parse = (req: RouteRequest, path: string): Reply | undefined => {
    if (typeof req.body !== "object" || req.body === null) {
      return {
        status: 400,
        raw: "Failed to parse the request body as JSON",
        headers: { "content-type": "text/plain; charset=utf-8" },
      };
    }
    const check = spec.validateRequest("POST", path, req.body);
    if (!check.ok)
      return {
        status: 422,
        raw: `Failed to deserialize the JSON body into the target type: ${check.errors[0]}`,
        headers: { "content-type": "text/plain; charset=utf-8" },
      };
    return undefined;
  };
  const tooLong = (texts: readonly string[], truncate: boolean | null | undefined): Reply | undefined => {
    if (truncate) return undefined;
    for (const input of texts) {
      const wordCount = words(input).length;
      if (wordCount > maxTokens)
        return {
          status: 413,
          body: teiErrorBody(
            413,
            `Input validation error: \`inputs\` must have less than ${maxTokens} tokens. Given: ${wordCount}`,
          ),
        };
    }
    return undefined;
  };
  const tooMany = (n: number): Reply | undefined =>
    n > maxBatch
      ? { status: 413, body: teiErrorBody(413, `batch size ${n} > maximum allowed batch size ${maxBatch}`) }
      : undefined;

  const rerank = (req: RouteRequest): Reply => {
    const bad = parse(req, "/rerank");
    if (bad) return bad;
    const body = req.body as {
      query: string;
      texts: string[];
      raw_scores?: boolean;
      return_text?: boolean;
      truncate?: boolean | null;
    };
    if (body.texts.length === 0) return { status: 400, body: teiErrorBody(400, "`texts` cannot be empty") };
    const rejected =
      tooMany(body.texts.length) ??
      tooLong(
        body.texts.map((t) => `${body.query} ${t}`),
        body.truncate,
      );
    if (rejected) return rejected;
    const started = performance.now();
    const ranks = rank(body.query, body.texts, scorer).map((r) => ({
      index: r.index,
      ...(body.return_text ? { text: body.texts[r.index] } : {}),
      score: body.raw_scores ? logit(r.score) : r.score,
    }));
    const chars = body.texts.reduce((s, t) => s + [...t].length + [...body.query].length, 0);
    return {
      status: 200,
      body: ranks,
      headers: timing(chars, Math.ceil(chars / 4), Math.round(performance.now() - started)),
    };
  };

  const embed = (req: RouteRequest): Reply => {
    const bad = parse(req, "/embed");
    if (bad) return bad;
    const body = req.body as {
      inputs: string | string[] | number[] | number[][];
      normalize?: boolean;
      truncate?: boolean | null;
      dimensions?: number | null;
    };
    const list =
      typeof body.inputs === "string" || typeof (body.inputs as unknown[])[0] === "number"
        ? [body.inputs]
        : (body.inputs as unknown[]);
    if (list.length === 0) return { status: 400, body: teiErrorBody(400, "`inputs` cannot be empty") };
    const texts = list.map((x) => (typeof x === "string" ? x : (x as number[]).join(" ")));
    const rejected = tooMany(texts.length) ?? tooLong(texts, body.truncate);
    if (rejected) return rejected;
    const size = body.dimensions ?? dims;
    const vectors = texts.map((t) => hashEmbedding(t, size, body.normalize ?? true));
    const chars = texts.reduce((s, t) => s + [...t].length, 0);
    return { status: 200, body: vectors, headers: timing(chars, Math.ceil(chars / 4), 1) };
  };

  return FakeServer.start({
    latencyMs: options.latencyMs,
    maxBodyBytes: options.payloadLimit ?? 2_000_000,
    oversize: () => ({
      status: 413,
      raw: "Failed to buffer the request body: length limit exceeded",
      headers: { "content-type": "text/plain; charset=utf-8" },
    }),
    errorBody: teiErrorBody,
    auth: (headers) => {
      if (options.apiKey === undefined) return undefined;
      return headers.authorization === `Bearer ${options.apiKey}`
        ? undefined
        : { status: 401, body: teiErrorBody(401, "Unauthorized") };
    },
    routes: [
      {
        method: "POST",
        path: "/rerank",
        handle: rerank,
        answerFault: (fault, reply, req) =>
          rankedAnswerFault(fault, reply, {
            documents: (req.body as { texts: unknown[] }).texts.length,
            scoreKey: "score",
          }),
      },
      { method: "POST", path: "/embed", handle: embed },
    ],
  });
}
