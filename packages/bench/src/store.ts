/**
 * Store benchmark: @mem0/store-sqlite against mem0ai's default `memory` vector store (SQLite, brute
 * force), same machine, same seeded data, one run. Each side runs in its own child process, so its
 * peak RSS is its own. Prints a Markdown table with every figure as a ratio to mem0ai, and the
 * floor an exact scan could reach on this machine (bytes it must read ÷ measured read bandwidth).
 *
 *   pnpm build && pnpm --filter @mem0/bench bench:store [-- --sizes 10000,100000 --no-million]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  andFilters,
  defineEmbedder,
  Memory,
  parseFilters,
  providerConfigSchema,
  registerProvider,
  scopeFilter,
} from "@mem0/core";
import sqlitePlugin, { SqliteVectorStore } from "@mem0/store-sqlite";
import { BATCH, CATEGORIES, DIMS, loadDataset, queries, USERS, type Item, type Query } from "./store-data.js";
import {
  arg,
  fmt,
  peakRssMiB,
  percentile,
  readBandwidth,
  rng,
  rssSplitMiB,
  runChild,
  tableRow,
  unitVector,
} from "./util.js";

const script = fileURLToPath(import.meta.url);

interface SideResult {
  side: string;
  n: number;
  insertPerSec: number;
  scoped: { p50: number; p95: number; samples: number };
  filtered: { p50: number; p95: number; samples: number };
  peakRssMiB: number;
  /** RSS after the queries, split into private memory and mapped file pages. */
  endRss: { anon: number; file: number };
  /** Top-10 ids of the first queries, to check both sides return the same answers. */
  answers: string[][];
  extra?: Record<string, unknown>;
}

/** The measured part of one side: how to insert a batch and run the two kinds of query. */
interface Side {
  insert(batch: Item[]): Promise<void>;
  /** Makes every inserted row durable in the database file itself (timed with the inserts). */
  flush(): Promise<void>;
  scoped(q: Query): Promise<string[]>;
  filtered(q: Query): Promise<string[]>;
  close(): Promise<void>;
  extra?(): Promise<Record<string, unknown>>;
}

async function ours(file: string): Promise<Side> {
  const store = SqliteVectorStore.open({ path: file, embedding_model_dims: DIMS });
  return {
    async insert(batch) {
      await store.insert(
        batch.map((it) => ({
          id: it.id,
          vector: it.vector,
          payload: {
            user_id: it.user,
            memory: it.text,
            hash: it.id,
            created_at: "2024-01-01T00:00:00.000Z",
            updated_at: "2024-01-01T00:00:00.000Z",
            metadata: { category: it.category, priority: it.priority },
          },
        })),
      );
    },
    async scoped(q) {
      return (await store.search({ vector: q.vector, limit: 10, filter: scopeFilter({ user_id: q.user }) })).map(
        (h) => h.id,
      );
    },
    async filtered(q) {
      const filter = andFilters(
        scopeFilter({ user_id: q.user }),
        parseFilters({ AND: [{ category: q.category }, { priority: { gte: 7 } }] }),
      );
      return (await store.search({ vector: q.vector, limit: 10, filter })).map((h) => h.id);
    },
    // WAL mode: rows still in the log count only once they are in the file, as mem0ai's are.
    flush: () => store.checkpoint(),
    close: () => store.close(),
    extra: async () => ({ vectorEngine: store.vectorEngine }),
  };
}

async function mem0ai(file: string): Promise<Side> {
  const { MemoryVectorStore } = await import("mem0ai/oss");
  const store = new MemoryVectorStore({ dimension: DIMS, dbPath: file });
  type Hit = { id: string };
  return {
    async insert(batch) {
      await store.insert(
        batch.map((it) => it.vector as unknown as number[]),
        batch.map((it) => it.id),
        batch.map((it) => ({
          user_id: it.user,
          data: it.text,
          hash: it.id,
          created_at: "2024-01-01T00:00:00.000Z",
          category: it.category,
          priority: it.priority,
        })),
      );
    },
    async scoped(q) {
      return ((await store.search(q.vector as unknown as number[], 10, { user_id: q.user })) as Hit[]).map((h) => h.id);
    },
    async filtered(q) {
      // Its store-level filter applies AND correctly (the Object.assign bug is in Memory.search).
      const filters = { user_id: q.user, AND: [{ category: q.category }, { priority: { gte: 7 } }] };
      return ((await store.search(q.vector as unknown as number[], 10, filters as never)) as Hit[]).map((h) => h.id);
    },
    flush: async () => undefined, // rollback journal: a commit is already in the file
    close: async () => undefined,
  };
}

async function timed(run: (q: Query) => Promise<string[]>, qs: readonly Query[], warmup: number) {
  for (const q of qs.slice(0, warmup)) await run(q);
  const samples: number[] = [];
  const answers: string[][] = [];
  for (const q of qs) {
    const t = performance.now();
    answers.push(await run(q));
    samples.push(performance.now() - t);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), samples: samples.length, answers };
}

