/**
 * mem0-qdrant-migrate: copies the embedded store's memories and history into Qdrant; with
 * --upgrade, rewrites a collection an earlier mem0-ts wrote (text under `memory`) in Mem0's shape.
 *
 *   npx mem0-qdrant-migrate --from ~/.mem0/mem0.db --url http://localhost:6333
 *   npx mem0-qdrant-migrate --from ./mem0.db --collection mem0 --to-collection mem0 \
 *       --url https://xyz.cloud.qdrant.io:6333 --api-key "$QDRANT_API_KEY" --replication-factor 2
 */
import { parseArgs } from "node:util";
import { parseConfig } from "@mem0/core";
import { createQdrantStore } from "./index.js";
import { qdrantConfigSchema } from "./config.js";
import { migrate, sqliteSource } from "./migrate.js";

const USAGE = `usage: mem0-qdrant-migrate --from <sqlite file> [--collection <name>] [--history-db <file>]
                           (--url <qdrant url> | --host <host> [--port <port>]) [--api-key <key>]
                           [--to-collection <name>] [--shard-number <n>] [--replication-factor <n>]
                           [--batch-size <n>]
       mem0-qdrant-migrate --upgrade (--url <qdrant url> | --host <host> [--port <port>]) [--api-key <key>]
                           [--to-collection <name>]`;

/** The command, without process exits: returns the exit code; output goes to `out` / `err`. */
export async function main(
  argv: string[],
  io: { out(line: string): void; err(text: string): void } = {
    out: (l) => console.log(l),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      collection: { type: "string" },
      "history-db": { type: "string" },
      url: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "api-key": { type: "string" },
      "to-collection": { type: "string" },
      "shard-number": { type: "string" },
      "replication-factor": { type: "string" },
      "batch-size": { type: "string" },
      upgrade: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help || (!values.from && !values.upgrade)) {
    io.err(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const config = parseConfig(
    qdrantConfigSchema,
    {
      url: values.url,
      host: values.host,
      port: int(values.port),
      api_key: values["api-key"],
      collection_name: values["to-collection"] ?? values.collection ?? "mem0",
      shard_number: int(values["shard-number"]),
      replication_factor: int(values["replication-factor"]),
    },
    "qdrant",
  );
  if (values.upgrade) {
    const target = createQdrantStore(config, { path: "qdrant" });
    const upgraded = await target.upgradeLegacyPayloads((n) => io.err(`\r${n} points rewritten in Mem0's shape`));
    io.err("\n");
    io.out(JSON.stringify({ upgraded, collection: target.collectionName }));
    return 0;
  }
  const source = await sqliteSource({
    path: values.from!,
    collection_name: values.collection,
    history_db_path: values["history-db"],
  });
  try {
    const target = createQdrantStore(config, { embeddingDims: source.dims, path: "qdrant" });
    const report = await migrate({
      source,
      target,
      batchSize: int(values["batch-size"]),
      onProgress: (progress) =>
        io.err(
          `\r${progress.memories} memories, ${progress.deleted} deleted, ${progress.events} history events, ` +
            `${progress.skipped.length} already there`,
        ),
    });
    io.err("\n");
    const count = await target.count();
    io.out(
      JSON.stringify({
        ...report,
        skipped: report.skipped.length,
        target_live_memories: count,
        collection: target.collectionName,
      }),
    );
    return 0;
  } finally {
    await source.close?.();
  }
}
