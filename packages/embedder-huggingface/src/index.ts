/**
 * `huggingface` (embedder): sentence embeddings from a local model on transformers.js +
 * onnxruntime-node (default `Xenova/all-MiniLM-L6-v2`: mean pooling, L2-normalised, batched), or
 * from a text-embeddings-inference server (`POST /embed`) with `endpoint_url`.
 *
 *   embedder: { provider: "huggingface", config: { model: "Xenova/all-MiniLM-L6-v2" } }
 *
 * `dims` is known once `create` resolves: the model's hidden size, or for TEI the length of a
 * probe embedding (unless `embedding_dims` says it); every answer is checked against it.
 */
import {
  defineEmbedder,
  fields,
  ProviderError,
  providerConfigSchema,
  type Embedder,
  type ProviderContext,
} from "@mem0/core";
import {
  acquireTextEmbeddingModel,
  checkLocalOrHosted,
  enumField,
  localModelFields,
  localModelSettings,
  POOLINGS,
  TEI_DEFAULT_MAX_BATCH,
  TeiClient,
  teiApiKey,
  type Lease,
  type Pooling,
  type TextEmbeddingModel,
} from "@mem0/hf-runtime";
import { retryPolicyFrom } from "@mem0/provider-utils";
import { z } from "zod";

export const DEFAULT_MODEL = "Xenova/all-MiniLM-L6-v2";

export const configSchema = providerConfigSchema({
  ...localModelFields,
  /** The vector size the store expects; checked against the model's. */
  embedding_dims: fields.positiveInt().optional(),
  pooling: enumField(POOLINGS).optional(),
  /** L2-normalise vectors (default true). */
  normalize: z.boolean({ error: "expected a boolean" }).optional(),
  /** A text-embeddings-inference server (base URL; `/embed` is added). */
  endpoint_url: fields.url().optional(),
  /** Mem0's name for a TEI server URL; a trailing /v1 (its OpenAI-compatible route) is dropped. */
  huggingface_base_url: fields.url().optional(),
  api_key: fields.apiKey().optional(),
  timeout_ms: fields.positiveInt().optional(),
  max_retries: fields.nonNegativeInt().optional(),
}).superRefine(
  checkLocalOrHosted({
    hostedBy: ["endpoint_url", "huggingface_base_url"],
    bothHosted: "the same as endpoint_url; set one",
    localOnly: ["pooling"],
    hostedOnly: ["api_key", "timeout_ms", "max_retries"],
  }),
);

export type HuggingFaceEmbedderConfig = z.output<typeof configSchema>;

function checkDims(configured: number | undefined, actual: number, model: string): void {
  if (configured !== undefined && configured !== actual) {
    throw new ProviderError(
      "huggingface",
      `embedding_dims is ${configured} but model ${JSON.stringify(model)} produces ${actual}-dimensional vectors`,
      { code: "CONFIG_INVALID" },
    );
  }
}

export class LocalHuggingFaceEmbedder implements Embedder {
  readonly provider = "huggingface";
  readonly dims: number;
  private released = false;

  private constructor(
    readonly model: string,
    private readonly lease: Lease<TextEmbeddingModel>,
    private readonly options: { batchSize: number; maxLength: number; pooling: Pooling; normalize: boolean },
  ) {
    this.dims = lease.value.dims;
  }

  static async create(
    config: HuggingFaceEmbedderConfig,
    env: ProviderContext["env"],
  ): Promise<LocalHuggingFaceEmbedder> {
    const model = config.model ?? DEFAULT_MODEL;
    const { batchSize, maxLength, ...load } = localModelSettings(config);
    const lease = await acquireTextEmbeddingModel({ provider: "huggingface", model, ...load, env });
    try {
      checkDims(config.embedding_dims, lease.value.dims, model);
    } catch (err) {
      await lease.release();
      throw err;
    }
    return new LocalHuggingFaceEmbedder(model, lease, {
      batchSize,
      maxLength,
      pooling: config.pooling ?? "mean",
      normalize: config.normalize ?? true,
    });
  }

  async embed(
    texts: readonly string[],
    _kind: "add" | "search",
    options: { signal?: AbortSignal } = {},
  ): Promise<Float32Array[]> {
    if (this.released) throw new ProviderError("huggingface", "embedder used after close()", { code: "CLOSED" });
    if (texts.length === 0) return [];
    return this.lease.value.embed(texts, { ...this.options, signal: options.signal });
  }

  async close(): Promise<void> {
    this.released = true;
    await this.lease.release();
  }
}

export class TeiEmbedder implements Embedder {
  readonly provider = "huggingface";

  private constructor(
    readonly model: string,
    readonly dims: number,
    private readonly client: TeiClient,
    private readonly normalize: boolean,
  ) {}

  static async create(
    config: HuggingFaceEmbedderConfig,
    endpointUrl: string,
    env: ProviderContext["env"],
  ): Promise<TeiEmbedder> {
    const client = new TeiClient({
      provider: "huggingface",
      endpointUrl,
      apiKey: teiApiKey(config.api_key, env, endpointUrl),
      policy: retryPolicyFrom(config),
      maxBatchSize: config.batch_size ?? TEI_DEFAULT_MAX_BATCH,
    });
    const normalize = config.normalize ?? true;
    const model = config.model ?? endpointUrl;
    let dims = config.embedding_dims;
    if (dims === undefined) {
      // TEI's /info does not say the vector size; one short embedding does.
      const [probe = []] = await client.embed(["dimension probe"], { normalize });
      dims = probe.length;
    }
    return new TeiEmbedder(model, dims, client, normalize);
  }

  async embed(
    texts: readonly string[],
    _kind: "add" | "search",
    options: { signal?: AbortSignal } = {},
  ): Promise<number[][]> {
    if (texts.length === 0) return [];
    const vectors = await this.client.embed(texts, { normalize: this.normalize, signal: options.signal });
    const [first] = vectors;
    if (first) checkDims(this.dims, first.length, this.model);
    return vectors;
  }
}

/** endpoint_url, or Mem0's huggingface_base_url without its OpenAI-compatible /v1 suffix. */
function teiEndpoint(config: HuggingFaceEmbedderConfig): string | undefined {
  return config.endpoint_url ?? config.huggingface_base_url?.replace(/\/+$/, "").replace(/\/v1$/, "");
}

export function createHuggingFaceEmbedder(
  config: HuggingFaceEmbedderConfig,
  env: ProviderContext["env"] = process.env,
): Promise<Embedder> {
  const endpointUrl = teiEndpoint(config);
  return endpointUrl ? TeiEmbedder.create(config, endpointUrl, env) : LocalHuggingFaceEmbedder.create(config, env);
}

export const plugin = defineEmbedder({
  provider: "huggingface",
  configSchema,
  create: (config, ctx) => createHuggingFaceEmbedder(config, ctx.env),
});

// Types `provider: "huggingface"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface EmbedderConfigs {
      huggingface: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
