export { InMemoryHistory, InMemoryVectorStore, memoryStorePlugin, payloadField, compareCreated } from "./memory-store.js";
export { LexicalEmbedder, lexicalEmbedderPlugin, lexicalTokens } from "./lexical-embedder.js";
