/**
 * Search against the embedded peers a Node application would pick instead, and against the floor:
 * @mem0/store-sqlite, LanceDB 0.31 (an embedded table, the scope and filter as `where`, exact) and
 * sqlite-vec's `vec0` (user_id as partition key, category/priority as metadata columns), same seeded
 * rows and queries, one child process per side (peak RSS is its own), in one run. Checks every side's
 * top-10 ids against an exact reference computed here, prints Markdown tables and ratios, writes the
 * figures as JSON and the scaling chart as SVG.
 *
 *   node packages/bench/dist/peers.js [--sizes 10000,100000,1000000] [--queries 200] [--out docs/bench] [--replot]
 *     [--cache-mb MiB]   (ours' search_cache_mb; default: the store's default)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { andFilters, parseFilters, scopeFilter } from "@mem0/core";
import { SqliteVectorStore } from "@mem0/store-sqlite";
import { lineChart } from "./svg.js";
import { CATEGORIES, dataset, DIMS, loadDataset, queries, USERS, type Item, type Query } from "./store-data.js";
import { arg, fmt, peakRssMiB, percentile, readBandwidth, rssSplitMiB, runChild } from "./util.js";

const script = fileURLToPath(import.meta.url);
const K = 10;
/** Queries whose answers are checked against the exact reference (per kind). */
const CHECKED = 10;
const SIDES = ["ours", "ours-sql", "lancedb", "vec0"] as const;
type SideName = (typeof SIDES)[number];
const LABEL: Record<SideName, string> = {
  ours: "@mem0/store-sqlite",
  "ours-sql": "@mem0/store-sqlite, cache off (SQL path)",
  lancedb: "LanceDB 0.31.0",
  vec0: "sqlite-vec 0.1.9 vec0",
};
const KINDS = ["scoped", "filtered", "unscoped"] as const;
type Kind = (typeof KINDS)[number];

interface Side {
  insert(batch: Item[]): Promise<void>;
  /** Whatever the side needs before queries: a checkpoint, compaction, an index. Timed with inserts. */
  finish(): Promise<void>;
  search(kind: Kind, q: Query): Promise<string[]>;
  close(): Promise<void>;
}

interface Timing {
  p50: number;
  p95: number;
  samples: number;
}

interface Run {
  n: number;
  bandwidth: number;
  results: SideResult[];
}

interface SideResult {
  side: SideName;
  n: number;
  insertPerSec: number;
  timings: Partial<Record<Kind, Timing>>;
  /** Checked answers per kind, in query order. */
  answers: Partial<Record<Kind, string[][]>>;
  peakRssMiB: number;
  /** Peak RSS after each phase, and the RSS split (anon = heap, WebAssembly; file = mapped pages) then. */
  memory: { phase: string; peakMiB: number; anonMiB: number; fileMiB: number }[];
}

const priorityMin = 7;

/** `cacheMb` undefined: the store's defaults, as a user gets them. */
async function ours(file: string, cacheMb: number | undefined): Promise<Side> {
  const store = SqliteVectorStore.open({ path: file, embedding_model_dims: DIMS, search_cache_mb: cacheMb });
  const at = "2024-01-01T00:00:00.000Z";
  return {
    insert: (batch) =>
      store.insert(
        batch.map((it) => ({
          id: it.id,
          vector: it.vector,
          payload: {
            user_id: it.user,
            memory: it.text,
            hash: it.id,
            created_at: at,
            updated_at: at,
            metadata: { category: it.category, priority: it.priority },
          },
        })),
      ),
    finish: () => store.checkpoint(),
    async search(kind, q) {
      const scope = kind === "unscoped" ? null : scopeFilter({ user_id: q.user });
      const rest =
        kind === "scoped"
          ? null
          : parseFilters(
              kind === "filtered"
                ? { AND: [{ category: q.category }, { priority: { gte: priorityMin } }] }
                : { category: q.category },
            );
      return (await store.search({ vector: q.vector, limit: K, filter: andFilters(scope, rest) })).map((h) => h.id);
    },
    close: () => store.close(),
  };
}

