/**
 * A client for Hugging Face text-embeddings-inference (TEI): `POST /rerank` and `POST /embed`,
 * shared by the `huggingface` reranker and embedder. Pure JavaScript: fetch + provider-utils.
 *
 * TEI rejects a request with more texts than its `--max-client-batch-size` (32 by default), and a
 * body over its payload limit. `rerankOnce` sends one request: the reranker states `batchLimit` as
 * its `maxDocumentsPerCall` and core's rerank runner splits and merges. `embed` splits into chunks
 * of at most `batchLimit`, sent concurrently and merged back by index. When a server's limit is
 * lower than assumed (it answers 413, or 422 "batch size" in older versions), the limit is halved
 * and kept for later calls. 429 `Overloaded` and 5xx are retried with backoff (provider-utils); 424
 * `Backend` (the model failed) and other 4xx are not.
 */
import { ProviderError, validateRanking, type RerankItem } from "@mem0/core";
import {
  addCount,
  badResponseError,
  joinUrl,
  pLimit,
  postJson,
  Secret,
  withRetries,
  type RetryPolicy,
} from "@mem0/provider-utils";

export const TEI_DEFAULT_MAX_BATCH = 32;

export interface TeiClientOptions {
  /** Provider name, for errors. */
  provider: string;
  /** The server's base URL (a trailing `/rerank` or `/embed` is tolerated). */
  endpointUrl: string;
  /** Sent as a bearer token (Hugging Face Inference Endpoints); a plain TEI server needs none. */
  apiKey?: Secret;
  policy?: Partial<RetryPolicy>;
  /** Texts per request; TEI's default `--max-client-batch-size` is 32. */
  maxBatchSize?: number;
  /** Requests in flight at once for one call. */
  concurrency?: number;
}

export interface TeiCallOptions {
  signal?: AbortSignal;
  meta?: Record<string, unknown>;
}

/** The server refused a request as too large: fewer texts per request may pass. */
export const isBatchLimitError = (err: unknown): err is ProviderError =>
  err instanceof ProviderError && (err.status === 413 || (err.status === 422 && /batch size/i.test(err.message)));

export class TeiClient {
  readonly baseUrl: string;
  /** The texts per request now in use: starts at `maxBatchSize`, lowered if the server says so. */
  batchLimit: number;
  readonly #options: TeiClientOptions;
  readonly #limit: ReturnType<typeof pLimit>;

  constructor(options: TeiClientOptions) {
    this.#options = options;
    this.baseUrl = options.endpointUrl.replace(/\/+$/, "").replace(/\/(rerank|embed)$/, "");
    this.batchLimit = options.maxBatchSize ?? TEI_DEFAULT_MAX_BATCH;
    this.#limit = pLimit(options.concurrency ?? 4);
  }

