/** publint and attw, run on a packed tarball as the registry would serve it. */
import { join } from "node:path";
import { workspaceRoot } from "../../src/workspace.js";
import { run, type RunResult } from "./exec.js";

const bin = (name: string) => join(workspaceRoot, "tools", "node_modules", ".bin", name);

/**
 * The one attw rule we switch off. Our packages are ES modules only; attw's node16-from-CJS mode
 * models TypeScript < 5.8 and Node < 20.19, where `require()` of an ES module fails. Our engines
 * floor is Node 20.19, where it works, and TypeScript ≥ 5.8 types it under `module: node20` /
 * `nodenext`; the selective-install tests prove both with real CommonJS consumers. Every other
 * rule (missing types, masquerading formats, wrong default exports, …) stays on, for all four
 * resolution modes: see docs/releasing.md.
 */
export const ATTW_ARGS = ["--ignore-rules", "cjs-resolves-to-esm", "--no-color", "--no-emoji"];

/** publint with warnings as errors: its warnings (types condition order, missing files) break consumers too. */
export const publint = (tarball: string): Promise<RunResult> =>
  run(bin("publint"), ["run", tarball, "--strict", "--level", "warning"], { cwd: workspaceRoot, allowFailure: true });

export const attw = (tarball: string): Promise<RunResult> => run(bin("attw"), [tarball, ...ATTW_ARGS], { cwd: workspaceRoot, allowFailure: true });
