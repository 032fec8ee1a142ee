export { InMemoryHistory, InMemoryVectorStore, memoryStorePlugin, payloadField, compareCreated } from "./memory-store.js";
export { fnv1a, LexicalEmbedder, lexicalEmbedderPlugin, lexicalTokens } from "./lexical-embedder.js";