async function lance(dir: string): Promise<Side> {
  const lancedb = await import("@lancedb/lancedb");
  const arrow = await import("apache-arrow");
  const db = await lancedb.connect(dir);
  const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Utf8()),
    new arrow.Field("user_id", new arrow.Utf8()),
    new arrow.Field("category", new arrow.Utf8()),
    new arrow.Field("priority", new arrow.Int32()),
    new arrow.Field("vector", new arrow.FixedSizeList(DIMS, new arrow.Field("item", new arrow.Float32(), true))),
  ]);
  let table: Awaited<ReturnType<typeof db.createTable>> | undefined;
  const pending: Item[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = lancedb.makeArrowTable(
      pending.map((it) => ({
        id: it.id,
        user_id: it.user,
        category: it.category,
        priority: it.priority,
        vector: it.vector,
      })),
      { schema },
    );
    pending.length = 0;
    if (table) await table.add(rows);
    else table = await db.createTable("memories", rows, { mode: "overwrite" });
  };
  const where = (kind: Kind, q: Query) =>
    kind === "scoped"
      ? `user_id = '${q.user}'`
      : kind === "filtered"
        ? `user_id = '${q.user}' AND category = '${q.category}' AND priority >= ${priorityMin}`
        : `category = '${q.category}'`;
  return {
    async insert(batch) {
      // Appends of 10,000 rows: each append is a commit (a new fragment and manifest), which made
      // 1,000-row appends ten times slower than this; a LanceDB user importing in bulk does the same.
      pending.push(...batch);
      if (pending.length >= 10_000) await flush();
    },
    async finish() {
      await flush();
      // What a LanceDB user does after many small appends: compact the fragments, index the scope column.
      await table!.optimize();
      await table!.createIndex("user_id", { config: lancedb.Index.bitmap() });
      await table!.createIndex("category", { config: lancedb.Index.bitmap() });
    },
    async search(kind, q) {
      const rows = await table!
        .vectorSearch(q.vector)
        .distanceType("cosine")
        .where(where(kind, q))
        .limit(K)
        .bypassVectorIndex()
        .select(["id"])
        .toArray();
      return rows.map((r: { id: string }) => r.id);
    },
    close: async () => table?.close(),
  };
}

async function vec0(file: string): Promise<Side> {
  const { default: Database } = await import("better-sqlite3");
  const sqliteVec = await import("sqlite-vec");
  const db = new Database(file);
  sqliteVec.load(db);
  db.pragma("journal_mode = WAL");
  db.pragma("mmap_size = 2147418112");
  db.exec(`CREATE VIRTUAL TABLE memories USING vec0(
    user_id text partition key, embedding float[${DIMS}] distance_metric=cosine, category text, priority integer, +mid text)`);
  const insert = db.prepare(
    "INSERT INTO memories (user_id, embedding, category, priority, mid) VALUES (?, ?, ?, ?, ?)",
  );
  const insertBatch = db.transaction((batch: Item[]) => {
    for (const it of batch)
      insert.run(
        it.user,
        Buffer.from(it.vector.buffer, it.vector.byteOffset, it.vector.byteLength),
        it.category,
        BigInt(it.priority),
        it.id,
      );
  });
  const knn = "SELECT mid FROM memories WHERE embedding MATCH @q AND k = @k";
  const statements: Record<Kind, ReturnType<typeof db.prepare>> = {
    scoped: db.prepare(`${knn} AND user_id = @user ORDER BY distance`),
    filtered: db.prepare(
      `${knn} AND user_id = @user AND category = @category AND priority >= @priority ORDER BY distance`,
    ),
    unscoped: db.prepare(`${knn} AND category = @category ORDER BY distance`),
  };
  return {
    insert: async (batch) => void insertBatch(batch),
    finish: async () => void db.pragma("wal_checkpoint(TRUNCATE)"),
    async search(kind, q) {
      const params = {
        q: Buffer.from(q.vector.buffer, q.vector.byteOffset, q.vector.byteLength),
        k: K,
        user: q.user,
        category: q.category,
        priority: BigInt(priorityMin),
      };
      const bound: Record<string, unknown> =
        kind === "scoped"
          ? { q: params.q, k: K, user: q.user }
          : kind === "filtered"
            ? params
            : { q: params.q, k: K, category: q.category };
      return (statements[kind].pluck().all(bound) as string[]).slice(0, K);
    },
    close: async () => void db.close(),
  };
}

