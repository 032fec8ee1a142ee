/**
 * The embedder: OpenAI's `/v1/embeddings` through the official SDK, or any server that speaks it
 * (vLLM, Ollama, LM Studio, LiteLLM, Azure-style gateways) via `baseURL`.
 */
import { Mem0Error, ProviderError, ValidationError, type Embedder } from "@mem0/core";
import { badResponseError, pLimit, Secret, withContext, withRetries, type RetryPolicy } from "@mem0/provider-utils";
import OpenAI from "openai";
import { MAX_INPUTS_PER_REQUEST, MAX_TOKENS_PER_REQUEST, modelInfo, planBatches } from "./limits.js";

export interface OpenAIEmbedderOptions {
  model: string;
  /** Undefined only for servers that need no key (a `baseURL` was given); no header is sent then. */
  apiKey?: Secret | string;
  baseURL: string;
  /**
   * The vector length. Sent as `dimensions` when the model accepts it; otherwise checked against
   * every answer. Undefined: the model's known size, or one probe request (see `OpenAIEmbedder.create`).
   */
  dims?: number;
  batchSize?: number;
  encodingFormat?: "base64" | "float";
  /** Per HTTP attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt, by provider-utils' retry loop (the SDK's are off). */
  maxRetries?: number;
  /** Requests in flight at once when a call needs several batches. */
  concurrency?: number;
  organization?: string;
  project?: string;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_CONCURRENCY = 4;

/**
 * Node's fetch rejects with errors made in the main realm. Where the SDK runs in another realm
 * (jest and other vm sandboxes) they are not `instanceof Error` there; the SDK then flattens a
 * timeout's DOMException to `Error("{}")` and reports it as a plain connection failure. Re-made
 * here, they keep their name, and timeouts stay timeouts.
 */
async function realmSafeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  try {
    return await globalThis.fetch(input, init);
  } catch (err) {
    if (err instanceof Error) throw err;
    const thrown = (err ?? {}) as { name?: unknown; message?: unknown; cause?: unknown };
    const copy = new Error(typeof thrown.message === "string" ? thrown.message : String(err), { cause: thrown.cause });
    if (typeof thrown.name === "string") copy.name = thrown.name;
    throw copy;
  }
}

function decode(embedding: unknown): Float32Array | undefined {
  if (typeof embedding === "string") {
    const bytes = Buffer.from(embedding, "base64");
    if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
    // Copied out: the Buffer may sit at an offset in a pooled ArrayBuffer that is not 4-aligned.
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }
  // Some OpenAI-compatible servers ignore `encoding_format: base64` and send floats anyway.
  if (Array.isArray(embedding) && embedding.length > 0 && embedding.every((x) => typeof x === "number"))
    return Float32Array.from(embedding);
  return undefined;
}

export class OpenAIEmbedder implements Embedder {
  readonly provider = "openai";
  readonly model: string;
  readonly batchSize: number;
  readonly encodingFormat: "base64" | "float";
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Whether `dimensions` goes on the wire. */
  readonly sendsDimensions: boolean;
  // Private fields: the client holds the API key, and `#` fields are invisible to JSON.stringify,
  // util.inspect and Object.keys, so logging an embedder never prints it.
  readonly #client: OpenAI;
  readonly #apiKey: Secret | undefined;
  readonly #policy: Partial<RetryPolicy>;
  readonly #concurrency: number;
  #dims: number | undefined;

