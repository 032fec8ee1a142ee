/**
 * The seed's full stack against loopback fakes: testkit's OpenAI server (chat completions and
 * embeddings, requests validated against OpenAI's OpenAPI document), its Cohere server and its
 * Qdrant server. Every provider runs its real SDK over real HTTP.
 */
import type { MemoryConfigInput } from "@mem0/core";
import {
  startCohereServer,
  startOpenAIServer,
  startQdrantServer,
  type ChatRequest,
  type ChatResponder,
  type CohereServer,
  type OpenAIServer,
} from "@mem0/testkit";

export const OPENAI_KEY = "sk-e2e-openai-6d1f0c2a9b7e4d3c8a5f";
export const COHERE_KEY = "co-e2e-cohere-41a9e7b2c6d8f3a0e5b1";

export interface Stack {
  openai: OpenAIServer;
  cohere: CohereServer;
  qdrant: Awaited<ReturnType<typeof startQdrantServer>>;
  /** The seed's "Full stack example", hosts and base URLs pointed at the fakes. */
  config: MemoryConfigInput;
  /** The environment that makes docs/examples/config.ts's `fullStackConfig` point at the fakes. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const [openai, cohere, qdrant] = await Promise.all([
    startOpenAIServer({ apiKey: OPENAI_KEY }),
    startCohereServer({ apiKey: COHERE_KEY }),
    startQdrantServer(),
  ]);
  const qdrantUrl = new URL(qdrant.url);
  const port = Number(qdrantUrl.port);
  // The seed's config, as a TypeScript object with the same keys; only where the services live
  // differs (loopback hosts and base URLs) and the keys, which are the fakes' own.
  const config = {
    vector_store: {
      provider: "qdrant",
      config: {
        host: "127.0.0.1",
        port,
      },
    },
    llm: {
      provider: "openai",
      config: {
        model: "gpt-4",
        api_key: OPENAI_KEY,
        base_url: `${openai.url}/v1`,
      },
    },
    embedder: {
      provider: "openai",
      config: {
        model: "text-embedding-3-small",
        api_key: OPENAI_KEY,
        base_url: `${openai.url}/v1`,
      },
    },
    reranker: {
      provider: "cohere",
      config: {
        model: "rerank-english-v3.0",
        api_key: COHERE_KEY,
        base_url: cohere.url,
        top_k: 15,
        return_documents: true,
      },
    },
  };
  const env = {
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    COHERE_API_KEY: COHERE_KEY,
    COHERE_BASE_URL: cohere.url,
    QDRANT_HOST: "127.0.0.1",
    QDRANT_PORT: String(port),
  };
  return {
    openai,
    cohere,
    qdrant,
    config,
    env,
    close: async () => {
      await Promise.all([openai.close(), cohere.close(), qdrant.close()]);
    },
  };
}

/** The text of the last user message of a chat request. */
const userText = (req: ChatRequest) => {
  const last = [...req.messages].reverse().find((m) => m.role === "user");
  return typeof last?.content === "string" ? last.content : "";
};

/** A scripted fact-extraction answer; checks it was asked for facts. */
export function factsAnswer(facts: string[]): ChatResponder {
  return (req) => {
    if (req.response_format?.type !== "json_schema" || req.response_format.json_schema.name !== "facts")
      throw new Error(`expected a fact-extraction call, got ${JSON.stringify(req.response_format)}`);
    return { facts };
  };
}

export interface Decision {
  id: string;
  text: string;
  event: "ADD" | "UPDATE" | "DELETE" | "NONE";
  old_memory: string | null;
}

/**
 * A scripted memory-update answer computed from what the LLM is shown, as a model would: `decide`
 * gets the existing memories with the short ids core gave them, and the new facts.
 */
export function decisionAnswer(
  decide: (existing: { id: string; text: string }[], facts: string[]) => Decision[],
): ChatResponder {
  return (req) => {
    if (req.response_format?.type !== "json_schema" || req.response_format.json_schema.name !== "memory_update")
      throw new Error(`expected a memory-update call, got ${JSON.stringify(req.response_format)}`);
    const memory = /Existing memories:\n(.*)\n\nNew facts:\n(.*)$/s.exec(userText(req));
    if (!memory) throw new Error("memory-update prompt without existing memories and new facts");
    return { memory: decide(JSON.parse(memory[1]!), JSON.parse(memory[2]!)) };
  };
}

/** The short id core showed for the existing memory whose text is `text`. */
export function idOf(existing: { id: string; text: string }[], text: string): string {
  const found = existing.find((e) => e.text === text);
  if (!found) throw new Error(`the LLM was not shown ${JSON.stringify(text)}; it saw ${JSON.stringify(existing)}`);
  return found.id;
}
