import { randomUUID } from "node:crypto";
import { startQdrantServer, type QdrantServer } from "@mem0/testkit";
import { QdrantClient } from "@qdrant/js-client-rest";
import { createQdrantStore, type QdrantConfig, type QdrantVectorStore } from "../src/index.js";

/**
 * Where the store tests run: a real Qdrant when QDRANT_URL is set (QDRANT_API_KEY too if it needs
 * one), else the Qdrant test double from @mem0/testkit on a loopback port.
 */
export interface QdrantTarget {
  url: string;
  apiKey?: string;
  /** The test double, when that is what runs (undefined against a real Qdrant). */
  server?: QdrantServer;
  /** A store on a fresh, uniquely named collection; dropped by `close`. */
  store(config?: Partial<QdrantConfig>): QdrantVectorStore;
  close(): Promise<void>;
}

export const REAL_QDRANT = process.env.QDRANT_URL;

export async function qdrantTarget(): Promise<QdrantTarget> {
  const server = REAL_QDRANT ? undefined : await startQdrantServer();
  const url = REAL_QDRANT ?? server!.url;
  const apiKey = process.env.QDRANT_API_KEY || undefined;
  const created = new Set<string>();
  return {
    url,
    apiKey,
    server,
    store(config = {}) {
      const collection_name = config.collection_name ?? `t_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
      created.add(collection_name);
      return createQdrantStore(
        { url, ...(apiKey ? { api_key: apiKey } : {}), ...config, collection_name },
        { env: {} },
      );
    },
    async close() {
      if (REAL_QDRANT) {
        const client = new QdrantClient({ url, apiKey, checkCompatibility: false });
        await Promise.allSettled([...created].map((c) => client.deleteCollection(c)));
      }
      await server?.close();
    },
  };
}
