/**
 * The packed tarballs every packaging test shares: global-setup.ts packs each publishable package
 * once with `pnpm pack` (which writes `workspace:^` ranges as the real versions, as `pnpm publish`
 * does) and writes this manifest next to them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface Pack {
  name: string;
  version: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the tarball, relative to its package/ folder. */
  files: string[];
  /** Workspace folder of the package. */
  dir: string;
}

export interface PackManifest {
  /** A temporary folder outside the workspace, removed after the run, for apps and scaffolds. */
  root: string;
  packs: Record<string, Pack>;
  /** Set when packing failed: every test that needs a tarball fails with it. */
  error?: string;
}

export const MANIFEST_ENV = "MEM0_PACKAGING_ROOT";

export function readManifest(): PackManifest {
  const root = process.env[MANIFEST_ENV];
  if (!root)
    throw new Error(
      `${MANIFEST_ENV} is not set: run these tests through tools/jest.config.cjs (its globalSetup packs the packages)`,
    );
  return JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as PackManifest;
}

export function packOf(manifest: PackManifest, name: string): Pack {
  if (manifest.error) throw new Error(`packing failed: ${manifest.error}`);
  const pack = manifest.packs[name];
  if (!pack) throw new Error(`${name} was not packed (is it in the workspace, and publishable?)`);
  return pack;
}
