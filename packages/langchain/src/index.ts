/**
 * `@mem0/langchain`: mem0-ts in LangChain.js.
 *
 * - `Mem0Retriever` (a `BaseRetriever`): `memory.search` in one scope, each memory a `Document`
 *   whose metadata carries `score`, `vector_score`, `rerank_score` and the memory's own metadata;
 *   it runs in LCEL chains like any retriever.
 * - `Mem0RerankCompressor` (a `BaseDocumentCompressor`): any mem0 reranker (Cohere, the local
 *   cross-encoders, an LLM, …) reordering and cutting documents, e.g. in LangChain's
 *   `ContextualCompressionRetriever`.
 */
import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";
import { BaseDocumentCompressor } from "@langchain/core/retrievers/document_compressors";
import { runReranker, type Memory, type Reranker, type SearchOptions } from "@mem0/core";

export interface Mem0RetrieverInput extends BaseRetrieverInput {
  memory: Memory;
  /** Passed to every `memory.search`: the scope (`user_id`, …) and `limit`, `filters`, `rerank`, … */
  searchOptions: Omit<SearchOptions, "signal">;
}

export class Mem0Retriever extends BaseRetriever {
  static override lc_name() {
    return "Mem0Retriever";
  }
  lc_namespace = ["mem0", "retrievers"];
  private readonly memory: Memory;
  private readonly searchOptions: Omit<SearchOptions, "signal">;

  constructor({ memory, searchOptions, ...fields }: Mem0RetrieverInput) {
    super(fields);
    this.memory = memory;
    this.searchOptions = searchOptions;
  }

  override async _getRelevantDocuments(
    query: string,
    _runManager?: CallbackManagerForRetrieverRun,
  ): Promise<DocumentInterface[]> {
    const res = await this.memory.search(query, this.searchOptions);
    return res.results.map(
      ({ memory, metadata, id, score, vector_score, rerank_score, ...record }) =>
        new Document({
          id,
          pageContent: memory,
          metadata: {
            ...metadata,
            ...record,
            id,
            score,
            vector_score,
            ...(rerank_score !== undefined ? { rerank_score } : {}),
            reranked: res.reranked,
          },
        }),
    );
  }
}

export interface Mem0RerankCompressorInput {
  reranker: Reranker;
  /** How many documents to keep (default: all, reordered). */
  topN?: number;
}

export class Mem0RerankCompressor extends BaseDocumentCompressor {
  private readonly reranker: Reranker;
  private readonly topN: number | undefined;

  constructor({ reranker, topN }: Mem0RerankCompressorInput) {
    super();
    this.reranker = reranker;
    this.topN = topN;
  }

  /** The best `topN` documents, best first, each with `rerank_score` in its metadata; answers are checked by core. */
  async compressDocuments(documents: DocumentInterface[], query: string): Promise<DocumentInterface[]> {
    if (documents.length === 0) return [];
    const topK = Math.min(this.topN ?? documents.length, documents.length);
    const ranked = await runReranker(
      this.reranker,
      query,
      documents.map((d) => d.pageContent),
      { top_k: topK },
    );
    return ranked.map(({ index, score }) => {
      const doc = documents[index]!;
      return new Document({ ...doc, metadata: { ...doc.metadata, rerank_score: score } });
    });
  }
}
