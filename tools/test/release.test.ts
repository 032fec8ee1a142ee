/**
 * The release flow (`pnpm version-packages` = `changeset version`) on scratch copies of this
 * repository's manifests and changesets, so nothing in the workspace changes: pending changesets
 * apply, ignored packages stay put, and a core release re-releases the providers exactly when their
 * `@mem0/core` peer range stops matching.
 */
import { describe, expect, test } from "@jest/globals";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { listPackages, workspaceRoot } from "../src/workspace.js";
import { node } from "./support/exec.js";
import { readManifest } from "./support/packs.js";

const changesetBin = join(workspaceRoot, "node_modules", "@changesets", "cli", "bin.js");
const packages = listPackages();
const ignored: string[] = JSON.parse(readFileSync(join(workspaceRoot, ".changeset", "config.json"), "utf8")).ignore;

/** A copy of the root manifests, .changeset and every package.json; `changesets` replaces the pending ones. */
function scratch(options: { changesets?: Record<string, string>; version?: string } = {}): string {
  const dir = mkdtempSync(join(readManifest().root, "release-"));
  for (const f of ["package.json", "pnpm-workspace.yaml"]) cpSync(join(workspaceRoot, f), join(dir, f));
  cpSync(join(workspaceRoot, ".changeset"), join(dir, ".changeset"), { recursive: true });
  // The changelog generator is resolved from the repository's node_modules.
  symlinkSync(join(workspaceRoot, "node_modules"), join(dir, "node_modules"), "dir");
  for (const p of packages) {
    mkdirSync(join(dir, p.relDir), { recursive: true });
    const json = { ...p.json };
    if (options.version && !json.private) {
      json.version = options.version;
      // From 1.0 on the peer ranges go back to carets (docs/releasing.md).
      json.peerDependencies = Object.fromEntries(
        Object.entries(json.peerDependencies ?? {}).map(([k, v]) => [k, k.startsWith("@mem0/") ? "workspace:^" : v]),
      );
    }
    writeFileSync(join(dir, p.relDir, "package.json"), JSON.stringify(json, null, 2));
  }
  if (options.changesets) {
    for (const f of readdirSync(join(dir, ".changeset")))
      if (f.endsWith(".md") && f !== "README.md") rmSync(join(dir, ".changeset", f));
    for (const [name, body] of Object.entries(options.changesets))
      writeFileSync(join(dir, ".changeset", `${name}.md`), body);
  }
  return dir;
}

const versionsIn = (dir: string) =>
  Object.fromEntries(
    packages.map((p) => [
      p.name,
      (JSON.parse(readFileSync(join(dir, p.relDir, "package.json"), "utf8")) as { version: string }).version,
    ]),
  );

const changesetVersion = (dir: string) => node([changesetBin, "version"], { cwd: dir, env: { CI: "true" } });

const providers = packages.filter((p) => !p.json.private && p.json.peerDependencies?.["@mem0/core"]).map((p) => p.name);

describe("pnpm version-packages (changeset version)", () => {
  test("applies every pending changeset: new versions and changelogs, ignored packages untouched", async () => {
    const pending = readdirSync(join(workspaceRoot, ".changeset")).filter(
      (f) => f.endsWith(".md") && f !== "README.md",
    );
    const named = new Set<string>();
    for (const f of pending) {
      const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(workspaceRoot, ".changeset", f), "utf8"))?.[1] ?? "";
      for (const memory of front.matchAll(/^["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/gm))
        named.add(memory[1]!);
    }
    const dir = scratch();
    const before = versionsIn(dir);
    await changesetVersion(dir);
    const after = versionsIn(dir);
    for (const name of named) {
      const pkg = packages.find((p) => p.name === name);
      expect(pkg).toBeDefined(); // a changeset naming a package that does not exist fails here
      expect({ name, changed: after[name] !== before[name] }).toEqual({ name, changed: true });
      expect(existsSync(join(dir, pkg!.relDir, "CHANGELOG.md"))).toBe(true);
    }
    for (const name of ignored) expect(after[name]).toBe(before[name]);
    expect(readdirSync(join(dir, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")).toEqual([]);
  });

  test("a core patch releases core alone", async () => {
    const dir = scratch({ changesets: { fix: '---\n"@mem0/core": patch\n---\n\nA fix.\n' } });
    const before = versionsIn(dir);
    await changesetVersion(dir);
    const after = versionsIn(dir);
    const changed = Object.keys(after).filter((n) => after[n] !== before[n]);
    expect(changed).toEqual(["@mem0/core"]);
    expect(readFileSync(join(dir, "packages", "core", "CHANGELOG.md"), "utf8")).toContain("A fix.");
  });

  test("under 0.x, a core minor releases core as 0.2.0 and pushes no package to 1.0.0", async () => {
    const dir = scratch({
      changesets: { feat: '---\n"@mem0/core": minor\n"@mem0/store-sqlite": minor\n---\n\nA feature.\n' },
    });
    await changesetVersion(dir);
    const after = versionsIn(dir);
    expect(after["@mem0/core"]).toBe("0.2.0");
    expect(Object.entries(after).filter(([, v]) => v.startsWith("1."))).toEqual([]);
  });

  // From 1.0 on: a core minor stays inside every provider's `^1.x` peer range, so no provider is
  // re-released for it (onlyUpdatePeerDependentsWhenOutOfRange in .changeset/config.json; without
  // it, changesets releases every peer dependent as a major).
  test("after 1.0, a core minor re-releases no provider", async () => {
    const dir = scratch({ version: "1.0.0", changesets: { feat: '---\n"@mem0/core": minor\n---\n\nA feature.\n' } });
    await changesetVersion(dir);
    const after = versionsIn(dir);
    expect(after["@mem0/core"]).toBe("1.1.0");
    expect(providers.filter((n) => after[n] !== "1.0.0")).toEqual([]);
  });

  test("a core major re-releases every provider as a major: their peer range has to widen", async () => {
    const dir = scratch({ version: "1.0.0", changesets: { breaking: '---\n"@mem0/core": major\n---\n\nA break.\n' } });
    await changesetVersion(dir);
    const after = versionsIn(dir);
    expect(after["@mem0/core"]).toBe("2.0.0");
    expect(providers.length).toBeGreaterThan(0);
    expect(providers.filter((n) => after[n] !== "2.0.0")).toEqual([]);
  });
});
