/**
 * Mem0's "Full stack example" (Qdrant + OpenAI LLM + OpenAI embedder + Cohere reranker), with
 * the same keys as Mem0's Python config. Keys come from the environment, never from this file.
 * The `*_BASE_URL` / `QDRANT_*` variables point it at other servers (a proxy, a local Qdrant, the
 * test suite's loopback fakes); unset, the hosted APIs are used.
 */
import type { MemoryConfigInput } from "@mem0/core";

export type Env = Readonly<Record<string, string | undefined>>;

export function fullStackConfig(env: Env = process.env): MemoryConfigInput {
  return {
    vector_store: {
      provider: "qdrant",
      config: {
        host: env.QDRANT_HOST ?? "localhost",
        port: Number(env.QDRANT_PORT ?? 6333),
      },
    },
    llm: {
      provider: "openai",
      config: {
        model: "gpt-4",
        api_key: env.OPENAI_API_KEY,
        base_url: env.OPENAI_BASE_URL,
      },
    },
    embedder: {
      provider: "openai",
      config: {
        model: "text-embedding-3-small",
        api_key: env.OPENAI_API_KEY,
        base_url: env.OPENAI_BASE_URL,
      },
    },
    reranker: {
      provider: "cohere",
      config: {
        model: "rerank-english-v3.0",
        api_key: env.COHERE_API_KEY,
        base_url: env.COHERE_BASE_URL,
        top_k: 15,
        return_documents: true,
      },
    },
  };
}
