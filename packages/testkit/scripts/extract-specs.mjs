#!/usr/bin/env node
// Extracts, from the official OpenAPI documents, the operations the fake servers serve plus every
// component they reference (transitively), and writes them to ../specs/*.json. Only documentation
// keys are dropped (x-fern-*/x-code-samples, examples, descriptions); every validation keyword is
// kept unchanged. Usage: node scripts/extract-specs.mjs [official specs dir] [output dir]
// (default: ../../../../shared/specs, i.e. the workspace's shared/specs).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? join(here, "../../../../shared/specs");
const out = process.argv[3] ?? join(here, "../specs");

const JOBS = [
  {
    file: "cohere-openapi.yaml",
    name: "cohere",
    ops: [
      ["post", "/v1/rerank"],
      ["post", "/v2/rerank"],
    ],
  },
  {
    file: "openai-openapi.yaml",
    name: "openai",
    ops: [
      ["post", "/chat/completions"],
      ["post", "/embeddings"],
    ],
  },
  {
    file: "tei-openapi.json",
    name: "tei",
    ops: [
      ["post", "/rerank"],
      ["post", "/embed"],
    ],
  },
];

const DOC_KEYS = new Set(["description", "example", "examples", "summary", "externalDocs", "tags"]);

/** Drops documentation-only keys. Inside `properties` the keys are property names, so they stay. */
function strip(node, inProperties = false) {
  if (Array.isArray(node)) return node.map((n) => strip(n));
  if (!node || typeof node !== "object") return node;
  const res = {};
  for (const [k, v] of Object.entries(node)) {
    if (!inProperties && (k.startsWith("x-") || DOC_KEYS.has(k))) continue;
    res[k] = strip(
      v,
      !inProperties && (k === "properties" || k === "patternProperties" || k === "$defs" || k === "definitions"),
    );
  }
  return res;
}

function pointer(doc, ref) {
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((o, k) => o?.[k], doc);
}

for (const job of JOBS) {
  const raw = readFileSync(join(source, job.file), "utf8");
  const sha256 = createHash("sha256").update(raw).digest("hex");
  const doc = job.file.endsWith(".json") ? JSON.parse(raw) : parse(raw, { maxAliasCount: -1 });
  const result = {
    openapi: doc.openapi,
    info: { title: doc.info?.title, version: doc.info?.version },
    paths: {},
    components: {},
  };
  const seen = new Set();
  const queue = [];
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/") && !seen.has(v)) {
        seen.add(v);
        queue.push(v);
      } else visit(v);
    }
  };
  for (const [method, path] of job.ops) {
    const op = doc.paths?.[path]?.[method];
    if (!op) throw new Error(`${job.file}: no ${method.toUpperCase()} ${path}`);
    const kept = strip(op);
    result.paths[path] = { ...(result.paths[path] ?? {}), [method]: kept };
    visit(kept);
  }
  while (queue.length) {
    const ref = queue.shift();
    const target = pointer(doc, ref);
    if (target === undefined) throw new Error(`${job.file}: dangling ${ref}`);
    const parts = ref.slice(2).split("/");
    let o = result;
    for (const p of parts.slice(0, -1)) o = o[p] ??= {};
    const kept = strip(target);
    o[parts.at(-1)] = kept;
    visit(kept);
  }
  result["x-extracted-from"] = {
    file: job.file,
    sha256,
    operations: job.ops.map(([m, p]) => `${m.toUpperCase()} ${p}`),
    components: seen.size,
  };
  writeFileSync(join(out, `${job.name}.json`), `${JSON.stringify(result, null, 1)}\n`);
  console.log(
    `${job.name}.json: ${job.ops.length} operations, ${seen.size} components, source sha256 ${sha256.slice(0, 16)}`,
  );
}
