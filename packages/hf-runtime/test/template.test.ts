/**
 * The pair template is read from the tokenizer itself, so models whose special tokens differ from
 * BERT's get the right inputs too. Here: a RoBERTa / XLM-R style post-processor (the one
 * bge-reranker-base uses): `<s> A </s></s> B </s>`, no token types.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AutoTokenizer } from "@huggingface/transformers";
import { encodePair, probeTemplate, withSingleTokenType } from "../src/index.js";
import { copyFixture, CROSS_ENCODER, offline } from "./helpers.js";

offline();

test("a RoBERTa-style template: <s> A </s></s> B </s>; one token type for a one-type model", async () => {
  const folder = copyFixture(CROSS_ENCODER);
  const file = join(folder, "tokenizer.json");
  const tokenizer = JSON.parse(readFileSync(file, "utf8"));
  // Reuse two BERT specials as <s> (101) and </s> (102) under RoBERTa's post-processor.
  tokenizer.post_processor = {
    type: "RobertaProcessing",
    sep: ["[SEP]", 102],
    cls: ["[CLS]", 101],
    trim_offsets: true,
    add_prefix_space: false,
  };
  writeFileSync(file, JSON.stringify(tokenizer));
  const config = JSON.parse(readFileSync(join(folder, "tokenizer_config.json"), "utf8"));
  config.tokenizer_class = "XLMRobertaTokenizer";
  writeFileSync(join(folder, "tokenizer_config.json"), JSON.stringify(config));

  const tok = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
  const probed = probeTemplate(tok, true);
  expect(probed).toMatchObject({ prefix: [101], middle: [102, 102], suffix: [102], typeA: 0 });
  // The CrossEncoder applies this when config.type_vocab_size is 1 (RoBERTa, XLM-R).
  const template = withSingleTokenType(probed);
  const idsA = tok.encode("what is the capital of france", { add_special_tokens: false });
  const idsB = tok.encode("paris is the capital of france .", { add_special_tokens: false });
  const enc = encodePair(template, idsA, idsB, 512);
  expect(enc.ids).toEqual([101, ...idsA, 102, 102, ...idsB, 102]);
  expect(enc.types.every((x) => x === 0)).toBe(true);
  // longest_first with four special tokens: a 12-token budget leaves 8 for the texts.
  const cut = encodePair(template, idsA, idsB, 12);
  expect(cut.ids).toHaveLength(12);
  expect(cut.ids.slice(-1)).toEqual([102]);
  expect(probeTemplate(tok, false)).toMatchObject({ prefix: [101], suffix: [102] });
});
