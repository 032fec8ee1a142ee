/**
 * `huggingface`: Mem0's Hugging Face reranker, in three forms chosen by the config:
 *
 * - local (default): a cross-encoder run on this machine through its ONNX export
 *   (`BAAI/bge-reranker-base` unless `model` says otherwise), shared with `sentence_transformer`;
 * - `endpoint_url`: a text-embeddings-inference server's `POST /rerank`;
 * - `provider` (+ `api_key` or HF_TOKEN): Hugging Face Inference through `@huggingface/inference`.
 *
 * Only the local form needs native code (transformers.js + onnxruntime-node, in `@mem0/hf-runtime`,
 * an optional peer loaded on first use), so a TEI or Inference user installs none of it.
 *
 * `normalize` (default true) maps logits through a sigmoid, so a score means the same whatever the
 * other candidates are — never min-max, which made single or tied results 0 in Mem0 (#5714).
 */
import {
  defineReranker,
  fields,
  ProviderNotFoundError,
  providerConfigSchema,
  type ProviderContext,
  type Reranker,
} from "@mem0/core";
import {
  checkLocalOrHosted,
  localModelFields,
  localModelSettings,
  TEI_DEFAULT_MAX_BATCH,
  teiApiKey,
} from "@mem0/hf-hosted";
import { apiKeyPath, requireApiKey, retryPolicyFrom } from "@mem0/provider-utils";
import { z } from "zod";
import { InferenceReranker } from "./inference-reranker.js";
import { TeiReranker } from "./tei-reranker.js";

export { InferenceReranker, type InferenceRerankerOptions } from "./inference-reranker.js";
export { TeiReranker } from "./tei-reranker.js";

export const DEFAULT_MODEL = "BAAI/bge-reranker-base";

const checkBackendKeys = checkLocalOrHosted({
  hostedBy: ["endpoint_url", "provider"],
  bothHosted: "endpoint_url (a TEI server) and provider (Hugging Face Inference) are two different backends; set one",
  // api_key is not hosted-only: with a local model it is the hub token for gated downloads (as in Mem0).
  hostedOnly: ["timeout_ms", "max_retries"],
});

export const configSchema = providerConfigSchema({
  ...localModelFields,
  top_k: fields.positiveInt().optional(),
  /** Sigmoid over the logits (default true); false: the raw logits. */
  normalize: z.boolean({ error: "expected a boolean" }).optional(),
  /** A text-embeddings-inference server (its base URL; `/rerank` is added). */
  endpoint_url: fields.url().optional(),
  /** A Hugging Face Inference Provider, e.g. "hf-inference". */
  provider: fields.nonEmptyString().optional(),
  /**
   * For Hugging Face Inference (else HF_TOKEN), a TEI server started with --api-key, or the hub
   * token for a local gated model.
   */
  api_key: fields.apiKey().optional(),
  /** A dedicated Inference Endpoint URL for `provider` (or a compatible test server). */
  base_url: fields.url().optional(),
  timeout_ms: fields.positiveInt().optional(),
  max_retries: fields.nonNegativeInt().optional(),
}).superRefine((config, ctx) => {
  checkBackendKeys(config, ctx);
  if (config.batch_size !== undefined && config.provider !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["batch_size"],
      message:
        "Hugging Face Inference scores one pair per request; batch_size applies to a local model or a TEI endpoint_url",
    });
  }
  if (config.base_url !== undefined && config.provider === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["base_url"],
      message: "applies only with provider (Hugging Face Inference); a TEI server is endpoint_url",
    });
  }
});

export type HuggingFaceRerankerConfig = z.output<typeof configSchema>;

/** Loads the local-inference runtime, which is an optional peer: installed only by users of local models. */
async function localRuntime(): Promise<typeof import("@mem0/hf-runtime")> {
  try {
    return await import("@mem0/hf-runtime");
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw err;
    const detail =
      "a local model needs @mem0/hf-runtime (transformers.js + onnxruntime-node); install it with " +
      "`npm install @mem0/hf-runtime`, or set endpoint_url or provider for a hosted model";
    throw new ProviderNotFoundError("reranker", "huggingface", "@mem0/hf-runtime", detail, err);
  }
}

export async function createHuggingFaceReranker(
  config: HuggingFaceRerankerConfig,
  env: ProviderContext["env"] = process.env,
  /** Where this config sits, for messages (default `reranker.config`). */
  path = "reranker.config",
): Promise<Reranker> {
  const model = config.model ?? DEFAULT_MODEL;
  const normalize = config.normalize ?? true;
  const policy = retryPolicyFrom(config);
  if (config.endpoint_url) {
    return new TeiReranker({
      provider: "huggingface",
      model,
      endpointUrl: config.endpoint_url,
      apiKey: teiApiKey(config.api_key, env, config.endpoint_url),
      normalize,
      topK: config.top_k,
      policy,
      // batch_size here is texts per request; TEI refuses more than its --max-client-batch-size (32).
      maxBatchSize: config.batch_size ?? TEI_DEFAULT_MAX_BATCH,
    });
  }
  if (config.provider) {
    const apiKey = requireApiKey({
      configured: config.api_key,
      env,
      envNames: ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"],
      path: apiKeyPath({ path }, "reranker"),
    });
    return new InferenceReranker({
      model,
      inferenceProvider: config.provider,
      apiKey,
      endpointUrl: config.base_url,
      normalize,
      topK: config.top_k,
      policy,
    });
  }
  const { LocalCrossEncoderReranker } = await localRuntime();
  const local = new LocalCrossEncoderReranker({
    provider: "huggingface",
    model,
    ...localModelSettings(config),
    activation: normalize ? "sigmoid" : "none",
    topK: config.top_k,
    env: config.api_key !== undefined ? { ...env, HF_TOKEN: config.api_key } : env,
  });
  // The model loads in the background; a failure surfaces (and is retried) on the first rerank.
  local.ready().catch(() => undefined);
  return local;
}

export const plugin = defineReranker({
  provider: "huggingface",
  configSchema,
  create: (config, ctx) => createHuggingFaceReranker(config, ctx.env, ctx.path),
});

// Types `provider: "huggingface"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface RerankerConfigs {
      huggingface: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
