import { Memory } from "@mem0/core";
import { OFFLINE_CONFIG, registerCliProviders } from "@mem0/ts-cli";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, fixture, tempDir } from "./helpers.js";

// The `memory` store keeps nothing between processes, so these commands share one Memory, opened
// with the CLI's offline config; everything else (parsing, validation, output) is the real CLI.
let memory: Memory;
const open = async () => memory;
const run = (...argv: string[]) => cli(argv, { open });

beforeEach(async () => {
  registerCliProviders();
  memory = await Memory.fromConfig(OFFLINE_CONFIG);
});

test("add, list, search, get, update, history, delete: tables and --json", async () => {
  const added = await run(
    "add",
    "Alice is vegetarian and avoids fish sauce",
    "--user-id",
    "alice",
    "--metadata",
    '{"category":"food","priority":9}',
  );
  expect(added.code).toBe(0);
  expect(added.stdout).toMatch(/^id\s+event\s+memory\n─+/);
  expect(added.stdout).toMatch(/ADD\s+Alice is vegetarian and avoids fish sauce/);
  expect(added.stderr).toContain('vector_store "memory" keeps nothing after this command exits');

  const more = await run(
    "--json",
    "add",
    "Alice loves spicy Sichuan food",
    "Alice has a review with her manager",
    "-u",
    "alice",
    "--metadata",
    '{"category":"work","priority":4}',
  );
  const addedJson = JSON.parse(more.stdout);
  expect(addedJson.results.map((r: { event: string }) => r.event)).toEqual(["ADD", "ADD"]);

  const list = await run("list", "--user-id", "alice");
  expect(list.stdout).toMatch(/3 memories$/);
  expect(list.stdout).toContain('{"category":"food","priority":9}');
  const filtered = JSON.parse(
    (await run("list", "-u", "alice", "--filters", '{"priority":{"gte":5}}', "--json")).stdout,
  );
  expect(filtered.results.map((r: { memory: string }) => r.memory)).toEqual([
    "Alice is vegetarian and avoids fish sauce",
  ]);

  const search = await run("search", "vegetarian without fish sauce", "--user-id", "alice", "--limit", "2");
  expect(search.code).toBe(0);
  expect(search.stdout).toMatch(/#\s+score\s+vector\s+rerank\s+memory\s+id/);
  expect(search.stdout).toMatch(/^1\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+Alice is vegetarian/m);
  expect(search.stdout).toContain("reranked by bm25 (okapi-bm25) over 3 candidates");
  expect(search.stdout).toMatch(
    /timings: embed [\d.]+ ms · vector search [\d.]+ ms · rerank [\d.]+ ms \(3 candidates\) · total/,
  );
  const noRerank = JSON.parse((await run("search", "vegetarian food", "-u", "alice", "--no-rerank", "--json")).stdout);
  expect(noRerank.reranked).toBe(false);
  expect(noRerank.results[0].rerank_score).toBeUndefined();
  const reranked = JSON.parse((await run("search", "vegetarian food", "-u", "alice", "--json")).stdout);
  expect(reranked.reranked).toBe(true);
  expect(reranked.results[0].score).toBe(reranked.results[0].rerank_score);

  const id: string = addedJson.results[0].id;
  const got = await run("get", id);
  expect(got.stdout).toContain("memory:     Alice loves spicy Sichuan food");
  expect(got.stdout).toContain('metadata:   {"category":"work","priority":4}');

  const updated = await run(
    "update",
    id,
    "Alice loves spicy Sichuan food without meat",
    "--metadata",
    '{"category":"food"}',
  );
  expect(updated.stdout).toBe(
    `updated ${id}: "Alice loves spicy Sichuan food" → "Alice loves spicy Sichuan food without meat"`,
  );
  expect(JSON.parse((await run("get", id, "--json")).stdout).metadata).toEqual({ category: "food" });

  const deleted = await run("delete", id);
  expect(deleted.stdout).toBe(`deleted ${id}`);
  const history = JSON.parse((await run("history", id, "--json")).stdout);
  expect(history.map((e: { event: string }) => e.event)).toEqual(["ADD", "UPDATE", "DELETE"]);
  const historyTable = await run("history", id);
  expect(historyTable.stdout).toMatch(
    /UPDATE\s+\S+\s+Alice loves spicy Sichuan food\s+Alice loves spicy Sichuan food without meat/,
  );

  const all = await run("delete", "--all", "--user-id", "alice");
  expect(all.stdout).toBe("deleted 2 memories of user_id=alice");
  expect((await run("list", "-u", "alice")).stdout).toMatch(/0 memories$/);
});

test("add --file loads a JSONL file; a bad record names its line", async () => {
  const cliRun = await run("add", "--file", fixture("memories.jsonl"));
  expect(cliRun.code).toBe(0);
  expect(cliRun.stdout).toMatch(/^added 27 memories from .*memories\.jsonl in \d+ ms$/);
  expect(JSON.parse((await run("list", "--agent-id", "support_bot", "--json")).stdout).results).toHaveLength(5);

  const dir = tempDir();
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, `{"memory":"fine","user_id":"u"}\n{"memory":"clash","user_id":"u","metadata":{"user_id":"v"}}\n`);
  const failed = await run("add", "--file", bad);
  expect(failed.code).toBe(2);
  expect(failed.stderr).toBe(
    `error: ${bad}:2: metadata.user_id: is reserved for the record itself; choose another metadata key`,
  );
});

test("bad usage exits 2 with a message that says what to fix", async () => {
  const cases: [string[], RegExp][] = [
    [["search", "x", "-u", "alice", "--filters", "{bad"], /--filters: invalid JSON/],
    [["search", "x", "-u", "alice", "--limit", "0"], /--limit: expected a positive integer, got "0"/],
    [["search", "x"], /search\.options: give at least one of user_id, agent_id, run_id, or filters/],
    [["search", "x", "-u", "a", "--filters", '{"priority":{"gte":"high","zz":1}}'], /filters/],
    [["add", "-u", "alice"], /add: give the memory text/],
    [["delete", "--all"], /delete --all: give --user-id/],
    [["update", "some-id"], /update: give the new text, --metadata, or both/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["search"], /missing required argument 'query'/],
  ];
  for (const [argv, message] of cases) {
    const cliRun = await run(...argv);
    expect({ argv, code: cliRun.code }).toEqual({ argv, code: 2 });
    expect(cliRun.stderr).toMatch(message);
  }
});

test("a missing memory is a runtime failure (exit 1)", async () => {
  for (const argv of [
    ["get", "nope"],
    ["update", "nope", "x"],
    ["delete", "nope"],
  ]) {
    const cliRun = await run(...argv);
    expect(cliRun.code).toBe(1);
    expect(cliRun.stderr).toBe('error: no memory with id "nope"');
  }
});

test("--help exits 0 and lists every command", async () => {
  const cliRun = await run("--help");
  expect(cliRun.code).toBe(0);
  for (const c of ["demo", "add", "search", "list", "get", "update", "delete", "history", "compare", "eval"])
    expect(cliRun.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
});
