/**
 * What OpenAI's embeddings endpoint accepts, and how a list of texts is cut into requests that stay
 * inside it. Documented limits (API reference, "Create embeddings"): at most 2048 inputs per
 * request, at most 300,000 tokens summed over a request's inputs, at most 8192 tokens per input.
 */

export const MAX_INPUTS_PER_REQUEST = 2048;
export const MAX_TOKENS_PER_REQUEST = 300_000;

export interface EmbeddingModelInfo {
  /** Length of the vectors the model returns when `dimensions` is not sent. */
  readonly dims: number;
  /** Whether the model accepts `dimensions` (shortened Matryoshka embeddings). */
  readonly dimensions: boolean;
}

export const OPENAI_EMBEDDING_MODELS: Readonly<Record<string, EmbeddingModelInfo>> = {
  "text-embedding-3-small": { dims: 1536, dimensions: true },
  "text-embedding-3-large": { dims: 3072, dimensions: true },
  "text-embedding-ada-002": { dims: 1536, dimensions: false },
};

export const DEFAULT_MODEL = "text-embedding-3-small";

/**
 * What is known about a model, or undefined for models served by other OpenAI-compatible servers.
 * Gateways prefix the vendor (`openai/text-embedding-3-small`); the model behind it is the same.
 */
export function modelInfo(model: string): EmbeddingModelInfo | undefined {
  return OPENAI_EMBEDDING_MODELS[model.slice(model.lastIndexOf("/") + 1)];
}

/**
 * An upper bound on a text's token count without shipping a tokenizer: OpenAI's tokenizers are
 * byte-level BPE, where every token covers at least one UTF-8 byte, so bytes ≥ tokens always.
 * Typical English is ~4 bytes per token, so batches are smaller than they could be, never too big.
 */
export function tokenUpperBound(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

export interface Batch {
  /** Index of the batch's first text in the full list. */
  start: number;
  texts: string[];
}

/**
 * Consecutive batches of at most `maxInputs` texts and at most `maxTokens` (upper-bound) tokens.
 * A single text over the token budget goes alone: only the API can tell whether it really is too
 * long, and its answer is clearer than a guess here.
 */
export function planBatches(texts: readonly string[], limits: { maxInputs: number; maxTokens: number }): Batch[] {
  const batches: Batch[] = [];
  let current: Batch | undefined;
  let tokens = 0;
  texts.forEach((text, i) => {
    const textTokens = tokenUpperBound(text);
    if (!current || current.texts.length >= limits.maxInputs || tokens + textTokens > limits.maxTokens) {
      current = { start: i, texts: [] };
      batches.push(current);
      tokens = 0;
    }
    current.texts.push(text);
    tokens += textTokens;
  });
  return batches;
}