async function timed(
  side: Side,
  kind: Kind,
  qs: readonly Query[],
  warmPasses: number,
): Promise<{ timing: Timing; answers: string[][] }> {
  // Warm: every timed query's scope searched `warmPasses` times before the clock (ours copies a scope on its second search).
  for (let pass = 0; pass < warmPasses; pass++) for (const q of qs) await side.search(kind, q);
  const samples: number[] = [];
  const answers: string[][] = [];
  for (const q of qs) {
    const t = performance.now();
    const ids = await side.search(kind, q);
    samples.push(performance.now() - t);
    if (answers.length < CHECKED) answers.push(ids);
  }
  return { timing: { p50: percentile(samples, 50), p95: percentile(samples, 95), samples: samples.length }, answers };
}

async function child(
  which: SideName,
  n: number,
  path: string,
  queryCount: number,
  unscopedCount: number,
  cacheMb: number | undefined,
): Promise<SideResult> {
  const side =
    which === "lancedb"
      ? await lance(path)
      : which === "vec0"
        ? await vec0(path)
        : await ours(path, which === "ours" ? cacheMb : 0);
  const insertPerSec = await loadDataset(
    which,
    n,
    (batch) => side.insert(batch),
    () => side.finish(),
  );
  const result: SideResult = { side: which, n, insertPerSec, timings: {}, answers: {}, peakRssMiB: 0, memory: [] };
  const phase = (name: string) => {
    const { anon, file } = rssSplitMiB();
    result.memory.push({ phase: name, peakMiB: peakRssMiB(), anonMiB: anon, fileMiB: file });
    process.stderr.write(
      `  ${which} N=${fmt.int(n)} memory after ${name}: peak ${fmt.int(peakRssMiB())} MiB, now anon ${fmt.int(anon)} + file ${fmt.int(file)} MiB\n`,
    );
  };
  phase("insert");
  for (const kind of KINDS) {
    const qs = queries(kind === "unscoped" ? unscopedCount : queryCount);
    const { timing, answers } = await timed(side, kind, qs, 2);
    result.timings[kind] = timing;
    result.answers[kind] = answers;
    process.stderr.write(
      `  ${which} N=${fmt.int(n)} ${kind}: p50 ${fmt.ms(timing.p50)} ms, p95 ${fmt.ms(timing.p95)} ms\n`,
    );
    phase(kind);
  }
  result.peakRssMiB = peakRssMiB();
  await side.close();
  return result;
}

/** Exact top-10 ids of the first CHECKED queries of each kind: float64 dot over the generated rows, ties by id. */
function reference(n: number): Record<Kind, string[][]> {
  const qs = queries(CHECKED);
  const tops: Record<Kind, { id: string; s: number }[][]> = {
    scoped: qs.map(() => []),
    filtered: qs.map(() => []),
    unscoped: qs.map(() => []),
  };
  const admit = (kind: Kind, q: Query, it: Item) =>
    kind === "unscoped"
      ? it.category === q.category
      : it.user === q.user && (kind === "scoped" || (it.category === q.category && it.priority >= priorityMin));
  const better = (a: { id: string; s: number }, b: { id: string; s: number }) =>
    a.s > b.s || (a.s === b.s && a.id < b.id);
  for (const batch of dataset(n)) {
    for (const it of batch) {
      for (let j = 0; j < qs.length; j++) {
        for (const kind of KINDS) {
          if (!admit(kind, qs[j]!, it)) continue;
          let s = 0;
          for (let i = 0; i < DIMS; i++) s += qs[j]!.vector[i]! * it.vector[i]!;
          const top = tops[kind][j]!;
          const hit = { id: it.id, s };
          if (top.length === K && !better(hit, top[K - 1]!)) continue;
          let at = top.length;
          while (at > 0 && better(hit, top[at - 1]!)) at--;
          top.splice(at, 0, hit);
          if (top.length > K) top.pop();
        }
      }
    }
  }
  return {
    scoped: tops.scoped.map((t) => t.map((h) => h.id)),
    filtered: tops.filtered.map((t) => t.map((h) => h.id)),
    unscoped: tops.unscoped.map((t) => t.map((h) => h.id)),
  };
}

