/**
 * `sentence_transformer`: Mem0's local cross-encoder reranker, on transformers.js + onnxruntime-node.
 *
 *   reranker: { provider: "sentence_transformer", config: { model: "Xenova/ms-marco-MiniLM-L-6-v2", batch_size: 32 } }
 *
 * Scores match Python's `CrossEncoder.predict` (same tokens, same logits, sigmoid for one-label
 * models); batches group candidates of similar length and `batch_size` is honoured.
 */
import { defineReranker, fields, providerConfigSchema, type ProviderContext } from "@mem0/core";
import { z } from "zod";
import {
  ACTIVATIONS,
  enumField,
  LocalCrossEncoderReranker,
  localModelFields,
  localModelSettings,
} from "@mem0/hf-runtime";

/** The ONNX export of cross-encoder/ms-marco-MiniLM-L-6-v2, the model Mem0's docs use. */
export const DEFAULT_MODEL = "Xenova/ms-marco-MiniLM-L-6-v2";

export const configSchema = providerConfigSchema({
  ...localModelFields,
  /** The candidate pool sent to the reranker (the pipeline's `top_k`). */
  top_k: fields.positiveInt().optional(),
  /** `sigmoid` (default): a probability in [0, 1]; `none`: the raw logit. */
  activation: enumField(ACTIVATIONS).optional(),
  /** Mem0's switch for the same thing: true → sigmoid scores in [0, 1], false → raw logits. */
  normalize: z.boolean({ error: "expected a boolean" }).optional(),
  /** Mem0 (Python) shows a tqdm bar while scoring; see ignoredKeys. */
  show_progress_bar: z.boolean({ error: "expected a boolean" }).optional(),
}).superRefine((config, ctx) => {
  const { activation, normalize } = config;
  if (normalize !== undefined && activation !== undefined && (activation === "sigmoid") !== normalize) {
    ctx.addIssue({
      code: "custom",
      path: ["normalize"],
      message: `contradicts activation: ${activation}; give one of them`,
    });
  }
});

export type SentenceTransformerRerankerConfig = ReturnType<typeof configSchema.parse>;

export function createSentenceTransformerReranker(
  config: SentenceTransformerRerankerConfig,
  env: ProviderContext["env"] = process.env,
): LocalCrossEncoderReranker {
  return new LocalCrossEncoderReranker({
    provider: "sentence_transformer",
    model: config.model ?? DEFAULT_MODEL,
    ...localModelSettings(config),
    activation: config.activation ?? (config.normalize === false ? "none" : "sigmoid"),
    topK: config.top_k,
    env,
  });
}

export const plugin = defineReranker({
  provider: "sentence_transformer",
  configSchema,
  ignoredKeys: { show_progress_bar: "scoring runs in-process without a console progress bar" },
  create: (config, ctx) => {
    const reranker = createSentenceTransformerReranker(config, ctx.env);
    // Load in the background so the first search does not pay for it; a failure surfaces (and is
    // retried) on the first rerank, where the pipeline falls back to the vector order.
    reranker.ready().catch(() => undefined);
    return reranker;
  },
});

// Types `provider: "sentence_transformer"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface RerankerConfigs {
      sentence_transformer: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
