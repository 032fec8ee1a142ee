/**
 * The config keys every local Hugging Face provider shares, as zod fields for core's
 * `providerConfigSchema`, so the rerankers and the embedder validate them with the same messages.
 * Here, not in hf-runtime, so a hosted-only install can validate a config without native code.
 */
import { fields } from "@mem0/core";
import { z } from "zod";

/** Where a local model runs. */
export const DEVICES = ["cpu", "cuda", "auto"] as const;
export type DeviceOption = (typeof DEVICES)[number];
/** transformers.js dtypes with an ONNX file-name convention (`model_quantized.onnx` for q8, …). */
export const DTYPES = ["fp32", "fp16", "q8", "int8", "uint8", "q4", "q4f16", "bnb4"] as const;
export type Dtype = (typeof DTYPES)[number];

const oneOf = (values: readonly string[]) => `expected one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;

export const localModelFields = {
  /** A Hugging Face hub id or a local folder. */
  model: fields.nonEmptyString().optional(),
  device: z.enum(DEVICES, { error: oneOf(DEVICES) }).optional(),
  dtype: z.enum(DTYPES, { error: oneOf(DTYPES) }).optional(),
  /** onnxruntime intra-op threads (default: all available cores). */
  threads: fields.positiveInt().optional(),
  batch_size: fields.positiveInt().optional(),
  max_length: fields.positiveInt().optional(),
  /** Never ask the hub; the model must be in a local folder or the cache. */
  local_files_only: z.boolean({ error: "expected a boolean" }).optional(),
};

export const enumField = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: oneOf(values) });

/** The local-model keys a hosted backend has no use for (`model` and `batch_size` serve both). */
export const LOCAL_ONLY_KEYS = ["device", "dtype", "threads", "max_length", "local_files_only"] as const;

type LocalModelConfig = Partial<z.output<z.ZodObject<typeof localModelFields>>>;

/**
 * A local model's settings with the defaults every local Hugging Face provider uses, as hf-runtime
 * takes them. Device `auto`: Mem0 (Python) leaves it to sentence-transformers, which takes the GPU
 * when there is one.
 */
export function localModelSettings(config: LocalModelConfig) {
  return {
    device: config.device ?? "auto",
    dtype: config.dtype ?? "fp32",
    threads: config.threads,
    batchSize: config.batch_size ?? 32,
    maxLength: config.max_length ?? 512,
    localFilesOnly: config.local_files_only ?? false,
  };
}

export interface LocalOrHostedRules {
  /** The keys that make a config hosted; setting both is an error, reported on the second. */
  hostedBy: readonly [string, string];
  /** Why not both. */
  bothHosted: string;
  /** Keys only a local model uses, besides LOCAL_ONLY_KEYS. */
  localOnly?: readonly string[];
  /** Keys only a hosted backend uses. */
  hostedOnly: readonly string[];
}

/**
 * A `superRefine` check for a provider that runs a model locally or calls a hosted backend: a key
 * that does nothing in the chosen mode is an error, not silently ignored.
 */
export function checkLocalOrHosted(rules: LocalOrHostedRules) {
  const [main, other] = rules.hostedBy;
  const localOnly = [...LOCAL_ONLY_KEYS, ...(rules.localOnly ?? [])];
  return (config: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (config[main] !== undefined && config[other] !== undefined) {
      ctx.addIssue({ code: "custom", path: [other], message: rules.bothHosted });
    }
    const hosted = config[main] !== undefined || config[other] !== undefined;
    for (const key of hosted ? localOnly : rules.hostedOnly) {
      if (config[key] === undefined) continue;
      const message = hosted
        ? `applies to a local model only, not with ${main} or ${other}`
        : `applies only with ${main} or ${other} (a hosted model)`;
      ctx.addIssue({ code: "custom", path: [key], message });
    }
  };
}
