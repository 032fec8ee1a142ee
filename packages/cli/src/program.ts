/**
 * The `mem0-ts` command line. `run(argv)` parses, runs one command and resolves to its exit code:
 * 0 success, 1 runtime failure, 2 bad usage or bad input (the message names file, line and field).
 */
import { writeFileSync } from "node:fs";
import { basename, relative } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { errorMessage, type ConfigWarning, type Memory } from "@mem0/core";
import {
  addCommand,
  deleteCommand,
  getCommand,
  historyCommand,
  listCommand,
  parsePositiveInt,
  searchCommand,
  updateCommand,
  type CrudContext,
} from "./commands/crud.js";
import { type CompareSide, renderComparisonText, runComparison } from "./commands/compare.js";
import { renderEvalText, runEval } from "./commands/eval.js";
import { importMem0ai } from "./commands/import-mem0ai.js";
import { runDemo } from "./demo/run.js";
import { OFFLINE_MODELS } from "./demo/models.js";
import { exitCodeFor, UsageError } from "./errors.js";
import { readBeirQueries, readCorpus, readMemories, readQrels, readQueries } from "./inputs.js";
import { ingest } from "./ingest.js";
import { colorsEnabled, PLAIN, processIo, type Io } from "./io.js";
import pc from "picocolors";
import { openMemory, readConfig, type LoadedConfig } from "./providers.js";
import { renderHtmlReport } from "./report/html.js";

export interface RunContext {
  /** Output; by default stdout/stderr with progress bars when stdout is a terminal. */
  io?: Io;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Opens the Memory for a config; embedders of the commands (and tests) may share one instance. */
  open?: (loaded: LoadedConfig) => Promise<Memory>;
  /** What --version prints (bin.ts reads it from package.json). */
  version?: string;
}

/** compare and eval with no config: everything offline, in memory, with the CLI's bm25 reranker. */
export const OFFLINE_CONFIG = {
  vector_store: { provider: "memory" },
  embedder: OFFLINE_MODELS.embedder,
  reranker: { provider: "bm25" },
};

