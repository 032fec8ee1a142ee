/**
 * Background WAL checkpoints. In WAL mode every commit appends its pages to the log, and a
 * checkpoint later copies them into the database file; SQLite's automatic checkpoint does that
 * copy on the committing thread, inside the commit, where it weighs on every bulk insert.
 * SQLite's own advice for that case (sqlite.org/wal.html, "Automatic Checkpoint") is to checkpoint
 * from another thread: here a worker thread with its own connection runs PASSIVE checkpoints
 * (which never block the writer) shortly after commits, on the other core.
 *
 * Crash safety is SQLite's: a checkpoint interrupted at any point is redone or ignored on the next
 * open. If the worker fails, the store goes back to automatic checkpoints on its own connection.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

// Kept as source text so the worker runs the same from dist/ and under jest (which runs src/ as
// CommonJS): only dynamic import(), which both module kinds allow.
const WORKER_SOURCE = `
(async () => {
  const { workerData } = await import("node:worker_threads");
  const flags = new Int32Array(workerData.signal); // [0] commits so far, [1] 1 = stop, [2] file pages, [3] 1 = closed
  let db;
  try {
    const { default: Database } = await import(workerData.driver);
    db = new Database(workerData.file, { timeout: workerData.timeoutMs });
    db.pragma("synchronous = " + workerData.synchronous);
    if (workerData.historyPath) db.prepare("ATTACH DATABASE ? AS hist").run(workerData.historyPath);
    let seen = 0;
    for (;;) {
      Atomics.wait(flags, 0, seen);
      if (Atomics.load(flags, 1) === 1) break;
      seen = Atomics.load(flags, 0);
      db.pragma("main.wal_checkpoint(PASSIVE)"); // never waits for the writer
      if (workerData.historyPath) db.pragma("hist.wal_checkpoint(PASSIVE)");
      Atomics.store(flags, 2, db.pragma("page_count", { simple: true }));
      // At most one checkpoint per interval: several commits are copied in one pass.
      Atomics.wait(flags, 1, 0, workerData.intervalMs);
      if (Atomics.load(flags, 1) === 1) break;
    }
  } finally {
    db?.close();
    Atomics.store(flags, 3, 1);
    Atomics.notify(flags, 3);
  }
})();
`;

export interface CheckpointerOptions {
  file: string;
  historyPath?: string;
  timeoutMs: number;
  synchronous: "NORMAL" | "FULL";
  /** Called once if the worker stops by itself (an error): the store then checkpoints inline again. */
  onFailure: () => void;
}

export class Checkpointer {
  private readonly worker: Worker;
  private readonly flags = new Int32Array(new SharedArrayBuffer(16));
  private seenPages = 0;
  private stopping = false;

  constructor(options: CheckpointerOptions) {
    const driver = pathToFileURL(createRequire(import.meta.url).resolve("better-sqlite3")).href;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        file: options.file,
        historyPath: options.historyPath,
        timeoutMs: options.timeoutMs,
        synchronous: options.synchronous,
        signal: this.flags.buffer,
        intervalMs: 5,
      },
    });
    // A store left open must not keep the process alive; the thread dies with it, mid-checkpoint or not.
    this.worker.unref();
    this.worker.once("error", () => undefined); // reported through onFailure
    this.worker.once("exit", () => {
      if (!this.stopping) options.onFailure();
    });
  }

  /** After a commit: wakes the worker (costs an atomic add, no message). */
  committed(): void {
    Atomics.add(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
  }

  /**
   * True when the worker's checkpoints have grown the database file since the last call. SQLite
   * maps the file once and extends the mapping only when its own connection writes the file, so
   * the store's connection has to be told to map it again, or pages past the old end are read
   * with a system call each, which slows a scoped search over a large file.
   */
  takeFileGrowth(): boolean {
    const pages = Atomics.load(this.flags, 2);
    if (pages === this.seenPages) return false;
    this.seenPages = pages;
    return true;
  }

  /**
   * Stops the worker after its current checkpoint and waits (blocking, at most `timeoutMs`) until
   * its connection is closed, so that a close() that follows is the file's last connection.
   */
  stop(timeoutMs: number): void {
    this.stopping = true;
    Atomics.store(this.flags, 1, 1);
    Atomics.notify(this.flags, 0);
    Atomics.notify(this.flags, 1);
    Atomics.wait(this.flags, 3, 0, timeoutMs);
  }
}
