/**
 * The style gate, as tests so its findings count in the closing `N passed, N failed` line: Biome's
 * format and lint (biome.json), knip's unused files/exports/dependencies (knip.jsonc), import cycles
 * (Biome's noImportCycles) and the 120-character line limit that the formatter cannot enforce on
 * comments and strings. Rules and reasons: docs/contributing.md, "Style and lint".
 * Each failure lists `file:line` findings, so a fix starts from the message.
 */
import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { workspaceRoot } from "../src/workspace.ts";
import { run } from "./support/exec.ts";

const bin = (name: string) => join(workspaceRoot, "node_modules", ".bin", name);
const IMPORT_CYCLES = "suspicious/noImportCycles";
const MAX_LINE = 120;

interface BiomeDiagnostic {
  severity: string;
  message: string;
  category?: string;
  location?: { path?: string; start?: { line: number; column: number } };
}

/** Runs Biome with its JSON reporter and returns every diagnostic as `file:line:column category message`. */
async function biomeFindings(args: readonly string[]): Promise<string[]> {
  const result = await run(bin("biome"), [...args, "--reporter=json", "--colors=off", "--max-diagnostics=none"], {
    cwd: workspaceRoot,
    allowFailure: true,
    timeoutMs: 120_000,
  });
  const start = result.stdout.indexOf("{");
  if (start < 0) throw new Error(`biome printed no report (exit ${result.code}):\n${result.stderr}`);
  const report = JSON.parse(result.stdout.slice(start, result.stdout.lastIndexOf("}") + 1)) as {
    diagnostics: BiomeDiagnostic[];
  };
  const findings = report.diagnostics.map(({ location, category, message }) => {
    const where = location?.start?.line ? `:${location.start.line}:${location.start.column}` : "";
    const what = category === "format" ? "format: not formatted (run `pnpm format`)" : `${category}: ${message}`;
    return `${location?.path ?? "?"}${where} ${what}`;
  });
  if (result.code !== 0 && findings.length === 0) throw new Error(`biome exited ${result.code}:\n${result.stderr}`);
  return findings.sort();
}

/** Source files under a folder, skipping build output and installed packages. */
function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.[cm]?[jt]s$/.test(entry.name)) yield path;
  }
}

describe("style gate", () => {
  test("biome ci: every file is formatted and the linter reports nothing (import cycles apart)", async () => {
    const findings = await biomeFindings(["ci", "--error-on-warnings", `--skip=${IMPORT_CYCLES}`, "."]);
    expect(findings).toEqual([]);
  });

  test("no import cycles (Biome's noImportCycles, type-only imports included)", async () => {
    const findings = await biomeFindings(["lint", `--only=${IMPORT_CYCLES}`, "."]);
    expect(findings).toEqual([]);
  });

  test("knip: no unused files, exports, types or dependencies", async () => {
    const result = await run(bin("knip"), ["--reporter", "json", "--no-progress"], {
      cwd: workspaceRoot,
      allowFailure: true,
      timeoutMs: 120_000,
    });
    if (!result.stdout.trim().startsWith("{")) throw new Error(`knip exited ${result.code}:\n${result.stderr}`);
    type Item = { name: string; line?: number; col?: number };
    const report = JSON.parse(result.stdout) as { issues: ({ file: string } & Record<string, unknown>)[] };
    const findings = report.issues.flatMap(({ file, ...kinds }) =>
      Object.entries(kinds).flatMap(([kind, items]) =>
        Array.isArray(items)
          ? (items as Item[]).map(
              (item) => `${file}${item.line ? `:${item.line}:${item.col}` : ""} ${kind}: ${item.name}`,
            )
          : [],
      ),
    );
    expect(findings.sort()).toEqual([]);
  });

  test(`no source line over ${MAX_LINE} characters in packages/*/src, tools/src, docs/examples (URLs excepted)`, () => {
    const packagesDir = join(workspaceRoot, "packages");
    const roots = [
      ...readdirSync(packagesDir).map((name) => join(packagesDir, name, "src")),
      join(workspaceRoot, "tools", "src"),
      join(workspaceRoot, "docs", "examples"),
    ];
    const findings: string[] = [];
    for (const root of roots) {
      let files: string[];
      try {
        files = [...sourceFiles(root)];
      } catch {
        continue; // a package without src/ (tests only)
      }
      for (const file of files) {
        readFileSync(file, "utf8")
          .split("\n")
          .forEach((line, index) => {
            const length = [...line].length;
            if (length > MAX_LINE && !/https?:\/\//.test(line))
              findings.push(`${relative(workspaceRoot, file)}:${index + 1} ${length} characters`);
          });
      }
    }
    expect(findings).toEqual([]);
  });
});
