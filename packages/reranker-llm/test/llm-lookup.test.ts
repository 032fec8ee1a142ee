/**
 * Where the LLM reranker finds its LLM package: core's plugin lookup, from this package's own
 * location. Under pnpm's strict layout core cannot see @mem0/llm-openai (a dependency of this
 * package, not of core), so the built packages are run in a child Node process from a folder with
 * no node_modules: the LLM still loads, and a missing LLM package is core's ProviderNotFoundError.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const packageDir = join(__dirname, "..");
const entry = (path: string) => JSON.stringify(pathToFileURL(join(packageDir, path)).href);
let elsewhere: string;

/** The environment without NODE_PATH: package managers' bin shims set it, and Node's resolution would use it. */
function withoutNodePath(): NodeJS.ProcessEnv {
  const { NODE_PATH: _ignored, ...env } = process.env;
  return env;
}

beforeAll(() => {
  elsewhere = mkdtempSync(join(tmpdir(), "mem0-llm-lookup-"));
});
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

function fromConfig(llm: Record<string, unknown>): Record<string, unknown> {
  const script = `
    import { Memory, registerProvider } from ${entry("node_modules/@mem0/core/dist/index.js")};
    import { plugin } from ${entry("dist/index.js")};
    registerProvider(plugin);
    try {
      const memory = await Memory.fromConfig({
        vector_store: { provider: "memory" },
        reranker: { provider: "llm_reranker", config: { llm: ${JSON.stringify(llm)} } },
      });
      console.log(JSON.stringify({ llm: memory.reranker.llm.provider, model: memory.reranker.model }));
    } catch (err) {
      console.log(JSON.stringify({ error: err.constructor.name + ": " + err.message }));
    }`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: elsewhere,
    env: withoutNodePath(),
    encoding: "utf8",
  });
  return JSON.parse(out) as Record<string, unknown>;
}

test("core alone cannot see @mem0/llm-openai here (what makes the lookup from this package needed)", () => {
  expect(existsSync(join(packageDir, "..", "core", "node_modules", "@mem0", "llm-openai"))).toBe(false);
});

test("the openai LLM is found from this package's location", () => {
  expect(fromConfig({ provider: "openai", config: { model: "gpt-4o-mini", api_key: "sk-lookup-test" } })).toEqual({
    llm: "openai",
    model: "gpt-4o-mini",
  });
});

test("an LLM package installed nowhere is core's ProviderNotFoundError, naming the package", () => {
  const { error } = fromConfig({ provider: "mem0-no-such-llm", config: {} });
  expect(error).toMatch(
    /^ProviderNotFoundError: .*package mem0-no-such-llm is not installed; install it with `npm install mem0-no-such-llm`/,
  );
});
