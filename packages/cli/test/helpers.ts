import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bufferIo, run, type RunContext } from "@mem0/ts-cli";

export const fixture = (...parts: string[]) => join(__dirname, "fixtures", ...parts);
export const tempDir = (prefix = "mem0-cli-") => mkdtempSync(join(tmpdir(), prefix));
/** Gitignored; screenshots and reports a person may want to look at after a run. */
export const testOutput = join(__dirname, "..", "test-output");

export async function cli(argv: string[], ctx: Omit<RunContext, "io"> = {}) {
  const io = bufferIo();
  const code = await run(argv, { ...ctx, io });
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}