  constructor(options: OpenAIEmbedderOptions) {
    this.model = options.model;
    const info = modelInfo(options.model);
    this.#dims = options.dims ?? info?.dims;
    this.sendsDimensions = options.dims !== undefined && info?.dimensions === true;
    this.batchSize = Math.min(options.batchSize ?? MAX_INPUTS_PER_REQUEST, MAX_INPUTS_PER_REQUEST);
    this.encodingFormat = options.encodingFormat ?? "base64";
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.#apiKey = typeof options.apiKey === "string" ? new Secret(options.apiKey) : options.apiKey;
    this.#policy = { timeoutMs: this.timeoutMs, maxRetries: this.maxRetries };
    this.#client = new OpenAI({
      // The SDK refuses to start without a key; for keyless local servers a placeholder satisfies
      // it and the Authorization header is removed below, so nothing fake goes on the wire.
      apiKey: this.#apiKey?.reveal() ?? "unused",
      baseURL: options.baseURL,
      organization: options.organization ?? null,
      project: options.project ?? null,
      // provider-utils' withRetries is the one retry loop and owns the per-attempt timeout; the
      // SDK's timeout is a backstop just above it.
      timeout: this.timeoutMs + 1000,
      maxRetries: 0,
      fetch: realmSafeFetch,
      ...(options.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
    });
  }

  /** Creates the embedder; for a model of unknown size without `dims`, asks the server once. */
  static async create(options: OpenAIEmbedderOptions): Promise<OpenAIEmbedder> {
    const embedder = new OpenAIEmbedder(options);
    if (embedder.#dims === undefined) {
      try {
        const [vector] = await embedder.request(["dimension probe"]);
        embedder.#dims = vector!.length;
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        throw withContext(
          err,
          `(while asking ${options.model} for its vector size; set embedding_dims to skip this request)`,
        );
      }
    }
    return embedder;
  }

  get dims(): number {
    if (this.#dims === undefined)
      throw new Mem0Error(
        "EMBEDDER_NOT_READY",
        `openai embedder: the vector size of ${this.model} is not known yet; ` +
          "create it with OpenAIEmbedder.create() or give dims",
      );
    return this.#dims;
  }

  /** One vector per text, in order. OpenAI embeds queries and documents alike, so `kind` is unused. */
  async embed(
    texts: readonly string[],
    _kind: "add" | "search" = "add",
    options: { signal?: AbortSignal } = {},
  ): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) throw new ValidationError("embed.texts", "expected an array of strings");
    texts.forEach((t, i) => {
      if (typeof t !== "string") throw new ValidationError(`embed.texts[${i}]`, "expected a string");
      // The API answers 400 for "" without saying which input; say it here.
      if (t === "")
        throw new ValidationError(
          `embed.texts[${i}]`,
          "must be a non-empty string (the embeddings API rejects empty input)",
        );
    });
    if (texts.length === 0) return [];
    const batches = planBatches(texts, { maxInputs: this.batchSize, maxTokens: MAX_TOKENS_PER_REQUEST });
    if (batches.length === 1) return this.request(batches[0]!.texts, options.signal);

    // The first failed batch cancels the others: their vectors would be thrown away anyway.
    const cancel = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
    const limit = pLimit(this.#concurrency);
    try {
      const parts = await Promise.all(
        batches.map((b) =>
          limit(async () => {
            try {
              return await this.request(b.texts, signal);
            } catch (err) {
              cancel.abort(err);
              throw err;
            }
          }),
        ),
      );
      return parts.flat();
    } finally {
      limit.clearQueue();
    }
  }

  private async request(input: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const dimensions = this.sendsDimensions ? { dimensions: this.#dims! } : {};
    const body = { model: this.model, input, encoding_format: this.encodingFormat, ...dimensions };
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      response = await withRetries(
        "openai",
        (attemptSignal) => this.#client.embeddings.create(body, { signal: attemptSignal, maxRetries: 0 }),
        { policy: this.#policy, signal, secrets: [this.#apiKey] },
      );
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      throw err instanceof ProviderError ? this.withCall(err) : err;
    }
    return this.vectorsOf(response, input.length);
  }

  /** Checks the answer whole: one finite vector per input, each index once, all of the expected size. */
  private vectorsOf(response: OpenAI.Embeddings.CreateEmbeddingResponse, count: number): Float32Array[] {
    const bad = (what: string) => this.withCall(badResponseError("openai", what));
    const data = (response as { data?: unknown })?.data;
    if (!Array.isArray(data)) throw bad("no data array");
    if (data.length !== count) throw bad(`${data.length} embeddings for ${count} inputs`);
    const out: Float32Array[] = new Array(count);
    for (const item of data as { index?: unknown; embedding?: unknown }[]) {
      const index = item?.index;
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= count || out[index])
        throw bad(`embedding index ${JSON.stringify(index)} is missing, out of range or repeated`);
      const vector = decode(item.embedding);
      if (!vector) throw bad(`embedding ${index} is not a float vector`);
      if (!vector.every(Number.isFinite)) throw bad(`embedding ${index} holds a non-finite number`);
      const expected = this.#dims ?? out.find(Boolean)?.length ?? vector.length;
      if (vector.length !== expected) {
        throw bad(
          `${this.model} returned ${vector.length}-dimensional vectors, expected ${expected}` +
            (this.sendsDimensions ? "" : `; if that is the model's size, set embedding_dims: ${vector.length}`),
        );
      }
      out[index] = vector;
    }
    return out;
  }

  /** Adds which call failed: the LLM and the embedder are both "openai" and may use different keys. */
  private withCall(err: ProviderError): ProviderError {
    return withContext(err, `[embeddings, model ${this.model}]`);
  }
}
