/**
 * The filter conformance fixture (testkit, 229 cases) against Qdrant: with the default indexes,
 * and with every fixture field indexed (keyword, float, datetime, text), since indexes change how
 * Qdrant evaluates some conditions (a full-text index makes `match.text` match tokens).
 */
import { describeFilterConformance } from "@mem0/testkit";
import { qdrantTarget, type QdrantTarget } from "./helpers.js";

let target: QdrantTarget;
beforeAll(async () => {
  target = await qdrantTarget();
});
afterAll(() => target.close());

describeFilterConformance("qdrant", { create: ({ dims }) => target.store({ embedding_model_dims: dims }) });

describeFilterConformance("qdrant with payload indexes on the fixture's fields", {
  create: ({ dims }) =>
    target.store({
      embedding_model_dims: dims,
      indexed_fields: {
        category: "keyword",
        priority: "float",
        rating: "integer",
        due: "datetime",
        note: "text",
        flag: "bool",
        "a.b": "keyword",
      },
    }),
});
