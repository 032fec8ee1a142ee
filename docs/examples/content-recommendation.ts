/**
 * Mem0's "Content recommendation" playbook: what a reader was recommended before, searched for
 * a new theme. The `content_type` filter keeps films out of a book search; the reranker orders the
 * books by how well they match the theme.
 */
import { Memory, type MemoryConfigInput, type SearchResponse } from "@mem0/core";
import { printResults, withDemoMemories, type DemoMemory, type RunOptions } from "./shared.js";

export const USER_ID = "reader123";
export const QUERY = "science fiction books with space exploration themes";

const book = (text: string, genre: string): DemoMemory => ({
  text,
  metadata: { content_type: "book_recommendation", genre },
});

export const RECOMMENDATIONS: readonly DemoMemory[] = [
  book(
    "Leviathan Wakes, science fiction about space exploration and politics across the solar system",
    "science fiction",
  ),
  book("Project Hail Mary, science fiction about a lone astronaut on an interstellar space mission", "science fiction"),
  book("The Martian, an astronaut stranded on Mars survives with engineering", "science fiction"),
  book("Rendezvous with Rama, explorers board a vast alien starship", "science fiction"),
  book("The Name of the Wind, a fantasy about a gifted young wizard", "fantasy"),
  book("Salt Fat Acid Heat, a cookbook about the elements of good cooking", "cooking"),
  {
    text: "Interstellar, a science fiction film about space exploration through a wormhole",
    metadata: { content_type: "movie_recommendation", genre: "science fiction" },
  },
];

export async function run(config: MemoryConfigInput, options: RunOptions = {}): Promise<SearchResponse> {
  const log = options.log ?? console.log;
  const m = await Memory.fromConfig(config);
  try {
    return await withDemoMemories(m, { user_id: USER_ID }, RECOMMENDATIONS, options, async () => {
      const results = await m.search(QUERY, {
        user_id: USER_ID,
        filters: { content_type: "book_recommendation" },
        rerank: true,
        limit: 10,
      });
      printResults(results, log, "Recommendation");
      return results;
    });
  } finally {
    await m.close();
  }
}
