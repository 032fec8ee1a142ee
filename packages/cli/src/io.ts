/**
 * Where a command writes. Results go to stdout; notes, warnings and progress bars go to stderr, so
 * `--json` output can be piped straight into another program.
 */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Where progress bars draw; absent when they must stay quiet (not a TTY, --quiet, --json). */
  progressStream?: NodeJS.WritableStream;
  /** Terminal width for tables; undefined when not a terminal. */
  columns?: number;
}

export function processIo(options: { quiet?: boolean; json?: boolean } = {}): Io {
  const tty = process.stdout.isTTY === true;
  return {
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    ...(tty && !options.quiet && !options.json ? { progressStream: process.stderr } : {}),
    ...(tty ? { columns: process.stdout.columns } : {}),
  };
}

/** Collects output in memory: for tests and for callers that embed the commands. */
export function bufferIo(options: { progressStream?: NodeJS.WritableStream; columns?: number } = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), ...options };
}
