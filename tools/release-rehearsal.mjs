#!/usr/bin/env node
// The release, rehearsed end to end on a scratch copy of this repository, against a local registry:
//   1. `pnpm version-packages` (changeset version) with the pending changesets plus a sample one;
//   2. `pnpm release` (build everything, changeset publish) into Verdaccio on 127.0.0.1;
//   3. blank apps install selections of packages from it with npm and with pnpm, and run an ES
//      module, a CommonJS and a TypeScript consumer that add memories and search with reranking
//      against the testkit's loopback fakes (Cohere, OpenAI, TEI).
// It fails on a 1.0.0 bump no changeset asked for, a published package that depends on one that
// is not published, a `workspace:` range left in a published manifest, and a consumer that does
// not install or run. Prints one line per check, then `N passed, N failed`; exit status 1 on any
// failure. Nothing in the repository changes. Usage: node tools/release-rehearsal.mjs [--keep]
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const requireTools = createRequire(join(root, "tools", "package.json"));
const semver = requireTools("semver");
const PNPM = ["npx", "-y", "pnpm@12.4.2"];
const VERDACCIO = join(root, "tools", "node_modules", ".bin", "verdaccio");
const TSC = join(root, "node_modules", "typescript", "bin", "tsc");
const keep = process.argv.includes("--keep");
/** The whole rehearsal is bounded: past this, whatever runs is stopped and the run fails. */
const DEADLINE_MS = Number(process.env.MEM0_REHEARSAL_TIMEOUT_MS ?? 15 * 60_000);
const SAMPLE_CHANGESET =
  '---\n"@mem0/core": minor\n"@mem0/reranker-cohere": patch\n---\n\nRelease rehearsal sample: a core feature, a Cohere fix.\n';
const SELECTIONS = {
  "sqlite-cohere": ["@mem0/core", "@mem0/store-sqlite", "@mem0/reranker-cohere"],
  llm: ["@mem0/core", "@mem0/reranker-llm"],
  "hf-tei": ["@mem0/core", "@mem0/reranker-hf"],
};

