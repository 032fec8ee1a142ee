/**
 * A user of a TEI endpoint installs no native code: @mem0/reranker-hf and what it needs, packed as
 * they would be published and installed with npm into an empty project, bring no onnxruntime-node
 * and no transformers.js, rerank through a TEI server, and say what to install for a local model.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PACKAGES = ["core", "provider-utils", "hf-hosted", "reranker-hf"];
const packagesDir = resolve(__dirname, "..", "..");

/** pnpm rewrites `workspace:^` on pack; npm would not. The running pnpm (a script or a binary) when there is one. */
function pnpm(args: string[], cwd: string): void {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    if (/\.[cm]?js$/.test(execPath)) execFileSync(process.execPath, [execPath, ...args], { cwd, stdio: "pipe" });
    else execFileSync(execPath, args, { cwd, stdio: "pipe" });
  } else execFileSync("npx", ["-y", "pnpm@12.4.2", ...args], { cwd, stdio: "pipe" });
}

const CHECK = `
import { createServer } from "node:http";
import { Memory, registerProvider } from "@mem0/core";
import { plugin } from "@mem0/reranker-hf";
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const { query, texts } = JSON.parse(body);
    const words = new Set(query.toLowerCase().split(/\\W+/));
    const ranks = texts.map((t, index) => ({ index, score: t.toLowerCase().split(/\\W+/).filter((w) => words.has(w)).length / 10 }));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(ranks.sort((a, b) => b.score - a.score)));
  });
}).listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
registerProvider(plugin);
const endpoint_url = "http://127.0.0.1:" + server.address().port;
const m = await Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "huggingface", config: { endpoint_url } } });
await m.add("the printer is broken", { user_id: "u", infer: false });
await m.add("alice likes tonkotsu ramen", { user_id: "u", infer: false });
const r = await m.search("which ramen does alice like", { user_id: "u", rerank: true });
const local = await Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "huggingface", config: {} } }).catch((e) => e);
server.close();
console.log(JSON.stringify({ reranked: r.reranked, first: r.results[0].memory, local: local.code, localMessage: local.message }));
`;

test("a TEI-only install of @mem0/reranker-hf has no onnxruntime-node or transformers.js, and reranks", () => {
  const dir = mkdtempSync(join(tmpdir(), "mem0-tei-only-"));
  try {
    const tarballs = join(dir, "tarballs");
    mkdirSync(tarballs);
    for (const name of PACKAGES) pnpm(["pack", "--pack-destination", tarballs], join(packagesDir, name));
    const project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "tei-only", version: "1.0.0", private: true, type: "module" }),
    );
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    expect(files).toHaveLength(PACKAGES.length);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", ...files], {
      cwd: project,
      stdio: "pipe",
    });

    const modules = join(project, "node_modules");
    expect(existsSync(join(modules, "@mem0", "reranker-hf"))).toBe(true);
    expect(existsSync(join(modules, "onnxruntime-node"))).toBe(false);
    expect(existsSync(join(modules, "@huggingface", "transformers"))).toBe(false);
    expect(existsSync(join(modules, "@mem0", "hf-runtime"))).toBe(false);

    writeFileSync(join(project, "check.mjs"), CHECK);
    const out = JSON.parse(execFileSync(process.execPath, ["check.mjs"], { cwd: project, encoding: "utf8" }));
    expect(out).toMatchObject({ reranked: true, first: "alice likes tonkotsu ramen", local: "PROVIDER_NOT_FOUND" });
    expect(out.localMessage).toMatch(/npm install @mem0\/hf-runtime/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