async function childSide(which: string, n: number, file: string, queryCount: number): Promise<SideResult> {
  const side = which === "ours" ? await ours(file) : await mem0ai(file);
  const insertPerSec = await loadDataset(
    which,
    n,
    (batch) => side.insert(batch),
    () => side.flush(),
  );
  const qs = queries(queryCount);
  const warmup = Math.min(5, queryCount);
  const scoped = await timed((q) => side.scoped(q), qs, warmup);
  const filtered = await timed((q) => side.filtered(q), qs, warmup);
  const extra = await side.extra?.();
  const endRss = rssSplitMiB(); // before close: a closed database unmaps its file
  await side.close();
  return {
    side: which,
    n,
    insertPerSec,
    scoped: { p50: scoped.p50, p95: scoped.p95, samples: scoped.samples },
    filtered: { p50: filtered.p50, p95: filtered.p95, samples: filtered.samples },
    peakRssMiB: peakRssMiB(),
    endRss,
    answers: [...scoped.answers.slice(0, 10), ...filtered.answers.slice(0, 10)],
    extra,
  };
}

/** `Memory.add` through core with history: one add per call, as an application makes them. */
async function childMemoryAdd(
  file: string,
  adds: number,
): Promise<{ addsPerSec: number; historyEvents: number; peakRssMiB: number }> {
  const next = rng(99);
  // Precomputed-quality vectors at no cost, so the figure is core + store + history, not a model.
  registerProvider(
    defineEmbedder({
      provider: "bench-seeded",
      configSchema: providerConfigSchema({}),
      create: () => ({
        provider: "bench-seeded",
        dims: DIMS,
        embed: async (texts: readonly string[]) => texts.map(() => unitVector(DIMS, next)),
      }),
    }),
  );
  registerProvider(sqlitePlugin);
  const m = await Memory.fromConfig({
    vector_store: { provider: "sqlite", config: { path: file } },
    embedder: { provider: "bench-seeded" },
  });
  const t = performance.now();
  for (let i = 0; i < adds; i++) {
    await m.add(`memory ${i}`, {
      user_id: `user-${i % USERS}`,
      metadata: { category: CATEGORIES[i % CATEGORIES.length], priority: i % 10 },
      infer: false,
    });
  }
  const ms = performance.now() - t;
  const store = m.vectorStore as SqliteVectorStore;
  const sample = await store.list({ filter: scopeFilter({ user_id: "user-0" }), limit: 1 });
  const historyEvents = (await store.history.get(sample[0]!.id)).length;
  await m.close();
  return { addsPerSec: adds / (ms / 1000), historyEvents, peakRssMiB: peakRssMiB() };
}

function agreement(a: SideResult, b: SideResult): string {
  const same = a.answers.filter((ids, i) => JSON.stringify(ids) === JSON.stringify(b.answers[i])).length;
  return `${same}/${a.answers.length}`;
}

