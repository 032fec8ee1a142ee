/**
 * The store conformance suite every store runs (testkit), against Qdrant: the test double by
 * default, a real server when QDRANT_URL is set.
 */
import { describeStoreConformance } from "@mem0/testkit";
import { createQdrantStore } from "../src/index.js";
import { qdrantTarget, REAL_QDRANT, type QdrantTarget } from "./helpers.js";

let target: QdrantTarget;
beforeAll(async () => {
  target = await qdrantTarget();
});
afterAll(() => target.close());

describeStoreConformance(REAL_QDRANT ? `qdrant (${REAL_QDRANT})` : "qdrant (test double)", {
  create: ({ dims }) => target.store({ embedding_model_dims: dims }),
  numRuns: 40,
  timeoutMs: 120_000,
  withApiKey: (apiKey) =>
    createQdrantStore(
      { url: "https://qdrant.example.invalid:6333", api_key: apiKey, embedding_model_dims: 8 },
      { env: {} },
    ),
});
