/**
 * Plugin packages resolved from the caller's location (`from`): a package installed beside the
 * caller, where core itself cannot see it (pnpm's strict layout, a CLI's own dependencies), is
 * found only when the caller says where it is. Runs core's build in a child Node process, so real
 * Node module resolution is what is tested.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const coreEntry = pathToFileURL(join(__dirname, "..", "dist", "index.js")).href;
let caller: string;
let elsewhere: string;

/** The environment without NODE_PATH: package managers' bin shims set it, and Node's resolution would use it. */
function withoutNodePath(): NodeJS.ProcessEnv {
  const { NODE_PATH: _ignored, ...env } = process.env;
  return env;
}

beforeAll(() => {
  caller = mkdtempSync(join(tmpdir(), "mem0-lookup-caller-"));
  elsewhere = mkdtempSync(join(tmpdir(), "mem0-lookup-cwd-"));
  const pkg = join(caller, "node_modules", "mem0-fixture-reranker");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name: "mem0-fixture-reranker", version: "1.0.0", type: "module", exports: "./index.js" }),
  );
  writeFileSync(
    join(pkg, "index.js"),
    "export const plugin = { role: 'reranker', provider: 'mem0-fixture-reranker', configSchema: {},\n" +
      "  create: () => ({ provider: 'mem0-fixture-reranker', rerank: async () => [] }) };\nexport default plugin;\n",
  );
  writeFileSync(join(caller, "caller.mjs"), "export {};\n");
});
afterAll(() => {
  rmSync(caller, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

/** Runs `body` as an ES module with core's exports in scope; returns what it printed as JSON. */
function runWithCore(body: string): Record<string, unknown> {
  const script = `import * as core from ${JSON.stringify(coreEntry)};\n${body}`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: elsewhere,
    env: withoutNodePath(),
    encoding: "utf8",
  });
  return JSON.parse(out) as Record<string, unknown>;
}

test("resolvePlugin finds a package from the caller's location, and only from there", () => {
  const from = pathToFileURL(join(caller, "caller.mjs")).href;
  const result = runWithCore(`
    let without;
    try { await core.resolvePlugin("reranker", "mem0-fixture-reranker", "reranker"); without = "found"; }
    catch (err) { without = err.constructor.name + ": " + err.message; }
    const found = await core.resolvePlugin("reranker", "mem0-fixture-reranker", "reranker", { from: ${JSON.stringify(from)} });
    console.log(JSON.stringify({ without, provider: found.provider }));
  `);
  expect(result.without).toMatch(/^ProviderNotFoundError: .*package mem0-fixture-reranker is not installed/);
  expect(result.provider).toBe("mem0-fixture-reranker");
});

test("loadPluginPackage lists a package's plugins from a file path, and says why when it cannot", () => {
  const from = join(caller, "caller.mjs");
  const result = runWithCore(`
    const found = await core.loadPluginPackage("mem0-fixture-reranker", { from: ${JSON.stringify(from)} });
    const missing = await core.loadPluginPackage("mem0-no-such-package", { from: ${JSON.stringify(from)} });
    console.log(JSON.stringify({ found: found.ok && found.plugins.map((plugin) => plugin.provider), missing }));
  `);
  expect(result.found).toEqual(["mem0-fixture-reranker"]);
  expect(result.missing).toEqual({ ok: false, reason: "mem0-no-such-package is not installed" });
});
