/**
 * The CLI in real terminals: at 60, 80, 120 and 200 columns (COLUMNS, and a pseudo-terminal through
 * `script`) with Japanese, Chinese, Korean and emoji memories, no line is wider than the terminal;
 * narrow terminals get the lists stacked, wide ones side by side with one `│` column; colour only
 * on a terminal and never with NO_COLOR or --no-color; EPIPE ends quietly; --version; options a
 * command does not support are errors; --against labels are short; the default-embedder warning.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { displayWidth, SIDE_BY_SIDE_MIN_COLUMNS } from "@mem0/ts-cli";
import { BIN, fixture, spawnCli, tempDir } from "./helpers.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI colour code starts with ESC.
const ANSI = /\x1b\[[0-9;]*m/;
const compareArgs = [
  "--config",
  fixture("offline.config.json"),
  "compare",
  "--queries",
  fixture("wide-queries.jsonl"),
  "--memories",
  fixture("wide-memories.jsonl"),
];

/** The display column of each `│` in the lines of one side-by-side block. */
const barColumns = (lines: string[]) =>
  lines.filter((l) => l.includes(" │ ")).map((l) => displayWidth(l.slice(0, l.indexOf(" │ "))));

describe.each([60, 80, 120, 200])("compare at COLUMNS=%i", (columns) => {
  let lines: string[];
  beforeAll(async () => {
    const cliRun = await spawnCli(compareArgs, { COLUMNS: String(columns) });
    expect(cliRun.stderr).toBe("");
    expect(cliRun.code).toBe(0);
    lines = cliRun.stdout.split("\n");
  });

  test("no line is wider than the terminal, and the wide memories are shown", () => {
    const tooWide = lines.filter((l) => displayWidth(l) > columns);
    expect(tooWide).toEqual([]);
    expect(lines.some((l) => l.includes("アリスはベジタリアン"))).toBe(true);
    expect(lines.some((l) => l.includes("👩‍💻"))).toBe(true);
  });

  test(
    columns >= SIDE_BY_SIDE_MIN_COLUMNS
      ? "side by side, one │ column in headers and rows"
      : "stacked: no │, each list under its own title",
    () => {
      if (columns >= SIDE_BY_SIDE_MIN_COLUMNS) {
        const bars = barColumns(lines);
        expect(bars.length).toBeGreaterThanOrEqual(2 * (2 + 1));
        expect(new Set(bars).size).toBe(1);
      } else {
        expect(lines.filter((l) => l.includes("│"))).toEqual([]);
        expect(lines.filter((l) => /^rerank (off|on): (vector only|reranked)/.test(l))).toHaveLength(4);
        // Rows of one list end their score columns at the same display column.
        const rows = lines
          .filter((l) => /^ [1-6] {2}/.test(l))
          .map((l) => displayWidth(l.replace(/\s+(=|new|↑\d+|↓\d+)$/, "").trimEnd()));
        expect(rows.length).toBeGreaterThanOrEqual(8);
        expect(Math.max(...rows) - Math.min(...rows)).toBeLessThanOrEqual(8);
      }
    },
  );
});

test("demo --offline at 80 columns: stacked lists, every line fits, and the keyword-level note", async () => {
  const dir = tempDir();
  const cliRun = await spawnCli(["demo", "--offline", "--store-path", join(dir, "demo.db")], {
    COLUMNS: "80",
    HF_HOME: join(dir, "hf"),
  });
  expect(cliRun.code).toBe(0);
  const lines = cliRun.stdout.split("\n");
  expect(lines.filter((l) => displayWidth(l) > 80)).toEqual([]);
  expect(lines.filter((l) => l.includes("│"))).toEqual([]);
  expect(cliRun.stdout).toMatch(/^note: the lexical embedder and the bm25 reranker match keywords, not meaning/m);
  expect(cliRun.stdout.replace(/\n\s*/g, " ")).toContain(
    "npm install @mem0/embedder-huggingface @mem0/reranker-sentence-transformer",
  );
});

