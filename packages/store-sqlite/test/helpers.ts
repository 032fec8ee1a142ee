import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary directory, removed when the test file ends (afterAll registered by the caller). */
export function tempDir(prefix = "mem0-sqlite-"): { dir: string; file(name?: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    file: (name?: string) => join(dir, name ?? `store-${++n}.db`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
