/**
 * `@mem0/embedder-openai`: provider `openai` under `embedder`.
 *
 * ```ts
 * embedder: { provider: "openai", config: { model: "text-embedding-3-small", api_key: process.env.OPENAI_API_KEY } }
 * ```
 */
import { defineEmbedder, fields, providerConfigSchema } from "@mem0/core";
import { apiKeyPath, hostedConfigShape, resolveApiKey } from "@mem0/provider-utils";
import { z } from "zod";
import { OpenAIEmbedder } from "./embedder.js";
import { DEFAULT_MODEL, MAX_INPUTS_PER_REQUEST, modelInfo } from "./limits.js";

export {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  OpenAIEmbedder,
  type OpenAIEmbedderOptions,
} from "./embedder.js";
export {
  DEFAULT_MODEL,
  MAX_INPUTS_PER_REQUEST,
  MAX_TOKENS_PER_REQUEST,
  OPENAI_EMBEDDING_MODELS,
  modelInfo,
  planBatches,
  tokenUpperBound,
  type Batch,
  type EmbeddingModelInfo,
} from "./limits.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `baseURL` is how the openai SDK spells it, so TypeScript users will write it; the generic
 * camelCase mapping would turn it into `base_u_r_l`. Left alone when `base_url` is also given, so
 * the duplicate is reported instead of silently picking one.
 */
function sdkSpellings(value: unknown): unknown {
  if (!isObject(value) || !("baseURL" in value) || "base_url" in value || "baseUrl" in value) return value;
  const { baseURL, ...rest } = value;
  return { ...rest, base_url: baseURL };
}

export const configSchema = z
  .preprocess(
    sdkSpellings,
    providerConfigSchema({
      /** Default `text-embedding-3-small`. */
      model: fields.nonEmptyString().optional(),
      ...hostedConfigShape(),
      /** Mem0 Python's name for `base_url`. */
      openai_base_url: fields.url().optional(),
      /** Vector length; sent as `dimensions` to models that accept it (text-embedding-3-*). */
      embedding_dims: fields.positiveInt().optional(),
      /** Most inputs per request (the API allows 2048). */
      batch_size: fields
        .positiveInt()
        .max(MAX_INPUTS_PER_REQUEST, {
          error: `expected at most ${MAX_INPUTS_PER_REQUEST} (the embeddings API's limit of inputs per request)`,
        })
        .optional(),
      /** Wire encoding of vectors; base64 is ~4× smaller. Some compatible servers only do float. */
      encoding_format: z.enum(["base64", "float"], { error: 'expected "base64" or "float"' }).optional(),
    }),
  )
  .superRefine((config, ctx) => {
    if (config.base_url && config.openai_base_url && config.base_url !== config.openai_base_url) {
      ctx.addIssue({
        code: "custom",
        path: ["openai_base_url"],
        message: "conflicts with base_url; set only one of them",
      });
    }
    const model = config.model ?? DEFAULT_MODEL;
    const info = modelInfo(model);
    const dims = config.embedding_dims;
    if (info && dims !== undefined && dims !== info.dims) {
      if (!info.dimensions) {
        ctx.addIssue({
          code: "custom",
          path: ["embedding_dims"],
          message:
            `${model} always returns ${info.dims}-dimensional vectors and does not accept dimensions; ` +
            `remove embedding_dims or set it to ${info.dims}`,
        });
      } else if (dims > info.dims) {
        ctx.addIssue({
          code: "custom",
          path: ["embedding_dims"],
          message: `expected at most ${info.dims} for ${model}`,
        });
      }
    }
  });

export type OpenAIEmbedderConfig = z.output<typeof configSchema>;

export const plugin = defineEmbedder({
  provider: "openai",
  configSchema,
  create(config, ctx) {
    const baseURL = config.base_url ?? config.openai_base_url ?? ctx.env.OPENAI_BASE_URL;
    // A key is required by api.openai.com; a server of the user's own choosing may need none.
    const apiKey = resolveApiKey({
      configured: config.api_key,
      env: ctx.env,
      envNames: ["OPENAI_API_KEY"],
      path: apiKeyPath(ctx, "embedder"),
      optional: baseURL !== undefined,
    });
    return OpenAIEmbedder.create({
      model: config.model ?? DEFAULT_MODEL,
      apiKey,
      baseURL: baseURL ?? "https://api.openai.com/v1",
      dims: config.embedding_dims,
      batchSize: config.batch_size,
      encodingFormat: config.encoding_format,
      timeoutMs: config.timeout_ms,
      maxRetries: config.max_retries,
      organization: ctx.env.OPENAI_ORG_ID,
      project: ctx.env.OPENAI_PROJECT_ID,
    });
  },
});

// Types `provider: "openai"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface EmbedderConfigs {
      openai: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
