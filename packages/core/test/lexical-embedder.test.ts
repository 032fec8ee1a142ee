import { dot, LexicalEmbedder, lexicalTokens, Memory } from "@mem0/core";

const e = new LexicalEmbedder(256);
const sim = (a: string, b: string) => dot(e.embedOne(a), e.embedOne(b));

test("unit-length, deterministic vectors of the configured size", async () => {
  const [a, b] = await e.embed(["Loves sushi", "Loves sushi"], "add");
  expect(a).toHaveLength(256);
  expect(Array.from(a!)).toEqual(Array.from(b!));
  expect(dot(a as Float32Array, a as Float32Array)).toBeCloseTo(1, 5);
});

test("shared words score higher than unrelated text; stopwords and accents do not count", () => {
  expect(sim("I love sushi", "sushi is my favourite")).toBeGreaterThan(sim("I love sushi", "the printer is broken"));
  expect(sim("café", "cafe")).toBeCloseTo(1, 5);
  expect(lexicalTokens("The Movies of 2024!")).toEqual(["movie", "2024"]);
});

test("text with no tokens is the zero vector, whose similarity is 0, not NaN", () => {
  expect(sim("", "anything")).toBe(0);
});

test("embedding_dims is configurable and reported", async () => {
  const m = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    embedder: { provider: "lexical", config: { embedding_dims: 64 } },
  });
  expect(m.embedder.dims).toBe(64);
});
