/**
 * The `huggingface` reranker against a text-embeddings-inference server (`POST /rerank`), e.g. a
 * self-hosted TEI container or a Hugging Face Inference Endpoint running TEI.
 */
import { runReranker, type Reranker, type RerankItem, type RerankOptions } from "@mem0/core";
import { checkRerankInput, isBatchLimitError, rankScores, TeiClient, type TeiClientOptions } from "@mem0/hf-hosted";

export class TeiReranker implements Reranker {
  readonly provider = "huggingface";
  readonly hosted = true;
  readonly model: string;
  readonly topK?: number;
  readonly client: TeiClient;

  constructor(options: TeiClientOptions & { model: string; normalize: boolean; topK?: number }) {
    this.client = new TeiClient(options);
    this.model = options.model;
    this.normalize = options.normalize;
    this.concurrency = options.concurrency ?? 4;
    if (options.topK !== undefined) this.topK = options.topK;
  }

  private readonly normalize: boolean;

  /** TEI's batch limit as now known (lowered when the server refuses a batch); core's runner splits by it. */
  get maxDocumentsPerCall(): number {
    return this.client.batchLimit;
  }

  get maxConcurrentCalls(): number {
    return this.concurrency;
  }

  private readonly concurrency: number;

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    checkRerankInput(query, documents);
    if (documents.length === 0) return [];
    options.signal?.throwIfAborted();
    const topK = Math.min(options.top_k ?? documents.length, documents.length);
    if (documents.length > this.client.batchLimit)
      return runReranker(this, query, documents, { top_k: topK, signal: options.signal, meta: options.meta });
    try {
      // TEI's own sigmoid when normalising (raw_scores: false), the logits otherwise: never min-max.
      const ranks = await this.client.rerankOnce(query, documents, {
        rawScores: !this.normalize,
        signal: options.signal,
        meta: options.meta,
      });
      const scores = new Array<number>(documents.length);
      for (const rank of ranks) scores[rank.index] = rank.score;
      return rankScores(scores, options.top_k);
    } catch (err) {
      if (!isBatchLimitError(err) || documents.length <= 1) throw err;
      // The server's limit is lower than assumed: lower ours and let the runner split again.
      this.client.lowerBatchLimit(documents.length, options.meta);
      return this.rerank(query, documents, options);
    }
  }
}
