#!/usr/bin/env node
import { createRequire } from "node:module";
import { run } from "./program.js";

// `mem0-ts demo | head -1`: the reader is gone, so there is nothing left to say; end quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };
run(process.argv.slice(2), { version }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
