/**
 * `lexical`: a dependency-free embedder that hashes words, word pairs and character trigrams into
 * a fixed number of dimensions. It is a keyword-level baseline for tests and offline runs: texts
 * that share words score high, paraphrases with no shared words do not. It is not a semantic model.
 */
import { fields, providerConfigSchema } from "../config.js";
import { defineEmbedder } from "../providers.js";
import type { Embedder } from "../types.js";
import { normalizeVector } from "../vector.js";

const STOPWORDS = new Set(
  (
    "a an and are as at be but by do does did for from has have had i in is it its me my of on or our so that " +
    "the their them they this to was were what when where which who will with you your"
  ).split(" "),
);

/** 32-bit FNV-1a: a fast, stable string hash (the same value on every machine and run). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function lexicalTokens(text: string): string[] {
  return (
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 0 && !STOPWORDS.has(w))
      // A crude plural fold so "movies" meets "movie"; enough for a keyword baseline.
      .map((w) => (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w))
  );
}

export class LexicalEmbedder implements Embedder {
  readonly provider = "lexical";
  readonly model = "lexical-hash-v1";
  constructor(readonly dims = 256) {}

  private add(vector: Float32Array, feature: string, weight: number) {
    const hash = fnv1a(feature);
    vector[hash % this.dims]! += hash & 0x80000000 ? -weight : weight;
  }

  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dims);
    const words = lexicalTokens(text);
    words.forEach((w, i) => {
      this.add(vector, `w:${w}`, 1);
      if (i > 0) this.add(vector, `b:${words[i - 1]} ${w}`, 0.5);
      const padded = `#${w}#`;
      for (let j = 0; j + 3 <= padded.length; j++) this.add(vector, `c:${padded.slice(j, j + 3)}`, 0.25);
    });
    return normalizeVector(vector);
  }

  async embed(texts: readonly string[], _kind?: "add" | "search") {
    return texts.map((t) => this.embedOne(t));
  }
}

export const lexicalEmbedderPlugin = defineEmbedder({
  provider: "lexical",
  configSchema: providerConfigSchema({ embedding_dims: fields.positiveInt().optional() }),
  create: (config) => new LexicalEmbedder(config.embedding_dims ?? 256),
});
