// Every test file gets a fresh $MEM0_DIR, so a Memory created without a vector_store (the
// embedded SQLite default) never touches ~/.mem0 or another test's file.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

process.env.MEM0_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "mem0-test-"));
