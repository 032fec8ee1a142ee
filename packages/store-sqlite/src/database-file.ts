/**
 * What happens on disk before SQLite opens a path. SQLite would happily write its header over any
 * file it is pointed at, and creates files with the umask's modes; the store must leave a foreign
 * file untouched and keep its default location private to the user.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteStoreError } from "./errors.js";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Creates `dir` if missing; `mode` applies only to directories created here. A failure (no
 * permission on the parent, a file in the way) is a typed STORE_IO error naming the directory.
 */
export function makeDirectory(dir: string, file: string, mode?: number): void {
  try {
    mkdirSync(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "error";
    const detail =
      `cannot create the directory ${dir} (${code}); ` +
      "point MEM0_DIR or vector_store.config.path at a writable place";
    throw new SqliteStoreError("STORE_IO", file, detail, { cause: err });
  }
}

/**
 * Creates the directory (0700) and an empty database file (0600) when missing: SQLite gives the
 * -wal and -shm files the database file's mode, so all three stay private to the user, whatever
 * the umask. Existing paths keep their modes.
 */
export function createPrivately(file: string): void {
  makeDirectory(dirname(file), file, 0o700);
  if (existsSync(file)) return;
  try {
    closeSync(openSync(file, "a", 0o600));
  } catch (err) {
    const code = (err as { code?: string }).code ?? "error";
    throw new SqliteStoreError("STORE_IO", file, `cannot create the database file (${code})`, { cause: err });
  }
}

/** Refuses, without opening it through SQLite, a file that exists, is not empty and is not SQLite. */
export function checkHeader(file: string): void {
  if (file === ":memory:" || !existsSync(file)) return;
  const stats = statSync(file);
  if (!stats.isFile()) throw new SqliteStoreError("STORE_NOT_A_DATABASE", file, "is not a regular file");
  if (stats.size === 0) return; // SQLite treats an empty file as an empty database
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const descriptor = openSync(file, "r");
  try {
    readSync(descriptor, head, 0, head.length, 0);
  } finally {
    closeSync(descriptor);
  }
  if (!head.equals(SQLITE_HEADER)) {
    throw new SqliteStoreError(
      "STORE_NOT_A_DATABASE",
      file,
      "exists but is not a SQLite database; it was not modified. " +
        "Point `path` at another file or move this one away",
    );
  }
}
