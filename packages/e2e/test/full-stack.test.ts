/**
 * The seed's "Full stack example" — Qdrant + OpenAI LLM + OpenAI embedder + Cohere reranker —
 * end to end: `fromConfig` → `add` with LLM inference → `search` with and without reranking, and
 * the four memory events (ADD / UPDATE / DELETE / NONE) decided by the LLM over the real SDKs.
 */
import { inspect } from "node:util";
import { LLMOutputError, Memory, ProviderError, type MemoryItem } from "@mem0/core";
import { COHERE_KEY, decisionAnswer, factsAnswer, idOf, OPENAI_KEY, startStack, type Stack } from "./stack.js";

let stack: Stack;
let memory: Memory;

beforeEach(async () => {
  stack = await startStack();
  memory = await Memory.fromConfig(stack.config, { env: {} });
});
afterEach(async () => {
  await memory.close();
  await stack.close();
});

const CONVERSATION = [
  {
    role: "user" as const,
    content:
      "I'm vegetarian and I love spicy Thai food, especially green curry and papaya salad from the night market.",
  },
  { role: "assistant" as const, content: "Noted! Any allergies?" },
  { role: "user" as const, content: "Peanuts. Also, I live in Berlin and I work at Acme as a designer." },
];
const THAI = "Loves spicy Thai food, especially green curry and papaya salad from the night market";
const FACTS = ["Is vegetarian", THAI, "Is allergic to peanuts", "Lives in Berlin", "Works at Acme as a designer"];
const addAll = (_existing: unknown, facts: string[]) =>
  facts.map((text) => ({ id: "new", text, event: "ADD" as const, old_memory: null }));

/** Adds the conversation with inference; every fact becomes a memory. */
async function seed(userId = "alice") {
  stack.openai.scriptChat(factsAnswer(FACTS), decisionAnswer(addAll));
  return memory.add(CONVERSATION, { user_id: userId });
}

const snapshot = async (userId: string) => {
  const { results } = await memory.getAll({ user_id: userId });
  const byId = new Map<string, MemoryItem>(results.map((r) => [r.id, r]));
  const history = new Map(await Promise.all(results.map(async (r) => [r.id, await memory.history(r.id)] as const)));
  return { byId, history };
};

