/**
 * The filter conformance fixture (testkit: one data set, 229 named cases) against the embedded
 * store, with both distance engines. Added by the Qdrant work so that memory, sqlite and qdrant all
 * answer the same cases identically; the store's own suite is conformance.test.ts.
 */
import { afterAll } from "@jest/globals";
import { describeFilterConformance } from "@mem0/testkit";
import { SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir("mem0-sqlite-filters-");
afterAll(() => tmp.cleanup());

describeFilterConformance("sqlite", {
  create: ({ dims }) => SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: dims }),
});
describeFilterConformance("sqlite (JavaScript distance)", {
  create: ({ dims }) => SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: dims, vector_engine: "js" }),
});
