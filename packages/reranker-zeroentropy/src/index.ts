/**
 * `zero_entropy`: ZeroEntropy's reranker (`POST /v1/models/rerank`).
 *
 * Why Node's built-in fetch (undici) and not the `zeroentropy` SDK: the SDK (0.1.0-alpha.10 when
 * this was written) is an alpha built on node-fetch@2 with its own polyfill layer, pulls
 * `@types/node@18` into the dependency tree, reads `ZEROENTROPY_API_KEY` from `process.env` by
 * itself, and its retry loop sleeps without watching the abort signal. The endpoint is one JSON
 * POST; fetch + @mem0/provider-utils covers it with the same retry and error rules as every other
 * hosted provider, and nothing extra to install.
 *
 * ZeroEntropy counts a request as sum(150 + bytes(query) + bytes(document)) over documents and
 * refuses more than 5,000,000; `planCalls` tells core's rerank runner how to split larger pools
 * into requests under that limit, which it runs concurrently and merges by score (ZeroEntropy's
 * scores depend only on the query and document).
 */
import { defineReranker, fields, planByWeight, ProviderError, providerConfigSchema, runReranker } from "@mem0/core";
import type { RerankCall, Reranker, RerankItem, RerankOptions } from "@mem0/core";
import * as hosted from "@mem0/provider-utils";
import { z } from "zod";

export const PROVIDER = "zero_entropy";
export const DEFAULT_MODEL = "zerank-1";
export const DEFAULT_BASE_URL = "https://api.zeroentropy.dev/v1";
export const MAX_REQUEST_BYTES = 5_000_000;
const PER_DOCUMENT_OVERHEAD = 150;

export const configSchema = providerConfigSchema({
  /** `zerank-1` (default), `zerank-1-small`, `zerank-2`, or any newer model id. */
  model: fields.nonEmptyString().optional(),
  top_k: fields.positiveInt().optional(),
  /** `fast` (sub-second, lower rate limits) or `slow`; unset lets ZeroEntropy fall back to slow when throttled. */
  latency: z.enum(["fast", "slow"], { error: 'expected "fast" or "slow"' }).optional(),
  /** Concurrent requests when a pool is split (default 4). */
  concurrency: fields.positiveInt().optional(),
  ...hosted.hostedConfigShape(),
});
export type ZeroEntropyRerankerConfig = z.output<typeof configSchema>;

/** ZeroEntropy's byte count for one document of a request. */
export function documentBytes(query: string, document: string): number {
  return PER_DOCUMENT_OVERHEAD + Buffer.byteLength(query, "utf8") + Buffer.byteLength(document, "utf8");
}

/**
 * Splits `documents` into consecutive requests whose byte count stays within `limit`. A single
 * document over the limit cannot be sent at all: that is a permanent error naming it.
 */
export function splitByBytes(query: string, documents: readonly string[], limit = MAX_REQUEST_BYTES): RerankCall[] {
  return planByWeight(
    documents.map((doc) => documentBytes(query, doc)),
    limit,
    (i, size) =>
      new ProviderError(
        PROVIDER,
        `document ${i} is ${size} bytes with the query; ZeroEntropy accepts at most ${limit} bytes per request`,
        {
          retryable: false,
          code: "PROVIDER_REQUEST_TOO_LARGE",
        },
      ),
  );
}

/** ZeroEntropy's answer, as far as we read it; ranges and counts are checked by core's validateRanking. */
const rerankResponse = z.object({
  results: z.array(z.object({ index: z.number(), relevance_score: z.number() })),
  actual_latency_mode: z.string().optional(),
  e2e_latency: z.number().optional(),
  inference_latency: z.number().optional(),
  total_bytes: z.number().optional(),
  total_tokens: z.number().optional(),
});

export class ZeroEntropyReranker implements Reranker {
  readonly provider = PROVIDER;
  readonly hosted = true;
  readonly model: string;
  readonly topK: number | undefined;
  readonly maxConcurrentCalls: number;
  readonly #url: string;
  readonly #policy: Partial<hosted.RetryPolicy>;
  readonly #apiKey: hosted.Secret;

  constructor(
    private readonly config: Omit<ZeroEntropyRerankerConfig, "api_key">,
    apiKey: hosted.Secret,
  ) {
    this.model = config.model ?? DEFAULT_MODEL;
    this.topK = config.top_k;
    this.maxConcurrentCalls = config.concurrency ?? 4;
    this.#url = hosted.joinUrl(config.base_url ?? DEFAULT_BASE_URL, "models/rerank");
    this.#policy = hosted.retryPolicyFrom(config);
    this.#apiKey = apiKey;
  }

  planCalls(query: string, documents: readonly string[]): RerankCall[] {
    return splitByBytes(query, documents);
  }

  /** One request; a pool over the byte limit (a direct call, outside the pipeline) goes through core's runner. */
  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    if (options.signal?.aborted) throw options.signal.reason;
    if (documents.length === 0) return [];
    const topK = Math.min(options.top_k ?? documents.length, documents.length);
    if (this.planCalls(query, documents).length > 1)
      return runReranker(this, query, documents, { top_k: topK, signal: options.signal, meta: options.meta });
    return this.call(query, documents, topK, options);
  }

  private async call(
    query: string,
    documents: readonly string[],
    topN: number,
    options: RerankOptions,
  ): Promise<RerankItem[]> {
    const meta = options.meta;
    const body: Record<string, unknown> = { model: this.model, query, documents, top_n: topN };
    if (this.config.latency) body.latency = this.config.latency;
    const { data } = await hosted.postJsonWithRetries({
      provider: PROVIDER,
      url: this.#url,
      body,
      apiKey: this.#apiKey,
      response: rerankResponse,
      policy: this.#policy,
      signal: options.signal,
      meta,
    });
    if (meta) {
      if (data.actual_latency_mode === "fast" || data.actual_latency_mode === "slow") {
        // "slow" means ZeroEntropy throttled this request: worth seeing without a dashboard.
        meta.actual_latency_mode = meta.actual_latency_mode === "slow" ? "slow" : data.actual_latency_mode;
      }
      for (const key of ["total_bytes", "total_tokens"] as const)
        if (data[key] !== undefined) hosted.addCount(meta, key, data[key]);
      for (const key of ["e2e_latency", "inference_latency"] as const) {
        if (data[key] !== undefined) meta[key] = Math.max(Number(meta[key] ?? 0), data[key]);
      }
    }
    return hosted.validateHostedRanking(PROVIDER, data.results, { documents, expected: topN, secrets: [this.#apiKey] });
  }
}

export const plugin = defineReranker({
  provider: PROVIDER,
  configSchema,
  create: ({ api_key, ...config }, ctx) =>
    new ZeroEntropyReranker(
      config,
      hosted.contextApiKey(ctx, "reranker", api_key, ["ZERO_ENTROPY_API_KEY", "ZEROENTROPY_API_KEY"]),
    ),
});

// Types `provider: "zero_entropy"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface RerankerConfigs {
      zero_entropy: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