describe("the seed's full stack", () => {
  it("fromConfig creates every provider from the seed's config", () => {
    expect(memory.vectorStore.provider).toBe("qdrant");
    expect(memory.llm?.provider).toBe("openai");
    expect(memory.llm?.model).toBe("gpt-4");
    expect(memory.embedder).toMatchObject({ provider: "openai", model: "text-embedding-3-small", dims: 1536 });
    expect(memory.reranker).toMatchObject({ provider: "cohere", model: "rerank-english-v3.0", topK: 15 });
  });

  it("Qdrant's collection is sized by the OpenAI embedder's dims and holds what add wrote", async () => {
    const added = await seed();
    const collection = stack.qdrant.collections.get("mem0");
    // One unnamed dense vector (the collection mem0-ts creates; mem0ai's have a named one and a sparse slot).
    expect(collection!.dense.get("")).toMatchObject({ size: 1536, distance: "Cosine" });
    expect(collection!.points.size).toBe(added.results.length);
  });

  it("add with inference → search with rerank returns vector and reranker scores", async () => {
    const added = await seed();
    expect(added.results.map((r) => [r.event, r.memory])).toEqual(FACTS.map((f) => ["ADD", f]));

    // Both LLM calls went through the real SDK with strict JSON-schema output, and the conversation
    // reached the model.
    const chats = stack.openai.callsTo("/v1/chat/completions");
    expect(chats).toHaveLength(2);
    expect(chats.map((c) => (c.body as any).response_format.json_schema.name)).toEqual(["facts", "memory_update"]);
    expect(
      chats.every((c) => (c.body as any).model === "gpt-4" && c.headers.authorization === `Bearer ${OPENAI_KEY}`),
    ).toBe(true);
    expect(JSON.stringify((chats[0]!.body as any).messages)).toContain("Peanuts. Also, I live in Berlin");
    // The embedder embedded the facts (to find related memories) and the memories, through the SDK.
    expect(stack.openai.callsTo("/v1/embeddings").length).toBeGreaterThanOrEqual(2);

    const res = await memory.search("What are my food preferences?", { user_id: "alice", rerank: true });
    expect(res.reranked).toBe(true);
    expect(res.rerank).toMatchObject({ provider: "cohere", model: "rerank-english-v3.0", candidates: FACTS.length });
    expect(res.results).toHaveLength(FACTS.length);
    for (const result of res.results) {
      expect(typeof result.vector_score).toBe("number");
      expect(typeof result.rerank_score).toBe("number");
      // "Confirm results[0].score reflects the reranker output."
      expect(result.score).toBe(result.rerank_score);
    }
    const scores = res.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    // Cohere got every candidate's text and the query, with the fake's key.
    const rerankCalls = stack.cohere.callsTo("/v2/rerank");
    expect(rerankCalls).toHaveLength(1);
    expect(rerankCalls[0]!.headers.authorization).toBe(`Bearer ${COHERE_KEY}`);
    const sent = rerankCalls[0]!.body as { query: string; documents: string[]; model: string };
    expect(sent.query).toBe("What are my food preferences?");
    expect(sent.model).toBe("rerank-english-v3.0");
    expect([...sent.documents].sort()).toEqual([...FACTS].sort());
  });

  it("rerank: false gives the same memories in vector order", async () => {
    await seed();
    const query = "vegetarian Thai food";
    const reranked = await memory.search(query, { user_id: "alice", rerank: true });
    const plain = await memory.search(query, { user_id: "alice", rerank: false });
    expect(plain.reranked).toBe(false);
    expect(plain.rerank).toBeUndefined();
    expect(new Set(plain.results.map((r) => r.id))).toEqual(new Set(reranked.results.map((r) => r.id)));
    for (const result of plain.results) {
      expect(result.rerank_score).toBeUndefined();
      expect(result.score).toBe(result.vector_score);
    }
    const vectorScores = plain.results.map((r) => r.vector_score);
    expect(vectorScores).toEqual([...vectorScores].sort((a, b) => b - a));
    // The same vectors were searched: each memory's similarity is the same in both responses.
    const similarity = new Map(plain.results.map((r) => [r.id, r.vector_score]));
    for (const result of reranked.results) expect(result.vector_score).toBeCloseTo(similarity.get(result.id)!, 6);
    // "The reranked response will reorder them": the short fact is nearest in vector space, the
    // long one that covers more of the query is what the reranker puts first.
    expect(plain.results[0]!.memory).toBe("Is vegetarian");
    expect(reranked.results[0]!.memory).toBe(THAI);
    expect(stack.cohere.callsTo("/v2/rerank")).toHaveLength(1);
  });

  it("falls back to vector order, and says so, when Cohere fails", async () => {
    await seed();
    stack.cohere.always({ type: "status", status: 503, retryAfter: 0 });
    const res = await memory.search("What are my food preferences?", { user_id: "alice", rerank: true });
    expect(res.reranked).toBe(false);
    expect(res.rerank?.error).toMatch(/503/);
    expect(res.results).toHaveLength(FACTS.length);
    for (const result of res.results) expect(result.rerank_score).toBeUndefined();
  });
});

