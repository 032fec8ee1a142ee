/**
 * `@mem0/ai-sdk`: the Vercel AI SDK and mem0-ts, both ways.
 *
 * - `aiSdkReranker`: a mem0 reranker plugin around any AI SDK `RerankingModelV3`
 *   (`cohere.reranking("rerank-v3.5")`, …), so every hosted reranker the AI SDK supports runs in
 *   our pipeline, with its fallback, budget and timings.
 * - `asRerankingModel`: any mem0 reranker (the local `sentence_transformer` cross-encoder
 *   included) as a `RerankingModelV3`, for `rerank({ model, query, documents, topN })` from `ai`.
 * - `memoryTools`: search and add memories from `generateText`/`streamText`, scoped to one user.
 */
import type { JSONObject, RerankingModelV3, RerankingModelV3CallOptions } from "@ai-sdk/provider";
import {
  defineReranker,
  fields,
  type Memory,
  providerConfigSchema,
  runReranker,
  type Reranker,
  type RerankItem,
  type RerankOptions,
  type Scope,
} from "@mem0/core";
import { rerank, tool } from "ai";
import { z } from "zod";

export const PROVIDER = "ai_sdk";

const isRerankingModel = (value: unknown): value is RerankingModelV3 =>
  typeof value === "object" &&
  value !== null &&
  (value as RerankingModelV3).specificationVersion === "v3" &&
  typeof (value as RerankingModelV3).doRerank === "function";

export const configSchema = providerConfigSchema({
  model: z.custom<RerankingModelV3>(isRerankingModel, {
    error: 'expected an AI SDK RerankingModelV3, e.g. cohere.reranking("rerank-v3.5")',
  }),
  top_k: fields.positiveInt().optional(),
  /** The provider's per-request document limit; larger pools are split and merged by the pipeline. */
  max_documents_per_call: fields.positiveInt().optional(),
  /** Retries by the AI SDK per call (its default is 2); the pipeline's `timeout_ms` still bounds them. */
  max_retries: fields.nonNegativeInt().optional(),
});
export type AiSdkRerankerConfig = z.output<typeof configSchema>;

/** Where hosted rerank APIs (Cohere, Voyage, …) put their billing in the response body. */
function billedUnits(body: unknown): Record<string, unknown> | undefined {
  const meta = (body as { meta?: { billed_units?: unknown } } | undefined)?.meta;
  const units = meta?.billed_units;
  return units && typeof units === "object" ? (units as Record<string, unknown>) : undefined;
}

export class AiSdkReranker implements Reranker {
  readonly provider: string;
  readonly model: string;
  readonly topK: number | undefined;
  readonly maxDocumentsPerCall: number | undefined;

  constructor(private readonly config: AiSdkRerankerConfig) {
    this.provider = config.model.provider;
    this.model = config.model.modelId;
    this.topK = config.top_k;
    this.maxDocumentsPerCall = config.max_documents_per_call;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    if (documents.length === 0) return [];
    const topN = Math.min(options.top_k ?? documents.length, documents.length);
    const result = await rerank({
      model: this.config.model,
      query,
      documents: [...documents],
      topN,
      ...(options.signal ? { abortSignal: options.signal } : {}),
      ...(this.config.max_retries !== undefined ? { maxRetries: this.config.max_retries } : {}),
    });
    const meta = options.meta;
    if (meta) {
      meta.calls = ((meta.calls as number | undefined) ?? 0) + 1;
      const units = billedUnits(result.response.body);
      if (units) meta.billed_units = units;
      if (result.providerMetadata) meta.provider_metadata = result.providerMetadata;
    }
    return result.ranking.map((r) => ({ index: r.originalIndex, score: r.score }));
  }
}

/**
 * The plugin. A model object cannot be named in a JSON config, so it is given as an object:
 * `reranker: { provider: aiSdkReranker, config: { model: cohere.reranking("rerank-v3.5"), top_k: 20 } }`.
 */
export const aiSdkReranker = defineReranker({
  provider: PROVIDER,
  configSchema,
  create: (config) => new AiSdkReranker(config),
});
export default aiSdkReranker;

/** Object documents are ranked on their JSON text (as the AI SDK's own Cohere model does). */
const documentTexts = (documents: RerankingModelV3CallOptions["documents"]): string[] =>
  documents.type === "text" ? documents.values : documents.values.map((value: JSONObject) => JSON.stringify(value));

/**
 * A mem0 reranker as an AI SDK reranking model. Answers go through core's `runReranker`: checked
 * (indexes in range and unique, finite scores) and split by `maxDocumentsPerCall`, best first.
 */
export function asRerankingModel(reranker: Reranker): RerankingModelV3 {
  return {
    specificationVersion: "v3",
    provider: `mem0.${reranker.provider}`,
    modelId: reranker.model ?? reranker.provider,
    async doRerank({ documents, query, topN, abortSignal }) {
      const texts = documentTexts(documents);
      const meta: Record<string, unknown> = {};
      const ranking = await runReranker(reranker, query, texts, {
        top_k: topN ?? texts.length,
        ...(abortSignal ? { signal: abortSignal } : {}),
        meta,
      });
      return {
        ranking: ranking.map((r) => ({ index: r.index, relevanceScore: r.score })),
        ...(Object.keys(meta).length > 0 ? { providerMetadata: { mem0: meta as JSONObject } } : {}),
      };
    },
  };
}

export interface MemoryToolsOptions extends Scope {
  /** Most memories the search tool returns (default 5). The model may ask for fewer. */
  limit?: number;
  /** Passed to `memory.add`: extract facts with the configured LLM, or store the text as given. */
  infer?: boolean;
}

/**
 * Tools for `generateText`/`streamText`: `searchMemories` and `addMemory`, always in the given
 * scope (the model cannot choose another user's memories), with zod input schemas.
 */
export function memoryTools(memory: Memory, options: MemoryToolsOptions) {
  const scope: Scope = {};
  for (const key of ["user_id", "agent_id", "run_id"] as const)
    if (options[key] !== undefined) scope[key] = options[key];
  if (Object.keys(scope).length === 0)
    throw new TypeError("memoryTools: give at least one of user_id, agent_id, run_id");
  const maxResults = options.limit ?? 5;
  return {
    searchMemories: tool({
      description: "Search what is remembered about the user. Returns the most relevant memories, best first.",
      inputSchema: z.object({
        query: z.string().min(1).describe("What to look for, in natural language"),
        limit: z.number().int().min(1).max(maxResults).optional().describe("How many memories to return"),
      }),
      execute: async ({ query, limit }) => {
        const res = await memory.search(query, { ...scope, limit: limit ?? maxResults });
        return res.results.map((r) => ({ id: r.id, memory: r.memory, score: r.score }));
      },
    }),
    addMemory: tool({
      description: "Remember a fact about the user for later conversations.",
      inputSchema: z.object({ memory: z.string().min(1).describe("The fact to remember, as one sentence") }),
      execute: async ({ memory: text }) => {
        const res = await memory.add(text, {
          ...scope,
          ...(options.infer !== undefined ? { infer: options.infer } : {}),
        });
        return res.results.map((r) => ({ id: r.id, memory: r.memory, event: r.event }));
      },
    }),
  };
}
