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
