/**
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input. Every error a user can fix by
 * changing the command line or an input file is a CliError with exit code 2 whose message names
 * the file, the line and the field.
 */
import { ConfigError, FilterError, ValidationError } from "@mem0/core";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A problem in an input file: `file:line: field: message` (line and field when known). */
export class InputError extends CliError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${field ? `${field}: ` : ""}${detail}`, 2);
  }
}

/** Several InputErrors reported at once (a config file with three bad keys shows all three). */
export class InputErrors extends CliError {
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.message).join("\n"), 2);
  }
}

export function exitCodeFor(err: unknown): 1 | 2 {
  if (err instanceof CliError) return err.exitCode;
  // Bad arguments reach core as these: the user can fix them by changing the command.
  if (err instanceof ValidationError || err instanceof FilterError || err instanceof ConfigError) return 2;
  return 1;
}
