import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { normalizeNullable, OpenApiSpec } from "../src/openapi.js";

const root = join(__dirname, "..");

/**
 * The official documents sit in `shared/specs` beside the main checkout (../shared from it), which
 * is further up for a git worktree: look in every ancestor. A user's clone has none; the bundled
 * files are then the source of truth, and the test says it was skipped.
 */
function findShared(): string | undefined {
  for (let dir = resolve(root, ".."); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "shared", "specs"))) return join(dir, "shared", "specs");
    if (dirname(dir) === dir) return undefined;
  }
}
const shared = findShared();

(shared ? test : test.skip)(
  `the bundled specs are exactly what the extraction script makes from the official documents${shared ? "" : " (skipped: no shared/specs above this checkout)"}`,
  () => {
    const out = mkdtempSync(join(tmpdir(), "specs-"));
    execFileSync(process.execPath, [join(root, "scripts/extract-specs.mjs"), shared!, out]);
    for (const name of readdirSync(out)) {
      expect(readFileSync(join(out, name), "utf8")).toBe(readFileSync(join(root, "specs", name), "utf8"));
    }
  },
  60_000,
);

test("OpenAPI nullable becomes plain JSON Schema", () => {
  expect(normalizeNullable({ type: "integer", nullable: true })).toEqual({ type: ["integer", "null"] });
  expect(normalizeNullable({ enum: ["a"], type: "string", nullable: true })).toEqual({
    enum: ["a", null],
    type: ["string", "null"],
  });
  expect(normalizeNullable({ $ref: "#/x", nullable: true })).toEqual({ anyOf: [{ $ref: "#/x" }, { type: "null" }] });
  expect(normalizeNullable({ type: "string", nullable: false })).toEqual({ type: "string" });
});

describe("request validation follows each official document", () => {
  test("Cohere /v2/rerank: required fields, types, top_n ≥ 1", () => {
    const spec = OpenApiSpec.load("cohere");
    expect(
      spec.validateRequest("POST", "/v2/rerank", { model: "rerank-v3.5", query: "q", documents: ["a"], top_n: 1 }).ok,
    ).toBe(true);
    const bad = spec.validateRequest("POST", "/v2/rerank", { documents: [1], top_n: 0 });
    expect(bad.ok).toBe(false);
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        "(body): must have required property 'query'",
        "(body): must have required property 'model'",
        "/documents/0: must be string",
        "/top_n: must be >= 1",
      ]),
    );
  });
  test("OpenAI /chat/completions: roles and temperature range", () => {
    const spec = OpenApiSpec.load("openai");
    expect(
      spec.validateRequest("POST", "/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }] }).ok,
    ).toBe(true);
    expect(
      spec.validateRequest("POST", "/chat/completions", {
        model: "m",
        messages: [{ role: "user", content: "hi" }],
        temperature: 3,
      }).ok,
    ).toBe(false);
    expect(
      spec.validateRequest("POST", "/chat/completions", { model: "m", messages: [{ role: "robot", content: "hi" }] })
        .ok,
    ).toBe(false);
  });
  test("TEI /rerank (OpenAPI 3.0, nullable truncate)", () => {
    const spec = OpenApiSpec.load("tei");
    expect(spec.validateRequest("POST", "/rerank", { query: "q", texts: ["a"], truncate: null }).ok).toBe(true);
    expect(spec.validateRequest("POST", "/rerank", { query: "q", texts: "a" }).ok).toBe(false);
    expect(spec.validateRequest("POST", "/rerank", { query: "q", texts: ["a"], truncation_direction: "left" }).ok).toBe(
      false,
    );
  });
  test("responses: documented statuses validate, undocumented ones do not", () => {
    const tei = OpenApiSpec.load("tei");
    expect(tei.validateResponse("POST", "/rerank", 413, { error: "x", error_type: "Validation" }).ok).toBe(true);
    expect(tei.validateResponse("POST", "/rerank", 413, { error: "x", error_type: "validation" }).ok).toBe(false);
    expect(tei.validateResponse("POST", "/rerank", 418, {}).ok).toBe(false);
  });
});
