/**
 * The `huggingface` reranker through Hugging Face Inference (`@huggingface/inference`): a
 * cross-encoder served as `text-classification` with a `{ text, text_pair }` input. The API takes
 * one pair per request, so the documents go out as concurrent requests (bounded), each retried
 * like every hosted call (provider-utils).
 */
import { InferenceClient } from "@huggingface/inference";
import type { Reranker, RerankItem, RerankOptions } from "@mem0/core";
import { checkRerankInput, rankScores } from "@mem0/hf-hosted";
import { addCount, badResponseError, pLimit, withRetries, type RetryPolicy, type Secret } from "@mem0/provider-utils";

export interface InferenceRerankerOptions {
  model: string;
  /** The Inference Provider (`hf-inference`, or another that serves the model). */
  inferenceProvider: string;
  apiKey: Secret;
  /** A dedicated Inference Endpoint URL (also how tests point at a loopback server). */
  endpointUrl?: string;
  normalize: boolean;
  topK?: number;
  policy?: Partial<RetryPolicy>;
  concurrency?: number;
}

interface Label {
  label: string;
  score: number;
}

/**
 * The raw logits come back (`function_to_apply: "none"`) and the activation is applied here, the
 * same way as for a local model: one label → its logit, two (not relevant / relevant) → the margin;
 * then the sigmoid when normalising. Never a per-call min-max.
 */
function relevanceOf(output: unknown, normalize: boolean): number | undefined {
  const labels = (Array.isArray(output) && Array.isArray(output[0]) ? output[0] : output) as Label[];
  if (
    !Array.isArray(labels) ||
    labels.length === 0 ||
    !labels.every((l) => l && typeof l.label === "string" && typeof l.score === "number")
  )
    return undefined;
  let logit: number | undefined;
  if (labels.length === 1) logit = labels[0]?.score;
  else {
    const byLabel = new Map(labels.map((l) => [l.label, l.score]));
    const relevant = byLabel.get("LABEL_1") ?? byLabel.get("relevant");
    const irrelevant = byLabel.get("LABEL_0") ?? byLabel.get("irrelevant");
    if (relevant !== undefined && irrelevant !== undefined) logit = relevant - irrelevant;
  }
  if (logit === undefined) return undefined;
  return normalize ? 1 / (1 + Math.exp(-logit)) : logit;
}

export class InferenceReranker implements Reranker {
  readonly provider = "huggingface";
  readonly hosted = true;
  readonly model: string;
  readonly topK?: number;
  // The client and the options hold the token: #private, so logging the reranker never prints it.
  readonly #client: InferenceClient;
  readonly #options: InferenceRerankerOptions;
  readonly #limit: ReturnType<typeof pLimit>;

  constructor(options: InferenceRerankerOptions) {
    this.model = options.model;
    if (options.topK !== undefined) this.topK = options.topK;
    this.#options = options;
    this.#client = new InferenceClient(options.apiKey.reveal());
    this.#limit = pLimit(options.concurrency ?? 8);
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    checkRerankInput(query, documents);
    if (documents.length === 0) return [];
    options.signal?.throwIfAborted();
    const settings = this.#options;
    const scores = await Promise.all(
      documents.map((document) =>
        this.#limit(() =>
          withRetries(
            "huggingface",
            async (signal) => {
              const output = await this.#client.textClassification(
                {
                  model: settings.model,
                  // A dedicated endpoint is addressed by URL alone (the client refuses both).
                  ...(settings.endpointUrl
                    ? { endpointUrl: settings.endpointUrl }
                    : { provider: settings.inferenceProvider as "hf-inference" }),
                  // transformers' text-classification pipeline takes a sentence pair as {text, text_pair}.
                  inputs: { text: query, text_pair: document } as unknown as string,
                  parameters: { function_to_apply: "none" },
                },
                // The client re-sends a 503 at once, forever, unless told not to: our retry loop decides.
                { signal, retry_on_error: false },
              );
              if (options.meta) addCount(options.meta, "requests", 1);
              const score = relevanceOf(output, settings.normalize);
              if (score === undefined || !Number.isFinite(score))
                throw badResponseError("huggingface", "text-classification returned no usable relevance score");
              return score;
            },
            { policy: settings.policy, signal: options.signal, meta: options.meta, secrets: [settings.apiKey] },
          ),
        ),
      ),
    );
    return rankScores(scores, options.top_k);
  }
}
