import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
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

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
  );
}

/**
 * Child processes run the built package (dist), as an application would. Nx builds before testing;
 * a bare `npx jest` may not have. Builds this package's dist when it is missing or older than its
 * sources, core's only when missing (other packages' builds are theirs).
 */
export function buildDist(): void {
  const pkg = join(__dirname, "..");
  const tsc = createRequire(join(pkg, "package.json")).resolve("typescript/bin/tsc");
  for (const [dir, whenStale] of [
    [join(pkg, "..", "core"), false],
    [pkg, true],
  ] as const) {
    const dist = join(dir, "dist", "index.js");
    if (!existsSync(dist) || (whenStale && statSync(dist).mtimeMs < newestMtime(join(dir, "src")))) {
      try {
        execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: dir, stdio: "pipe" });
      } catch (err) {
        if (!existsSync(dist)) throw err; // type errors still emit; only a missing dist is fatal
      }
    }
  }
}
