/**
 * Fresh applications outside the workspace, installed from the registry plus our packed tarballs,
 * with npm (hoisted node_modules) or pnpm (strict: a package sees only what it declares).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npm, pnpm } from "./exec.js";
import { packOf, type PackManifest } from "./packs.js";

export type PackageManager = "npm" | "pnpm";

export interface AppOptions {
  pm: PackageManager;
  /** Direct dependencies: workspace package names (installed from their tarballs) or `name@range` from the registry. */
  dependencies: string[];
  /** Extra files, path → content. */
  files?: Record<string, string>;
  /** Folder name prefix, for reading temp folders after a failure. */
  label: string;
}

export interface App {
  /** Where the install ran (and the lockfile and node_modules/.pnpm live). */
  root: string;
  /** The application package: its package.json, scripts and node_modules. */
  dir: string;
}

function fileSpec(tarball: string): string {
  return `file:${tarball}`;
}

/**
 * With npm: one package at the root, every dependency hoisted into its node_modules.
 *
 * With pnpm: a workspace whose application lives in apps/web, as pnpm users lay out their
 * repositories, installed with `hoist: false`. Packages then live in the root's node_modules/.pnpm,
 * and each one sees exactly its declared dependencies: @mem0/core cannot see the providers that
 * apps/web installed, neither through hoisting nor by walking up to a node_modules folder, which is
 * the layout core's provider loading has to handle.
 */
export async function createApp(manifest: PackManifest, options: AppOptions): Promise<App> {
  const root = mkdtempSync(join(manifest.root, `${options.label}-${options.pm}-`));
  const dir = options.pm === "pnpm" ? join(root, "apps", "web") : root;
  mkdirSync(dir, { recursive: true });
  const dependencies: Record<string, string> = {};
  for (const dep of options.dependencies) {
    const at = dep.lastIndexOf("@");
    if (at > 0) dependencies[dep.slice(0, at)] = dep.slice(at + 1);
    else dependencies[dep] = fileSpec(packOf(manifest, dep).tarball);
  }
  // Our packages depend on each other by version (`@mem0/provider-utils: ^0.1.0`), and those
  // versions are not on the registry yet: point every one of them at its tarball. With the packages
  // released, an app needs none of this.
  const overrides = Object.fromEntries(Object.values(manifest.packs).map((p) => [p.name, fileSpec(p.tarball)]));
  const pkg: Record<string, unknown> = { name: `app-${options.label}`, version: "0.0.0", private: true, dependencies };
  if (options.pm === "npm") pkg.overrides = overrides;
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  if (options.pm === "pnpm") {
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: `workspace-${options.label}`, private: true }, null, 2),
    );
    writeFileSync(
      join(root, "pnpm-workspace.yaml"),
      [
        'packages:\n  - "apps/*"',
        "hoist: false",
        "overrides:",
        ...Object.entries(overrides).map(([k, v]) => `  "${k}": "${v}"`),
        "",
      ].join("\n"),
    );
  }
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  await install(root, options.pm);
  return { root, dir };
}

async function install(dir: string, pm: PackageManager): Promise<void> {
  if (pm === "npm")
    await npm(["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: dir });
  // The default store is reused, so packages already fetched for the workspace are linked, not
  // downloaded. No lockfile here: CI=true would otherwise make pnpm demand a frozen one.
  else await pnpm(["install", "--no-frozen-lockfile", "--prefer-offline", "--reporter=append-only"], { cwd: dir });
}

/**
 * Names of every package physically installed under `dir`/node_modules, at any depth: npm's
 * nested copies and pnpm's .pnpm store links alike (symlinks are skipped: they point at real
 * folders that the walk reaches anyway).
 */
export function installedPackages(app: App): Set<string> {
  const names = new Set<string>();
  const walk = (nodeModules: string) => {
    if (!existsSync(nodeModules)) return;
    for (const entry of readdirSync(nodeModules)) {
      if (entry === ".bin" || entry === ".cache" || entry === ".modules.yaml") continue;
      const path = join(nodeModules, entry);
      if (entry === ".pnpm") {
        for (const store of readdirSync(path))
          if (lstatSync(join(path, store)).isDirectory()) walk(join(path, store, "node_modules"));
        continue;
      }
      if (entry.startsWith("@")) {
        for (const scoped of readdirSync(path)) visit(join(path, scoped));
        continue;
      }
      visit(path);
    }
  };
  const visit = (pkgDir: string) => {
    if (lstatSync(pkgDir).isSymbolicLink() || !existsSync(join(pkgDir, "package.json"))) return;
    names.add((JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { name: string }).name);
    walk(join(pkgDir, "node_modules"));
  };
  walk(join(app.root, "node_modules"));
  if (app.dir !== app.root) walk(join(app.dir, "node_modules"));
  return names;
}