async function main() {
  if (process.argv.includes("--child")) {
    const which = arg("child", "");
    const file = arg("file", "");
    const result =
      which === "memory-add"
        ? await childMemoryAdd(file, Number(arg("adds", "10000")))
        : await childSide(which, Number(arg("n", "0")), file, Number(arg("queries", "100")));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const sizes = arg("sizes", "10000,100000").split(",").map(Number);
  const million = !process.argv.includes("--no-million");
  const ourQueries = Number(arg("queries", "200"));
  const dir = mkdtempSync(join(arg("dir", tmpdir()), "mem0-bench-store-"));
  const child = <T>(args: string[]) => runChild<T>(script, ["--child", ...args]);
  /** One side's insert-and-search run, in its own process on its own database file. */
  const sideRun = (which: "ours" | "mem0ai", n: number, queryCount: number) =>
    child<SideResult>([
      which,
      "--n",
      String(n),
      "--file",
      join(dir, `${which}-${n}.db`),
      "--queries",
      String(queryCount),
    ]);
  try {
    process.stderr.write("measuring memory read bandwidth…\n");
    const bandwidth = readBandwidth();
    const limitMs = (bytes: number) => (bytes / bandwidth) * 1000;
    const lines: string[] = [];
    const out = (s = "") => {
      lines.push(s);
      process.stdout.write(`${s}\n`);
    };
    const cores = cpus();
    out(
      `Machine: ${cores[0]?.model ?? "?"} ×${cores.length}, Node ${process.version}; ` +
        `read bandwidth (memchr, 1 GiB, one thread): ${(bandwidth / 1e9).toFixed(1)} GB/s`,
    );
    out();
    for (const n of sizes) {
      // mem0ai reads every row per query; fewer samples keep the run short (seconds per query at 100k).
      const theirQueries = Number(arg("mem0ai-queries", n >= 100_000 ? "20" : "60"));
      process.stderr.write(`N=${fmt.int(n)}: mem0ai…\n`);
      const theirs = await sideRun("mem0ai", n, theirQueries);
      process.stderr.write(`N=${fmt.int(n)}: ours…\n`);
      const mine = await sideRun("ours", n, ourQueries);
      const scopeBytes = (n / USERS) * DIMS * 4;
      const tableBytes = n * DIMS * 4;
      out(`### N = ${fmt.int(n)} (${DIMS}-d, ${USERS} users, ≈${fmt.int(n / USERS)} memories per user)`);
      out();
      out(
        tableRow(
          "metric",
          "mem0ai 3.3.1 `memory` store",
          `@mem0/store-sqlite (${String(mine.extra?.vectorEngine)})`,
          "ours ÷ mem0ai",
        ),
      );
      out(`|---|---:|---:|---:|`);
      /** A row of both sides' values and ours ÷ mem0ai. */
      const compared = (label: string, theirValue: number, myValue: number, show: (x: number) => string) =>
        tableRow(label, show(theirValue), show(myValue), fmt.ratio(myValue, theirValue));
      out(
        compared(
          `bulk insert, memories/s (batches of ${fmt.int(BATCH)})`,
          theirs.insertPerSec,
          mine.insertPerSec,
          fmt.int,
        ),
      );
      for (const [label, key] of [
        ["scoped top-10", "scoped"],
        ["scoped + `{AND:[{category},{priority:{gte:7}}]}` top-10", "filtered"],
      ] as const) {
        out(compared(`${label} p50, ms`, theirs[key].p50, mine[key].p50, fmt.ms));
        out(compared(`${label} p95, ms`, theirs[key].p95, mine[key].p95, fmt.ms));
      }
      out(compared("peak RSS, MiB (whole process)", theirs.peakRssMiB, mine.peakRssMiB, fmt.int));
      const endRss = (side: SideResult) => `${fmt.int(side.endRss.anon)} / ${fmt.int(side.endRss.file)}`;
      out(
        tableRow(
          "RSS after the queries: private / mapped file pages, MiB",
          endRss(theirs),
          endRss(mine),
          `${fmt.ratio(mine.endRss.anon, theirs.endRss.anon)} (private)`,
        ),
      );
      const timed = (side: SideResult) => `${side.scoped.samples} + ${side.filtered.samples}`;
      out(`${tableRow("queries timed (after 5 warm-up)", timed(theirs), timed(mine))} |`);
      out();
      out(
        `Exact-scan floor on this machine: one user's vectors (${fmt.int(scopeBytes / 1024)} KiB) ` +
          `${fmt.ms(limitMs(scopeBytes))} ms; ` +
          `the whole table (${fmt.int(tableBytes / 2 ** 20)} MiB) ${fmt.ms(limitMs(tableBytes))} ms. ` +
          `Ours scoped p50 = ${(mine.scoped.p50 / limitMs(scopeBytes)).toFixed(1)}× the scoped floor; ` +
          `mem0ai scoped p50 = ${(theirs.scoped.p50 / limitMs(tableBytes)).toFixed(1)}× the whole-table floor ` +
          `(it reads every row). ` +
          `Same top-10 ids on both sides for ${agreement(mine, theirs)} of the first queries.`,
      );
      out();
    }
    if (million) {
      const n = 1_000_000;
      process.stderr.write(`N=${fmt.int(n)}: ours…\n`);
      const mine = await sideRun("ours", n, ourQueries);
      const scopeBytes = (n / USERS) * DIMS * 4;
      out(`### N = ${fmt.int(n)} (ours only: mem0ai would read and parse a million rows per query)`);
      out();
      out(`| metric | @mem0/store-sqlite |`);
      out(`|---|---:|`);
      out(`| bulk insert, memories/s | ${fmt.int(mine.insertPerSec)} |`);
      out(`| scoped top-10 p50 / p95, ms | ${fmt.ms(mine.scoped.p50)} / ${fmt.ms(mine.scoped.p95)} |`);
      out(`| scoped + filtered top-10 p50 / p95, ms | ${fmt.ms(mine.filtered.p50)} / ${fmt.ms(mine.filtered.p95)} |`);
      out(
        tableRow(
          "peak RSS, MiB (mapped file pages after the queries)",
          `${fmt.int(mine.peakRssMiB)} (${fmt.int(mine.endRss.file)})`,
        ),
      );
      out(`| exact-scan floor for one user's ${fmt.int(n / USERS)} vectors, ms | ${fmt.ms(limitMs(scopeBytes))} |`);
      out();
    }
    const adds = Number(arg("adds", "10000"));
    process.stderr.write(`Memory.add × ${fmt.int(adds)}…\n`);
    const add = await child<{ addsPerSec: number; historyEvents: number; peakRssMiB: number }>([
      "memory-add",
      "--file",
      join(dir, "memory-add.db"),
      "--adds",
      String(adds),
    ]);
    out(
      "Memory.add (core + sqlite store, one memory and its ADD history event per call and per transaction, " +
        `precomputed vectors): ${fmt.int(add.addsPerSec)} adds/s over ${fmt.int(adds)} calls; ` +
        `peak RSS ${fmt.int(add.peakRssMiB)} MiB.`,
    );
  } finally {
    if (!process.argv.includes("--keep")) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
