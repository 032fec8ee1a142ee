/**
 * Cohere's rerank API, `/v1/rerank` and `/v2/rerank`: bearer auth, request bodies validated against
 * Cohere's OpenAPI document (400 `{message}` on failure, as Cohere answers), results sorted by
 * `relevance_score` and cut to `top_n`, `meta.billed_units.search_units` (one per 100 documents).
 */
import { randomUUID } from "node:crypto";
import { OpenApiSpec } from "../openapi.js";
import { bearerToken, FakeServer, type FakeServerOptions, type Reply, type RouteRequest } from "./fake-server.js";
import { lexicalScore, rank, rankedAnswerFault, type Scorer } from "./scoring.js";

export interface CohereServerOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  scorer?: Scorer;
  latencyMs?: FakeServerOptions["latencyMs"];
  /** Sent back in `meta.warnings` (e.g. a model deprecation notice). */
  warnings?: string[];
  /** Extra headers on every successful answer (e.g. trial-key call limits). */
  headers?: Record<string, string>;
}

/** Cohere documents a hard limit of 10,000 documents per request. */
export const COHERE_MAX_DOCUMENTS = 10_000;

export type CohereServer = FakeServer;

const errorBody = (_status: number, message: string) => ({ id: randomUUID(), message });

export async function startCohereServer(options: CohereServerOptions = {}): Promise<CohereServer> {
  const spec = OpenApiSpec.load("cohere");
  const scorer = options.scorer ?? lexicalScore;

  const handler =
    (version: "v1" | "v2") =>
    (req: RouteRequest): Reply => {
      const path = `/${version}/rerank`;
      if (typeof req.body !== "object" || req.body === null)
        return { status: 400, body: errorBody(400, "invalid request: body must be a JSON object") };
      const check = spec.validateRequest("POST", path, req.body);
      if (!check.ok) return { status: 400, body: errorBody(400, `invalid request: ${check.errors.join("; ")}`) };
      const body = req.body as {
        model?: string;
        query: string;
        documents: (string | { text?: string })[];
        top_n?: number;
        return_documents?: boolean;
      };
      if (version === "v1" && body.model === undefined) body.model = "rerank-english-v2.0";
      if (body.query.trim() === "")
        return { status: 400, body: errorBody(400, "invalid request: query must not be empty") };
      if (body.documents.length === 0)
        return { status: 400, body: errorBody(400, "invalid request: list of documents must not be empty") };
      if (body.documents.length > COHERE_MAX_DOCUMENTS) {
        return {
          status: 400,
          body: errorBody(
            400,
            `invalid request: too many documents, got ${body.documents.length}, max is ${COHERE_MAX_DOCUMENTS}`,
          ),
        };
      }
      const texts = body.documents.map((d) => (typeof d === "string" ? d : String(d.text ?? "")));
      const ranked = rank(body.query, texts, scorer).slice(0, body.top_n ?? texts.length);
      const results = ranked.map((r) => ({
        index: r.index,
        relevance_score: r.score,
        ...(version === "v1" && body.return_documents ? { document: { text: texts[r.index] } } : {}),
      }));
      const meta: Record<string, unknown> = {
        api_version: { version: version === "v1" ? "1" : "2", is_experimental: false },
        billed_units: { search_units: Math.ceil(texts.length / 100) },
      };
      if (options.warnings?.length) meta.warnings = options.warnings;
      return {
        status: 200,
        body: { id: randomUUID(), results, meta },
        headers: { "x-request-id": randomUUID(), ...options.headers },
      };
    };

  const answerFault = (fault: Parameters<typeof rankedAnswerFault>[0], reply: Reply, req: RouteRequest) =>
    rankedAnswerFault(fault, reply, {
      documents: (req.body as { documents: unknown[] }).documents.length,
      scoreKey: "relevance_score",
      list: (b) => b.results,
    });

  return FakeServer.start({
    latencyMs: options.latencyMs,
    errorBody,
    auth: (headers) => {
      if (options.apiKey === undefined) return undefined;
      const token = bearerToken(headers);
      if (!token) return { status: 401, body: errorBody(401, "no api key supplied") };
      if (token !== options.apiKey) return { status: 401, body: errorBody(401, "invalid api token") };
      return undefined;
    },
    routes: [
      { method: "POST", path: "/v1/rerank", handle: handler("v1"), answerFault },
      { method: "POST", path: "/v2/rerank", handle: handler("v2"), answerFault },
    ],
  });
}
