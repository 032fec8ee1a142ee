/**
 * Writes that must be atomic (issue 13 items 9, 10, 12 and the "history in its own transaction"
 * mutant; issue 18 item 4): lost updates in one process and across two, injected history failures,
 * inferred adds and deleteAll as one transaction, and corruption refusing writes.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import Database from "better-sqlite3";
import { defineLLM, Memory, providerConfigSchema, registerProvider } from "@mem0/core";
import plugin, { SqliteVectorStore } from "../src/index.js";
import { expectChainedHistory } from "@mem0/testkit";
import { buildDist, tempDir } from "./helpers.js";

registerProvider(plugin);
const tmp = tempDir("mem0-reliability-");
afterAll(() => tmp.cleanup());

const answers: string[] = [];
registerProvider(
  defineLLM({
    provider: "scripted-llm",
    configSchema: providerConfigSchema({}),
    create: () => ({ provider: "scripted-llm", generate: async () => answers.shift()! }),
  }),
);

const open = (path: string, extra: Record<string, unknown> = {}) =>
  Memory.fromConfig({ vector_store: { provider: "sqlite", config: { path } }, ...extra });

/**
 * Makes every history insert matching `when` fail, from a second connection, as a full disk or a
 * broken history table would: the write it belongs to must roll back with it.
 */
function failHistoryWrites(path: string, when: string): () => void {
  const db = new Database(path);
  db.exec(
    `CREATE TRIGGER fail_history BEFORE INSERT ON mem0_history WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected history failure'); END`,
  );
  return () => {
    db.exec("DROP TRIGGER fail_history");
    db.close();
  };
}

describe("history commits with its write, or neither does", () => {
  test.each(["update", "delete"] as const)(
    "%s: a failing history write leaves the memory unchanged",
    async (method) => {
      const path = tmp.file();
      const m = await open(path);
      const { results } = await m.add("original", { user_id: "u", metadata: { v: 1 }, infer: false });
      const id = results[0]!.id;
      const restore = failHistoryWrites(path, `NEW.event = '${method.toUpperCase()}'`);
      try {
        const call = method === "update" ? m.update(id, { text: "changed", metadata: { v: 2 } }) : m.delete(id);
        await expect(call).rejects.toMatchObject({ message: expect.stringContaining("injected history failure") });
      } finally {
        restore();
      }
      const got = await m.get(id);
      expect([got?.memory, got?.metadata]).toEqual(["original", { v: 1 }]);
      expect((await m.history(id)).map((e) => e.event)).toEqual(["ADD"]);
      await m.close();
    },
  );

  test("deleteAll is one transaction: a failure at the 7th DELETE event deletes nothing", async () => {
    const path = tmp.file();
    const m = await open(path);
    const { results } = await m.add(
      Array.from({ length: 10 }, (_, i) => ({ role: "user" as const, content: `memory ${i}` })),
      { user_id: "u", infer: false },
    );
    const restore = failHistoryWrites(path, `NEW.memory_id = '${results[6]!.id}' AND NEW.event = 'DELETE'`);
    try {
      await expect(m.deleteAll({ user_id: "u" })).rejects.toMatchObject({
        message: expect.stringContaining("injected history failure"),
      });
    } finally {
      restore();
    }
    expect((await m.getAll({ user_id: "u" })).results).toHaveLength(10);
    expect(await m.deleteAll({ user_id: "u" })).toEqual({ deleted: 10 });
    expect((await m.history(results[6]!.id)).map((e) => e.event)).toEqual(["ADD", "DELETE"]);
    await m.close();
  });

  test("an inferred ADD + UPDATE + DELETE is one transaction: a failing UPDATE event writes none of them", async () => {
    const path = tmp.file();
    const m = await open(path, { llm: { provider: "scripted-llm" } });
    const [keep, drop] = (
      await m.add(
        [
          { role: "user", content: "likes tea" },
          { role: "user", content: "lives in Paris" },
        ],
        { user_id: "u", infer: false },
      )
    ).results;
    answers.push(
      JSON.stringify({ facts: ["likes green tea", "moved to Rome", "owns a cat"] }),
      JSON.stringify({
        memory: [
          { id: "new", text: "owns a cat", event: "ADD" },
          { id: "0", text: "likes green tea", event: "UPDATE" },
          { id: "1", text: "", event: "DELETE" },
        ],
      }),
    );
    const restore = failHistoryWrites(path, "NEW.event = 'UPDATE'");
    try {
      await expect(m.add("I like green tea, moved to Rome, got a cat", { user_id: "u" })).rejects.toMatchObject({
        message: expect.stringContaining("injected history failure"),
      });
    } finally {
      restore();
    }
    expect((await m.getAll({ user_id: "u" })).results.map((r) => r.memory).sort()).toEqual([
      "likes tea",
      "lives in Paris",
    ]);
    for (const r of [keep!, drop!]) expect((await m.history(r.id)).map((e) => e.event)).toEqual(["ADD"]);
    await m.close();
  });

  test("add of a list of messages is one transaction: a failing 25th ADD event writes none of the 25", async () => {
    const path = tmp.file();
    const m = await open(path);
    await m.add("warm-up", { user_id: "other", infer: false });
    const restore = failHistoryWrites(path, "NEW.new_memory = 'message 24'");
    try {
      const messages = Array.from({ length: 25 }, (_, i) => ({ role: "user" as const, content: `message ${i}` }));
      await expect(m.add(messages, { user_id: "u", infer: false })).rejects.toMatchObject({
        message: expect.stringContaining("injected history failure"),
      });
    } finally {
      restore();
    }
    expect((await m.getAll({ user_id: "u" })).results).toEqual([]);
    await m.close();
  });
});

