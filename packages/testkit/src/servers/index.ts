export * from "./fake-server.js";
export * from "./scoring.js";
export * from "./cohere.js";
export * from "./zeroentropy.js";
export * from "./openai.js";
export * from "./tei.js";
export * from "./qdrant.js";
export * from "./qdrant-filter.js";
