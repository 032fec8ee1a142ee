/**
 * Call options of `Memory`'s methods and of search, parsed one way: snake_case or camelCase keys,
 * errors naming the option (`search.options.limit`). The scope ids' schema and the message for a
 * missing scope are written here once for every method.
 */
import { z } from "zod";
import { conflictMessage, snakeCaseKeys, spellingConflicts } from "./config.js";
import { ValidationError } from "./errors.js";
import { andFilters, parseFilters, type FilterNode } from "./filters.js";
import { SCOPE_KEYS, type Scope } from "./types.js";

const scopeId = z.string().min(1, "expected a non-empty string");
/** The scope ids every method accepts, each optional: spread into a method's options schema. */
export const scopeShape = { user_id: scopeId.optional(), agent_id: scopeId.optional(), run_id: scopeId.optional() };

const SCOPE_REQUIRED = "give at least one of user_id, agent_id, run_id";

/** Validates method options (snake_case or camelCase keys) into a ValidationError naming the option. */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, method: string): z.output<S> {
  const [conflict] = spellingConflicts(options);
  if (conflict) throw new ValidationError(`${method}.options.${conflict.key}`, conflictMessage(conflict.spellings));
  const parsed = schema.safeParse(snakeCaseKeys(options ?? {}));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === "unrecognized_keys")
    throw new ValidationError(`${method}.options.${issue.keys[0]}`, "unknown option");
  throw new ValidationError(`${method}.options${issue.path.length ? `.${issue.path.join(".")}` : ""}`, issue.message);
}

/** The result count from `limit` or mem0ai's `top_k` / `topK`; both given must agree. */
export function resultCount(options: { limit?: number; top_k?: number }, method: string): number | undefined {
  if (options.limit !== undefined && options.top_k !== undefined && options.limit !== options.top_k) {
    throw new ValidationError(
      `${method}.options.top_k`,
      `top_k (${options.top_k}) and limit (${options.limit}) disagree; give one of them`,
    );
  }
  return options.limit ?? options.top_k;
}

/** The scope as a filter; always ANDed outside the user's filter so no OR/NOT can widen it. */
export function scopeFilter(scope: Scope): FilterNode | null {
  return andFilters(
    ...SCOPE_KEYS.filter((key) => scope[key] !== undefined).map(
      (key): FilterNode => ({ kind: "compare", field: key, op: "eq", value: scope[key]! }),
    ),
  );
}

/** Writes (add, deleteAll, by-id scopes) need at least one scope id. */
export function requireScope(scope: Scope, method: string): void {
  if (!SCOPE_KEYS.some((key) => scope[key] !== undefined)) {
    throw new ValidationError(`${method}.options`, SCOPE_REQUIRED);
  }
}

/**
 * The filter of a scoped read (search, getAll): the scope ANDed with the caller's `filters`, at
 * least one of which must be given.
 */
export function scopedReadFilter(options: Scope & { filters?: unknown }, method: string): FilterNode {
  const userFilter = parseFilters(options.filters);
  const scope = scopeFilter(options);
  if (!scope && !userFilter) throw new ValidationError(`${method}.options`, `${SCOPE_REQUIRED}, or filters`);
  return andFilters(scope, userFilter)!;
}
