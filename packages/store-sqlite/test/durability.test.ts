/**
 * Crash and concurrency tests with real processes: a writer killed with SIGKILL mid-stream, two
 * writers on one file. The children run the built package (dist), as an application would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import Database from "better-sqlite3";
import { buildDist, tempDir } from "./helpers.js";

const pkg = join(__dirname, "..");
const writer = join(__dirname, "fixtures", "writer.mjs");
const tmp = tempDir("mem0-durability-");
afterAll(() => tmp.cleanup());

beforeAll(buildDist, 120_000);

interface Ack {
  batch: number;
  ids: string[];
  /** Date.now() in the writer when the add was acknowledged. */
  at: number;
}

function startWriter(
  path: string,
  tag: string,
  adds: number,
  perAdd: number,
  checkpoints: "inline" | "background" = "inline",
) {
  const args = [
    writer,
    path,
    tag,
    String(adds),
    String(perAdd),
    ...(checkpoints === "background" ? ["-", "background"] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: pkg, stdio: ["pipe", "pipe", "pipe"] });
  const acks: Ack[] = [];
  let stderr = "";
  let buffer = "";
  let ready = false;
  let started = Number.NaN;
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const msg = line === "ready" ? undefined : (JSON.parse(line) as Ack | { started: number });
      if (!msg) ready = true;
      else if ("started" in msg) started = msg.started;
      else acks.push(msg);
      for (const wake of waiters.splice(0)) wake();
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters.splice(0)) wake(); // a writer that dies silently must fail the wait, not hang it
    }),
  );
  const until = (pred: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () =>
        pred()
          ? resolve()
          : child.exitCode !== null || child.signalCode !== null
            ? reject(new Error(`writer exited early: ${stderr}`))
            : waiters.push(check);
      check();
    });
  /** Resolves once the writer has opened the store and waits for "go". */
  const opened = () => until(() => ready);
  const go = async () => {
    await opened();
    child.stdin!.end("go\n");
  };
  return {
    child: child as ChildProcess,
    acks,
    exited,
    until,
    opened,
    go,
    stderr: () => stderr,
    started: () => started,
  };
}

/** Everything a reopened file must satisfy, whatever moment the writer died at. */
function checkConsistent(path: string, perAdd: number) {
  const db = new Database(path);
  expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
  const rows = db
    .prepare(
      "SELECT id, json_extract(metadata, '$.tag') AS tag, json_extract(metadata, '$.batch') AS batch FROM mem0_memories",
    )
    .all() as { id: string; tag: string; batch: number }[];
  const adds = db
    .prepare("SELECT memory_id, count(*) AS n FROM mem0_history WHERE event = 'ADD' GROUP BY memory_id")
    .all() as { memory_id: string; n: number }[];
  db.close();
  const ids = new Set(rows.map((r) => r.id));
  // No memory without its ADD event, no ADD event without its memory, no event twice.
  expect(new Set(adds.map((a) => a.memory_id))).toEqual(ids);
  expect(adds.every((a) => a.n === 1)).toBe(true);
  // No partial add: every (tag, batch) has all its memories or none.
  const perBatch = new Map<string, number>();
  for (const r of rows) perBatch.set(`${r.tag}/${r.batch}`, (perBatch.get(`${r.tag}/${r.batch}`) ?? 0) + 1);
  expect([...perBatch.entries()].filter(([, n]) => n !== perAdd)).toEqual([]);
  return ids;
}

describe("crash safety", () => {
  // "background": a worker thread is copying the WAL into the file (a checkpoint) when the kill lands.
  test.each(["inline", "background"] as const)(
    "SIGKILL mid bulk-add (%s checkpoints): every acknowledged add survives, no add is partial, no memory lacks its history",
    async (checkpoints) => {
      const path = tmp.file();
      const perAdd = 25;
      const acknowledged: string[] = [];
      // Three rounds on the same file, each killed at a different point of the stream.
      for (const [round, after] of [
        [0, 40],
        [1, 75],
        [2, 15],
      ] as const) {
        const w = startWriter(path, `round${round}`, 1_000_000, perAdd, checkpoints);
        await w.go();
        await w.until(() => w.acks.length >= after);
        await new Promise((r) => setTimeout(r, 3 + round * 4)); // land somewhere inside a later transaction
        w.child.kill("SIGKILL");
        const { signal } = await w.exited;
        expect(signal).toBe("SIGKILL");
        acknowledged.push(...w.acks.flatMap((a) => a.ids));
        const present = checkConsistent(path, perAdd);
        const lost = acknowledged.filter((id) => !present.has(id));
        expect(lost).toEqual([]);
      }
      expect(acknowledged.length).toBeGreaterThanOrEqual((40 + 75 + 15) * perAdd);
    },
    120_000,
  );
});

describe("concurrency", () => {
  test.each(["inline", "background"] as const)(
    "two processes adding to one file (%s checkpoints): no lost write, no SQLITE_BUSY reaching the caller",
    async (checkpoints) => {
      const path = tmp.file();
      const adds = 1000; // most of a second of writing each: margin for the two "go" lines arriving apart under load
      const perAdd = 5;
      const writers = ["left", "right"].map((tag) => startWriter(path, tag, adds, perAdd, checkpoints));
      // Both open the store before either writes: a whole run takes under a second, so a writer still
      // starting up (slow under load) would otherwise begin only after the other had finished.
      await Promise.all(writers.map((w) => w.opened()));
      await Promise.all(writers.map((w) => w.go()));
      const results = await Promise.all(writers.map((w) => w.exited));
      for (const [i, r] of results.entries()) {
        expect({ code: r.code, stderr: writers[i]!.stderr() }).toEqual({ code: 0, stderr: "" });
      }
      const present = checkConsistent(path, perAdd);
      // They really competed: each began writing before the other had finished. (How their commits
      // interleave is up to the scheduler; a writer may wait out the other's whole run in the busy handler.)
      const [left, right] = writers;
      expect(left!.started()).toBeLessThan(right!.acks.at(-1)!.at);
      expect(right!.started()).toBeLessThan(left!.acks.at(-1)!.at);
      const acked = writers.flatMap((w) => w.acks.flatMap((a) => a.ids));
      expect(acked).toHaveLength(2 * adds * perAdd);
      expect(present).toEqual(new Set(acked));
    },
    120_000,
  );
});

describe("files the store must not touch, opened by a separate process", () => {
  const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

  test("a non-SQLite file and a damaged database: the process gets a typed error, the files stay byte-identical", async () => {
    const text = tmp.file("notes.txt");
    writeFileSync(text, "not a database\n".repeat(500));
    const damaged = tmp.file();
    const seed = startWriter(damaged, "seed", 40, 10);
    await seed.go();
    expect((await seed.exited).code).toBe(0);
    const bytes = readFileSync(damaged);
    for (let i = 100; i < bytes.length; i += 7) bytes[i] = 0xa5; // header kept, every page scribbled on
    writeFileSync(damaged, bytes);
    for (const [file, code] of [
      [text, "STORE_NOT_A_DATABASE"],
      [damaged, "STORE_CORRUPT"],
    ] as const) {
      const before = sha(file);
      const w = startWriter(file, "late", 1, 1);
      const { code: exit } = await w.exited;
      expect(exit).not.toBe(0);
      expect(w.stderr()).toContain(code);
      expect(sha(file)).toBe(before);
    }
  }, 60_000);
});
