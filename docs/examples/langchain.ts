// mem0 as a LangChain.js retriever in an LCEL chain (npm i @mem0/core @mem0/langchain @langchain/core @langchain/openai).
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";
import { ChatOpenAI } from "@langchain/openai";
import { Memory } from "@mem0/core";
import { Mem0Retriever } from "@mem0/langchain";

const memory = await Memory.fromConfig({ reranker: { provider: "cohere" } });
const retriever = new Mem0Retriever({ memory, searchOptions: { user_id: "alice", limit: 5 } });
const chain = RunnableSequence.from([
  { context: retriever.pipe((docs) => docs.map((d) => d.pageContent).join("\n")), question: new RunnablePassthrough() },
  ChatPromptTemplate.fromTemplate("What you know about the user:\n{context}\n\nAnswer: {question}"),
  new ChatOpenAI({ model: "gpt-4o-mini" }),
  new StringOutputParser(),
]);
console.log(await chain.invoke("What should I cook tonight?"));
