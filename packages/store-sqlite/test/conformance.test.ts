import { afterAll } from "@jest/globals";
import { describeStoreConformance } from "@mem0/testkit";
import { SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describeStoreConformance("sqlite (sqlite-vec)", {
  create: ({ dims }) => {
    const store = SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: dims });
    if (store.vectorEngine !== "sqlite-vec") throw new Error("sqlite-vec did not load on this platform");
    return store;
  },
  numRuns: 100,
});

// The fallback for platforms without a sqlite-vec build must give the same answers.
describeStoreConformance("sqlite (JavaScript distance)", {
  create: ({ dims }) => SqliteVectorStore.open({ path: tmp.file(), embedding_model_dims: dims, vector_engine: "js" }),
  numRuns: 40,
});

// History in another file (history_db_path): same contract, atomic per file.
describeStoreConformance("sqlite (history in a separate file)", {
  create: ({ dims }) =>
    SqliteVectorStore.open({ path: tmp.file(), history_path: tmp.file(), embedding_model_dims: dims }),
  numRuns: 20,
});
