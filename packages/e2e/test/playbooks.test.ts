/**
 * The seed's three "Real-world playbooks", run as the files in docs/examples/ are, against the
 * full stack on loopback fakes. Each must return reranked results that respect every filter clause.
 */
import { Memory, type SearchResponse } from "@mem0/core";
import { fullStackConfig } from "../../../docs/examples/config.js";
import * as contentRecommendation from "../../../docs/examples/content-recommendation.js";
import * as customerSupport from "../../../docs/examples/customer-support.js";
import { main } from "../../../docs/examples/main.js";
import * as personalAssistant from "../../../docs/examples/personal-assistant.js";
import { startStack, type Stack } from "./stack.js";

let stack: Stack;
let lines: string[];
const log = (line: string) => void lines.push(line);

beforeEach(async () => {
  stack = await startStack();
  lines = [];
});
afterEach(() => stack.close());

function expectReranked(res: SearchResponse) {
  expect(res.reranked).toBe(true);
  expect(res.rerank?.provider).toBe("cohere");
  for (const result of res.results) {
    expect(result.rerank_score).toBeDefined();
    expect(result.score).toBe(result.rerank_score);
  }
  const scores = res.results.map((r) => r.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
}

/** What is left in a scope after an example ran (it removes its demo memories unless `keep`). */
async function leftIn(scope: { user_id?: string; agent_id?: string }) {
  const memory = await Memory.fromConfig(stack.config, { env: {} });
  try {
    return (await memory.getAll(scope)).results;
  } finally {
    await memory.close();
  }
}

describe("customer support", () => {
  it("finds the login tickets of the support bot, technical support only", async () => {
    const res = await customerSupport.run(stack.config, { log });
    expectReranked(res);
    const technical = customerSupport.TICKETS.filter((t) => t.metadata.category === "technical_support").map(
      (t) => t.text,
    );
    expect(res.results.map((r) => r.memory).sort()).toEqual([...technical].sort());
    for (const result of res.results)
      expect(result).toMatchObject({ agent_id: "support_bot", metadata: { category: "technical_support" } });
    // "Top results should highlight tickets matching the login issue context."
    for (const result of res.results.slice(0, 2)) expect(result.memory).toMatch(/log ?in/i);
    expect(res.results.slice(0, 2).every((r) => /mobile app/.test(r.memory))).toBe(true);
    // The billing ticket that shares the query's words was never a candidate.
    const sent = stack.cohere.callsTo("/v2/rerank")[0]!.body as { documents: string[] };
    expect(sent.documents.some((d) => d.includes("charged twice"))).toBe(false);
    expect(lines.some((l) => l.startsWith("Ticket: "))).toBe(true);
    expect(await leftIn({ agent_id: "support_bot" })).toEqual([]);
  });
});

describe("content recommendation", () => {
  it("recommends space-exploration books, no films, best first", async () => {
    const res = await contentRecommendation.run(stack.config, { log });
    expectReranked(res);
    expect(res.results.length).toBeLessThanOrEqual(10);
    for (const result of res.results)
      expect(result).toMatchObject({ user_id: "reader123", metadata: { content_type: "book_recommendation" } });
    expect(res.results.some((r) => r.memory.startsWith("Interstellar"))).toBe(false);
    // "Expect high-scoring recommendations that match the requested theme."
    expect(res.results[0]!.memory).toMatch(/science fiction.*space/);
    expect(res.results[0]!.metadata.genre).toBe("science fiction");
    expect(lines.filter((l) => l.startsWith("Recommendation: "))).toHaveLength(res.results.length);
    expect(lines.filter((l) => /^Relevance: \d+\.\d{3} /.test(l))).toHaveLength(res.results.length);
  });
});

describe("personal assistant", () => {
  it("applies every clause (category, rating ≥ 4, date ≥ 2024-01-01) and reranks what is left", async () => {
    const res = await personalAssistant.run(stack.config, { log });
    expectReranked(res);
    const allowed = personalAssistant.NOTES.filter(
      (n) =>
        n.metadata.category === "dining" &&
        (n.metadata.rating as number) >= 4 &&
        (n.metadata.date as string) >= "2024-01-01",
    ).map((n) => n.text);
    expect(allowed).toHaveLength(3);
    expect(res.results.map((r) => r.memory).sort()).toEqual([...allowed].sort());
    for (const result of res.results) {
      expect(result.metadata.category).toBe("dining");
      expect(result.metadata.rating as number).toBeGreaterThanOrEqual(4);
      expect((result.metadata.date as string) >= "2024-01-01").toBe(true);
    }
    expect(res.results[0]!.memory).toMatch(/good vegetarian/);
  });

  it("keep: true leaves the demo memories in place", async () => {
    await personalAssistant.run(stack.config, { log, keep: true });
    expect((await leftIn({ user_id: "foodie_user" })).map((r) => r.memory).sort()).toEqual(
      personalAssistant.NOTES.map((n) => n.text).sort(),
    );
  });
});

describe("docs/examples/main.ts", () => {
  it("runs all three playbooks from the environment, as against real services", async () => {
    // The environment reproduces the seed's config exactly.
    expect(fullStackConfig(stack.env)).toEqual(stack.config);
    expect(await main(["all"], stack.env, { log })).toBe(0);
    expect(lines.filter((l) => l.startsWith("== "))).toEqual([
      "== customer-support",
      "== content-recommendation",
      "== personal-assistant",
    ]);
    expect(stack.cohere.callsTo("/v2/rerank")).toHaveLength(3);
  });

  it("names the playbooks when given an unknown one", async () => {
    expect(await main(["nope"], stack.env, { log })).toBe(2);
    expect(lines[0]).toContain("customer-support, content-recommendation, personal-assistant, all");
  });
});
