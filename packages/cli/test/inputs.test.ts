import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, parseJsonSource, readCorpus, readMemories, readQrels, readQueries } from "@mem0/ts-cli";
import { cli, fixture, tempDir } from "./helpers.js";

const dir = tempDir();
const file = (name: string, text: string) => {
  const filePath = join(dir, name);
  writeFileSync(filePath, text);
  return filePath;
};
const errorOf = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (err) {
    return err as InputError;
  }
  throw new Error("expected an error");
};

test("queries: a bad field is reported with file, line and field", () => {
  const queriesFile = file("q.jsonl", `{"query":"a","user_id":"u"}\n\n{"query":"b","user_id":"u","limit":0}\n`);
  const failure = errorOf(() => readQueries(queriesFile));
  expect(failure).toBeInstanceOf(InputError);
  expect(failure.message).toBe(`${queriesFile}:3: limit: expected a positive integer`);
  expect(failure.exitCode).toBe(2);
});

test("queries: invalid JSON, a typo'd key, a missing scope, a duplicate id", () => {
  expect(errorOf(() => readQueries(file("a.jsonl", `{"query":"a","user_id":"u"}\n{"query": "b",\n`))).message).toMatch(
    /a\.jsonl:2: invalid JSON/,
  );
  expect(errorOf(() => readQueries(file("b.jsonl", `{"query":"a","user":"u"}\n`))).message).toMatch(
    /b\.jsonl:1: user: unknown field/,
  );
  expect(errorOf(() => readQueries(file("c.jsonl", `{"query":"a"}\n`))).message).toMatch(
    /c\.jsonl:1: user_id: missing/,
  );
  expect(
    errorOf(() =>
      readQueries(file("d.jsonl", `{"id":"x","query":"a","user_id":"u"}\n{"id":"x","query":"b","user_id":"u"}\n`)),
    ).message,
  ).toMatch(/d\.jsonl:2: id: duplicate id "x"/);
  expect(errorOf(() => readQueries(file("e.jsonl", `\n\n`))).message).toMatch(/e\.jsonl: no records/);
  // A scope given on the command line covers records without one; BEIR's {_id, text} works too.
  expect(readQueries(file("f.jsonl", `{"_id":"q1","text":"hello"}\n`), { user_id: "alice" })).toEqual([
    { id: "q1", query: "hello", line: 1, user_id: "alice" },
  ]);
});

test("memories and corpus: errors name the line and field", () => {
  expect(
    errorOf(() => readMemories(file("m.jsonl", `{"memory":"x","user_id":"u"}\n{"memory":"","user_id":"u"}\n`))).message,
  ).toMatch(/m\.jsonl:2: memory: expected a non-empty string/);
  expect(
    errorOf(() => readMemories(file("m2.jsonl", `{"memory":"x","user_id":"u","metadata":[1]}\n`))).message,
  ).toMatch(/m2\.jsonl:1: metadata: expected a JSON object/);
  expect(
    errorOf(() => readCorpus(file("c.jsonl", `{"_id":"d1","text":"a"}\n{"_id":"d2","title":7,"text":"b"}\n`))).message,
  ).toMatch(/c\.jsonl:2: title: expected a string/);
  expect(errorOf(() => readCorpus(file("c2.jsonl", `{"_id":"d1","text":""}\n`))).message).toMatch(
    /c2\.jsonl:1: text: missing or empty/,
  );
  expect(readCorpus(file("c3.jsonl", `{"_id":5,"title":"T","text":"body"}\n`))).toEqual([{ id: "5", text: "T. body" }]);
});

test("qrels: BEIR TSV with header and TREC layouts read the same; bad lines are named", () => {
  const beir = readQrels(fixture("beir", "qrels", "test.tsv"));
  const trec = readQrels(fixture("beir", "qrels", "test.trec"));
  expect(trec).toEqual(beir);
  expect(beir.get("q1")).toEqual(
    new Map([
      ["d1", 2],
      ["d14", 1],
      ["d2", 0],
    ]),
  );
  expect(errorOf(() => readQrels(file("r1.tsv", "q1\td1\t1\nq1\td2\thigh\n"))).message).toMatch(
    /r1\.tsv:2: score \(column 3\): expected an integer relevance grade, found "high"/,
  );
  expect(errorOf(() => readQrels(file("r2.tsv", "q1 d1\n"))).message).toMatch(/r2\.tsv:1: expected 3 columns/);
  expect(errorOf(() => readQrels(file("r3.tsv", "q1\td1\t1\nq1\td1\t2\n"))).message).toMatch(
    /r3\.tsv:2: corpus-id: "d1" is judged twice/,
  );
});

test("JSON source: key lines, and syntax errors with a line", () => {
  const src = parseJsonSource(
    `{\n  "reranker": {\n    "provider": "x",\n    "config": { "top_k": 0 }\n  }\n}`,
    "c.json",
  );
  expect(src.lineOf(["reranker", "config", "top_k"])).toBe(4);
  expect(src.lineOf(["reranker", "provider"])).toBe(3);
  expect(src.lineOf(["reranker", "nope"])).toBe(2);
  expect(() => parseJsonSource(`{\n  "a": 1,\n}`, "c.json")).toThrow(
    /c\.json:3: invalid JSON: expected a double-quoted property name at column 1/,
  );
  expect(() => parseJsonSource(`{"a": tru}`, "c.json")).toThrow(/c\.json:1: invalid JSON/);
});

test("a bad config file exits 2 and names the file, each bad key's line and its path", async () => {
  const cliRun = await cli(["--config", fixture("bad.config.json"), "list", "--user-id", "alice"]);
  expect(cliRun.code).toBe(2);
  expect(cliRun.stderr).toContain(
    `${fixture("bad.config.json")}:6: reranker.config.top_k: expected a positive integer`,
  );
  expect(cliRun.stderr).toContain(`${fixture("bad.config.json")}:8: rerank_timeout: unknown key`);
});

test("missing input files exit 2 naming the file", async () => {
  const cliRun = await cli(["compare", "--queries", join(dir, "nope.jsonl")]);
  expect(cliRun.code).toBe(2);
  expect(cliRun.stderr).toBe(`error: ${join(dir, "nope.jsonl")}: no such file`);
});