const started = Date.now();
const results = [];
function check(name, ok, detail = "") {
  results.push({ name, ok });
  console.log(`${ok ? "ok" : "not ok"} - ${name}${detail ? `: ${detail}` : ""}`);
  return ok;
}
const say = (m) => console.log(`# ${m} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

const children = new Set();
/** Runs a command; resolves { code, out } (stdout+stderr, last 4000 chars); never rejects. */
function run(cmd, args, { cwd, env = {}, timeoutMs = DEADLINE_MS } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...baseEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    const keepTail = (d) => (out = (out + d).slice(-4000));
    child.stdout.on("data", keepTail);
    child.stderr.on("data", keepTail);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => keepTail(String(err)));
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, out });
    });
  });
}

// The variables npm and pnpm set for the script that started us would point child installs at
// this workspace; ONNXRUNTIME_NODE_INSTALL is left out on purpose: `pnpm release` must set it.
const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) =>
      !/^(npm|pnpm)_/i.test(k) && !["INIT_CWD", "NODE_PATH", "NODE_OPTIONS", "ONNXRUNTIME_NODE_INSTALL"].includes(k),
  ),
);
Object.assign(baseEnv, {
  NX_NO_CLOUD: "true",
  NX_DAEMON: "false",
  CI: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  NO_COLOR: "1",
});

const readJson = (f) => JSON.parse(readFileSync(f, "utf8"));

function workspacePackages(dir) {
  return readdirSync(join(dir, "packages"))
    .filter((d) => existsSync(join(dir, "packages", d, "package.json")))
    .map((d) => ({ dir: join(dir, "packages", d), json: readJson(join(dir, "packages", d, "package.json")) }));
}

/** Bumps the changesets ask for, by package: the highest of patch < minor < major. */
function askedBumps(changesetDir) {
  const order = ["patch", "minor", "major"];
  const asked = {};
  for (const f of readdirSync(changesetDir).filter((f) => f.endsWith(".md") && f !== "README.md")) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(changesetDir, f), "utf8"))?.[1] ?? "";
    for (const m of front.matchAll(/^["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/gm)) {
      if (order.indexOf(m[2]) > order.indexOf(asked[m[1]] ?? "patch") || !asked[m[1]]) asked[m[1]] = m[2];
    }
  }
  return asked;
}

/** A copy of the repository's files (tracked and new, not ignored), as a fresh git repository. */
function scratchCopy() {
  const dir = mkdtempSync(join(tmpdir(), "mem0-release-"));
  const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(root, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(dir, "repo", f)), { recursive: true });
    cpSync(join(root, f), join(dir, "repo", f));
  }
  const git = (...a) => execFileSync("git", a, { cwd: join(dir, "repo"), stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost", "commit", "-qm", "rehearsal");
  return dir;
}

/**
 * better-sqlite3's install downloads a prebuilt binary, which cannot be fetched here, and falls
 * back to compiling SQLite for minutes. Its documented mirror variable points it at this loopback
 * server, which serves the binary this machine already compiled for that version (the
 * workspace's, or one a previous rehearsal's npm install compiled); else 404, and it compiles.
 */
const PREBUILDS = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mem0-ts", "prebuilds");
function prebuildName(version) {
  return `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
}
function savePrebuild(packageDir) {
  const { version } = readJson(join(packageDir, "package.json"));
  const file = join(PREBUILDS, prebuildName(version));
  if (existsSync(file) || !existsSync(join(packageDir, "build", "Release", "better_sqlite3.node"))) return;
  mkdirSync(PREBUILDS, { recursive: true });
  execFileSync("tar", ["-czf", `${file}.tmp`, "-C", packageDir, "build/Release/better_sqlite3.node"]);
  execFileSync("mv", [`${file}.tmp`, file]);
}
async function startPrebuildMirror() {
  const pnpmStore = join(root, "node_modules", ".pnpm");
  for (const d of existsSync(pnpmStore) ? readdirSync(pnpmStore).filter((d) => d.startsWith("better-sqlite3@")) : []) {
    savePrebuild(join(pnpmStore, d, "node_modules", "better-sqlite3"));
  }
  const server = createServer((req, res) => {
    const file = join(
      PREBUILDS,
      decodeURIComponent(req.url ?? "")
        .split("/")
        .pop() ?? "",
    );
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/gzip" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

async function startVerdaccio(dir) {
  mkdirSync(dir, { recursive: true });
  const upstream = execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8", env: baseEnv }).trim();
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const freePort = server.address().port;
      server.close(() => resolve(freePort));
    });
  });
  // Our scope is served only from what was published here: the real @mem0 scope on npm belongs to
  // someone else, so a missing package must fail, not be fetched from there.
  writeFileSync(
    join(dir, "config.yaml"),
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "uplinks:",
      "  upstream:",
      `    url: ${upstream}`,
      "    timeout: 60s",
      "packages:",
      "  '@mem0/*':",
      "    access: $all",
      "    publish: $authenticated",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      "    proxy: upstream",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const child = spawn(VERDACCIO, ["--config", join(dir, "config.yaml"), "--listen", `127.0.0.1:${port}`], {
    env: baseEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let log = "";
  child.stdout.on("data", (d) => (log = (log + d).slice(-4000)));
  child.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // A new user each run: a storage folder kept for --reuse already has the previous one.
  const user = `rehearsal-${Date.now().toString(36)}`;
  const res = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: user, password: "rehearsal-password" }),
  });
  if (!res.ok) throw new Error(`verdaccio on ${url}: could not create a user (${res.status}); log: ${log}`);
  const { token } = await res.json();
  const npmrc = join(dir, "npmrc");
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  return { url, npmrc, stop: () => child.kill("SIGTERM") };
}

