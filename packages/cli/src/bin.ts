#!/usr/bin/env node
import { Command } from "commander";
import { runDemo } from "./demo.js";

const program = new Command("mem0").description("mem0-ts: memory for AI agents with reranker-enhanced search");

program
  .command("demo")
  .description("load the seed's playbook memories and compare vector-only and reranked search side by side")
  .action(async () => {
    await runDemo();
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