test("in a pseudo-terminal: colour on, off with NO_COLOR or --no-color; lists fit the terminal", () => {
  const inPty = (cmd: string, env: Record<string, string>) =>
    spawnSync("script", ["-qec", cmd, "/dev/null"], {
      env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", COLUMNS: "80", ...env },
      encoding: "utf8",
    }).stdout.replace(/\r/g, "");
  const cmd = [process.execPath, BIN, "--quiet", ...compareArgs].map((a) => `'${a}'`).join(" ");
  const colored = inPty(cmd, {});
  expect(colored).toMatch(ANSI);
  expect(colored.split("\n").filter((l) => displayWidth(l) > 80)).toEqual([]);
  expect(inPty(cmd, { NO_COLOR: "1" })).not.toMatch(ANSI);
  expect(inPty(`${cmd} --no-color`, {})).not.toMatch(ANSI);
});

test("in a pipe: no colour, unless FORCE_COLOR; NO_COLOR wins over it", async () => {
  expect((await spawnCli(compareArgs)).stdout).not.toMatch(ANSI);
  expect((await spawnCli(compareArgs, { FORCE_COLOR: "1" })).stdout).toMatch(ANSI);
  expect((await spawnCli(compareArgs, { FORCE_COLOR: "1", NO_COLOR: "1" })).stdout).not.toMatch(ANSI);
});

test("demo | head -1: the closed pipe ends the command quietly with status 0", async () => {
  const dir = tempDir();
  const child = spawn(process.execPath, [BIN, "demo", "--offline", "--store-path", join(dir, "demo.db")], {
    env: { ...process.env, HF_HOME: join(dir, "hf") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const first = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString())));
  child.stdout.destroy();
  const code = await new Promise((resolve) => child.on("close", resolve));
  expect(first).toMatch(/^mem0-ts demo: /);
  expect(stderr).toBe("");
  expect(code).toBe(0);
});

test("--version prints the package's version", async () => {
  const { version } = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
  for (const flag of ["--version", "-V"]) {
    const cliRun = await spawnCli([flag]);
    expect(cliRun).toMatchObject({ code: 0, stdout: `${version}\n` });
  }
});

test("a global option the command does not support is an error (exit 2), not silently ignored", async () => {
  const cliRun = await spawnCli(["demo", "--json"]);
  expect(cliRun.code).toBe(2);
  expect(cliRun.stderr).toBe("error: demo does not support --json\n");
  expect((await spawnCli(["--config", fixture("offline.config.json"), "demo"])).stderr).toBe(
    "error: demo does not support --config\n",
  );
});

test("compare --against: labels are the configs' short names, or --label", async () => {
  const base = [
    "--config",
    fixture("offline.config.json"),
    "compare",
    "--queries",
    fixture("wide-queries.jsonl"),
    "--memories",
    fixture("wide-memories.jsonl"),
    "--against",
    fixture("against.config.json"),
    "--json",
  ];
  expect(JSON.parse((await spawnCli(base)).stdout).labels).toEqual({ a: "offline", b: "against" });
  expect(JSON.parse((await spawnCli([...base, "--label", "lexical-64,lexical-128"])).stdout).labels).toEqual({
    a: "lexical-64",
    b: "lexical-128",
  });
  const bad = await spawnCli([...base, "--label", "one"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('error: --label: expected two names separated by a comma, found "one"\n');
});

test("no embedder configured: the warning naming the lexical embedder is printed once, on stderr", async () => {
  const config = fixture("no-embedder.config.json");
  const cliRun = await spawnCli([
    "--config",
    config,
    "compare",
    "--queries",
    fixture("wide-queries.jsonl"),
    "--memories",
    fixture("wide-memories.jsonl"),
    "--against",
    config,
    "--json",
  ]);
  expect(cliRun.code).toBe(0);
  expect(cliRun.stderr.split("\n").filter((l) => l.startsWith("warning:"))).toEqual([
    expect.stringMatching(/^warning: no embedder configured, so the keyword-level "lexical" embedder is used/),
  ]);
  expect(JSON.parse(cliRun.stdout).summary.queries).toBe(2);
  expect((await spawnCli(["--config", fixture("offline.config.json"), "list", "-u", "alice"])).stderr).toBe("");
});