const CONSUMER_BODY = `
const config = JSON.parse(process.env.MEM0_REHEARSAL_CONFIG);
const memory = await Memory.fromConfig(config);
for (const text of ["Alice is vegetarian and avoids fish sauce", "Alice's flight to Lisbon leaves on Friday", "Alice prefers quiet restaurants"]) {
  await memory.add(text, { user_id: "alice", infer: false });
}
const response = await memory.search("vegetarian restaurants", { user_id: "alice", limit: 2, rerank: true });
await memory.close();
if (!response.reranked || response.results.length === 0) throw new Error("not reranked: " + JSON.stringify(response.rerank));
console.log("reranked by " + response.rerank.provider + ": " + response.results.map((r) => r.memory).join(" | "));
`;
const CONSUMERS = {
  "esm.mjs": `import { Memory } from "@mem0/core";\n${CONSUMER_BODY}`,
  "cjs.cjs": `const { Memory } = require("@mem0/core");\n(async () => {\n${CONSUMER_BODY}\n})().catch((err) => { console.error(err); process.exit(1); });\n`,
  // Type-checked against the published declarations, then run as tsc emits it.
  "ts.mts": `import { Memory, type MemoryConfigInput, type SearchResponse } from "@mem0/core";\ndeclare const process: { env: Record<string, string | undefined> };\nconst config: MemoryConfigInput = JSON.parse(process.env.MEM0_REHEARSAL_CONFIG!);\nconst memory = await Memory.fromConfig(config);\nfor (const text of ["Alice is vegetarian and avoids fish sauce", "Alice prefers quiet restaurants"]) await memory.add(text, { user_id: "alice", infer: false });\nconst response: SearchResponse = await memory.search("vegetarian restaurants", { user_id: "alice", limit: 2, rerank: true });\nawait memory.close();\nif (!response.reranked || response.results.length === 0) throw new Error("not reranked: " + JSON.stringify(response.rerank));\nconsole.log("reranked by " + response.rerank!.provider);\n`,
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      strict: true,
      skipLibCheck: true,
      types: [],
      outDir: "out",
    },
    files: ["ts.mts"],
  }),
};

/** --reuse DIR: the install and consumer stages again, on a scratch folder kept by --keep. */
const reuse = process.argv.includes("--reuse") ? process.argv[process.argv.indexOf("--reuse") + 1] : undefined;

async function main() {
  say("scratch copy of the repository");
  const scratch = reuse ?? scratchCopy();
  const repo = join(scratch, "repo");
  if (reuse) return consumersOnly(scratch, repo);
  say(`scratch: ${scratch}`);
  const install = await run(PNPM[0], [...PNPM.slice(1), "install", "--frozen-lockfile", "--prefer-offline"], {
    cwd: repo,
    env: { ONNXRUNTIME_NODE_INSTALL: "skip" },
  });
  if (!check("scratch copy installs from the lockfile", install.code === 0, install.code ? install.out : ""))
    return scratch;

  // 1. changeset version, with the pending changesets and a sample one.
  writeFileSync(join(repo, ".changeset", "release-rehearsal-sample.md"), SAMPLE_CHANGESET);
  const asked = askedBumps(join(repo, ".changeset"));
  const before = Object.fromEntries(workspacePackages(repo).map((p) => [p.json.name, p.json.version]));
  const version = await run(PNPM[0], [...PNPM.slice(1), "version-packages"], { cwd: repo });
  if (
    !check(
      "pnpm version-packages (changeset version, then a reinstall) runs without ONNXRUNTIME_NODE_INSTALL in the environment",
      version.code === 0,
      version.code ? version.out : "",
    )
  )
    return scratch;
  // The release commit, as docs/releasing.md asks for before `pnpm release`.
  execFileSync(
    "git",
    ["-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost", "commit", "-qam", "release"],
    { cwd: repo, stdio: "ignore" },
  );
  const packages = workspacePackages(repo);
  const published = packages.filter((p) => !p.json.private);
  const unasked = published.filter(
    (p) => semver.major(p.json.version) > semver.major(before[p.json.name]) && asked[p.json.name] !== "major",
  );
  check(
    "no package goes to a new major (1.0.0) that no changeset asked for",
    unasked.length === 0,
    unasked.map((p) => `${p.json.name} ${before[p.json.name]} → ${p.json.version}`).join(", "),
  );
  say(`versions: ${published.map((p) => `${p.json.name}@${p.json.version}`).join(" ")}`);

  // 2. pnpm release into Verdaccio.
  const prebuilds = await startPrebuildMirror();
  const registry = await startVerdaccio(join(scratch, "verdaccio"));
  try {
    const registryEnv = { npm_config_registry: registry.url, npm_config_userconfig: registry.npmrc };
    say("pnpm release (nx build, changeset publish) into Verdaccio");
    const release = await run(PNPM[0], [...PNPM.slice(1), "release"], { cwd: repo, env: registryEnv });
    check(
      "pnpm release builds and publishes, without ONNXRUNTIME_NODE_INSTALL in the environment",
      release.code === 0,
      release.code ? release.out : "",
    );

    const manifests = {};
    for (const p of published) {
      const res = await fetch(`${registry.url}${p.json.name.replace("/", "%2f")}`);
      manifests[p.json.name] = res.ok ? await res.json() : undefined;
    }
    const missing = published
      .filter((p) => !manifests[p.json.name]?.versions?.[p.json.version])
      .map((p) => `${p.json.name}@${p.json.version}`);
    check("every public package is published at its new version", missing.length === 0, missing.join(", "));
    const leftWorkspace = [];
    const unpublishedDeps = [];
    for (const p of published) {
      const manifest = manifests[p.json.name]?.versions?.[p.json.version];
      if (!manifest) continue;
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (String(range).startsWith("workspace:")) leftWorkspace.push(`${p.json.name} ${field}.${dep}: ${range}`);
          if (!dep.startsWith("@mem0/")) continue;
          const versions = Object.keys(manifests[dep]?.versions ?? {});
          if (!semver.maxSatisfying(versions, String(range).replace(/^workspace:/, "")))
            unpublishedDeps.push(`${p.json.name} → ${dep}@${range} (published: ${versions.join(", ") || "none"})`);
        }
      }
    }
    check(
      "no `workspace:` range is left in a published manifest",
      leftWorkspace.length === 0,
      leftWorkspace.join("; "),
    );
    check(
      "every @mem0 dependency of a published package is published in a matching version",
      unpublishedDeps.length === 0,
      unpublishedDeps.join("; "),
    );
    if (missing.length === published.length) return scratch;
    await installAndConsume(scratch, repo, packages, registry, registryEnv, prebuilds);
  } finally {
    registry.stop();
    prebuilds.close();
  }
  return scratch;
}

