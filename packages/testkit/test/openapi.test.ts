import { OpenApiSpec } from "../src/openapi.js";

test("probe", () => {
  const c = OpenApiSpec.load("cohere");
  expect(c.validateRequest("POST", "/v2/rerank", { model: "m", query: "q", documents: ["a"] }).ok).toBe(true);
  console.log(c.validateRequest("POST", "/v2/rerank", { model: "m", documents: [1], top_n: 0 }));
  const o = OpenApiSpec.load("openai");
  const t0 = Date.now();
  console.log(o.validateRequest("POST", "/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }], response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" }, strict: true } } }), Date.now() - t0);
  console.log(o.validateRequest("POST", "/chat/completions", { model: "m", messages: [{ role: "robot", content: "hi" }], temperature: 5 }));
  console.log(o.validateRequest("POST", "/embeddings", { model: "m", input: "x", encoding_format: "base64" }));
  const t = OpenApiSpec.load("tei");
  console.log(t.validateRequest("POST", "/rerank", { query: "q", texts: ["a"], truncate: null }), t.validateRequest("POST", "/rerank", { query: 1 }));
  console.log(t.validateResponse("POST", "/rerank", 413, { error: "x", error_type: "Validation" }), t.validateResponse("POST", "/rerank", 200, [{ index: 0, score: 0.5 }]));
  console.log(c.validateResponse("POST", "/v2/rerank", 200, { id: "x", results: [{ index: 0, relevance_score: 0.3 }], meta: { billed_units: { search_units: 1 } } }));
  console.log(c.validateResponse("POST", "/v2/rerank", 400, { message: "x" }));
});
