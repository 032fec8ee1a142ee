import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createCohere } from "@ai-sdk/cohere";
import { ConfigError, Memory } from "@mem0/core";
import { createSentenceTransformerReranker } from "@mem0/reranker-sentence-transformer";
import { startCohereServer, type CohereServer } from "@mem0/testkit";
import { generateText, rerank, stepCountIs, type LanguageModelUsage } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { CROSS_ENCODER, offline } from "../../hf-runtime/test/helpers.js";
import { aiSdkReranker, asRerankingModel, memoryTools } from "../src/index.js";

const KEY = "ai-sdk-test-key";
let server: CohereServer;
beforeAll(async () => (server = await startCohereServer({ apiKey: KEY })));
afterAll(() => server.close());

const FOODS = ["ramen is a noodle soup", "sushi with rice", "green tea and ramen for dinner", "hiking on sunday"];

async function memoryWith(reranker: object) {
  const memory = await Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: reranker as never });
  await memory.add(
    FOODS.map((content) => ({ role: "user" as const, content })),
    { user_id: "alice", infer: false },
  );
  return memory;
}

describe("an AI SDK reranking model as a mem0 reranker", () => {
  test("@ai-sdk/cohere against the Cohere fake reranks the search, with billed units", async () => {
    const cohere = createCohere({ baseURL: `${server.url}/v2`, apiKey: KEY });
    const memory = await memoryWith({
      provider: aiSdkReranker,
      config: { model: cohere.reranking("rerank-v3.5"), top_k: 4 },
    });
    const res = await memory.search("ramen dinner", { user_id: "alice", limit: 2, rerank_fallback: false });
    expect(res.reranked).toBe(true);
    expect(res.rerank).toMatchObject({
      provider: "cohere.reranking",
      model: "rerank-v3.5",
      candidates: 4,
      meta: { calls: 1, billed_units: { search_units: 1 } },
    });
    expect(res.results.map((r) => r.memory)).toEqual(["green tea and ramen for dinner", "ramen is a noodle soup"]);
    expect(res.results[0]!.rerank_score).toBeGreaterThan(res.results[1]!.rerank_score!);
  });

  test("a failing model falls back to vector order, with the error", async () => {
    const cohere = createCohere({ baseURL: `${server.url}/v2`, apiKey: "wrong-key" });
    const memory = await memoryWith({
      provider: aiSdkReranker,
      config: { model: cohere.reranking("rerank-v3.5"), max_retries: 0 },
    });
    const res = await memory.search("ramen dinner", { user_id: "alice", limit: 2 });
    expect(res.reranked).toBe(false);
    expect(res.rerank?.error).toMatch(/401|unauthori[sz]ed|invalid api token/i);
    expect(res.results.every((r) => r.rerank_score === undefined)).toBe(true);
  });

  test("a config without a model object is a ConfigError naming the path", async () => {
    const err = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: { provider: aiSdkReranker, config: { model: "rerank-v3.5" as never } },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues).toEqual([
      'reranker.config.model: expected an AI SDK RerankingModelV3, e.g. cohere.reranking("rerank-v3.5")',
    ]);
  });
});

describe("a mem0 reranker as an AI SDK RerankingModelV3", () => {
  offline();
  const expected = JSON.parse(readFileSync(join(CROSS_ENCODER, "expected.json"), "utf8")).pairs as {
    query: string;
    document: string;
    logit: number;
  }[];

  test("rerank() from `ai` runs the local sentence_transformer cross-encoder (real ONNX inference)", async () => {
    const query = expected[0]!.query;
    const pairs = expected.filter((p) => p.query === query);
    expect(pairs.length).toBeGreaterThan(1);
    const local = createSentenceTransformerReranker({ model: CROSS_ENCODER, device: "cpu", activation: "none" });
    const model = asRerankingModel(local);
    expect(model).toMatchObject({
      specificationVersion: "v3",
      provider: "mem0.sentence_transformer",
      modelId: CROSS_ENCODER,
    });
    const documents = pairs.map((p) => p.document);
    const res = await rerank({ model, query, documents, topN: 2 });
    const best = pairs
      .map((p, i) => ({ i, logit: p.logit }))
      .sort((a, b) => b.logit - a.logit)
      .slice(0, 2);
    expect(res.ranking.map((r) => r.originalIndex)).toEqual(best.map((b) => b.i));
    for (const [rank, item] of res.ranking.entries()) expect(item.score).toBeCloseTo(best[rank]!.logit, 4);
    expect(res.rerankedDocuments).toEqual(best.map((b) => documents[b.i]));
  });

  test("a reranker's invalid answer is an error, not a ranking", async () => {
    const broken = {
      provider: "broken",
      rerank: async () => [
        { index: 0, score: 1 },
        { index: 7, score: 0 },
      ],
    };
    await expect(
      rerank({ model: asRerankingModel(broken), query: "q", documents: ["a", "b"], maxRetries: 0 }),
    ).rejects.toThrow(/index 7 outside 0..1/);
  });
});

