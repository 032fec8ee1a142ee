/** `mem0-ts add | search | list | get | update | delete | history`: Memory's API on the command line. */
import type { HistoryEvent, Memory, MemoryItem, SearchResponse } from "@mem0/core";
import { CliError, UsageError } from "../errors.js";
import { readMemories } from "../inputs.js";
import { ingest } from "../ingest.js";
import type { Io } from "../io.js";
import { num, table, timingLine } from "../format.js";

export interface ScopeFlags {
  userId?: string;
  agentId?: string;
  runId?: string;
}

function scopeOf(flags: ScopeFlags) {
  return {
    ...(flags.userId ? { user_id: flags.userId } : {}),
    ...(flags.agentId ? { agent_id: flags.agentId } : {}),
    ...(flags.runId ? { run_id: flags.runId } : {}),
  };
}

function parseJsonFlag(flag: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag}: invalid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UsageError(`${flag}: expected a JSON object`);
  return value as Record<string, unknown>;
}

export function parsePositiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parseNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = Number(text);
  if (text.trim() === "" || !Number.isFinite(parsed))
    throw new UsageError(`${flag}: expected a number, got ${JSON.stringify(text)}`);
  return parsed;
}

const scopeText = (scope: { user_id?: string; agent_id?: string; run_id?: string }) =>
  [
    scope.user_id && `user_id=${scope.user_id}`,
    scope.agent_id && `agent_id=${scope.agent_id}`,
    scope.run_id && `run_id=${scope.run_id}`,
  ]
    .filter(Boolean)
    .join(" ");

export interface CrudContext {
  memory: Memory;
  io: Io;
  json: boolean;
}

function warnIfEphemeral({ memory, io }: CrudContext) {
  if (memory.vectorStore.provider === "memory") {
    io.err(
      'note: vector_store "memory" keeps nothing after this command exits; ' +
        'configure a persistent store (e.g. "sqlite") in mem0.config.json',
    );
  }
}

const print = (ctx: CrudContext, value: unknown, text: () => string[]) => {
  if (ctx.json) ctx.io.out(JSON.stringify(value, null, 2));
  else for (const l of text()) ctx.io.out(l);
};

export async function addCommand(
  ctx: CrudContext,
  texts: string[],
  flags: ScopeFlags & { metadata?: string; infer?: boolean; file?: string },
) {
  if (flags.file) {
    if (texts.length > 0) throw new UsageError("add: give texts or --file, not both");
    const items = readMemories(flags.file);
    const { count, ms } = await ingest(ctx.memory, items, ctx.io, { file: flags.file });
    print(ctx, { added: count }, () => [`added ${count} memories from ${flags.file} in ${ms.toFixed(0)} ms`]);
  } else {
    if (texts.length === 0) throw new UsageError("add: give the memory text (or --file memories.jsonl)");
    const metadata = parseJsonFlag("--metadata", flags.metadata);
    const messages = texts.map((content) => ({ role: "user" as const, content }));
    const result = await ctx.memory.add(messages, {
      ...scopeOf(flags),
      ...(metadata ? { metadata } : {}),
      ...(flags.infer !== undefined ? { infer: flags.infer } : {}),
    });
    print(ctx, result, () =>
      table(
        ["id", "event", "memory"],
        result.results.map((r) => [r.id, r.event, r.memory]),
        ctx.io.columns,
      ),
    );
  }
  warnIfEphemeral(ctx);
}

function searchTable(searchResponse: SearchResponse, columns?: number): string[] {
  const rows = searchResponse.results.map((x, i) => [
    String(i + 1),
    num(x.score),
    num(x.vector_score),
    num(x.rerank_score),
    x.memory,
    x.id,
  ]);
  const { reranked, rerank } = searchResponse;
  const status = reranked
    ? `reranked by ${rerank?.provider}${rerank?.model ? ` (${rerank.model})` : ""} ` +
      `over ${rerank?.candidates} candidates`
    : rerank?.error
      ? `reranker failed (${rerank.error}); vector order returned`
      : "vector order (no reranking)";
  return [
    ...table(["#", "score", "vector", "rerank", "memory", "id"], rows, columns),
    ...(rows.length === 0 ? ["(no memories match)"] : []),
    status,
    timingLine(searchResponse),
  ];
}

