#!/usr/bin/env node
// Empties the package's dist/ before tsc writes it. tsc never deletes the output of a source file
// that was moved or removed, and Nx caches dist/ whole, so a stale file would be restored into
// clean checkouts and published (it happened: hf-runtime shipped tei.js after tei.ts had moved).
import { rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
