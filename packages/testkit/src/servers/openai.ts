/**
 * OpenAI's `/v1/chat/completions` and `/v1/embeddings`. Request bodies are validated against
 * OpenAI's OpenAPI document; `response_format: json_schema` with `strict: true` is also checked
 * against the structured-outputs rules the real API enforces. Errors answer OpenAI's
 * `{error: {message, type, param, code}}`; a wrong key is a 401 whose message shows only a masked
 * key, as OpenAI's does.
 *
 * Chat answers come from a script (`server.scriptChat(...)`, used in order), else from the
 * `chat` responder option, else from a default that fills the requested JSON schema.
 */
import { randomUUID } from "node:crypto";
import { OpenApiSpec } from "../openapi.js";
import {
  bearerToken,
  FakeServer,
  type AnswerFault,
  type Fault,
  type FakeServerOptions,
  type Reply,
  type RouteRequest,
} from "./fake-server.js";
import { lexicalScore } from "./scoring.js";
import { hashEmbedding } from "./tei.js";

export interface ChatRequest {
  model: string;
  messages: { role: string; content: unknown; name?: string }[];
  response_format?:
    | { type: "text" }
    | { type: "json_object" }
    | { type: "json_schema"; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean | null } };
  temperature?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  [key: string]: unknown;
}

/** What a scripted or computed chat answer may be. Objects are sent as JSON text. */
export type ChatAnswer =
  | string
  | Record<string, unknown>
  | { fault: Fault }
  | { refusal: string }
  | { content: string; finish_reason: "stop" | "length" | "content_filter" };

export type ChatResponder = (request: ChatRequest, call: RouteRequest) => ChatAnswer | Promise<ChatAnswer>;

export interface OpenAIServerOptions {
  apiKey?: string;
  latencyMs?: FakeServerOptions["latencyMs"];
  /** Computes answers that were not scripted. */
  chat?: ChatResponder;
  /** Remaining requests reported in `x-ratelimit-remaining-requests` (counts down per call). */
  requestLimit?: number;
}

export interface OpenAIServer extends FakeServer {
  /** Queues answers for the next chat calls, in order; later calls fall back to the responder. */
  scriptChat(...answers: (ChatAnswer | ChatResponder)[]): void;
}

const MODEL_DIMS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

export function openAIError(
  message: string,
  type = "invalid_request_error",
  param: string | null = null,
  code: string | null = null,
) {
  return { error: { message, type, param, code } };
}

function errorForStatus(status: number, message: string) {
  const type =
    status === 429
      ? "requests"
      : status >= 500
        ? "server_error"
        : status === 401
          ? "invalid_request_error"
          : "invalid_request_error";
  const code = status === 429 ? "rate_limit_exceeded" : null;
  return openAIError(status === 429 ? `Rate limit reached: ${message}` : message, type, null, code);
}

