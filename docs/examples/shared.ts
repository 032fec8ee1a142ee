/**
 * What the three playbooks share: writing their demo memories and removing exactly those again,
 * so running an example against a real deployment leaves it as it was.
 */
import type { Memory, Scope, SearchResponse } from "@mem0/core";

export interface DemoMemory {
  text: string;
  metadata: Record<string, unknown>;
}

export interface RunOptions {
  /** Where the example prints (default: console.log). */
  log?: (line: string) => void;
  /** Keep the demo memories instead of deleting them at the end. */
  keep?: boolean;
}

/**
 * Adds `items` in `scope` as given (`infer: false`: they are records with metadata, not a
 * conversation to extract facts from), runs `body`, then deletes what was added unless `keep`.
 */
export async function withDemoMemories<T>(
  m: Memory,
  scope: Scope,
  items: readonly DemoMemory[],
  options: RunOptions,
  body: () => Promise<T>,
): Promise<T> {
  const ids: string[] = [];
  try {
    for (const item of items) {
      const { results } = await m.add(item.text, { ...scope, metadata: item.metadata, infer: false });
      ids.push(...results.map((r) => r.id));
    }
    return await body();
  } finally {
    if (!options.keep) for (const id of ids) await m.delete(id);
  }
}

/** Prints results the way Mem0's playbooks do. */
export function printResults(response: SearchResponse, log: (line: string) => void, label = "Memory"): void {
  const failure = response.rerank?.error ? ` (reranker failed: ${response.rerank.error})` : "";
  const order = response.reranked ? `reranked by ${response.rerank?.provider}` : `vector order${failure}`;
  log(`${response.results.length} results, ${order}`);
  for (const result of response.results) {
    const reranker = result.rerank_score !== undefined ? `, reranker ${result.rerank_score.toFixed(3)}` : "";
    log(`${label}: ${result.memory}`);
    log(`Relevance: ${result.score.toFixed(3)} (vector ${result.vector_score.toFixed(3)}${reranker})`);
  }
}
