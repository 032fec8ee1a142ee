/**
 * Runs the playbooks against real services:
 *
 *   node packages/e2e/dist/examples/main.js [customer-support|content-recommendation|personal-assistant|all]
 *
 * with OPENAI_API_KEY, COHERE_API_KEY and a Qdrant at QDRANT_HOST:QDRANT_PORT (see README.md).
 */
import { fullStackConfig, type Env } from "./config.js";
import * as contentRecommendation from "./content-recommendation.js";
import * as customerSupport from "./customer-support.js";
import * as personalAssistant from "./personal-assistant.js";
import type { RunOptions } from "./shared.js";

export const PLAYBOOKS = {
  "customer-support": customerSupport.run,
  "content-recommendation": contentRecommendation.run,
  "personal-assistant": personalAssistant.run,
} as const;

/** Returns the process exit code. */
export async function main(args: readonly string[], env: Env, options: RunOptions = {}): Promise<number> {
  const log = options.log ?? console.log;
  const which = args[0] ?? "all";
  const names = which === "all" ? (Object.keys(PLAYBOOKS) as (keyof typeof PLAYBOOKS)[]) : [which];
  const unknown = names.filter((n) => !(n in PLAYBOOKS));
  if (unknown.length) {
    log(`unknown playbook ${unknown.join(", ")}; choose one of: ${Object.keys(PLAYBOOKS).join(", ")}, all`);
    return 2;
  }
  for (const [i, name] of names.entries()) {
    if (i > 0) log("");
    log(`== ${name}`);
    await PLAYBOOKS[name as keyof typeof PLAYBOOKS](fullStackConfig(env), options);
  }
  return 0;
}

// Run only as a script: the test suite imports `main` without starting it.
if (process.argv[1] && /[\\/]main\.[cm]?[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2), process.env).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
      process.exitCode = 1;
    },
  );
}
