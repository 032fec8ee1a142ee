/**
 * The `huggingface` reranker against a text-embeddings-inference server (`POST /rerank`), e.g. a
 * self-hosted TEI container or a Hugging Face Inference Endpoint running TEI.
 */
import type { Reranker, RerankItem, RerankOptions } from "@mem0/core";
import { checkRerankInput, rankScores, TeiClient, type TeiClientOptions } from "@mem0/hf-hosted";

export class TeiReranker implements Reranker {
  readonly provider = "huggingface";
  readonly model: string;
  readonly topK?: number;
  readonly client: TeiClient;

  constructor(options: TeiClientOptions & { model: string; normalize: boolean; topK?: number }) {
    this.client = new TeiClient(options);
    this.model = options.model;
    this.normalize = options.normalize;
    if (options.topK !== undefined) this.topK = options.topK;
  }

  private readonly normalize: boolean;

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    checkRerankInput(query, documents);
    if (documents.length === 0) return [];
    options.signal?.throwIfAborted();
    // TEI's own sigmoid when normalising (raw_scores: false), the logits otherwise: never min-max.
    const ranks = await this.client.rerank(query, documents, { rawScores: !this.normalize, signal: options.signal, meta: options.meta });
    const scores = new Array<number>(documents.length);
    for (const r of ranks) scores[r.index] = r.score;
    return rankScores(scores, options.top_k);
  }
}