async function consumersOnly(scratch, repo) {
  const prebuilds = await startPrebuildMirror();
  const registry = await startVerdaccio(join(scratch, "verdaccio"));
  try {
    rmSync(join(scratch, "apps"), { recursive: true, force: true });
    const registryEnv = { npm_config_registry: registry.url, npm_config_userconfig: registry.npmrc };
    await installAndConsume(scratch, repo, workspacePackages(repo), registry, registryEnv, prebuilds);
  } finally {
    registry.stop();
    prebuilds.close();
  }
  return scratch;
}

async function installAndConsume(scratch, repo, packages, registry, registryEnv, prebuilds) {
  {
    // 3. Blank apps: install selections with npm and pnpm, run the consumers against the fakes.
    const servers = await import(pathToFileURL(join(repo, "packages", "testkit", "dist", "servers", "index.js")).href);
    const cohere = await servers.startCohereServer({ apiKey: "co-rehearsal-key" });
    const openai = await servers.startOpenAIServer({ apiKey: "sk-rehearsal-key" });
    const tei = await servers.startTeiServer();
    const configs = {
      "sqlite-cohere": (app, consumer) => ({
        vector_store: { provider: "sqlite", config: { path: join(app, `${consumer}.db`) } },
        embedder: { provider: "lexical" },
        reranker: {
          provider: "cohere",
          config: { model: "rerank-english-v3.0", api_key: "co-rehearsal-key", base_url: cohere.url },
        },
      }),
      llm: () => ({
        vector_store: { provider: "memory" },
        embedder: { provider: "lexical" },
        reranker: {
          provider: "llm_reranker",
          config: {
            llm: {
              provider: "openai",
              config: { model: "gpt-4o-mini", api_key: "sk-rehearsal-key", base_url: `${openai.url}/v1` },
            },
          },
        },
      }),
      "hf-tei": () => ({
        vector_store: { provider: "memory" },
        embedder: { provider: "lexical" },
        reranker: { provider: "huggingface", config: { endpoint_url: tei.url } },
      }),
    };
    try {
      const installOne = async (manager, selection) => {
        const app = join(scratch, "apps", `${manager}-${selection}`);
        mkdirSync(app, { recursive: true });
        const deps = Object.fromEntries(
          SELECTIONS[selection].map((n) => [n, `^${packages.find((p) => p.json.name === n).json.version}`]),
        );
        writeFileSync(
          join(app, "package.json"),
          JSON.stringify(
            { name: `rehearsal-${manager}-${selection}`, version: "1.0.0", private: true, dependencies: deps },
            null,
            2,
          ),
        );
        if (manager === "pnpm")
          writeFileSync(
            join(app, "pnpm-workspace.yaml"),
            "allowBuilds:\n  better-sqlite3: true\n  onnxruntime-node: true\n  protobufjs: true\n  sharp: false\n",
          );
        for (const [f, text] of Object.entries(CONSUMERS)) writeFileSync(join(app, f), text);
        const env = {
          ...registryEnv,
          ONNXRUNTIME_NODE_INSTALL: "skip",
          npm_config_better_sqlite3_binary_host: prebuilds.url,
        };
        const installed =
          manager === "npm"
            ? await run("npm", ["install", "--prefer-offline", "--registry", registry.url], { cwd: app, env })
            : await run(PNPM[0], [...PNPM.slice(1), "install", "--prefer-offline", "--registry", registry.url], {
                cwd: app,
                env,
              });
        const ok = check(
          `${manager} installs ${SELECTIONS[selection].join(" + ")} from the registry`,
          installed.code === 0,
          installed.code ? installed.out : "",
        );
        if (ok && manager === "npm" && existsSync(join(app, "node_modules", "better-sqlite3")))
          savePrebuild(join(app, "node_modules", "better-sqlite3"));
        return ok ? app : undefined;
      };
      say("blank apps: npm and pnpm installs");
      const jobs = [];
      for (const manager of ["npm", "pnpm"]) {
        jobs.push(
          (async () => {
            const apps = [];
            for (const selection of Object.keys(SELECTIONS))
              apps.push([selection, await installOne(manager, selection)]);
            return apps.map(([selection, app]) => ({ manager, selection, app }));
          })(),
        );
      }
      const apps = (await Promise.all(jobs)).flat();
      say("consumers");
      for (const { manager, selection, app } of apps) {
        if (!app) continue;
        const envFor = (consumer) => ({
          MEM0_REHEARSAL_CONFIG: JSON.stringify(configs[selection](app, consumer)),
          MEM0_DIR: app,
        });
        const label = `${manager} ${selection}`;
        const esm = await run(process.execPath, ["esm.mjs"], { cwd: app, env: envFor("esm"), timeoutMs: 60_000 });
        check(
          `${label}: the ES module consumer searches with reranking`,
          esm.code === 0,
          esm.code ? esm.out : esm.out.trim(),
        );
        const cjs = await run(process.execPath, ["cjs.cjs"], { cwd: app, env: envFor("cjs"), timeoutMs: 60_000 });
        check(
          `${label}: the CommonJS consumer (require) searches with reranking`,
          cjs.code === 0,
          // CommonJS loads our ES-module packages through require(esm) (Node >= 20.19).
          cjs.code ? `Node ${process.version}, require(esm): ${cjs.out}` : cjs.out.trim(),
        );
        const tsc = await run(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: app, timeoutMs: 120_000 });
        const ts =
          tsc.code === 0
            ? await run(process.execPath, ["out/ts.mjs"], { cwd: app, env: envFor("ts"), timeoutMs: 60_000 })
            : tsc;
        check(
          `${label}: the TypeScript consumer type-checks and searches with reranking`,
          ts.code === 0,
          ts.code ? ts.out : ts.out.trim(),
        );
      }
    } finally {
      await Promise.all([cohere.close(), openai.close(), tei.close()]);
    }
  }
}

const timer = setTimeout(() => {
  check(`the rehearsal finishes within ${DEADLINE_MS / 1000} s`, false, "stopped");
  for (const c of children) c.kill("SIGKILL");
}, DEADLINE_MS);
let scratch;
try {
  scratch = await main();
} catch (err) {
  check("the rehearsal runs", false, err instanceof Error ? err.stack : String(err));
} finally {
  clearTimeout(timer);
  for (const c of children) c.kill("SIGKILL");
}
if (scratch && !keep && !reuse) rmSync(scratch, { recursive: true, force: true });
else if (scratch) say(`kept ${scratch}`);
const failed = results.filter((r) => !r.ok).length;
say("done");
console.log(`\n${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
