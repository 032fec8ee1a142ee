/**
 * The Reranker both local providers (`sentence_transformer` and `huggingface`) are: a shared
 * cross-encoder, scores sorted best first, what each call did reported in the rerank `meta`.
 */
import { ValidationError, type Reranker, type RerankItem, type RerankOptions } from "@mem0/core";
import { checkRerankInput, rankScores } from "@mem0/hf-hosted";
import { acquireCrossEncoder, type Activation, type CrossEncoder, type ScoreStats } from "./cross-encoder.js";
import type { DeviceOption } from "./device.js";
import type { Lease } from "./model-cache.js";
import type { Dtype } from "./pretrained.js";

export interface LocalRerankerOptions {
  provider: string;
  model: string;
  device: DeviceOption;
  dtype: Dtype;
  threads?: number;
  batchSize: number;
  maxLength: number;
  activation: Activation;
  localFilesOnly: boolean;
  topK?: number;
  env: Readonly<Record<string, string | undefined>>;
}

export class LocalCrossEncoderReranker implements Reranker {
  readonly provider: string;
  readonly model: string;
  readonly topK?: number;
  private lease?: Promise<Lease<CrossEncoder>>;
  private closed = false;

  constructor(private readonly options: LocalRerankerOptions) {
    this.provider = options.provider;
    this.model = options.model;
    if (options.topK !== undefined) this.topK = options.topK;
  }

  /**
   * Loads the model now (the first `rerank` would otherwise): surfaces a missing model or device at
   * startup instead of on the first search.
   */
  async ready(): Promise<CrossEncoder> {
    if (this.closed) throw new ValidationError(`${this.provider}.reranker`, "used after close()");
    if (!this.lease) {
      const settings = this.options;
      const pending = acquireCrossEncoder({
        provider: settings.provider,
        model: settings.model,
        device: settings.device,
        dtype: settings.dtype,
        threads: settings.threads,
        localFilesOnly: settings.localFilesOnly,
        env: settings.env,
      });
      this.lease = pending;
      // Forget a failed load so the next call tries again (the hub or the file may be back).
      pending.catch(() => {
        if (this.lease === pending) this.lease = undefined;
      });
    }
    return (await this.lease).value;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    checkRerankInput(query, documents);
    if (documents.length === 0) return [];
    const encoder = await this.ready();
    options.signal?.throwIfAborted();
    const stats: Partial<ScoreStats> = {};
    const scores = await encoder.score(
      query,
      documents,
      {
        batchSize: this.options.batchSize,
        maxLength: this.options.maxLength,
        activation: this.options.activation,
        signal: options.signal,
      },
      stats,
    );
    if (options.meta)
      Object.assign(options.meta, { device: encoder.device, dtype: encoder.dtype, threads: encoder.threads, ...stats });
    return rankScores(scores, options.top_k);
  }

  async close(): Promise<void> {
    this.closed = true;
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await (await lease.catch(() => undefined))?.release();
  }
}
