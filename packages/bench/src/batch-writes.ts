/**
 * Batch writes on the default SQLite store (issue 18 goal 4), through `Memory` as an application
 * calls it:
 *   - `deleteAll` of N memories (default 10,000, 384-d): one transaction with every DELETE event,
 *     side by side with one transaction per memory (what `deleteAll` did before `apply`);
 *   - `add` of a list of M messages: one embedder call and one transaction, side by side with M
 *     single adds.
 *
 *   node packages/bench/dist/batch-writes.js [--n 10000] [--messages 1000] [--dims 384]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEmbedder, Memory, providerConfigSchema, registerProvider, type Vector } from "@mem0/core";
import sqlite from "@mem0/store-sqlite";
import { arg, rng, unitVector } from "./util.js";

registerProvider(sqlite);
const N = Number(arg("n", "10000"));
const MESSAGES = Number(arg("messages", "1000"));
const DIMS = Number(arg("dims", "384"));

/** Seeded random unit vectors, counting calls: the embedder's cost is not what is measured here. */
const embedCalls = { count: 0 };
registerProvider(
  defineEmbedder({
    provider: "bench-random",
    configSchema: providerConfigSchema({}),
    create: () => {
      const next = rng(7);
      return {
        provider: "bench-random",
        dims: DIMS,
        async embed(texts: readonly string[]): Promise<Vector[]> {
          embedCalls.count++;
          return texts.map(() => unitVector(DIMS, next));
        },
      };
    },
  }),
);

const dir = mkdtempSync(join(tmpdir(), "mem0-bench-batch-"));
const open = (name: string) =>
  Memory.fromConfig({
    vector_store: { provider: "sqlite", config: { path: join(dir, `${name}.db`) } },
    embedder: { provider: "bench-random" },
  });
const messages = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => ({ role: "user" as const, content: `${tag} memory ${i}: likes tea` }));
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

async function fill(m: Memory, count: number, user: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1000) {
    const { results } = await m.add(messages(Math.min(1000, count - i), user), { user_id: user, infer: false });
    ids.push(...results.map((r) => r.id));
  }
  return ids;
}

try {
  // deleteAll: the batch, then the old way (a transaction per memory) on another file.
  const batch = await open("batch");
  await fill(batch, N, "u");
  let t0 = performance.now();
  const { deleted } = await batch.deleteAll({ user_id: "u" });
  const deleteAllMs = ms(t0);
  await batch.close();

  const single = await open("single");
  const ids = await fill(single, N, "u");
  t0 = performance.now();
  for (const id of ids) await single.delete(id);
  const perMemoryMs = ms(t0);
  await single.close();

  // add of a list: one call vs one add per message.
  const adds = await open("adds");
  embedCalls.count = 0;
  t0 = performance.now();
  await adds.add(messages(MESSAGES, "list"), { user_id: "list", infer: false });
  const listMs = ms(t0);
  const listCalls = embedCalls.count;
  embedCalls.count = 0;
  t0 = performance.now();
  for (const message of messages(MESSAGES, "one")) await adds.add([message], { user_id: "one", infer: false });
  const oneByOneMs = ms(t0);
  const oneByOneCalls = embedCalls.count;
  await adds.close();

  const speedup = Math.round((perMemoryMs / deleteAllMs) * 10) / 10;
  console.log(JSON.stringify({ n: N, dims: DIMS, deleted, deleteAllMs, perMemoryDeleteMs: perMemoryMs, speedup }));
  console.log(
    JSON.stringify({
      messages: MESSAGES,
      listAddMs: listMs,
      listEmbedCalls: listCalls,
      oneByOneMs,
      oneByOneEmbedCalls: oneByOneCalls,
    }),
  );
  console.log(
    `deleteAll of ${deleted} memories (${DIMS}-d), one transaction: ${deleteAllMs} ms (goal < 500 ms); ` +
      `per memory: ${perMemoryMs} ms`,
  );
  console.log(
    `add of ${MESSAGES} messages: ${listMs} ms, ${listCalls} embedder call(s); ` +
      `one add per message: ${oneByOneMs} ms, ${oneByOneCalls} calls`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