function agreement(answers: string[][] | undefined, exact: string[][]): string {
  if (!answers) return "–";
  return `${answers.filter((ids, i) => JSON.stringify(ids) === JSON.stringify(exact[i])).length}/${answers.length}`;
}

/** The scaling charts (p50 and p95 against N, per side, with the floor), from the run's figures. */
function drawCharts(all: readonly Run[], sides: readonly SideName[], outDir: string): void {
  const series = (kind: Kind, stat: "p50" | "p95") =>
    sides.map((side) => ({
      name: `${LABEL[side]} ${stat}`,
      group: side,
      dashed: stat === "p95",
      points: all.flatMap(({ n, results }) => {
        const t = results.find((r) => r.side === side)?.timings[kind];
        return t ? [[n, t[stat]] as [number, number]] : [];
      }),
    }));
  const floorSeries = (kind: Kind) => ({
    name: kind === "unscoped" ? "floor: whole table ÷ read bandwidth" : "floor: one user's vectors ÷ read bandwidth",
    dashed: true,
    points: all.map(
      ({ n, bandwidth }) =>
        [n, (((kind === "unscoped" ? n : n / USERS) * DIMS * 4) / bandwidth) * 1000] as [number, number],
    ),
  });
  for (const kind of KINDS) {
    writeFileSync(
      join(outDir, `bench-search-${kind}.svg`),
      lineChart({
        title: `${kind === "scoped" ? "Scoped" : kind === "filtered" ? "Scoped + {category, priority ≥ 7}" : "Unscoped {category}"} top-10 search vs N (${DIMS}-d)`,
        xLabel: "memories (N)",
        yLabel: "ms per query",
        logX: true,
        logY: true,
        series: [...series(kind, "p50"), ...series(kind, "p95"), floorSeries(kind)],
      }),
    );
  }
}

/** Run figures from this script's stderr progress lines (`  side N=n kind: p50 x ms, p95 y ms`). */
function fromLogs(texts: readonly string[]): Run[] {
  const runs = new Map<number, Run>();
  for (const text of texts) {
    const bandwidth = Number(/read bandwidth \(memchr, 1 GiB, one thread\) ([\d.]+) GB\/s/.exec(text)?.[1]) * 1e9;
    for (const m of text.matchAll(
      /^ {2}(\S+) N=([\d,]+) (scoped|filtered|unscoped): p50 ([\d.]+) ms, p95 ([\d.]+) ms$/gm,
    )) {
      const n = Number(m[2]!.replaceAll(",", ""));
      const run = runs.get(n) ?? { n, bandwidth, results: [] };
      runs.set(n, run);
      let side = run.results.find((r) => r.side === m[1]);
      if (!side) {
        side = {
          side: m[1] as SideName,
          n,
          insertPerSec: Number.NaN,
          timings: {},
          answers: {},
          peakRssMiB: Number.NaN,
          memory: [],
        };
        run.results.push(side);
      }
      side.timings[m[3] as Kind] = { p50: Number(m[4]), p95: Number(m[5]), samples: Number.NaN };
    }
  }
  return [...runs.values()].sort((a, b) => a.n - b.n);
}