export async function searchCommand(
  ctx: CrudContext,
  query: string,
  flags: ScopeFlags & { filters?: string; limit?: string; threshold?: string; rerank?: boolean; timeoutMs?: string },
) {
  const filters = parseJsonFlag("--filters", flags.filters);
  const limit = parsePositiveInt("--limit", flags.limit);
  const threshold = parseNumber("--threshold", flags.threshold);
  const timeout = parseNumber("--timeout-ms", flags.timeoutMs);
  const response = await ctx.memory.search(query, {
    ...scopeOf(flags),
    ...(filters ? { filters } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(flags.rerank !== undefined ? { rerank: flags.rerank } : {}),
    ...(timeout !== undefined ? { timeout_ms: timeout } : {}),
  });
  print(ctx, response, () => searchTable(response, ctx.io.columns));
}

const itemRows = (items: MemoryItem[]) =>
  items.map((m, i) => [String(i + 1), m.id, m.memory, scopeText(m), JSON.stringify(m.metadata), m.created_at]);

export async function listCommand(ctx: CrudContext, flags: ScopeFlags & { filters?: string; limit?: string }) {
  const filters = parseJsonFlag("--filters", flags.filters);
  const limit = parsePositiveInt("--limit", flags.limit);
  const result = await ctx.memory.getAll({
    ...scopeOf(flags),
    ...(filters ? { filters } : {}),
    ...(limit ? { limit } : {}),
  });
  print(ctx, result, () => [
    ...table(["#", "id", "memory", "scope", "metadata", "created_at"], itemRows(result.results), ctx.io.columns),
    `${result.results.length} memories`,
  ]);
}

function notFound(id: string): never {
  throw new CliError(`no memory with id ${JSON.stringify(id)}`, 1);
}

export async function getCommand(ctx: CrudContext, id: string) {
  const item = await ctx.memory.get(id);
  if (!item) notFound(id);
  print(ctx, item, () => [
    `id:         ${item.id}`,
    `memory:     ${item.memory}`,
    `scope:      ${scopeText(item)}`,
    `metadata:   ${JSON.stringify(item.metadata)}`,
    `created_at: ${item.created_at}`,
    `updated_at: ${item.updated_at}`,
    `hash:       ${item.hash}`,
  ]);
}

export async function updateCommand(
  ctx: CrudContext,
  id: string,
  text: string | undefined,
  flags: { metadata?: string },
) {
  const metadata = parseJsonFlag("--metadata", flags.metadata);
  if (text === undefined && !metadata) throw new UsageError("update: give the new text, --metadata, or both");
  if (!(await ctx.memory.get(id))) notFound(id);
  const result = await ctx.memory.update(id, {
    ...(text !== undefined ? { text } : {}),
    ...(metadata ? { metadata } : {}),
  });
  print(ctx, result, () => [
    `updated ${id}: ${JSON.stringify(result.previous_memory)} → ${JSON.stringify(result.memory)}`,
  ]);
  warnIfEphemeral(ctx);
}

export async function deleteCommand(ctx: CrudContext, id: string | undefined, flags: ScopeFlags & { all?: boolean }) {
  if (flags.all) {
    if (id) throw new UsageError("delete: give an id or --all with a scope, not both");
    const scope = scopeOf(flags);
    if (Object.keys(scope).length === 0)
      throw new UsageError(
        "delete --all: give --user-id, --agent-id or --run-id (deleting every memory of every scope is refused)",
      );
    const result = await ctx.memory.deleteAll(scope);
    print(ctx, result, () => [`deleted ${result.deleted} memories of ${scopeText(scope)}`]);
  } else {
    if (!id) throw new UsageError("delete: give a memory id (or --all with a scope)");
    if (!(await ctx.memory.get(id))) notFound(id);
    const result = await ctx.memory.delete(id);
    print(ctx, result, () => [`deleted ${id}`]);
  }
  warnIfEphemeral(ctx);
}

export async function historyCommand(ctx: CrudContext, id: string) {
  const events: HistoryEvent[] = await ctx.memory.history(id);
  print(ctx, events, () =>
    events.length === 0
      ? [`no history for ${id}`]
      : table(
          ["event", "at", "old_memory", "new_memory"],
          events.map((e) => [e.event, e.updated_at ?? e.created_at, e.old_memory ?? "", e.new_memory ?? ""]),
          ctx.io.columns,
        ),
  );
}
