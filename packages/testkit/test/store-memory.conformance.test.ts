import { InMemoryVectorStore } from "@mem0/core";
import { describeStoreConformance } from "../src/conformance/store.js";

// The reference store against its own suite: if this fails, the suite (not a store) is wrong.
describeStoreConformance("memory", { create: ({ dims }) => new InMemoryVectorStore(dims) });