async function main() {
  if (process.argv.includes("--child")) {
    const result = await child(
      arg("child", "") as SideName,
      Number(arg("n", "0")),
      arg("path", ""),
      Number(arg("queries", "200")),
      Number(arg("unscoped-queries", "20")),
      arg("cache-mb") === undefined ? undefined : Number(arg("cache-mb")),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const sides = arg("sides", SIDES.join(",")).split(",") as SideName[];
  const outDir = arg("out", "docs/bench");
  const logs = arg("from-log");
  if (logs) {
    // Rebuilds the figures from the progress lines of runs cut short (or split over several runs).
    const runs = fromLogs(logs.split(",").map((f) => readFileSync(f, "utf8")));
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "bench-peers.json"), `${JSON.stringify(runs, null, 1)}\n`);
    return drawCharts(runs, sides, outDir);
  }
  if (process.argv.includes("--replot")) {
    // Redraws the charts from the figures a run wrote, e.g. after a change to the chart code.
    const runs = JSON.parse(readFileSync(join(outDir, "bench-peers.json"), "utf8")) as Run[];
    return drawCharts(runs, sides, outDir);
  }
  const sizes = arg("sizes", "10000,100000").split(",").map(Number);
  const dir = mkdtempSync(join(arg("dir", tmpdir()), "mem0-bench-peers-"));
  const lines: string[] = [];
  const out = (s = "") => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  const all: Run[] = [];
  try {
    process.stderr.write("measuring memory read bandwidth…\n");
    const bandwidth = readBandwidth();
    const floor = (bytes: number) => (bytes / bandwidth) * 1000;
    out(
      `Machine: ${cpus()[0]?.model ?? "?"} ×${cpus().length}, Node ${process.version}, load average at start ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" / ")}; read bandwidth (memchr, 1 GiB, one thread) ${(bandwidth / 1e9).toFixed(1)} GB/s`,
    );
    out();
    for (const n of sizes) {
      const results: SideResult[] = [];
      for (const side of sides) {
        process.stderr.write(`N=${fmt.int(n)}: ${side}…\n`);
        const path = join(dir, `${side}-${n}${side === "lancedb" ? "" : ".db"}`);
        if (side === "lancedb") mkdirSync(path, { recursive: true });
        results.push(
          await runChild<SideResult>(script, [
            "--child",
            side,
            "--n",
            String(n),
            "--path",
            path,
            "--queries",
            arg("queries", "200"),
            "--unscoped-queries",
            arg("unscoped-queries", "20"),
            ...(arg("cache-mb") === undefined ? [] : ["--cache-mb", arg("cache-mb")!]),
          ]),
        );
        rmSync(path, { recursive: true, force: true });
      }
      process.stderr.write(`N=${fmt.int(n)}: exact reference…\n`);
      const exact = reference(n);
      all.push({ n, bandwidth, results });
      const scopeFloor = floor((n / USERS) * DIMS * 4);
      const tableFloor = floor(n * DIMS * 4);
      const floorOf = (kind: Kind) => (kind === "unscoped" ? tableFloor : scopeFloor);
      out(`#### N = ${fmt.int(n)} (${DIMS}-d, ${USERS} users, ${CATEGORIES.length} categories)`);
      out();
      out(`Floors: one user's vectors ${fmt.ms(scopeFloor)} ms; the whole table ${fmt.ms(tableFloor)} ms.`);
      out();
      out(
        `| side | insert/s | scoped p50 / p95 ms (× floor) | + {category, priority ≥ 7} p50 / p95 ms (× floor) | unscoped {category} p50 / p95 ms (× table floor) | same top-10 as exact (scoped, filtered, unscoped) | peak RSS MiB |`,
      );
      out(`|---|---:|---:|---:|---:|---|---:|`);
      for (const r of results) {
        const cell = (kind: Kind) => {
          const t = r.timings[kind];
          return t
            ? `${fmt.ms(t.p50)} / ${fmt.ms(t.p95)} (${(t.p50 / floorOf(kind)).toFixed(1)}× / ${(t.p95 / floorOf(kind)).toFixed(1)}×)`
            : "–";
        };
        const agree = KINDS.map((k) => agreement(r.answers[k], exact[k])).join(", ");
        out(
          `| ${LABEL[r.side]} | ${fmt.int(r.insertPerSec)} | ${cell("scoped")} | ${cell("filtered")} | ${cell("unscoped")} | ${agree} | ${fmt.int(r.peakRssMiB)} |`,
        );
      }
      out();
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "bench-peers.json"), `${JSON.stringify(all, null, 1)}\n`);
    drawCharts(all, sides, outDir);
    writeFileSync(join(outDir, "bench-peers.md"), `${lines.join("\n")}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
