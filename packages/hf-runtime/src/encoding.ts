/**
 * Turning texts into model inputs exactly as Python's sentence-transformers does, which
 * transformers.js does not: its pair truncation cuts the joined sequence at the end (dropping the
 * final separator and, with a long query, the whole document), and without
 * `tokenizer_class: BertTokenizer` in tokenizer_config.json it returns no token_type_ids at all.
 *
 * So each text is tokenized alone, without special tokens; the special tokens and the
 * token type of every part come from the tokenizer's own post-processor template (probed once per
 * model), and pairs are truncated with Hugging Face tokenizers' `longest_first` rule.
 */
import { Tensor, type PreTrainedTokenizer } from "@huggingface/transformers";

export interface Template {
  /** Special tokens before the first text, between the texts (pairs only), and after the last. */
  prefix: number[];
  prefixTypes: number[];
  typeA: number;
  middle: number[];
  middleTypes: number[];
  typeB: number;
  suffix: number[];
  suffixTypes: number[];
}

export interface EncodedSequence {
  ids: number[];
  types: number[];
}

type CallableTokenizer = PreTrainedTokenizer &
  ((text: string, options: Record<string, unknown>) => { input_ids: number[]; token_type_ids?: number[] });

function indexOfRun(haystack: readonly number[], needle: readonly number[], from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

// Two words that every vocabulary splits into a few ordinary tokens.
const PROBE_A = "hello there";
const PROBE_B = "good morning";

/**
 * Reads where the tokenizer puts its special tokens and which token type each part gets, by encoding
 * probe texts with and without special tokens. `return_token_type_ids: true` makes transformers.js
 * report the template's types even when tokenizer_config.json lacks `tokenizer_class`.
 */
export function probeTemplate(tokenizer: PreTrainedTokenizer, pair: boolean): Template {
  const call = tokenizer as CallableTokenizer;
  const idsA = tokenizer.encode(PROBE_A, { add_special_tokens: false });
  const idsB = tokenizer.encode(PROBE_B, { add_special_tokens: false });
  const full = pair
    ? call(PROBE_A, { text_pair: PROBE_B, add_special_tokens: true, return_token_type_ids: true, return_tensor: false })
    : call(PROBE_A, { add_special_tokens: true, return_token_type_ids: true, return_tensor: false });
  const ids = Array.from(full.input_ids, Number);
  const types = full.token_type_ids ? Array.from(full.token_type_ids, Number) : ids.map(() => 0);
  const posA = indexOfRun(ids, idsA, 0);
  const posB = pair ? indexOfRun(ids, idsB, posA + idsA.length) : ids.length;
  if (posA < 0 || posB < 0) {
    throw new Error(
      "cannot read the tokenizer's special-token template: a probe text is not found in its own encoding",
    );
  }
  const endA = posA + idsA.length;
  const endB = pair ? posB + idsB.length : endA;
  return {
    prefix: ids.slice(0, posA),
    prefixTypes: types.slice(0, posA),
    typeA: types[posA] ?? 0,
    middle: pair ? ids.slice(endA, posB) : [],
    middleTypes: pair ? types.slice(endA, posB) : [],
    typeB: pair ? (types[posB] ?? 0) : 0,
    suffix: ids.slice(endB),
    suffixTypes: types.slice(endB),
  };
}

/**
 * For models with one token type (RoBERTa, XLM-R: `type_vocab_size` 1): every type 0, whatever the
 * tokenizer's template says (some post-processors mark the second text 1, which such a model's
 * embedding table does not have).
 */
export function withSingleTokenType(template: Template): Template {
  const zeros = (a: number[]) => a.map(() => 0);
  return {
    ...template,
    prefixTypes: zeros(template.prefixTypes),
    typeA: 0,
    middleTypes: zeros(template.middleTypes),
    typeB: 0,
    suffixTypes: zeros(template.suffixTypes),
  };
}

export function specialTokenCount(template: Template): number {
  return template.prefix.length + template.middle.length + template.suffix.length;
}

/**
 * Hugging Face tokenizers' `longest_first` (the Rust implementation behind the fast tokenizers that
 * sentence-transformers uses): when both texts are too long, each keeps half the budget, the odd
 * token going to the longer one (to the second text on a tie); otherwise only the longer one is cut.
 * Returns how many tokens of each text to keep.
 */
export function longestFirst(lengthA: number, lengthB: number, budget: number): [number, number] {
  if (lengthA + lengthB <= budget) return [lengthA, lengthB];
  const swap = lengthA > lengthB;
  let n1 = swap ? lengthB : lengthA; // the shorter
  let n2: number;
  n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = Math.floor(budget / 2);
    n2 = n1 + (budget % 2);
  }
  return swap ? [n2, n1] : [n1, n2];
}

/** `[prefix] A [middle] B [suffix]`, each text cut by `longestFirst` to fit `maxLength`. */
export function encodePair(
  t: Template,
  a: readonly number[],
  b: readonly number[],
  maxLength: number,
): EncodedSequence {
  const [keepA, keepB] = longestFirst(a.length, b.length, maxLength - specialTokenCount(t));
  const ids = [...t.prefix, ...a.slice(0, keepA), ...t.middle, ...b.slice(0, keepB), ...t.suffix];
  const types = [
    ...t.prefixTypes,
    ...new Array<number>(keepA).fill(t.typeA),
    ...t.middleTypes,
    ...new Array<number>(keepB).fill(t.typeB),
    ...t.suffixTypes,
  ];
  return { ids, types };
}

/** `[prefix] A [suffix]`, the text cut at the end to fit `maxLength`. */
export function encodeSingle(template: Template, idsA: readonly number[], maxLength: number): EncodedSequence {
  const keep = Math.max(0, Math.min(idsA.length, maxLength - specialTokenCount(template)));
  return {
    ids: [...template.prefix, ...idsA.slice(0, keep), ...template.suffix],
    types: [...template.prefixTypes, ...new Array<number>(keep).fill(template.typeA), ...template.suffixTypes],
  };
}

export interface BatchTensors {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids?: Tensor;
}

/** Pads the sequences to the longest of them (not to max_length) and builds int64 tensors. */
export function toBatchTensors(
  sequences: readonly EncodedSequence[],
  padId: number,
  withTokenTypes: boolean,
): BatchTensors {
  const rows = sequences.length;
  const width = Math.max(...sequences.map((s) => s.ids.length));
  const ids = new BigInt64Array(rows * width).fill(BigInt(padId));
  const mask = new BigInt64Array(rows * width);
  const types = withTokenTypes ? new BigInt64Array(rows * width) : undefined;
  sequences.forEach((sequence, row) => {
    const base = row * width;
    for (const [j, id] of sequence.ids.entries()) {
      ids[base + j] = BigInt(id);
      mask[base + j] = 1n;
      if (types) types[base + j] = BigInt(sequence.types[j] ?? 0);
    }
  });
  const dims = [rows, width];
  const out: BatchTensors = {
    input_ids: new Tensor("int64", ids, dims),
    attention_mask: new Tensor("int64", mask, dims),
  };
  if (types) out.token_type_ids = new Tensor("int64", types, dims);
  return out;
}
