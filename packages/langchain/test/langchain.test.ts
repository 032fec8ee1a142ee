import { Document } from "@langchain/core/documents";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { BaseRetriever } from "@langchain/core/retrievers";
import { BaseDocumentCompressor } from "@langchain/core/retrievers/document_compressors";
import { RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";
import { FakeChatModel } from "@langchain/core/utils/testing";
import { Memory } from "@mem0/core";
import cohere, { configSchema as cohereConfigSchema, type CohereReranker } from "@mem0/reranker-cohere";
import { startCohereServer, type CohereServer } from "@mem0/testkit";
import { Mem0RerankCompressor, Mem0Retriever } from "../src/index.js";

const KEY = "langchain-key";
let server: CohereServer;
let memory: Memory;

beforeAll(async () => {
  server = await startCohereServer({ apiKey: KEY });
  memory = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    reranker: { provider: cohere, config: { api_key: KEY, base_url: server.url } },
  });
  const foods = ["ramen is a noodle soup", "sushi with rice", "green tea and ramen for dinner", "hiking on sunday"];
  await memory.add(
    foods.map((content) => ({ role: "user" as const, content })),
    { user_id: "alice", infer: false, metadata: { source: "chat" } },
  );
  await memory.add("bob eats ramen for dinner every day", { user_id: "bob", infer: false });
});
afterAll(() => server.close());

describe("Mem0Retriever", () => {
  test("is a BaseRetriever whose documents carry the scores and the memory's metadata", async () => {
    const retriever = new Mem0Retriever({ memory, searchOptions: { user_id: "alice", limit: 2 } });
    expect(retriever).toBeInstanceOf(BaseRetriever);
    const docs = await retriever.invoke("ramen dinner");
    expect(docs.map((d) => d.pageContent)).toEqual(["green tea and ramen for dinner", "ramen is a noodle soup"]);
    for (const d of docs) {
      expect(d.metadata).toMatchObject({ source: "chat", user_id: "alice", reranked: true, id: d.id });
      expect(d.metadata.score).toBe(d.metadata.rerank_score);
      expect(typeof d.metadata.vector_score).toBe("number");
      expect(typeof d.metadata.created_at).toBe("string");
    }
    expect(docs[0]!.metadata.rerank_score).toBeGreaterThan(docs[1]!.metadata.rerank_score);
  });

  test("without reranking, score is the vector score and there is no rerank_score", async () => {
    const docs = await new Mem0Retriever({
      memory,
      searchOptions: { user_id: "alice", limit: 2, rerank: false },
    }).invoke("ramen dinner");
    for (const d of docs) {
      expect(d.metadata.score).toBe(d.metadata.vector_score);
      expect("rerank_score" in d.metadata).toBe(false);
      expect(d.metadata.reranked).toBe(false);
    }
  });

  test("runs in an LCEL chain with a chat model, and never leaves its scope", async () => {
    const retriever = new Mem0Retriever({ memory, searchOptions: { user_id: "alice", limit: 2 } });
    const chain = RunnableSequence.from([
      {
        context: retriever.pipe((docs: Document[]) => docs.map((d) => d.pageContent).join("\n")),
        question: new RunnablePassthrough(),
      },
      ChatPromptTemplate.fromTemplate("Context:\n{context}\n\nQuestion: {question}"),
      new FakeChatModel({}), // answers with its prompt, so the output shows what the chain retrieved
      new StringOutputParser(),
    ]);
    const out = await chain.invoke("ramen dinner");
    expect(out).toBe("Context:\ngreen tea and ramen for dinner\nramen is a noodle soup\n\nQuestion: ramen dinner");
    expect(out).not.toContain("bob");
  });
});

describe("Mem0RerankCompressor", () => {
  const docs = ["the weather is sunny", "ramen for dinner tonight", "a ramen recipe", "tax forms"].map(
    (text, i) => new Document({ pageContent: text, metadata: { n: i } }),
  );

  test("a mem0 reranker (Cohere, against the fake) reorders and cuts LangChain documents", async () => {
    // Built by the plugin as Memory would (the key becomes a Secret), not wired to a Memory.
    const ctx = {
      env: {},
      config: {},
      load: async () => {
        throw new Error("unused");
      },
    };
    const reranker = cohere.create(
      cohereConfigSchema.parse({ api_key: KEY, base_url: server.url }),
      ctx,
    ) as CohereReranker;
    const compressor = new Mem0RerankCompressor({ reranker, topN: 2 });
    expect(compressor).toBeInstanceOf(BaseDocumentCompressor);
    const out = await compressor.compressDocuments(docs, "ramen dinner");
    expect(out.map((d) => [d.pageContent, d.metadata.n])).toEqual([
      ["ramen for dinner tonight", 1],
      ["a ramen recipe", 2],
    ]);
    expect(out[0]!.metadata.rerank_score).toBeGreaterThan(out[1]!.metadata.rerank_score);
    expect(docs[1]!.metadata).toEqual({ n: 1 }); // the inputs are not modified
  });

  test("the memory's configured reranker works too, and a bad answer is an error", async () => {
    const all = await new Mem0RerankCompressor({ reranker: memory.reranker! }).compressDocuments(docs, "ramen recipe");
    expect(all).toHaveLength(4);
    expect(all[0]!.pageContent).toBe("a ramen recipe");
    const broken = {
      provider: "broken",
      rerank: async () => [
        { index: 0, score: 1 },
        { index: 0, score: 0.5 },
      ],
    };
    await expect(new Mem0RerankCompressor({ reranker: broken, topN: 2 }).compressDocuments(docs, "q")).rejects.toThrow(
      /index 0 twice/,
    );
  });
});
