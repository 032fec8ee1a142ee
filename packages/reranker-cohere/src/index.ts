/**
 * `cohere`: Cohere's hosted reranker through the official SDK (`CohereClientV2.rerank`, POST
 * /v2/rerank). Config keys follow Mem0's (`model`, `api_key`, `top_k`, `return_documents`) plus
 * `max_tokens_per_doc`, `base_url`, `timeout_ms`, `max_retries`.
 *
 * Pools over 1,000 documents (Cohere's advice per call) are split by the pipeline via
 * `maxDocumentsPerCall` and merged by score; Cohere's relevance scores are absolute per
 * (query, document), so merged rankings are exact.
 */
import { defineReranker, fields, providerConfigSchema, snakeCaseKeys, type Reranker, type RerankItem, type RerankOptions } from "@mem0/core";
import {
  addCount,
  addCounts,
  addUnique,
  badResponseError,
  checkRankedResults,
  connectionError,
  connectionErrorCode,
  hostedConfigShape,
  recordHeaders,
  resolveApiKey,
  retryPolicyFrom,
  statusError,
  timeoutError,
  withRetries,
  type RetryPolicy,
} from "@mem0/provider-utils";
import { CohereClientV2, CohereError, CohereTimeoutError } from "cohere-ai";
import { z } from "zod";

export const PROVIDER = "cohere";
/** Mem0's default Cohere model. */
export const DEFAULT_MODEL = "rerank-english-v3.0";
/** Cohere recommends at most 1,000 documents per request. */
export const MAX_DOCUMENTS_PER_CALL = 1000;
/** Cohere's throttling and quota headers, besides the generic rate-limit ones. */
const COHERE_HEADERS = /^(x-)?ratelimit|^retry-after|^x-(trial-)?endpoint-|^x-api-warning/i;

export const configSchema = providerConfigSchema({
  model: fields.nonEmptyString().optional(),
  top_k: fields.positiveInt().optional(),
  /**
   * Accepted for Mem0 compatibility. The v2 API has no such option, and search results always
   * carry the memory text, so nothing is requested from Cohere for it.
   */
  return_documents: z.boolean({ error: "expected a boolean" }).optional(),
  max_tokens_per_doc: fields.positiveInt().optional(),
  ...hostedConfigShape(),
});
export type CohereRerankerConfig = z.output<typeof configSchema>;


export class CohereReranker implements Reranker {
  readonly provider = PROVIDER;
  readonly model: string;
  readonly topK: number | undefined;
  readonly maxDocumentsPerCall = MAX_DOCUMENTS_PER_CALL;
  private readonly client: CohereClientV2;
  private readonly policy: Partial<RetryPolicy>;
  private readonly secrets: string[];

  private readonly config: Omit<CohereRerankerConfig, "api_key">;

  constructor({ api_key: _key, ...config }: CohereRerankerConfig, apiKey: string) {
    this.config = config;
    this.model = config.model ?? DEFAULT_MODEL;
    this.topK = config.top_k;
    this.policy = retryPolicyFrom(config);
    this.secrets = [apiKey];
    // The SDK's own retries are off (maxRetries: 0): see @mem0/provider-utils' withRetries for why.
    this.client = new CohereClientV2({
      token: apiKey,
      ...(config.base_url ? { baseUrl: config.base_url } : {}),
      maxRetries: 0,
      // Our per-attempt timeout governs; the SDK's is a backstop. (cohere-ai 8.1 leaves this timer
      // running when a request is aborted, so it is kept just above ours, not at its 300 s default.)
      timeoutInSeconds: Math.ceil((config.timeout_ms ?? 30_000) / 1000) + 1,
    });
    // The client keeps the key in its options; keep those out of enumerable fields and logs.
    Object.defineProperty(this, "client", { enumerable: false });
    Object.defineProperty(this, "secrets", { enumerable: false });
  }

  /** Cohere SDK errors → classified provider errors (status, body text, Retry-After). */
  private classify(err: unknown): unknown {
    if (err instanceof CohereTimeoutError) return timeoutError(PROVIDER, this.config.timeout_ms ?? 30_000);
    if (err instanceof CohereError) {
      const status = err.statusCode;
      if (status !== undefined && status >= 400) return statusError(PROVIDER, status, { body: err.body, headers: err.rawResponse?.headers, secrets: this.secrets });
      if (status !== undefined) return badResponseError(PROVIDER, `HTTP ${status} body is not JSON`);
      const code = connectionErrorCode(err.cause ?? err);
      if (code) return connectionError(PROVIDER, code);
    }
    return err;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    if (options.signal?.aborted) throw options.signal.reason;
    if (documents.length === 0) return [];
    const topN = Math.min(options.top_k ?? documents.length, documents.length);
    const meta = options.meta;
    const { data, rawResponse } = await withRetries(
      PROVIDER,
      async (signal) => {
        if (meta) addCount(meta, "calls", 1);
        try {
          return await this.client
            .rerank(
              { model: this.model, query, documents: [...documents], topN, ...(this.config.max_tokens_per_doc ? { maxTokensPerDoc: this.config.max_tokens_per_doc } : {}) },
              { abortSignal: signal, maxRetries: 0 },
            )
            .withRawResponse();
        } catch (err) {
          throw this.classify(err);
        }
      },
      { policy: this.policy, signal: options.signal, meta, secrets: this.secrets },
    );
    // cohere-ai 8.1 hands a 200 whose body is not JSON back as data `{ ok: false, error: { reason: "non-json" } }`.
    const odd = data as unknown as { ok?: unknown; error?: { reason?: unknown } };
    if (odd.ok === false && odd.error?.reason === "non-json") throw badResponseError(PROVIDER, "HTTP 200 body is not JSON");
    if (meta) {
      recordHeaders(meta, rawResponse.headers, { match: COHERE_HEADERS });
      addCounts(meta, "billed_units", snakeCaseKeys(data.meta?.billedUnits) as Record<string, unknown> | undefined);
      addUnique(meta, "warnings", data.meta?.warnings);
      if (data.meta?.apiVersion?.version) meta.api_version = data.meta.apiVersion.version;
    }
    return checkRankedResults(PROVIDER, data.results, documents.length, topN, "relevanceScore");
  }
}

export const plugin = defineReranker({
  provider: PROVIDER,
  configSchema,
  create(config, ctx) {
    const apiKey = resolveApiKey({ configured: config.api_key, env: ctx.env, envNames: ["COHERE_API_KEY", "CO_API_KEY"], path: "reranker.config.api_key" })!;
    return new CohereReranker(config, apiKey);
  },
});

// Types `provider: "cohere"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config { interface RerankerConfigs { cohere: import("@mem0/core").PluginConfig<typeof plugin> } }
}

export default plugin;
