/**
 * Checks on what callers hand the store, run before anything is written: a batch with one bad
 * record must change nothing, and the file must hold exactly what `get` will return, so values
 * JSON would alter or drop are refused with a message naming the field instead of stored changed.
 */
import { type HistoryEvent, Mem0Error, type MemoryPayload } from "@mem0/core";

/** Checks a value is what JSON.stringify keeps as is: the file must hold exactly what `get` returns. */
function jsonProblem(value: unknown, path: string): string | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot hold`;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (value[index] === undefined) return `${path}[${index}] is undefined, which JSON cannot hold`;
      const problem = jsonProblem(value[index], `${path}[${index}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === "object") {
    // A plain object's prototype is some realm's Object.prototype (whose own prototype is null).
    const proto = Object.getPrototypeOf(value);
    if (proto !== null && Object.getPrototypeOf(proto) !== null)
      return `${path} is a ${proto?.constructor?.name ?? "non-plain object"}, not a plain object`;
    for (const key in value) {
      // for…in without the entries arrays Object.entries builds (a plain object inherits no enumerable keys)
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined) continue; // dropped, as a missing field reads the same
      const problem = jsonProblem(field, `${path}.${key}`);
      if (problem) return problem;
    }
    return null;
  }
  return `${path} is a ${typeof value}, which JSON cannot hold`;
}

function payloadProblem(payload: MemoryPayload): string | null {
  if (typeof payload !== "object" || payload === null) return "payload must be an object";
  for (const key of ["memory", "hash", "created_at", "updated_at"] as const) {
    if (typeof payload[key] !== "string") return `payload.${key} must be a string`;
  }
  for (const key of ["user_id", "agent_id", "run_id"] as const) {
    if (payload[key] !== undefined && typeof payload[key] !== "string")
      return `payload.${key} must be a string or absent`;
  }
  if (typeof payload.metadata !== "object" || payload.metadata === null || Array.isArray(payload.metadata))
    return "payload.metadata must be a plain object";
  return jsonProblem(payload.metadata, "payload.metadata");
}

const EVENTS = new Set(["ADD", "UPDATE", "DELETE"]);

function historyProblem(event: HistoryEvent, index: number): string | null {
  if (typeof event?.id !== "string" || typeof event.memory_id !== "string")
    return `history[${index}]: id and memory_id must be strings`;
  if (!EVENTS.has(event.event)) return `history[${index}].event must be ADD, UPDATE or DELETE`;
  if (typeof event.created_at !== "string") return `history[${index}].created_at must be a string`;
  return null;
}

/** Throws INVALID_HISTORY for the first malformed event. */
export function checkHistory(events: readonly HistoryEvent[]): void {
  events.forEach((event, index) => {
    const problem = historyProblem(event, index);
    if (problem) throw new Mem0Error("INVALID_HISTORY", `sqlite store: ${problem}`);
  });
}

/** The payload's metadata as the JSON text stored, or INVALID_PAYLOAD naming the record and field. */
export function checkedPayload(payload: MemoryPayload, id: string): string {
  const problem = payloadProblem(payload);
  if (problem) throw new Mem0Error("INVALID_PAYLOAD", `sqlite store: ${id}: ${problem}`);
  return JSON.stringify(payload.metadata);
}

export function checkedId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0)
    throw new Mem0Error(
      "INVALID_ID",
      `sqlite store: id must be a non-empty string, got ${JSON.stringify(id) ?? typeof id}`,
    );
  return id;
}
