import { Mem0Error } from "@mem0/core";

/**
 * A problem with the SQLite file itself: not a database, damaged, written by a newer version,
 * locked for longer than the busy timeout. `file` is the path, so the message says which file.
 */
export class SqliteStoreError extends Mem0Error {
  readonly file: string;
  constructor(code: string, file: string, message: string, options?: { cause?: unknown }) {
    super(code, `sqlite store ${file}: ${message}`, options);
    this.file = file;
  }
}

/** How to get a damaged file back into use; part of every STORE_CORRUPT message. */
export const REPAIR_HINT =
  "To repair: close every process using it, keep a copy, then restore a backup or recover what is readable " +
  "(`sqlite3 damaged.db .recover | sqlite3 repaired.db`) and open the repaired file; " +
  "this store refuses writes until then";

interface SqliteErrorLike {
  code?: unknown;
  message?: unknown;
}

/** Turns better-sqlite3's errors into typed ones; anything already a Mem0Error passes through. */
export function translateError(err: unknown, file: string): unknown {
  if (err instanceof Mem0Error) return err;
  const code = typeof (err as SqliteErrorLike)?.code === "string" ? ((err as SqliteErrorLike).code as string) : "";
  const message = err instanceof Error ? err.message : String(err);
  if (!code.startsWith("SQLITE_")) return err;
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    const detail = `the file is damaged or not a SQLite database (${message}); it was not modified. ${REPAIR_HINT}`;
    return new SqliteStoreError("STORE_CORRUPT", file, detail, { cause: err });
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new SqliteStoreError(
      "STORE_BUSY",
      file,
      `another connection held the database for longer than busy_timeout_ms (${message})`,
      { cause: err },
    );
  }
  if (
    code.startsWith("SQLITE_READONLY") ||
    code.startsWith("SQLITE_CANTOPEN") ||
    code.startsWith("SQLITE_PERM") ||
    code.startsWith("SQLITE_IOERR")
  ) {
    return new SqliteStoreError("STORE_IO", file, message, { cause: err });
  }
  if (code.startsWith("SQLITE_FULL")) return new SqliteStoreError("STORE_FULL", file, message, { cause: err });
  return new SqliteStoreError("STORE_ERROR", file, `${code}: ${message}`, { cause: err });
}
