// globalSetup/globalTeardown modules are loaded by Node's require (transformed, but without jest's
// moduleNameMapper), so they import the .ts files by their real names.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishablePackages, workspaceRoot } from "../../src/workspace.ts";
import { pnpm } from "./exec.ts";
import { MANIFEST_ENV, type Pack, type PackManifest } from "./packs.ts";

/** Packs every publishable package once, into a temporary folder outside the workspace. */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "mem0-packaging-"));
  const dest = join(root, "packs");
  mkdirSync(dest);
  const packages = publishablePackages();
  const manifest: PackManifest = { root, packs: {} };
  try {
    const filters = packages.flatMap((p) => ["--filter", p.name]);
    const { stdout } = await pnpm(["-r", ...filters, "pack", "--pack-destination", dest, "--json"], {
      cwd: workspaceRoot,
    });
    const parsed = JSON.parse(stdout) as
      | { name: string; version: string; filename: string; files: { path: string }[] }[]
      | { name: string; version: string; filename: string; files: { path: string }[] };
    for (const p of Array.isArray(parsed) ? parsed : [parsed]) {
      const dir = packages.find((w) => w.name === p.name)!.dir;
      manifest.packs[p.name] = {
        name: p.name,
        version: p.version,
        tarball: p.filename,
        files: p.files.map((f) => f.path).sort(),
        dir,
      } satisfies Pack;
    }
  } catch (err) {
    manifest.error = err instanceof Error ? err.message : String(err);
  }
  writeFileSync(join(root, "manifest.json"), JSON.stringify(manifest, null, 2));
  process.env[MANIFEST_ENV] = root;
}