  /**
   * Scores every text against `query` in one request (at most `batchLimit` texts). `rawScores:
   * false` asks TEI for sigmoid-activated scores in [0, 1]; `true` for the raw logits. Returns one
   * item per text, by index into `texts`.
   */
  async rerankOnce(
    query: string,
    texts: readonly string[],
    options: TeiCallOptions & { rawScores: boolean },
  ): Promise<RerankItem[]> {
    const body = { query, texts, raw_scores: options.rawScores, truncate: true, truncation_direction: "Right" };
    const fail = (problem: string) =>
      badResponseError(this.#options.provider, `/rerank returned ${problem}`, [this.#options.apiKey]);
    const ranks = await withRetries(
      this.#options.provider,
      async (signal) =>
        validateRanking((await this.post("rerank", body, signal)).body, {
          documents: texts.length,
          expected: texts.length,
          fail,
        }),
      { policy: this.#options.policy, signal: options.signal, meta: options.meta, secrets: [this.#options.apiKey] },
    );
    if (options.meta) addCount(options.meta, "requests", 1);
    return ranks;
  }

  /** After a batch-limit refusal of `refused` texts: halve the limit for this and later calls. */
  lowerBatchLimit(refused: number, meta?: Record<string, unknown>): void {
    this.batchLimit = Math.min(this.batchLimit, Math.ceil(refused / 2));
    if (meta) addCount(meta, "batch_splits", 1);
  }

  /** One vector per text, in order. */
  async embed(texts: readonly string[], options: TeiCallOptions & { normalize: boolean }): Promise<number[][]> {
    const parts = await this.chunked(texts, options, async (chunk, signal) => {
      const { body } = await this.post(
        "embed",
        { inputs: chunk, normalize: options.normalize, truncate: true, truncation_direction: "Right" },
        signal,
      );
      return checkEmbeddings(this.#options.provider, body, chunk.length);
    });
    return parts.flatMap((p) => p.result);
  }

  private post(route: string, body: unknown, signal: AbortSignal) {
    const apiKey = this.#options.apiKey;
    const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey.reveal()}` } : {};
    return postJson(this.#options.provider, joinUrl(this.baseUrl, route), body, { headers, signal, secrets: [apiKey] });
  }

  /**
   * Splits `texts` by the batch limit, runs the chunks concurrently with retries, halves a chunk the
   * server finds too big.
   */
  private async chunked<T>(
    texts: readonly string[],
    options: TeiCallOptions,
    send: (chunk: string[], signal: AbortSignal) => Promise<T[]>,
  ): Promise<{ start: number; result: T[] }[]> {
    const run = async (start: number, chunk: string[]): Promise<{ start: number; result: T[] }[]> => {
      try {
        const result = await this.#limit(() =>
          withRetries(this.#options.provider, (signal) => send(chunk, signal), {
            policy: this.#options.policy,
            signal: options.signal,
            meta: options.meta,
            secrets: [this.#options.apiKey],
          }),
        );
        if (options.meta) addCount(options.meta, "requests", 1);
        return [{ start, result }];
      } catch (err) {
        if (!isBatchLimitError(err) || chunk.length <= 1) throw err;
        const half = Math.ceil(chunk.length / 2);
        this.batchLimit = Math.min(this.batchLimit, half);
        if (options.meta) addCount(options.meta, "batch_splits", 1);
        const parts = await Promise.all([run(start, chunk.slice(0, half)), run(start + half, chunk.slice(half))]);
        return parts.flat();
      }
    };
    const size = this.batchLimit;
    const starts = Array.from({ length: Math.ceil(texts.length / size) }, (_, i) => i * size);
    const parts = await Promise.all(starts.map((start) => run(start, texts.slice(start, start + size))));
    return parts.flat();
  }
}

function checkEmbeddings(provider: string, body: unknown, count: number): number[][] {
  if (!Array.isArray(body) || body.length !== count) {
    throw badResponseError(
      provider,
      `/embed returned ${Array.isArray(body) ? `${body.length} vectors` : typeof body} for ${count} texts`,
    );
  }
  const dims = Array.isArray(body[0]) ? body[0].length : -1;
  for (const vector of body) {
    if (
      !Array.isArray(vector) ||
      vector.length !== dims ||
      dims === 0 ||
      !vector.every((x) => typeof x === "number" && Number.isFinite(x))
    ) {
      throw badResponseError(
        provider,
        "/embed returned a vector that is not a list of finite numbers of the same length as the others",
      );
    }
  }
  return body as number[][];
}

/** Hosts where a Hugging Face token belongs: the hub, its router and Inference Endpoints. */
const HF_HOSTS = /(^|\.)(huggingface\.co|hf\.co|huggingface\.cloud)$/i;

/**
 * The bearer token for a TEI endpoint: the configured key, else `HF_TOKEN` — but only for Hugging
 * Face's own hosts, so a token in the environment is never sent to an arbitrary server.
 */
export function teiApiKey(
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  endpointUrl: string,
): Secret | undefined {
  if (configured && configured.trim() !== "") return new Secret(configured);
  let host = "";
  try {
    host = new URL(endpointUrl).hostname;
  } catch {
    return undefined;
  }
  const token = HF_HOSTS.test(host) ? (env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN) : undefined;
  return token && token.trim() !== "" ? new Secret(token) : undefined;
}