interface GlobalFlags {
  config?: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

/** Global options a command ignores would be silently dropped: they are errors there instead. */
const UNSUPPORTED_GLOBALS: Record<string, (keyof GlobalFlags)[]> = { demo: ["config", "json"] };

/** A config file's short name for labels and chart titles: `configs/cohere.config.json` → `cohere`. */
function configLabel(file: string, other?: string, cwd = process.cwd()): string {
  const short = (configFile: string) =>
    basename(configFile)
      .replace(/\.json$/i, "")
      .replace(/\.config$/i, "");
  return other !== undefined && short(other) === short(file) ? relative(cwd, file) || file : short(file);
}

const scopeOptions = (cmd: Command) =>
  cmd
    .option("-u, --user-id <id>", "scope: user id")
    .option("--agent-id <id>", "scope: agent id")
    .option("--run-id <id>", "scope: run id");

export function buildProgram(ctx: RunContext): Command {
  const program = new Command("mem0-ts")
    .description("mem0-ts: memory for AI agents with reranker-enhanced search")
    .option("-c, --config <file>", "config file with Mem0's keys (default: ./mem0.config.json when present)")
    .option("--json", "print JSON (for scripts) instead of tables")
    .option("-q, --quiet", "no progress bars")
    .option("--no-color", "no colours (also NO_COLOR=1; never in a pipe)")
    .version(ctx.version ?? "unknown", "-V, --version", "print the version")
    .showHelpAfterError("(run mem0-ts --help for usage)")
    .exitOverride();
  program.hook("preAction", (_root, action) => {
    const given = action.optsWithGlobals() as GlobalFlags;
    const bad = (UNSUPPORTED_GLOBALS[action.name()] ?? []).filter((k) => given[k] !== undefined);
    if (bad.length) throw new UsageError(`${action.name()} does not support ${bad.map((k) => `--${k}`).join(", ")}`);
  });

  const flags = (cmd: Command) => cmd.optsWithGlobals() as GlobalFlags;
  const ioFor = (cmd: Command) =>
    ctx.io ??
    processIo({
      quiet: flags(cmd).quiet,
      json: flags(cmd).json,
      color: flags(cmd).color,
      ...(ctx.env ? { env: ctx.env } : {}),
    });
  const load = (cmd: Command, fallback?: Record<string, unknown>) => readConfig(flags(cmd).config, fallback, ctx.cwd);
  // Each kind of warning is printed once per run, however many Memory instances raise it.
  const warned = new Set<string>();
  const open = async (loaded: LoadedConfig, io: Io) => {
    // A Memory shared through ctx.open belongs to the caller, who listens to it.
    if (ctx.open) return ctx.open(loaded);
    const memory = await openMemory(loaded, ctx.env);
    const print = (warning: ConfigWarning) => {
      const kind = `${warning.code}:${warning.key ?? ""}`;
      if (warned.has(kind)) return;
      warned.add(kind);
      io.err(`${(io.colors ?? PLAIN).yellow("warning:")} ${warning.message}`);
    };
    // Read from memory.warnings, not the `warning` event (the same list, emitted on a later tick,
    // after a quick command such as a list of an empty store has already returned its exit code).
    memory.warnings.forEach(print);
    return memory;
  };
  const closeUnlessShared = async (memory: Memory) => {
    if (!ctx.open) await memory.close();
  };
  const crud =
    (fn: (c: CrudContext, cmd: Command) => Promise<void>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const io = ioFor(cmd);
      const memory = await open(load(cmd), io);
      try {
        await fn({ memory, io, json: flags(cmd).json === true }, cmd);
      } finally {
        await closeUnlessShared(memory);
      }
    };

  program
    .command("demo")
    .description("load a few hundred playbook memories; show vector-only and reranked search side by side")
    .option("--offline", "do not check the network for models; use local model files or the offline ones")
    .option("--store-path <file>", "sqlite file for the demo's memories (when @mem0/store-sqlite is installed)")
    .action(async (opts: { offline?: boolean; storePath?: string }, cmd: Command) => {
      await runDemo({
        io: ioFor(cmd),
        ...(ctx.env ? { env: ctx.env } : {}),
        ...(opts.offline ? { offline: true } : {}),
        ...(opts.storePath ? { storePath: opts.storePath } : {}),
      });
    });

  scopeOptions(
    program.command("add").argument("[texts...]", "memory texts, one memory each").description("store memories"),
  )
    .option("--metadata <json>", 'metadata object, e.g. \'{"category":"food"}\'')
    .option("--file <memories.jsonl>", "load memories from a JSONL file ({memory, user_id, metadata} per line)")
    .addOption(new Option("--infer", "extract facts with the configured LLM"))
    .addOption(new Option("--no-infer", "store the texts as given"))
    .action(crud((c, cmd) => addCommand(c, cmd.args, cmd.opts())));

  scopeOptions(
    program
      .command("search")
      .argument("<query>")
      .description("search memories (reranked when a reranker is configured)"),
  )
    .option("--filters <json>", 'filter, e.g. \'{"AND":[{"category":"work"},{"priority":{"gte":7}}]}\'')
    .option("-l, --limit <n>", "results to return (default 10)")
    .option("--threshold <x>", "drop results whose vector similarity is below this")
    .option("--rerank", "force reranking on")
    .option("--no-rerank", "force reranking off")
    .option("--timeout-ms <ms>", "reranking budget; past it the vector order is returned")
    .action(crud((c, cmd) => searchCommand(c, cmd.args[0]!, cmd.opts())));

  scopeOptions(program.command("list").description("list memories of a scope, oldest first"))
    .option("--filters <json>", "filter")
    .option("-l, --limit <n>", "at most this many (default 100)")
    .action(crud((c, cmd) => listCommand(c, cmd.opts())));

  program
    .command("get")
    .argument("<id>")
    .description("show one memory")
    .action(crud((c, cmd) => getCommand(c, cmd.args[0]!)));

  program
    .command("update")
    .argument("<id>")
    .argument("[text]", "the new text")
    .option("--metadata <json>", "replace the metadata")
    .description("change a memory's text and/or metadata")
    .action(crud((c, cmd) => updateCommand(c, cmd.args[0]!, cmd.args[1], cmd.opts())));

  scopeOptions(
    program.command("delete").argument("[id]").description("delete a memory, or every memory of a scope with --all"),
  )
    .option("--all", "delete every memory of the given scope")
    .action(crud((c, cmd) => deleteCommand(c, cmd.args[0], cmd.opts())));

  program
    .command("history")
    .argument("<id>")
    .description("a memory's ADD / UPDATE / DELETE events")
    .action(crud((c, cmd) => historyCommand(c, cmd.args[0]!)));

  scopeOptions(program.command("compare").description("compare rerank off vs on (or two configs) on a set of queries"))
    .requiredOption(
      "--queries <file>",
      "queries.jsonl: {query, user_id|agent_id|run_id, filters?, limit?, id?} per line",
    )
    .option("--against <config>", "a second config file to compare with (instead of rerank off vs on)")
    .option("--memories <file>", "memories.jsonl to load into each configuration first")
    .option("--label <a,b>", "names of the two sides, comma-separated (default: the config files' base names)")
    .option("--html <file>", "write a self-contained HTML report")
    .option("-l, --limit <n>", "results per query (default 10)")
    .action(
      async (
        opts: {
          queries: string;
          against?: string;
          label?: string;
          memories?: string;
          html?: string;
          limit?: string;
          userId?: string;
          agentId?: string;
          runId?: string;
        },
        cmd: Command,
      ) => {
        const io = ioFor(cmd);
        const limit = parsePositiveInt("--limit", opts.limit);
        const queries = readQueries(opts.queries, {
          ...(opts.userId ? { user_id: opts.userId } : {}),
          ...(opts.agentId ? { agent_id: opts.agentId } : {}),
          ...(opts.runId ? { run_id: opts.runId } : {}),
        });
        const memories = opts.memories ? readMemories(opts.memories) : undefined;
        const base = load(cmd, OFFLINE_CONFIG);
        if (!base.file)
          io.err(
            "note: no config given; comparing with the offline setup (memory store, lexical embedder, bm25 reranker)",
          );
        const labels = opts.label?.split(",").map((l) => l.trim());
        if (labels && (labels.length !== 2 || labels.some((l) => !l)))
          throw new UsageError(`--label: expected two names separated by a comma, found ${JSON.stringify(opts.label)}`);
        const sideA = await open(base, io);
        const sideB = opts.against ? await open(readConfig(opts.against, {}, ctx.cwd), io) : sideA;
        try {
          if (!opts.against && !sideA.reranker)
            throw new UsageError(
              `${base.file ?? "config"}: reranker: not configured; ` +
                "compare without --against runs rerank off vs on, which needs one",
            );
          if (memories) {
            await ingest(sideA, memories, io, { file: opts.memories });
            if (sideB !== sideA) await ingest(sideB, memories, io, { file: opts.memories });
          }
          const sides: [CompareSide, CompareSide] = opts.against
            ? [
                {
                  label: labels?.[0] ?? (base.file ? configLabel(base.file, opts.against, ctx.cwd) : "offline"),
                  memory: sideA,
                },
                { label: labels?.[1] ?? configLabel(opts.against, base.file, ctx.cwd), memory: sideB },
              ]
            : [
                { label: labels?.[0] ?? "rerank off", memory: sideA, rerank: false },
                { label: labels?.[1] ?? "rerank on", memory: sideA, rerank: true },
              ];
          const [first, second] = sides;
          const comparison = await runComparison(first, second, queries, io, limit ? { limit } : {});
          if (opts.html) {
            writeFileSync(opts.html, renderHtmlReport(comparison));
            io.err(`report written to ${opts.html}`);
          }
          if (flags(cmd).json) io.out(JSON.stringify(comparison, null, 2));
          else for (const l of renderComparisonText(comparison, io.columns, io.colors)) io.out(l);
          if (
            comparison.summary.compared > 0 &&
            comparison.queries.every((q) => q.a.ok && q.a.response.results.length === 0)
          ) {
            io.err("note: no query matched any memory; load some with --memories or `mem0-ts add`");
          }
        } finally {
          await closeUnlessShared(sideA);
          if (sideB !== sideA) await closeUnlessShared(sideB);
        }
      },
    );

  program
    .command("eval")
    .description(
      "A/B evaluation of reranking on a BEIR/TREC dataset: nDCG@10, MRR@10, Recall@10/50 with a paired bootstrap CI",
    )
    .requiredOption("--corpus <file>", "corpus.jsonl: {_id, title?, text} per line")
    .requiredOption("--queries <file>", "queries.jsonl: {_id, text} per line")
    .requiredOption("--qrels <file>", "qrels: BEIR TSV (query-id corpus-id score) or TREC (qid iter docid rel)")
    .option("--samples <n>", "bootstrap resamples (default 10000)")
    .option("--seed <n>", "bootstrap seed (default 42)")
    .option("-u, --user-id <id>", "user id the corpus is stored under (default eval)")
    .action(
      async (
        opts: { corpus: string; queries: string; qrels: string; samples?: string; seed?: string; userId?: string },
        cmd: Command,
      ) => {
        const io = ioFor(cmd);
        const samples = parsePositiveInt("--samples", opts.samples);
        const seed = opts.seed === undefined ? undefined : parsePositiveInt("--seed", opts.seed);
        const input = {
          corpus: readCorpus(opts.corpus),
          queries: readBeirQueries(opts.queries),
          qrels: readQrels(opts.qrels),
          files: { corpus: opts.corpus, queries: opts.queries, qrels: opts.qrels },
        };
        const loaded = load(cmd, OFFLINE_CONFIG);
        if (!loaded.file)
          io.err("note: no config given; evaluating the offline setup (memory store, lexical embedder, bm25 reranker)");
        const memory = await open(loaded, io);
        try {
          if (!memory.reranker)
            throw new UsageError(
              `${loaded.file ?? "config"}: reranker: not configured; ` +
                "eval compares reranking off and on, which needs one",
            );
          const report = await runEval(memory, input, io, {
            ...(opts.userId ? { userId: opts.userId } : {}),
            ...(samples ? { samples } : {}),
            ...(seed ? { seed } : {}),
          });
          if (flags(cmd).json) io.out(JSON.stringify(report, null, 2));
          else for (const l of renderEvalText(report)) io.out(l);
        } finally {
          await closeUnlessShared(memory);
        }
      },
    );

  program
    .command("import-mem0ai")
    .description(
      "import mem0ai's default SQLite vector store (and its history) into the configured store; " +
        "re-runs skip what is there",
    )
    .requiredOption("--from <vector_store.db>", "mem0ai's vector store file (default location ~/.mem0/vector_store.db)")
    .option("--history <memory.db>", "mem0ai's history file (its historyDbPath)")
    .action(
      crud(async (c, cmd) => {
        const opts = cmd.opts() as { from: string; history?: string };
        const report = await importMem0ai({
          memory: c.memory,
          from: opts.from,
          ...(opts.history ? { history: opts.history } : {}),
          io: c.io,
        });
        c.io.out(
          c.json
            ? JSON.stringify(report)
            : `imported ${report.memories} memories (${report.events} history events); ${report.skipped} already there`,
        );
      }),
    );

  return program;
}

const stderrColors = (ctx: RunContext) =>
  colorsEnabled(ctx.env ?? process.env, process.stderr.isTTY === true) ? pc.createColors(true) : PLAIN;

export async function run(argv: string[], ctx: RunContext = {}): Promise<number> {
  const program = buildProgram(ctx);
  const err = (line: string) => (ctx.io ? ctx.io.err(line) : process.stderr.write(`${line}\n`));
  program.configureOutput({
    writeOut: (s) => (ctx.io ? ctx.io.out(s.replace(/\n$/, "")) : process.stdout.write(s)),
    writeErr: (s) => err(s.replace(/\n$/, "")),
  });
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander printed the message already.
      return e.exitCode === 0 ? 0 : 2;
    }
    err(`${(ctx.io ? (ctx.io.colors ?? PLAIN) : stderrColors(ctx)).red("error:")} ${errorMessage(e)}`);
    return exitCodeFor(e);
  }
}
