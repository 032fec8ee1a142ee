/**
 * Grouping sequences into model calls. Every row of a batch is padded to the batch's longest row,
 * and a transformer's cost grows with rows × width, so pairs of similar length go together: the
 * sequences are sorted by length and the sorted run is cut where it is cheapest.
 *
 * `batch_size` is the most rows a call may take, not a target: 20 memories of 10 to 60 words in one
 * call of 20 would compute about twice the tokens they hold. The cut points minimise the
 * estimated cost, padding included, plus a fixed cost per call (launching a run and the lower
 * efficiency of small matrix products), so short and long pairs go in separate calls when the
 * padding saved is worth a call. Scores do not depend on the grouping (padding is masked).
 */

/** What every batched model call (scoring pairs, embedding texts) takes. */
export interface BatchedCallOptions {
  /** Rows per model call (default 32). */
  batchSize?: number;
  /** Tokens per row, special tokens included (default 512, capped at the model's limit). */
  maxLength?: number;
  /** The batch planner's fixed cost per model call, in tokens (see below). */
  callOverheadTokens?: number;
  signal?: AbortSignal;
}

export interface BatchPlanOptions {
  /** The fixed cost of one model call, in tokens' worth of compute. */
  callOverheadTokens?: number;
  /**
   * The model's hidden size: attention adds a cost per token that grows with the width (about
   * width / (6 × hidden) of a BERT layer's dense work). Omit to count tokens only.
   */
  hiddenSize?: number;
}

/**
 * A token's worth of compute per call, tuned on ms-marco-MiniLM-L-6's shape: much lower and the
 * saving in padding is eaten by per-call cost, much higher and batches stay wide (docs/benchmarks.md).
 */
export const DEFAULT_CALL_OVERHEAD_TOKENS = 64;

/**
 * Indices of `lengths`, grouped into batches of at most `batchSize`, longest first, each batch's
 * members of similar length, cut where the estimated cost is lowest. Ties keep input order, so
 * the plan is deterministic.
 */
export function lengthBuckets(
  lengths: readonly number[],
  batchSize: number,
  options: BatchPlanOptions = {},
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const lengthOf = (index: number) => lengths[index] ?? 0;
  const order = lengths.map((_, i) => i).sort((a, b) => lengthOf(b) - lengthOf(a) || a - b);
  const sortedLengths = order.map(lengthOf);
  const count = order.length;
  const overhead = options.callOverheadTokens ?? DEFAULT_CALL_OVERHEAD_TOKENS;
  const hidden = options.hiddenSize;
  const rowCost = (width: number) => width * (hidden ? 1 + width / (6 * hidden) : 1);
  // cost[j]: the cheapest way to run the j longest sequences; cut[j]: where its last batch starts.
  const cost = new Float64Array(count + 1).fill(Infinity);
  const cut = new Int32Array(count + 1);
  cost[0] = 0;
  for (let j = 1; j <= count; j++) {
    for (let i = Math.max(0, j - batchSize); i < j; i++) {
      // Sorted longest first, so the batch order[i..j) is as wide as its first member.
      const batchCost = (cost[i] ?? Infinity) + overhead + (j - i) * rowCost(sortedLengths[i] ?? 0);
      if (batchCost < (cost[j] ?? Infinity)) {
        cost[j] = batchCost;
        cut[j] = i;
      }
    }
  }
  const batches: number[][] = [];
  for (let j = count; j > 0; j = cut[j] ?? 0) batches.unshift(order.slice(cut[j] ?? 0, j));
  return batches;
}

/** The tokens a batch plan computes, padding included (rows × widest row, per batch). */
export function paddedTokens(lengths: readonly number[], batches: readonly (readonly number[])[]): number {
  return batches.reduce((sum, batch) => sum + batch.length * Math.max(0, ...batch.map((i) => lengths[i] ?? 0)), 0);
}
