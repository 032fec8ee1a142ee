import { afterAll, beforeAll, beforeEach, expect, test } from "@jest/globals";
import { CachedReranker, Memory, registerProvider } from "@mem0/core";
import { llmRerankResponder, startOpenAIServer, type OpenAIServer } from "@mem0/testkit";
import openaiPlugin from "@mem0/llm-openai";
import plugin from "../src/index.js";

const KEY = "sk-test-rerank-cache-1a2b3c";
registerProvider(plugin);
registerProvider(openaiPlugin);

let server: OpenAIServer;
beforeAll(async () => (server = await startOpenAIServer({ apiKey: KEY, chat: llmRerankResponder() })));
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
});

const documentsSent = () =>
  server.calls.map((c) =>
    JSON.parse((c.body as { messages: { content: string }[] }).messages[1]!.content).untrusted_documents.map(
      (d: { text: string }) => d.text,
    ),
  );

test("the LLM reranker is listwise: a whole repeated call is cached, a changed candidate set is sent whole", async () => {
  const m = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    reranker: {
      provider: "llm_reranker",
      config: {
        llm: { provider: "openai", config: { model: "gpt-4", api_key: KEY, base_url: `${server.url}/v1` } },
        cache: { max_entries: 100, ttl_ms: 60_000 },
      },
    },
  });
  expect(m.reranker).toBeInstanceOf(CachedReranker);
  expect(m.reranker!.listwise).toBe(true);
  await m.add("Alice loves ramen", { user_id: "alice", infer: false });
  await m.add("Alice loves sushi", { user_id: "alice", infer: false });
  const first = await m.search("ramen", { user_id: "alice" });
  const again = await m.search("ramen", { user_id: "alice" });
  expect(server.calls).toHaveLength(1);
  expect(again.rerank?.meta).toMatchObject({ cached: true, cache_hits: 2 });
  expect(again.results.map((r) => [r.id, r.rerank_score])).toEqual(first.results.map((r) => [r.id, r.rerank_score]));
  // One new memory: the LLM sees all three again (its scores are relative), not only the new one.
  await m.add("Alice hates ramen queues", { user_id: "alice", infer: false });
  const third = await m.search("ramen", { user_id: "alice" });
  expect(server.calls).toHaveLength(2);
  expect(documentsSent()[1]).toHaveLength(3);
  expect(third.rerank?.meta).toMatchObject({ cached: false, cache_hits: 0 });
  await m.close();
});
