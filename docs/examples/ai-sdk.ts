// mem0 memory tools and a local cross-encoder in the Vercel AI SDK (npm i @mem0/core @mem0/ai-sdk ai @ai-sdk/openai).
import { openai } from "@ai-sdk/openai";
import { Memory } from "@mem0/core";
import { asRerankingModel, memoryTools } from "@mem0/ai-sdk";
import { generateText, rerank, stepCountIs } from "ai";

const memory = await Memory.fromConfig({ reranker: { provider: "sentence_transformer" } });
const tools = memoryTools(memory, { user_id: "alice" });
const { text } = await generateText({ model: openai("gpt-4o-mini"), tools, stopWhen: stepCountIs(4), prompt: "What do I like to eat?" });
const { ranking } = await rerank({ model: asRerankingModel(memory.reranker!), query: "noodles", documents: ["ramen", "tax forms"] });
console.log(text, ranking);
