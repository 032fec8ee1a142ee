#!/usr/bin/env node
// The `mem0-qdrant-migrate` command (see cli.ts).
import { errorMessage } from "@mem0/core";
import { main } from "./cli.js";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`mem0-qdrant-migrate: ${errorMessage(err)}`);
    process.exit(1);
  },
);