/** OpenAI shows a wrong key as its first 3 and last 4 characters only. */
function maskKey(key: string): string {
  return key.length <= 8
    ? "*".repeat(key.length)
    : `${key.slice(0, 3)}${"*".repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}

/**
 * The structured-outputs subset of JSON Schema that `strict: true` accepts. Returns the first
 * violation in OpenAI's wording, or undefined.
 */
export function strictSchemaProblem(schema: unknown, path = "()"): string | undefined {
  if (!schema || typeof schema !== "object") return `In context=${path}, schema must be an object`;
  const schemaNode = schema as Record<string, unknown>;
  if (path === "()" && schemaNode.type !== "object")
    return (
      `In context=${path}, schema must be a JSON Schema of 'type: "object"', ` +
      `got 'type: "${String(schemaNode.type)}"'.`
    );
  for (const key of ["anyOf", "allOf", "oneOf"] as const) {
    if (Array.isArray(schemaNode[key])) {
      if (key !== "anyOf") return `In context=${path}, '${key}' is not permitted.`;
      for (const [i, sub] of (schemaNode[key] as unknown[]).entries()) {
        const subProblem = strictSchemaProblem(sub, `${path}, 'anyOf', '${i}'`);
        if (subProblem) return subProblem;
      }
    }
  }
  const types = Array.isArray(schemaNode.type) ? schemaNode.type : [schemaNode.type];
  if (types.includes("object")) {
    const props = (schemaNode.properties ?? {}) as Record<string, unknown>;
    if (schemaNode.additionalProperties !== false)
      return `In context=${path}, 'additionalProperties' is required to be supplied and to be false.`;
    const required = Array.isArray(schemaNode.required) ? (schemaNode.required as string[]) : [];
    const missing = Object.keys(props).filter((k) => !required.includes(k));
    if (missing.length)
      return (
        `In context=${path}, 'required' is required to be supplied and to be an array including every key ` +
        `in properties. Missing '${missing[0]}'.`
      );
    for (const [k, sub] of Object.entries(props)) {
      const subProblem = strictSchemaProblem(sub, `${path}, 'properties', '${k}'`);
      if (subProblem) return subProblem;
    }
  }
  if (types.includes("array") && schemaNode.items) return strictSchemaProblem(schemaNode.items, `${path}, 'items'`);
  return undefined;
}

/** The JSON Schema keywords exampleFromSchema reads, unchecked: a document may put anything there. */
interface SchemaKeywords {
  const?: unknown;
  enum?: unknown;
  anyOf?: unknown;
  type?: unknown;
  properties?: unknown;
  items?: unknown;
  minItems?: unknown;
  minimum?: unknown;
  maximum?: unknown;
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);

/** A value that satisfies `schema` (numbers at the middle of their range), for default answers. */
export function exampleFromSchema(schema: unknown): unknown {
  if (!schema || typeof schema !== "object") return "";
  const node = schema as SchemaKeywords;
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum)) return node.enum[0];
  if (Array.isArray(node.anyOf)) return exampleFromSchema(node.anyOf[0]);
  const type = Array.isArray(node.type) ? node.type.find((t) => t !== "null") : node.type;
  switch (type) {
    case "object":
      return Object.fromEntries(
        Object.entries((node.properties ?? {}) as Record<string, unknown>).map(([k, v]) => [k, exampleFromSchema(v)]),
      );
    case "array":
      return Array.from({ length: numberOr(node.minItems, 0) }, () => exampleFromSchema(node.items));
    case "number":
    case "integer": {
      const lo = numberOr(node.minimum, 0);
      const hi = numberOr(node.maximum, lo + 1);
      return type === "integer" ? Math.round((lo + hi) / 2) : (lo + hi) / 2;
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return "";
  }
}

/** The text of a message's content (a string, or text parts). */
export function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((p) => (p && typeof p === "object" && "text" in p ? String((p as { text: unknown }).text) : ""))
      .join("");
  return "";
}

/**
 * For answer faults on structured answers: finds the first object whose values are all numbers
 * (e.g. `{scores: {d0: 0.9, d1: 0.2}}`) and breaks it.
 */
function breakScores(fault: AnswerFault, content: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return content;
  }
  const find = (node: unknown): Record<string, unknown> | undefined => {
    if (!node || typeof node !== "object") return undefined;
    const values = Object.values(node);
    if (!Array.isArray(node) && values.length > 0 && values.every((v) => typeof v === "number"))
      return node as Record<string, unknown>;
    for (const value of values) {
      const found = find(value);
      if (found) return found;
    }
    return undefined;
  };
  const scores = find(parsed);
  if (!scores) return content;
  const keys = Object.keys(scores);
  switch (fault) {
    case "wrong-count":
      delete scores[keys[keys.length - 1]!];
      return JSON.stringify(parsed);
    case "bad-index":
      scores[`${keys[0]}_unknown`] = 1;
      return JSON.stringify(parsed);
    case "non-numeric-score":
      scores[keys[0]!] = "high";
      return JSON.stringify(parsed);
    case "nan-score":
      scores[keys[0]!] = "__NaN__";
      return JSON.stringify(parsed).replace('"__NaN__"', "NaN");
  }
}

const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const spec = OpenApiSpec.load("openai");
  const script: (ChatAnswer | ChatResponder)[] = [];
  let remaining = options.requestLimit ?? 10_000;

  const rateHeaders = (): Record<string, string> => {
    remaining = Math.max(0, remaining - 1);
    return {
      "x-request-id": `req_${randomUUID().replace(/-/g, "")}`,
      "openai-processing-ms": "1",
      "x-ratelimit-limit-requests": String(options.requestLimit ?? 10_000),
      "x-ratelimit-remaining-requests": String(remaining),
      "x-ratelimit-reset-requests": "6ms",
      "x-ratelimit-limit-tokens": "10000000",
      "x-ratelimit-remaining-tokens": "9999000",
      "x-ratelimit-reset-tokens": "0s",
    };
  };

  const validate = (req: RouteRequest, path: string): Reply | undefined => {
    if (typeof req.body !== "object" || req.body === null) {
      return {
        status: 400,
        body: openAIError(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your " +
            "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        ),
      };
    }
    const check = spec.validateRequest("POST", path, req.body);
    if (!check.ok) {
      const first = check.errors[0]!;
      const param = first.split(":")[0]!.replace(/^\//, "").replace(/\//g, ".");
      return {
        status: 400,
        body: openAIError(
          `Invalid request: ${check.errors.slice(0, 3).join("; ")}`,
          "invalid_request_error",
          param === "(body)" ? null : param,
        ),
      };
    }
    return undefined;
  };

  const chat = async (req: RouteRequest): Promise<Reply> => {
    const bad = validate(req, "/chat/completions");
    if (bad) return bad;
    const body = req.body as ChatRequest;
    const format = body.response_format;
    if (format?.type === "json_schema") {
      const name = format.json_schema.name;
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
        return {
          status: 400,
          body: openAIError(
            "Invalid 'response_format.json_schema.name': string does not match pattern. " +
              "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
            "invalid_request_error",
            "response_format.json_schema.name",
            "invalid_value",
          ),
        };
      }
      if (format.json_schema.strict) {
        const problem = strictSchemaProblem(format.json_schema.schema);
        if (problem)
          return {
            status: 400,
            body: openAIError(
              `Invalid schema for response_format '${name}': ${problem}`,
              "invalid_request_error",
              "response_format",
              null,
            ),
          };
      }
    }
    if (format?.type === "json_object" && !body.messages.some((m) => /json/i.test(messageText(m.content)))) {
      return {
        status: 400,
        body: openAIError(
          "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
          "invalid_request_error",
          "messages",
          null,
        ),
      };
    }
    const next = script.shift();
    let answer: ChatAnswer;
    if (typeof next === "function") answer = await next(body, req);
    else if (next !== undefined) answer = next;
    else if (options.chat) answer = await options.chat(body, req);
    else if (format?.type === "json_schema" && format.json_schema.schema)
      answer = exampleFromSchema(format.json_schema.schema) as Record<string, unknown>;
    else answer = "OK";

    if (typeof answer === "object" && answer !== null && "fault" in answer && typeof answer.fault === "object") {
      // A scripted fault is served through the server's fault machinery on this very call.
      return { status: 0, fault: answer.fault as Fault };
    }
    let content: string | null;
    let refusal: string | null = null;
    let finish = "stop";
    if (typeof answer === "string") content = answer;
    else if ("refusal" in answer && typeof answer.refusal === "string") {
      content = null;
      refusal = answer.refusal;
    } else if ("finish_reason" in answer && typeof answer.content === "string") {
      content = answer.content;
      finish = answer.finish_reason as string;
    } else content = JSON.stringify(answer);

    const promptText = body.messages.map((m) => messageText(m.content)).join("\n");
    const prompt_tokens = tokensOf(promptText);
    const completion_tokens = tokensOf(content ?? refusal ?? "");
    return {
      status: 200,
      headers: rateHeaders(),
      body: {
        id: `chatcmpl-${randomUUID().replace(/-/g, "").slice(0, 24)}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content, refusal, annotations: [] },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage: {
          prompt_tokens,
          completion_tokens,
          total_tokens: prompt_tokens + completion_tokens,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
        service_tier: "default",
        system_fingerprint: "fp_fake",
      },
    };
  };

  const embeddings = (req: RouteRequest): Reply => {
    const bad = validate(req, "/embeddings");
    if (bad) return bad;
    const body = req.body as {
      model: string;
      input: string | string[] | number[] | number[][];
      dimensions?: number;
      encoding_format?: "float" | "base64";
    };
    const list: unknown[] =
      typeof body.input === "string" || typeof (body.input as unknown[])[0] === "number"
        ? [body.input]
        : (body.input as unknown[]);
    if (list.length === 0 || list.some((x) => x === "" || (Array.isArray(x) && x.length === 0))) {
      return {
        status: 400,
        body: openAIError(
          "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
          "invalid_request_error",
          null,
          null,
        ),
      };
    }
    if (list.length > 2048)
      return {
        status: 400,
        body: openAIError(
          `'$.input' is invalid: at most 2048 inputs per request, got ${list.length}.`,
          "invalid_request_error",
          "input",
          null,
        ),
      };
    if (body.dimensions !== undefined && body.model === "text-embedding-ada-002") {
      return {
        status: 400,
        body: openAIError(
          "This model does not support specifying dimensions.",
          "invalid_request_error",
          "dimensions",
          null,
        ),
      };
    }
    const dims = body.dimensions ?? MODEL_DIMS[body.model] ?? 1536;
    const texts = list.map((x) => (typeof x === "string" ? x : (x as number[]).join(" ")));
    const data = texts.map((t, index) => {
      const vector = hashEmbedding(t, dims);
      const embedding =
        body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
      return { object: "embedding", index, embedding };
    });
    const prompt_tokens = texts.reduce((s, t) => s + tokensOf(t), 0);
    return {
      status: 200,
      headers: rateHeaders(),
      body: { object: "list", data, model: body.model, usage: { prompt_tokens, total_tokens: prompt_tokens } },
    };
  };

  const server = (await FakeServer.start({
    latencyMs: options.latencyMs,
    errorBody: errorForStatus,
    auth: (headers) => {
      if (options.apiKey === undefined) return undefined;
      const token = bearerToken(headers);
      if (!token)
        return {
          status: 401,
          body: openAIError(
            "You didn't provide an API key. You need to provide your API key in an Authorization header " +
              "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "invalid_request_error",
            null,
            null,
          ),
        };
      if (token !== options.apiKey) {
        return {
          status: 401,
          body: openAIError(
            `Incorrect API key provided: ${maskKey(token)}. ` +
              "You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            null,
            "invalid_api_key",
          ),
        };
      }
      return undefined;
    },
    routes: [
      {
        method: "POST",
        path: "/v1/chat/completions",
        handle: chat,
        answerFault: (fault, reply) => {
          const body = structuredClone(reply.body) as { choices?: { message?: { content?: unknown } }[] } | undefined;
          const message = body?.choices?.[0]?.message;
          if (typeof message?.content === "string") message.content = breakScores(fault, message.content);
          return { ...reply, body };
        },
      },
      { method: "POST", path: "/v1/embeddings", handle: embeddings },
    ],
  })) as OpenAIServer;
  server.scriptChat = (...answers) => void script.push(...answers);
  return server;
}

/**
 * A chat responder for @mem0/reranker-llm's protocol: the last user message is JSON
 * `{query, untrusted_documents: [{id, text}]}` and the answer is `{scores: {<id>: score}}`, scored with
 * `scorer` (word overlap by default). Requests in another shape get the schema-filling default.
 */
export function llmRerankResponder(scorer: (query: string, document: string) => number = lexicalScore): ChatResponder {
  return (request) => {
    const last = [...request.messages].reverse().find((m) => m.role === "user");
    try {
      const payload = JSON.parse(messageText(last?.content)) as {
        query?: unknown;
        untrusted_documents?: { id: string; text: string }[];
      };
      if (typeof payload.query === "string" && Array.isArray(payload.untrusted_documents)) {
        return {
          scores: Object.fromEntries(
            payload.untrusted_documents.map((d) => [d.id, scorer(payload.query as string, d.text)]),
          ),
        };
      }
    } catch {
      /* not the reranker protocol */
    }
    const format = request.response_format;
    return format?.type === "json_schema" && format.json_schema.schema
      ? (exampleFromSchema(format.json_schema.schema) as Record<string, unknown>)
      : "OK";
  };
}
