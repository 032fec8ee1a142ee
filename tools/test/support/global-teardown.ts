import { rmSync } from "node:fs";
import { MANIFEST_ENV } from "./packs.ts";

/** Removes the tarballs and temporary apps, unless MEM0_KEEP_PACKAGING=1 (to inspect a failure). */
export default async function globalTeardown(): Promise<void> {
  const root = process.env[MANIFEST_ENV];
  if (root && process.env.MEM0_KEEP_PACKAGING !== "1") rmSync(root, { recursive: true, force: true });
}
