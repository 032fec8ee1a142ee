/**
 * The seed's full stack (Qdrant, OpenAI embedder and LLM, Cohere reranker) created with one canary
 * key for every provider: printing the Memory or any of its parts never shows it.
 */
import { Memory } from "@mem0/core";
import { expectNoSecret, SECRET_CANARY } from "@mem0/testkit";

test("console.log / util.inspect / JSON.stringify / String of the Memory and each provider show no key", async () => {
  const key = SECRET_CANARY;
  const memory = await Memory.fromConfig({
    vector_store: {
      provider: "qdrant",
      config: { url: "http://127.0.0.1:9", api_key: key, embedding_model_dims: 1536 },
    },
    embedder: {
      provider: "openai",
      config: { model: "text-embedding-3-small", api_key: key, base_url: "http://127.0.0.1:9/v1" },
    },
    llm: { provider: "openai", config: { model: "gpt-4.1-nano", api_key: key, base_url: "http://127.0.0.1:9/v1" } },
    reranker: { provider: "cohere", config: { api_key: key, base_url: "http://127.0.0.1:9" } },
  });
  try {
    for (const subject of [memory, memory.vectorStore, memory.embedder, memory.llm, memory.reranker])
      expectNoSecret(subject, key);
  } finally {
    await memory.close();
  }
});
