/**
 * Where a command writes. Results go to stdout; notes, warnings and progress bars go to stderr, so
 * `--json` output can be piped straight into another program.
 */
import pc from "picocolors";

export type Colors = Pick<ReturnType<typeof pc.createColors>, "bold" | "dim" | "red" | "green" | "yellow" | "cyan">;
/** No escape codes: for pipes, files, NO_COLOR and --no-color. */
export const PLAIN: Colors = pc.createColors(false);

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Where progress bars draw; absent when they must stay quiet (not a TTY, --quiet, --json). */
  progressStream?: NodeJS.WritableStream;
  /** Terminal width for tables (COLUMNS, else the terminal's); undefined in a pipe without COLUMNS. */
  columns?: number;
  /** Colours for stdout: PLAIN unless it is a terminal and neither NO_COLOR nor --no-color is set. */
  colors?: Colors;
}

type Env = Readonly<Record<string, string | undefined>>;

/** NO_COLOR (any non-empty value) and --no-color win; FORCE_COLOR forces; else only on a terminal. */
export function colorsEnabled(env: Env, isTTY: boolean, flag?: boolean): boolean {
  if (flag === false || (env.NO_COLOR ?? "") !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return isTTY && env.TERM !== "dumb";
}

export function processIo(options: { quiet?: boolean; json?: boolean; color?: boolean; env?: Env } = {}): Io {
  const env = options.env ?? process.env;
  const tty = process.stdout.isTTY === true;
  const fromEnv = Number(env.COLUMNS);
  const columns = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : tty ? process.stdout.columns : undefined;
  const colored = colorsEnabled(env, tty, options.color) && !options.json;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    ...(tty && !options.quiet && !options.json ? { progressStream: process.stderr } : {}),
    ...(columns ? { columns } : {}),
    colors: colored ? pc.createColors(true) : PLAIN,
  };
}

/** Collects output in memory: for tests and for callers that embed the commands. */
export function bufferIo(
  options: { progressStream?: NodeJS.WritableStream; columns?: number; colors?: Colors } = {},
): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), ...options };
}