describe("ADD, UPDATE, DELETE, NONE decided by the LLM", () => {
  it("applies each event; an update keeps the id and records old and new text", async () => {
    const first = await seed();
    const idBy = new Map(first.results.map((r) => [r.memory, r.id]));
    const before = await snapshot("alice");

    stack.openai.scriptChat(
      factsAnswer([
        "Loves very spicy Thai curries",
        "Moved from Berlin to Paris",
        "Works at Acme as a designer",
        "Has a dog named Rex",
      ]),
      decisionAnswer((existing) => [
        { id: idOf(existing, THAI), text: "Loves very spicy Thai curries", event: "UPDATE", old_memory: THAI },
        { id: idOf(existing, "Lives in Berlin"), text: "Lives in Berlin", event: "DELETE", old_memory: null },
        {
          id: idOf(existing, "Works at Acme as a designer"),
          text: "Works at Acme as a designer",
          event: "NONE",
          old_memory: null,
        },
        { id: "new", text: "Has a dog named Rex", event: "ADD", old_memory: null },
      ]),
    );
    const second = await memory.add(
      "Update: I now love very spicy Thai curries, I moved to Paris, still at Acme, and I got a dog named Rex.",
      { user_id: "alice" },
    );

    const thai = idBy.get(THAI)!;
    const berlin = idBy.get("Lives in Berlin")!;
    const acme = idBy.get("Works at Acme as a designer")!;
    const rex = second.results.find((r) => r.event === "ADD")!;
    expect(second.results).toEqual([
      { id: rex.id, memory: "Has a dog named Rex", event: "ADD" },
      { id: thai, memory: "Loves very spicy Thai curries", event: "UPDATE", previous_memory: THAI },
      { id: berlin, memory: "Lives in Berlin", event: "DELETE" },
    ]);

    // UPDATE: same id, new text, re-embedded (a search for the new text finds it first), history
    // with the old and the new text.
    const updated = await memory.get(thai);
    expect(updated).toMatchObject({ id: thai, memory: "Loves very spicy Thai curries", user_id: "alice" });
    expect(updated!.created_at).toBe(before.byId.get(thai)!.created_at);
    expect(updated!.updated_at > before.byId.get(thai)!.updated_at).toBe(true);
    const thaiHistory = await memory.history(thai);
    expect(thaiHistory.map((h) => [h.event, h.old_memory, h.new_memory])).toEqual([
      ["ADD", null, THAI],
      ["UPDATE", THAI, "Loves very spicy Thai curries"],
    ]);
    const hit = await memory.search("Loves very spicy Thai curries", { user_id: "alice", rerank: false, limit: 1 });
    expect(hit.results[0]).toMatchObject({ id: thai });
    expect(hit.results[0]!.vector_score).toBeCloseTo(1, 5);

    // DELETE: gone from the store and from search, history says so.
    expect(await memory.get(berlin)).toBeNull();
    expect((await memory.history(berlin)).map((h) => [h.event, h.old_memory, h.new_memory, h.is_deleted])).toEqual([
      ["ADD", null, "Lives in Berlin", false],
      ["DELETE", "Lives in Berlin", null, true],
    ]);
    const all = await memory.getAll({ user_id: "alice" });
    expect(all.results.map((r) => r.id)).not.toContain(berlin);

    // NONE: untouched.
    expect(await memory.get(acme)).toEqual(before.byId.get(acme));
    expect(await memory.history(acme)).toEqual(before.history.get(acme));

    // ADD: a new memory in the same scope.
    expect(await memory.get(rex.id)).toMatchObject({ memory: "Has a dog named Rex", user_id: "alice" });
    expect(all.results).toHaveLength(FACTS.length); // 5 − 1 deleted + 1 added
  });

  it("an id the LLM invents changes nothing, even another user's real id", async () => {
    await seed("alice");
    const bob = await seed("bob");
    const bobId = bob.results[0]!.id;
    const beforeAlice = await snapshot("alice");
    const beforeBob = await snapshot("bob");

    for (const invented of ["42", bobId]) {
      stack.openai.scriptChat(
        factsAnswer(["Is vegan now", "Lives in Paris"]),
        decisionAnswer((existing) => [
          { id: idOf(existing, "Is vegetarian"), text: "Is vegan now", event: "UPDATE", old_memory: "Is vegetarian" },
          { id: invented, text: "Lives in Paris", event: "DELETE", old_memory: null },
        ]),
      );
      const err = await memory.add("I'm vegan now and I live in Paris.", { user_id: "alice" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LLMOutputError);
      expect((err as Error).message).toContain("unknown id");
    }
    // Nothing half-written: the valid UPDATE in the same answer was not applied either.
    expect(await snapshot("alice")).toEqual(beforeAlice);
    expect(await snapshot("bob")).toEqual(beforeBob);
  });

  it("an answer that is not JSON changes nothing", async () => {
    await seed();
    const before = await snapshot("alice");
    stack.openai.scriptChat(factsAnswer(["Is vegan now"]), "Sure! I would UPDATE memory 0.");
    await expect(memory.add("I'm vegan now.", { user_id: "alice" })).rejects.toBeInstanceOf(LLMOutputError);
    expect(await snapshot("alice")).toEqual(before);
  });

  it("no facts, no writes", async () => {
    stack.openai.scriptChat(factsAnswer([]));
    expect(await memory.add("Hi there!", { user_id: "alice" })).toEqual({ results: [] });
    expect(stack.openai.callsTo("/v1/chat/completions")).toHaveLength(1);
    expect((await memory.getAll({ user_id: "alice" })).results).toEqual([]);
  });
});

describe("wrong keys", () => {
  it("the LLM's and the embedder's 401s are typed errors that name the call and hold no key", async () => {
    const wrong = "sk-e2e-wrong-key-9f8e7d6c5b4a39281706";
    const config = structuredClone(stack.config) as any;
    config.llm.config.api_key = wrong;
    config.embedder.config.api_key = wrong;
    const bad = await Memory.fromConfig(config, { env: {} });
    try {
      const fromLlm = await bad.add("I like tea", { user_id: "carol" }).catch((e: unknown) => e);
      const fromEmbedder = await bad.search("tea", { user_id: "carol" }).catch((e: unknown) => e);
      for (const err of [fromLlm, fromEmbedder] as ProviderError[]) {
        expect(err).toBeInstanceOf(ProviderError);
        expect(err).toMatchObject({ provider: "openai", status: 401, retryable: false });
        for (const text of [err.message, err.stack ?? "", JSON.stringify(err), inspect(err, { depth: 8 })])
          expect(text).not.toContain(wrong);
      }
      expect((fromEmbedder as Error).message).toContain("[embeddings, model text-embedding-3-small]");
    } finally {
      await bad.close();
    }
  });
});