describe("memory tools for generateText", () => {
  const usage = {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 5, text: 5, reasoning: 0 },
  } as unknown as LanguageModelUsage;
  const toolCall = (toolName: string, input: object) => ({
    content: [{ type: "tool-call" as const, toolCallId: `call-${toolName}`, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: "tool-calls" as const, raw: "tool_calls" },
    usage,
    warnings: [],
  });
  const answer = (text: string) => ({
    content: [{ type: "text" as const, text }],
    finishReason: { unified: "stop" as const, raw: "stop" },
    usage,
    warnings: [],
  });

  test("the model searches and adds memories, only ever in the given user's scope", async () => {
    const memory = await Memory.fromConfig({ vector_store: { provider: "memory" } });
    await memory.add("Bob loves ramen", { user_id: "bob", infer: false });
    await memory.add("Alice loves ramen with extra egg", { user_id: "alice", infer: false });
    const model = new MockLanguageModelV3({
      doGenerate: [
        toolCall("searchMemories", { query: "ramen", limit: 3 }),
        toolCall("addMemory", { memory: "Alice is allergic to shrimp" }),
        answer("You like ramen with extra egg."),
      ] as never,
    });
    const result = await generateText({
      model,
      tools: memoryTools(memory, { user_id: "alice" }),
      prompt: "What food do I like?",
      stopWhen: stepCountIs(5),
    });

    expect(result.text).toBe("You like ramen with extra egg.");
    const [search, add] = result.steps.slice(0, 2).map((s) => s.toolResults[0]);
    expect(search).toMatchObject({
      toolName: "searchMemories",
      output: [{ memory: "Alice loves ramen with extra egg" }],
    });
    expect(add).toMatchObject({
      toolName: "addMemory",
      output: [{ memory: "Alice is allergic to shrimp", event: "ADD" }],
    });
    expect((await memory.getAll({ user_id: "alice" })).results.map((r) => r.memory).sort()).toEqual([
      "Alice is allergic to shrimp",
      "Alice loves ramen with extra egg",
    ]);
    expect((await memory.getAll({ user_id: "bob" })).results.map((r) => r.memory)).toEqual(["Bob loves ramen"]);
    // The model was offered both tools with JSON schemas from the zod inputs.
    const offered = model.doGenerateCalls[0]!.tools!.map((t) => ({
      name: t.name,
      schema: (t as { inputSchema: { required?: string[] } }).inputSchema.required,
    }));
    expect(offered).toEqual([
      { name: "searchMemories", schema: ["query"] },
      { name: "addMemory", schema: ["memory"] },
    ]);
  });

  test("input the zod schema rejects never reaches memory", async () => {
    const memory = await Memory.fromConfig({ vector_store: { provider: "memory" } });
    const model = new MockLanguageModelV3({
      doGenerate: [toolCall("addMemory", { memory: "" }), answer("ok")] as never,
    });
    const result = await generateText({
      model,
      tools: memoryTools(memory, { user_id: "alice" }),
      prompt: "x",
      stopWhen: stepCountIs(3),
    });
    expect(result.steps[0]!.content.some((c) => c.type === "tool-error")).toBe(true);
    expect((await memory.getAll({ user_id: "alice" })).results).toEqual([]);
  });

  test("tools without a scope are refused", async () => {
    const memory = await Memory.fromConfig({ vector_store: { provider: "memory" } });
    expect(() => memoryTools(memory, {})).toThrow(/at least one of user_id, agent_id, run_id/);
  });
});
