/**
 * Mem0's "Personal assistant" playbook: a user's dining notes, searched with a question and
 * three metadata clauses at once (category, rating ≥ 4, visited since 2024-01-01). Every clause
 * applies; the reranker only reorders what they let through.
 */
import { Memory, type MemoryConfigInput, type SearchResponse } from "@mem0/core";
import { printResults, withDemoMemories, type DemoMemory, type RunOptions } from "./shared.js";

export const USER_ID = "foodie_user";
export const QUERY = "What restaurants did I enjoy last month that had good vegetarian options?";
export const FILTERS = {
  AND: [{ category: "dining" }, { rating: { gte: 4 } }, { date: { gte: "2024-01-01" } }],
};

const dining = (text: string, rating: number, date: string): DemoMemory => ({
  text,
  metadata: { category: "dining", rating, date },
});

export const NOTES: readonly DemoMemory[] = [
  dining("Enjoyed Green Table restaurant, good vegetarian tasting menu and a great mushroom risotto", 5, "2024-02-10"),
  dining("Casa Verde restaurant had good vegetarian tacos and friendly staff", 4, "2024-01-20"),
  dining("Sakura Sushi restaurant, fresh fish but few vegetarian options", 4, "2024-02-03"),
  dining("Burger Barn restaurant was greasy and had no vegetarian options", 2, "2024-02-12"),
  dining("Lotus Garden restaurant, wonderful vegetarian dim sum", 5, "2023-11-05"),
  {
    text: "Cooked a good vegetarian lasagna at home and enjoyed it",
    metadata: { category: "recipes", rating: 5, date: "2024-02-01" },
  },
];

export async function run(config: MemoryConfigInput, options: RunOptions = {}): Promise<SearchResponse> {
  const log = options.log ?? console.log;
  const m = await Memory.fromConfig(config);
  try {
    return await withDemoMemories(m, { user_id: USER_ID }, NOTES, options, async () => {
      const results = await m.search(QUERY, {
        user_id: USER_ID,
        filters: FILTERS,
        rerank: true,
      });
      printResults(results, log, "Restaurant");
      return results;
    });
  } finally {
    await m.close();
  }
}
