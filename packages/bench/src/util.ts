/**
 * Shared pieces of the benchmark scripts: a seeded generator (both sides get the same data),
 * percentiles, one child process per measured side (so peak RSS is that side's alone), and a
 * measurement of this machine's memory read bandwidth (the floor any exact scan can reach).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** `--name value` from the command line; `fallback` when the flag or its value is missing. */
export function arg(name: string): string | undefined;
export function arg(name: string, fallback: string): string;
export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** mulberry32: a tiny seeded PRNG; the same seed gives the same stream on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random direction: normally distributed components (Box–Muller), unit length. */
export function unitVector(dims: number, next: () => number): Float32Array {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const t = 2 * Math.PI * next();
    v[i] = r * Math.cos(t);
    if (i + 1 < dims) v[i + 1] = r * Math.sin(t);
  }
  for (let i = 0; i < dims; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i]! /= norm;
  return v;
}

/** Nearest-rank percentile of samples (need not be sorted). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Peak resident set size of this process so far, in MiB: VmHWM, which belongs to this process's
 * own address space. (getrusage's maxRSS survives exec on Linux, so a child spawned by a parent
 * that once held 1 GiB would report the parent's peak.)
 */
export function peakRssMiB(): number {
  try {
    const kb = /^VmHWM:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Current RSS split, in MiB: `anon` is heap and other private memory, `file` is mapped file pages
 * (memory-mapped databases, shared libraries), which the OS can drop. Linux only; zeros elsewhere.
 */
export function rssSplitMiB(): { anon: number; file: number } {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    return { anon: kb("RssAnon") / 1024, file: kb("RssFile") / 1024 };
  } catch {
    return { anon: 0, file: 0 };
  }
}

/**
 * Runs this script again as a child with `args`, and returns the JSON object it prints on its last
 * stdout line. Progress written to stderr is passed through.
 */
export function runChild<T>(script: string, args: readonly string[], nodeArgs: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`${args.join(" ")}: child exited with ${code}\n${out}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${args.join(" ")}: no JSON result on the last line:\n${out}`));
      }
    });
  });
}

/**
 * Single-thread memory read bandwidth in bytes/s: memchr (Buffer#indexOf for an absent byte) over a
 * buffer far larger than any cache, best of several passes.
 */
export function readBandwidth(bytes = 1 << 30, passes = 5): number {
  // Written, not just allocated: untouched zero pages all map to one physical page and read from cache.
  const buf = Buffer.allocUnsafe(bytes).fill(7);
  let best = Infinity;
  for (let i = 0; i < passes; i++) {
    const t = performance.now();
    if (buf.indexOf(1) !== -1) throw new Error("unreachable");
    best = Math.min(best, performance.now() - t);
  }
  return bytes / (best / 1000);
}

export const fmt = {
  ms: (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)),
  int: (x: number) => Math.round(x).toLocaleString("en-US"),
  /** ours ÷ theirs, e.g. "0.00031×" (for latency and memory lower is better, for throughput higher). */
  ratio: (ours: number, theirs: number) => `${(ours / theirs).toPrecision(2)}×`,
};

/** One row of a Markdown table: `| a | b | c |`. */
export function tableRow(...cells: readonly (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}
