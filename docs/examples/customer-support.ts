/**
 * Mem0's "Customer support" playbook: a support bot's memory of past tickets, searched for the
 * tickets that match a new customer's problem. The `category` filter keeps billing tickets out even
 * when they mention the same words; the reranker puts the closest tickets first.
 */
import { Memory, type MemoryConfigInput, type SearchResponse } from "@mem0/core";
import { printResults, withDemoMemories, type DemoMemory, type RunOptions } from "./shared.js";

export const AGENT_ID = "support_bot";
export const QUERY = "customer having login issues with mobile app";

export const TICKETS: readonly DemoMemory[] = [
  {
    text: "Customer could not log in to the mobile app after the iOS update; reinstalling the app fixed the login",
    metadata: { category: "technical_support", product: "ios" },
  },
  {
    text:
      "Login fails on the Android mobile app with an invalid token error after a password reset; " +
      "clearing the app cache fixed it",
    metadata: { category: "technical_support", product: "android" },
  },
  {
    text: "Two-factor codes arrive late, so customers are locked out of the web dashboard",
    metadata: { category: "technical_support", product: "web" },
  },
  {
    text: "The mobile app crashes when a customer uploads a profile photo",
    metadata: { category: "technical_support", product: "ios" },
  },
  {
    text: "Calendar does not sync between the desktop client and the phone",
    metadata: { category: "technical_support", product: "desktop" },
  },
  {
    text: "Customer with login issues on the mobile app was charged twice for the subscription and wants a refund",
    metadata: { category: "billing" },
  },
  { text: "Customer asked to change the email address printed on invoices", metadata: { category: "billing" } },
];

export async function run(config: MemoryConfigInput, options: RunOptions = {}): Promise<SearchResponse> {
  const log = options.log ?? console.log;
  const m = await Memory.fromConfig(config);
  try {
    return await withDemoMemories(m, { agent_id: AGENT_ID }, TICKETS, options, async () => {
      const results = await m.search(QUERY, {
        agent_id: AGENT_ID,
        filters: { category: "technical_support" },
        rerank: true,
      });
      printResults(results, log, "Ticket");
      return results;
    });
  } finally {
    await m.close();
  }
}
