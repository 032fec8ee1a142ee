/**
 * Does an aborted hosted call let go of the process? A child Node process loads the provider,
 * runs one search whose rerank hits a hanging server and times out, prints the answer, and is
 * then left alone: it must exit on its own, promptly, which it cannot while a request timer, a
 * socket or a retry sleep is still alive. (cohere-ai 8.1 kept its timer, and the process, ~30 s.)
 */
import { spawn } from "node:child_process";
import type { ProviderBlock } from "@mem0/core";

export interface AbortExitOptions {
  /** Directory the child resolves packages from: the provider package's own directory. */
  cwd: string;
  /** The package exporting the plugin (as `plugin` or default), e.g. "@mem0/reranker-cohere". */
  module: string;
  /** The `reranker` block, pointed at a server that never answers. */
  reranker: ProviderBlock;
  /** The search's `timeout_ms` (default 100). */
  timeoutMs?: number;
}

export interface AbortExitResult {
  /** The search's answer, as the child printed it. */
  search: { reranked: boolean; error?: string; ms: number };
  /** From the answer being printed to the process exiting. */
  exitMs: number;
  exitCode: number | null;
  stderr: string;
}

const CHILD = `
const [core, mod] = await Promise.all([import("@mem0/core"), import(process.env.MEM0_ABORT_MODULE)]);
core.registerProvider(mod.plugin ?? mod.default);
const memory = await core.Memory.fromConfig({
  vector_store: { provider: "memory" },
  reranker: JSON.parse(process.env.MEM0_ABORT_RERANKER),
});
await memory.add("alice likes ramen", { user_id: "u", infer: false });
await memory.add("the printer is broken", { user_id: "u", infer: false });
const started = Date.now();
const timeout_ms = Number(process.env.MEM0_ABORT_TIMEOUT_MS);
const response = await memory.search("ramen", { user_id: "u", rerank: true, timeout_ms });
const outcome = { reranked: response.reranked, error: response.rerank?.error, ms: Date.now() - started };
process.stdout.write(JSON.stringify(outcome) + "\\n");
`;

/** Runs the child and measures how long it lives after its search answered. Kills it after `limitMs`. */
export function exitAfterTimedOutSearch(options: AbortExitOptions, limitMs = 20_000): Promise<AbortExitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
      cwd: options.cwd,
      env: {
        ...process.env,
        MEM0_ABORT_MODULE: options.module,
        MEM0_ABORT_RERANKER: JSON.stringify(options.reranker),
        MEM0_ABORT_TIMEOUT_MS: String(options.timeoutMs ?? 100),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let answeredAt: number | undefined;
    const killer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (answeredAt === undefined && stdout.includes("\n")) answeredAt = performance.now();
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(killer);
      if (answeredAt === undefined)
        return reject(new Error(`the child never answered (exit ${code}): ${stderr.slice(0, 2000)}`));
      resolve({
        search: JSON.parse(stdout.split("\n")[0]!),
        exitMs: performance.now() - answeredAt,
        exitCode: code,
        stderr,
      });
    });
  });
}
