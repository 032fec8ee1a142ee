/**
 * The Reranker both local providers (`sentence_transformer` and `huggingface`) are: a shared
 * cross-encoder, scores sorted best first, what each call did reported in the rerank `meta`.
 */
import { ValidationError, type Reranker, type RerankItem, type RerankOptions } from "@mem0/core";
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

/** Checks `rerank` arguments: a query string and an array of strings, naming the first bad one. */
export function checkRerankInput(query: unknown, documents: unknown): asserts documents is readonly string[] {
  if (typeof query !== "string") throw new ValidationError("rerank.query", `expected a string, got ${query === null ? "null" : typeof query}`);
  if (!Array.isArray(documents)) throw new ValidationError("rerank.documents", "expected an array of strings");
  const bad = documents.findIndex((d) => typeof d !== "string");
  if (bad >= 0) throw new ValidationError(`rerank.documents[${bad}]`, `expected a string, got ${documents[bad] === null ? "null" : typeof documents[bad]}`);
}

/** Best first; equal scores keep the candidates' original (vector) order. */
export function rankScores(scores: readonly number[], topK?: number): RerankItem[] {
  const ranked = scores.map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
  return topK !== undefined ? ranked.slice(0, Math.max(0, topK)) : ranked;
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
      const o = this.options;
      const pending = acquireCrossEncoder({ provider: o.provider, model: o.model, device: o.device, dtype: o.dtype, threads: o.threads, localFilesOnly: o.localFilesOnly, env: o.env });
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
      { batchSize: this.options.batchSize, maxLength: this.options.maxLength, activation: this.options.activation, signal: options.signal },
      stats,
    );
    if (options.meta) Object.assign(options.meta, { device: encoder.device, dtype: encoder.dtype, threads: encoder.threads, ...stats });
    return rankScores(scores, options.top_k);
  }

  async close(): Promise<void> {
    this.closed = true;
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await (await lease.catch(() => undefined))?.release();
  }
}
