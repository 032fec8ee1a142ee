/**
 * A local sentence-embedding model (feature extraction): texts in, one vector each, pooled over the
 * tokens (mean by default, as sentence-transformers' all-MiniLM-L6-v2 does) and L2-normalised.
 */
import { normalizeInPlace, ProviderError } from "@mem0/core";
import { type BatchedCallOptions, lengthBuckets } from "./batching.js";
import { encodeSingle, probeTemplate, specialTokenCount, type EncodedSequence, type Template } from "./encoding.js";
import { LocalModel, loadLocalModel } from "./local-model.js";
import { SharedModelCache, type Lease } from "./model-cache.js";
import { modelKey, type LocalModelOptions, type Pretrained } from "./pretrained.js";

export const POOLINGS = ["mean", "cls"] as const;
export type Pooling = (typeof POOLINGS)[number];

/** A row is one text. */
export interface EmbedOptions extends BatchedCallOptions {
  pooling?: Pooling;
  /** L2-normalise each vector (default true). */
  normalize?: boolean;
}

/** Output names of ONNX exports: per-token states to pool, or an already pooled sentence vector. */
const TOKEN_OUTPUTS = ["last_hidden_state", "token_embeddings"];
const POOLED_OUTPUTS = ["sentence_embedding", "pooler_output"];

export class TextEmbeddingModel extends LocalModel {
  readonly dims: number;
  private readonly output: { name: string; pooled: boolean };
  private readonly template: Template;

  private constructor(provider: string, loaded: Pretrained) {
    super(provider, loaded);
    const { outputNames, config } = loaded;
    const tokenOutput = TOKEN_OUTPUTS.find((n) => outputNames.includes(n));
    const pooledOutput = POOLED_OUTPUTS.find((n) => outputNames.includes(n));
    if (tokenOutput) this.output = { name: tokenOutput, pooled: false };
    else if (pooledOutput) this.output = { name: pooledOutput, pooled: true };
    else {
      throw new ProviderError(
        provider,
        `model ${JSON.stringify(loaded.location.requested)} is not a feature-extraction model: ` +
          `its ONNX outputs are [${outputNames.join(", ")}]`,
        { code: "MODEL_UNSUPPORTED" },
      );
    }
    const hidden = Number(config.hidden_size ?? config.d_model ?? config.dim);
    if (!Number.isInteger(hidden) || hidden <= 0) {
      throw new ProviderError(
        provider,
        `model ${JSON.stringify(loaded.location.requested)}: ` +
          "config.json has no hidden_size, so the embedding size is unknown",
        { code: "MODEL_UNSUPPORTED" },
      );
    }
    this.dims = hidden;
    this.template = probeTemplate(loaded.tokenizer, false);
  }

  static load(options: LocalModelOptions): Promise<TextEmbeddingModel> {
    return loadLocalModel("feature-extraction", options, (loaded) => new TextEmbeddingModel(options.provider, loaded));
  }

  /** The model inputs for one text: special tokens around it, cut at the end to `maxLength`. */
  encode(text: string, maxLength = 512): EncodedSequence {
    return encodeSingle(this.template, this.tokenize(text), this.effectiveMaxLength(maxLength));
  }

  private effectiveMaxLength(requested: number): number {
    const max = Math.min(requested, this.maxLength);
    if (max <= specialTokenCount(this.template)) {
      throw new ProviderError(
        this.provider,
        `max_length ${requested} leaves no room for text after the model's special tokens`,
        { code: "CONFIG_INVALID" },
      );
    }
    return max;
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const batchSize = options.batchSize ?? 32;
    const maxLength = options.maxLength ?? 512;
    const pooling = options.pooling ?? "mean";
    const encoded = texts.map((t) => this.encode(t, maxLength));
    const vectors = new Array<Float32Array>(texts.length);
    for (const batch of lengthBuckets(
      encoded.map((e) => e.ids.length),
      batchSize,
      { hiddenSize: this.dims, callOverheadTokens: options.callOverheadTokens },
    )) {
      options.signal?.throwIfAborted();
      const sequences = batch.map((i) => encoded[i]!);
      const feeds = this.batchTensors(sequences);
      const out = await this.forward(feeds);
      const states = out[this.output.name];
      if (!states)
        throw new ProviderError(this.provider, `model returned no ${this.output.name}`, { code: "MODEL_BAD_OUTPUT" });
      const data = states.data as Float32Array;
      const width = feeds.input_ids.dims[1]!;
      const expectedDims = this.output.pooled ? [batch.length, this.dims] : [batch.length, width, this.dims];
      if (states.dims.join() !== expectedDims.join()) {
        throw new ProviderError(
          this.provider,
          `model returned ${this.output.name} of shape [${states.dims.join(", ")}], ` +
            `expected [${expectedDims.join(", ")}]`,
          { code: "MODEL_BAD_OUTPUT" },
        );
      }
      batch.forEach((textIndex, row) => {
        const vector = this.output.pooled
          ? data.slice(row * this.dims, (row + 1) * this.dims)
          : pool(data, row, width, this.dims, sequences[row]!.ids.length, pooling);
        vectors[textIndex] = options.normalize === false ? vector : normalizeInPlace(vector);
      });
    }
    return vectors;
  }
}

/** Mean over the row's real tokens (padding excluded), or the first token's state. */
function pool(
  data: Float32Array,
  row: number,
  width: number,
  dims: number,
  length: number,
  pooling: Pooling,
): Float32Array {
  const out = new Float32Array(dims);
  const base = row * width * dims;
  if (pooling === "cls") {
    out.set(data.subarray(base, base + dims));
    return out;
  }
  // Accumulate in float64: sums of hundreds of float32 states otherwise drift in the last digits.
  const sum = new Float64Array(dims);
  for (let token = 0; token < length; token++) {
    const offset = base + token * dims;
    for (let dim = 0; dim < dims; dim++) sum[dim] = (sum[dim] ?? 0) + (data[offset + dim] ?? 0);
  }
  out.set(sum.map((total) => total / length));
  return out;
}

const embeddingModels = new SharedModelCache<TextEmbeddingModel>();

/** The process-wide embedding model for these options, shared like `acquireCrossEncoder`'s. */
export function acquireTextEmbeddingModel(options: LocalModelOptions): Promise<Lease<TextEmbeddingModel>> {
  return embeddingModels.acquire(modelKey("feature-extraction", options), () => TextEmbeddingModel.load(options));
}
