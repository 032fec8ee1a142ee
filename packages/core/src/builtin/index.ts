import type { ConfigInput } from "../config-types.js";
import type { lexicalEmbedderPlugin } from "./lexical-embedder.js";
import type { memoryStorePlugin } from "./memory-store.js";

export { InMemoryHistory, InMemoryVectorStore, memoryStorePlugin } from "./memory-store.js";
export { fnv1a, LexicalEmbedder, lexicalEmbedderPlugin, lexicalTokens } from "./lexical-embedder.js";

declare global {
  namespace Mem0Config {
    interface VectorStoreConfigs {
      memory: ConfigInput<typeof memoryStorePlugin.configSchema>;
    }
    interface EmbedderConfigs {
      lexical: ConfigInput<typeof lexicalEmbedderPlugin.configSchema>;
    }
  }
}
