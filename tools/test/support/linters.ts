/** publint and attw, run on a packed tarball as the registry would serve it. */
import { join } from "node:path";
import { workspaceRoot } from "../../src/workspace.js";
import { run, type RunResult } from "./exec.js";

const bin = (name: string) => join(workspaceRoot, "tools", "node_modules", ".bin", name);

/**
 * The two attw rules we switch off. Our packages are ES modules; attw's node16-from-CJS mode
 * models TypeScript < 5.8 and Node < 20.19, where `require()` of an ES module fails. Our engines
 * floor is Node 20.19, where it works, and TypeScript ≥ 5.8 types it under `module: node20` /
 * `nodenext`; the selective-install tests prove both with real CommonJS consumers.
 * `false-export-default`: a package's `require` entry is `module.exports = require("./index.js")`
 * (core/scripts/cjs-entry.mjs) with `.d.cts` twins keeping `export default`. attw reads that as a
 * CommonJS module without a `default`, but Node's require(esm) returns the namespace with
 * `__esModule: true` and `default`, so `import plugin from` compiles to `.default` and works:
 * packages/consumers/test/consumers.test.ts runs exactly that from node16 `.cts` and CommonJS `.ts`
 * files. Every other rule (missing types, masquerading formats, …) stays on, for all four
 * resolution modes: see docs/releasing.md.
 */
const ATTW_ARGS = ["--ignore-rules", "cjs-resolves-to-esm", "false-export-default", "--no-color", "--no-emoji"];

/** publint with warnings as errors: its warnings (types condition order, missing files) break consumers too. */
export const publint = (tarball: string): Promise<RunResult> =>
  run(bin("publint"), ["run", tarball, "--strict", "--level", "warning"], { cwd: workspaceRoot, allowFailure: true });

export const attw = (tarball: string): Promise<RunResult> =>
  run(bin("attw"), [tarball, ...ATTW_ARGS], { cwd: workspaceRoot, allowFailure: true });
