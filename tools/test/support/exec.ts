/**
 * Runs real commands (npm, pnpm, node, tsc) for the packaging tests, with an environment cleaned
 * of the variables that npm and pnpm set for the script that started jest: left in place, they
 * would point a child `npm install` at this workspace (npm_config_local_prefix) instead of the
 * temporary app it runs in, and let a temporary app resolve packages from this workspace's
 * node_modules (NODE_PATH, which pnpm's .bin shims set), hiding a package it fails to install.
 */
import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";

const PNPM = ["npx", "-y", "pnpm@12.4.2"] as const;

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^(npm|pnpm)_/i.test(k) ||
      k === "INIT_CWD" ||
      k === "NODE_PATH" ||
      k === "NODE_ENV" ||
      k.startsWith("JEST_") ||
      k === "NODE_OPTIONS" ||
      k === "FORCE_COLOR"
    )
      continue;
    env[k] = v;
  }
  return {
    ...env,
    // Its postinstall downloads CUDA add-ons, which fails offline (DESIGN.md §8).
    ONNXRUNTIME_NODE_INSTALL: "skip",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    NO_UPDATE_NOTIFIER: "1",
    // Nx sets FORCE_COLOR for the tasks it runs; assertions read plain text.
    NO_COLOR: "1",
    ...extra,
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when the command exits non-zero. */
  allowFailure?: boolean;
}

export function run(cmd: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: cleanEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) };
      if (code === 0 || options.allowFailure) resolve(result);
      else
        reject(
          new Error(
            `${cmd} ${args.join(" ")} (in ${options.cwd}) exited ${code ?? signal}\n--- stdout\n${stdout.slice(-6000)}\n--- stderr\n${stderr.slice(-6000)}`,
          ),
        );
    });
  });
}

export const pnpm = (args: readonly string[], options: RunOptions) =>
  run(PNPM[0], [...PNPM.slice(1), ...args], options);
export const npm = (args: readonly string[], options: RunOptions) => run("npm", args, options);
export const node = (args: readonly string[], options: RunOptions) => run(process.execPath, args, options);
