/**
 * A local cross-encoder: (query, document) pairs in, one relevance score per document out.
 *
 * Not transformers.js's `text-classification` pipeline: it applies softmax over the labels, so a
 * one-logit cross-encoder (ms-marco-MiniLM, bge-reranker) scores every pair 1.0. The raw logits
 * come from AutoModelForSequenceClassification and the activation is applied here.
 */
import { ProviderError } from "@mem0/core";
import { type BatchedCallOptions, lengthBuckets, paddedTokens } from "./batching.js";
import type { ResolvedDevice } from "./device.js";
import {
  encodePair,
  probeTemplate,
  specialTokenCount,
  withSingleTokenType,
  type EncodedSequence,
  type Template,
} from "./encoding.js";
import { LocalModel, loadLocalModel } from "./local-model.js";
import { SharedModelCache, type Lease } from "./model-cache.js";
import { modelKey, type LocalModelOptions, type Pretrained } from "./pretrained.js";

export const ACTIVATIONS = ["sigmoid", "none"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** A row is a (query, document) pair. */
export interface ScoreOptions extends BatchedCallOptions {
  /** `sigmoid` (default): a probability in [0, 1]. `none`: the raw logit. */
  activation?: Activation;
}

/** What one `score` call did: how many model calls, and how much padding they computed. */
export interface ScoreStats {
  pairs: number;
  batches: number;
  /** Tokens computed, padding included. */
  padded_tokens: number;
  /** Tokens that carry text or special tokens. */
  real_tokens: number;
  truncated: number;
  max_length: number;
  device: ResolvedDevice;
}

export class CrossEncoder extends LocalModel {
  readonly dtype: string;
  readonly threads: number;
  /** 1 for relevance heads (ms-marco, bge-reranker); 2 for "not relevant / relevant" heads. */
  readonly numLabels: number;
  private readonly hiddenSize: number | undefined;
  private readonly template: Template;

  private constructor(provider: string, loaded: Pretrained) {
    super(provider, loaded);
    const { config, outputNames } = loaded;
    this.dtype = loaded.dtype;
    this.threads = loaded.threads;
    const model = JSON.stringify(loaded.location.requested);
    if (!outputNames.includes("logits")) {
      // Mem0's #4033: a model loaded with the wrong head silently scored everything 0.
      throw new ProviderError(
        provider,
        `model ${model} is not a cross-encoder: its ONNX outputs are [${outputNames.join(", ")}], not logits`,
        { code: "MODEL_UNSUPPORTED" },
      );
    }
    const labels =
      config.id2label && typeof config.id2label === "object"
        ? Object.keys(config.id2label).length
        : Number(config.num_labels ?? 1);
    this.numLabels = labels > 0 ? labels : 1;
    if (this.numLabels > 2) {
      throw new ProviderError(
        provider,
        `model ${model} has ${this.numLabels} labels; ` +
          "a reranker needs a relevance head with 1 (or 2: not relevant / relevant)",
        { code: "MODEL_UNSUPPORTED" },
      );
    }
    const hidden = Number(config.hidden_size);
    this.hiddenSize = Number.isFinite(hidden) && hidden > 0 ? hidden : undefined;
    const probed = probeTemplate(loaded.tokenizer, true);
    this.template = Number(config.type_vocab_size ?? 2) <= 1 ? withSingleTokenType(probed) : probed;
  }

  static load(options: LocalModelOptions): Promise<CrossEncoder> {
    return loadLocalModel("sequence-classification", options, (loaded) => new CrossEncoder(options.provider, loaded));
  }

  /** The model inputs for one pair, truncated `longest_first` to `maxLength`. */
  encodePair(query: string, document: string, maxLength = 512): EncodedSequence {
    return encodePair(this.template, this.tokenize(query), this.tokenize(document), this.effectiveMaxLength(maxLength));
  }

  effectiveMaxLength(requested: number): number {
    const max = Math.min(requested, this.maxLength);
    if (max <= specialTokenCount(this.template) + 1) {
      throw new ProviderError(
        this.provider,
        `max_length ${requested} leaves no room for text ` +
          `after the model's ${specialTokenCount(this.template)} special tokens`,
        { code: "CONFIG_INVALID" },
      );
    }
    return max;
  }

  /** Raw logits for pre-encoded pairs, one model call; rows × numLabels. */
  async logits(sequences: readonly EncodedSequence[]): Promise<Float32Array> {
    const { logits } = await this.forward(this.batchTensors(sequences));
    if (logits?.dims.length !== 2 || logits.dims[0] !== sequences.length) {
      throw new ProviderError(
        this.provider,
        `model returned logits of shape [${logits?.dims.join(", ") ?? ""}] for ${sequences.length} pairs`,
        { code: "MODEL_BAD_OUTPUT" },
      );
    }
    return logits.data as Float32Array;
  }

  /**
   * One score per document, in document order. Pairs are grouped by length into batches of at
   * most `batchSize`, each padded only to its own longest pair.
   */
  async score(
    query: string,
    documents: readonly string[],
    options: ScoreOptions = {},
    stats?: Partial<ScoreStats>,
  ): Promise<number[]> {
    const batchSize = options.batchSize ?? 32;
    const maxLength = this.effectiveMaxLength(options.maxLength ?? 512);
    const activation = options.activation ?? "sigmoid";
    const queryIds = this.tokenize(query);
    let truncated = 0;
    const encoded = documents.map((doc) => {
      const docIds = this.tokenize(doc);
      const pair = encodePair(this.template, queryIds, docIds, maxLength);
      if (pair.ids.length < queryIds.length + docIds.length + specialTokenCount(this.template)) truncated += 1;
      return pair;
    });
    const lengths = encoded.map((e) => e.ids.length);
    const batches = lengthBuckets(lengths, batchSize, {
      callOverheadTokens: options.callOverheadTokens,
      hiddenSize: this.hiddenSize,
    });
    const scores = new Array<number>(documents.length);
    for (const batch of batches) {
      options.signal?.throwIfAborted();
      const logits = await this.logits(batch.map((i) => encoded[i]!));
      batch.forEach((docIndex, row) => {
        scores[docIndex] = relevance(logits, row, this.numLabels, activation);
      });
    }
    if (stats) {
      Object.assign(stats, {
        pairs: documents.length,
        batches: batches.length,
        padded_tokens: paddedTokens(lengths, batches),
        real_tokens: lengths.reduce((a, b) => a + b, 0),
        truncated,
        max_length: maxLength,
        device: this.device,
      } satisfies ScoreStats);
    }
    return scores;
  }
}

/**
 * One label: the logit, or its sigmoid. Two labels ("not relevant", "relevant"): the logit margin,
 * or its sigmoid, which equals the softmax probability of "relevant".
 */
export function relevance(logits: Float32Array, row: number, numLabels: number, activation: Activation): number {
  const at = (index: number) => logits[index] ?? Number.NaN;
  const logit = numLabels === 1 ? at(row) : at(row * 2 + 1) - at(row * 2);
  return activation === "sigmoid" ? 1 / (1 + Math.exp(-logit)) : logit;
}

const crossEncoders = new SharedModelCache<CrossEncoder>();

/**
 * The process-wide cross-encoder for these options: loaded once, shared by every reranker that
 * names the same model, dtype, device and threads. Release the lease when the reranker closes.
 */
export function acquireCrossEncoder(options: LocalModelOptions): Promise<Lease<CrossEncoder>> {
  return crossEncoders.acquire(modelKey("sequence-classification", options), () => CrossEncoder.load(options));
}

/** How many cross-encoders are loaded in this process. */
export function loadedCrossEncoderCount(): number {
  return crossEncoders.size;
}
