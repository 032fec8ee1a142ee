import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bufferIo, HF_EMBEDDER, HF_RERANKER, run, type RunContext } from "@mem0/ts-cli";
import { type HfHubIntercept, startFakeHfHub } from "@mem0/testkit";

export const fixture = (...parts: string[]) => join(__dirname, "fixtures", ...parts);
/** `compare` on the offline config with the fixture queries and memories. */
export const COMPARE_ARGS = [
  "--config",
  fixture("offline.config.json"),
  "compare",
  "--queries",
  fixture("queries.jsonl"),
  "--memories",
  fixture("memories.jsonl"),
];
export const tempDir = (prefix = "mem0-cli-") => mkdtempSync(join(tmpdir(), prefix));

/** hf-runtime's tiny BERT cross-encoder (random weights): the demo downloads its config, tokenizer and q8 file. */
export const TINY_BERT = join(__dirname, "..", "..", "hf-runtime", "test", "fixtures", "tiny-bert-cross-encoder");
/** A loopback hub serving the tiny BERT cross-encoder as both of the demo's models. */
export const startHub = (intercept?: HfHubIntercept) =>
  startFakeHfHub({ [HF_EMBEDDER.id]: TINY_BERT, [HF_RERANKER.id]: TINY_BERT }, intercept);
/** Gitignored; screenshots and reports a person may want to look at after a run. */
export const testOutput = join(__dirname, "..", "test-output");

export async function cli(argv: string[], ctx: Omit<RunContext, "io"> = {}) {
  const io = bufferIo();
  const code = await run(argv, { ...ctx, io });
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

export const BIN = join(__dirname, "..", "dist", "bin.js");

/**
 * The built binary as a user runs it, stdout and stderr in pipes. COLUMNS is cleared unless given,
 * so the runner's terminal does not change the layout.
 */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function spawnCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, COLUMNS: "", NO_COLOR: "", FORCE_COLOR: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 })));
}