describe("lost updates", () => {
  test("one process: update(text) and update(metadata) at once keep both, 20 of 20 times, history chained", async () => {
    const m = await open(tmp.file());
    for (let run = 0; run < 20; run++) {
      const id = (await m.add("original", { user_id: "u", metadata: { v: 0 }, infer: false })).results[0]!.id;
      await Promise.all([m.update(id, { text: `text ${run}` }), m.update(id, { metadata: { v: run + 1 } })]);
      const got = await m.get(id);
      expect([got!.memory, got!.metadata]).toEqual([`text ${run}`, { v: run + 1 }]);
      expectChainedHistory(await m.history(id));
    }
    await m.close();
  });

  describe("two processes", () => {
    beforeAll(buildDist, 120_000);

    test("one updates the text, the other the metadata, 150 times each: the last of each survives, history chained", async () => {
      const path = tmp.file();
      const m = await open(path);
      const id = (await m.add("original", { user_id: "u", metadata: { n: -1 }, infer: false })).results[0]!.id;
      await m.close();
      const updates = 150;
      const children = ["text", "metadata"].map((field) => {
        const child = spawn(
          process.execPath,
          [join(__dirname, "fixtures", "updater.mjs"), path, id, field, String(updates)],
          { cwd: join(__dirname, ".."), stdio: ["pipe", "pipe", "pipe"] },
        );
        let out = "";
        let err = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
        const ready = new Promise<void>((resolve, reject) => {
          const check = () => (out.includes("ready") ? resolve() : undefined);
          child.stdout.on("data", check);
          child.on("close", () => reject(new Error(`updater exited before ready: ${err}`)));
        });
        const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
          child.on("close", (code) => resolve({ code, out, err })),
        );
        return { child, ready, exited };
      });
      await Promise.all(children.map((c) => c.ready));
      for (const writer of children) writer.child.stdin.end("go\n");
      const done = await Promise.all(children.map((c) => c.exited));
      expect(done.map((d) => [d.code, d.err])).toEqual([
        [0, ""],
        [0, ""],
      ]);
      const after = await open(path);
      const got = await after.get(id);
      expect([got!.memory, got!.metadata]).toEqual([`text ${updates - 1}`, { n: updates - 1 }]);
      const events = await after.history(id);
      expect(events).toHaveLength(1 + 2 * updates);
      expectChainedHistory(events);
      await after.close();
    }, 120_000);
  });
});

describe("corruption", () => {
  const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

  test("once a read finds the file damaged, writes are refused with the same typed error, saying how to repair", async () => {
    const path = tmp.file();
    const store = SqliteVectorStore.open({ path, embedding_model_dims: 4 });
    const payload = (i: number) => ({
      user_id: "u",
      memory: `memory ${i} ${"x".repeat(2000)}`,
      hash: "h",
      created_at: "2024-01-01",
      updated_at: "2024-01-01",
      metadata: {},
    });
    await store.insert(
      Array.from({ length: 200 }, (_, i) => ({ id: `r${i}`, vector: [1, 0, 0, 0], payload: payload(i) })),
    );
    await store.close();
    // The last pages (rows written last) scribbled over; the schema at the start of the file intact.
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    for (let i = bytes.length - 3 * pageSize; i < bytes.length; i += 3) bytes[i] = 0xa5;
    writeFileSync(path, bytes);

    const damaged = SqliteVectorStore.open({ path, embedding_model_dims: 4 });
    await expect(damaged.list({ filter: null, limit: 1000 })).rejects.toMatchObject({ code: "STORE_CORRUPT" });
    const before = sha(path);
    for (const write of [
      () => damaged.insert([{ id: "new", vector: [1, 0, 0, 0], payload: payload(999) }]),
      () => damaged.update("r0", { payload: payload(0) }),
      () => damaged.delete("r1"),
      () => damaged.apply([{ op: "delete", id: "r2" }]),
      () => damaged.reset(),
    ]) {
      const err = (await write().then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: string; message?: string } | undefined;
      expect(err?.code).toBe("STORE_CORRUPT");
      expect(err?.message).toContain("writes are refused");
      expect(err?.message).toContain(".recover");
    }
    expect(statSync(path).size).toBe(bytes.length);
    expect(sha(path)).toBe(before);
    await damaged.close();
  });
});
