/**
 * ZeroEntropy's `/v1/models/rerank`. No public OpenAPI document exists: the request schema in
 * specs/zeroentropy.json was written from the official SDK's types. Validation errors answer 422
 * `{detail: [...]}` and other errors `{detail: "..."}` (FastAPI conventions, an assumption).
 * Enforces the documented 5,000,000-byte request limit, counted as ZeroEntropy counts it.
 */
import { OpenApiSpec } from "../openapi.js";
import { bearerToken, FakeServer, type FakeServerOptions, type Reply, type RouteRequest } from "./fake-server.js";
import { lexicalScore, rank, rankedAnswerFault, type Scorer } from "./scoring.js";

export const ZEROENTROPY_MAX_REQUEST_BYTES = 5_000_000;

/** ZeroEntropy's byte count: sum over documents of 150 + UTF-8 bytes of the query + of the document. */
export function zeroEntropyRequestBytes(query: string, documents: readonly string[]): number {
  const queryBytes = Buffer.byteLength(query, "utf8");
  return documents.reduce((sum, d) => sum + 150 + queryBytes + Buffer.byteLength(d, "utf8"), 0);
}

export interface ZeroEntropyServerOptions {
  apiKey?: string;
  scorer?: Scorer;
  latencyMs?: FakeServerOptions["latencyMs"];
  /** Forces `actual_latency_mode` (e.g. "slow" to act throttled); default: the requested mode, else "fast". */
  actualLatencyMode?: "fast" | "slow";
}

export type ZeroEntropyServer = FakeServer;

export async function startZeroEntropyServer(options: ZeroEntropyServerOptions = {}): Promise<ZeroEntropyServer> {
  const spec = OpenApiSpec.load("zeroentropy");
  const scorer = options.scorer ?? lexicalScore;
  const handle = (req: RouteRequest): Reply => {
    const started = performance.now();
    const check = spec.validateRequest("POST", "/v1/models/rerank", req.body);
    if (!check.ok)
      return {
        status: 422,
        body: { detail: check.errors.map((msg) => ({ type: "value_error", loc: ["body"], msg })) },
      };
    const body = req.body as {
      model: string;
      query: string;
      documents: string[];
      top_n?: number | null;
      latency?: "fast" | "slow" | null;
    };
    const bytes = zeroEntropyRequestBytes(body.query, body.documents);
    if (bytes > ZEROENTROPY_MAX_REQUEST_BYTES) {
      return {
        status: 400,
        body: {
          detail: `Request too large: ${bytes} bytes exceeds the maximum of ${ZEROENTROPY_MAX_REQUEST_BYTES} bytes`,
        },
      };
    }
    const ranked = rank(body.query, body.documents, scorer).slice(0, body.top_n ?? body.documents.length);
    const seconds = (performance.now() - started) / 1000;
    return {
      status: 200,
      body: {
        actual_latency_mode: options.actualLatencyMode ?? body.latency ?? "fast",
        e2e_latency: seconds,
        inference_latency: seconds,
        results: ranked.map((r) => ({ index: r.index, relevance_score: r.score })),
        total_bytes: bytes,
        total_tokens: Math.ceil(bytes / 4),
      },
    };
  };
  return FakeServer.start({
    latencyMs: options.latencyMs,
    errorBody: (_status, message) => ({ detail: message }),
    auth: (headers) => {
      if (options.apiKey === undefined) return undefined;
      return bearerToken(headers) === options.apiKey ? undefined : { status: 401, body: { detail: "Invalid API Key" } };
    },
    routes: [
      {
        method: "POST",
        path: "/v1/models/rerank",
        handle,
        answerFault: (fault, reply, req) =>
          rankedAnswerFault(fault, reply, {
            documents: (req.body as { documents: unknown[] }).documents.length,
            scoreKey: "relevance_score",
            list: (b) => b.results,
          }),
      },
    ],
  });
}
