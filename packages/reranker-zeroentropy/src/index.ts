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
 * refuses more than 5,000,000; larger pools are split into requests under that limit, run
 * concurrently and merged by score (ZeroEntropy's scores depend only on the query and document).
 */
import { defineReranker, fields, providerConfigSchema, type Reranker, type RerankItem, type RerankOptions } from "@mem0/core";
import {
  addCount,
  badResponseError,
  checkRankedResults,
  hostedConfigShape,
  joinUrl,
  pLimit,
  postJson,
  recordHeaders,
  resolveApiKey,
  retryPolicyFrom,
  withRetries,
  type RetryPolicy,
} from "@mem0/provider-utils";
import { ProviderError } from "@mem0/core";
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
  ...hostedConfigShape(),
});
export type ZeroEntropyRerankerConfig = z.output<typeof configSchema>;

/** ZeroEntropy's byte count for one document of a request. */
export function documentBytes(query: string, document: string): number {
  return PER_DOCUMENT_OVERHEAD + Buffer.byteLength(query, "utf8") + Buffer.byteLength(document, "utf8");
}

/**
 * Splits `documents` into consecutive ranges whose byte count stays within `limit`. A single
 * document over the limit cannot be sent at all: that is a permanent error naming it.
 */
export function splitByBytes(query: string, documents: readonly string[], limit = MAX_REQUEST_BYTES): { start: number; end: number; bytes: number }[] {
  const ranges: { start: number; end: number; bytes: number }[] = [];
  let start = 0;
  let bytes = 0;
  documents.forEach((doc, i) => {
    const size = documentBytes(query, doc);
    if (size > limit) {
      throw new ProviderError(PROVIDER, `document ${i} is ${size} bytes with the query; ZeroEntropy accepts at most ${limit} bytes per request`, { retryable: false, code: "PROVIDER_REQUEST_TOO_LARGE" });
    }
    if (bytes + size > limit) {
      ranges.push({ start, end: i, bytes });
      start = i;
      bytes = 0;
    }
    bytes += size;
  });
  if (documents.length > start) ranges.push({ start, end: documents.length, bytes });
  return ranges;
}

interface RerankResponse {
  actual_latency_mode?: unknown;
  e2e_latency?: unknown;
  inference_latency?: unknown;
  results?: unknown;
  total_bytes?: unknown;
  total_tokens?: unknown;
}

export class ZeroEntropyReranker implements Reranker {
  readonly provider = PROVIDER;
  readonly model: string;
  readonly topK: number | undefined;
  private readonly url: string;
  private readonly policy: Partial<RetryPolicy>;
  private readonly apiKey!: string;

  constructor(private readonly config: Omit<ZeroEntropyRerankerConfig, "api_key">, apiKey: string) {
    this.model = config.model ?? DEFAULT_MODEL;
    this.topK = config.top_k;
    this.url = joinUrl(config.base_url ?? DEFAULT_BASE_URL, "models/rerank");
    this.policy = retryPolicyFrom(config);
    Object.defineProperty(this, "apiKey", { value: apiKey, enumerable: false });
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    if (options.signal?.aborted) throw options.signal.reason;
    if (documents.length === 0) return [];
    const topK = Math.min(options.top_k ?? documents.length, documents.length);
    const ranges = splitByBytes(query, documents);
    const limit = pLimit(this.config.concurrency ?? 4);
    const parts = await Promise.all(
      ranges.map((range) =>
        limit(async () => {
          const chunk = documents.slice(range.start, range.end);
          const topN = Math.min(topK, chunk.length);
          const items = await this.call(query, chunk, topN, options);
          return items.map((r) => ({ index: r.index + range.start, score: r.score }));
        }),
      ),
    );
    if (options.meta && ranges.length > 1) options.meta.requests_split = ranges.length;
    return parts.flat().sort((a, b) => b.score - a.score).slice(0, topK);
  }

  private async call(query: string, documents: string[], topN: number, options: RerankOptions): Promise<RerankItem[]> {
    const meta = options.meta;
    const body: Record<string, unknown> = { model: this.model, query, documents, top_n: topN };
    if (this.config.latency) body.latency = this.config.latency;
    const response = await withRetries(
      PROVIDER,
      (signal) => {
        if (meta) addCount(meta, "calls", 1);
        return postJson<RerankResponse>(PROVIDER, this.url, body, { headers: { authorization: `Bearer ${this.apiKey}` }, signal, secrets: [this.apiKey] });
      },
      { policy: this.policy, signal: options.signal, meta, secrets: [this.apiKey] },
    );
    const data = response.body;
    if (!data || typeof data !== "object") throw badResponseError(PROVIDER, "answer is not an object");
    if (meta) {
      recordHeaders(meta, response.headers);
      if (data.actual_latency_mode === "fast" || data.actual_latency_mode === "slow") {
        // "slow" means ZeroEntropy throttled this request: worth seeing without a dashboard.
        meta.actual_latency_mode = meta.actual_latency_mode === "slow" ? "slow" : data.actual_latency_mode;
      }
      for (const key of ["total_bytes", "total_tokens"] as const) if (typeof data[key] === "number") addCount(meta, key, data[key]);
      for (const key of ["e2e_latency", "inference_latency"] as const) {
        if (typeof data[key] === "number") meta[key] = Math.max(Number(meta[key] ?? 0), data[key]);
      }
    }
    return checkRankedResults(PROVIDER, data.results, documents.length, topN, "relevance_score");
  }
}

export const plugin = defineReranker({
  provider: PROVIDER,
  configSchema,
  create({ api_key, ...config }, ctx) {
    const key = resolveApiKey({ configured: api_key, env: ctx.env, envNames: ["ZERO_ENTROPY_API_KEY", "ZEROENTROPY_API_KEY"], path: "reranker.config.api_key" })!;
    return new ZeroEntropyReranker(config, key);
  },
});

// Types `provider: "zero_entropy"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config { interface RerankerConfigs { zero_entropy: import("@mem0/core").PluginConfig<typeof plugin> } }
}

export default plugin;
