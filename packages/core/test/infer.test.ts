import { defineLLM, LLMOutputError, providerConfigSchema, registerProvider, type ChatMessage } from "@mem0/core";
import { memoryWith } from "./helpers.js";

/** An LLM plugin whose answers the test scripts, recording every prompt it gets. */
const script: { answers: string[]; prompts: ChatMessage[][] } = { answers: [], prompts: [] };
registerProvider(
  defineLLM({
    provider: "scripted-llm",
    configSchema: providerConfigSchema({}),
    create: () => ({
      provider: "scripted-llm",
      async generate(messages: readonly ChatMessage[]) {
        script.prompts.push([...messages]);
        const next = script.answers.shift();
        if (next === undefined) throw new Error("no scripted answer left");
        return next;
      },
    }),
  }),
);

const facts = (...f: string[]) => JSON.stringify({ facts: f });
const decide = (...m: { id: string; text: string; event: string; old_memory?: string | null }[]) =>
  JSON.stringify({ memory: m });

async function setup(extra: Record<string, unknown> = {}) {
  script.answers = [];
  script.prompts = [];
  const m = await memoryWith({ llm: { provider: "scripted-llm" }, ...extra });
  return m;
}

test("ADD: facts become memories, infer defaults to true with an LLM, history records ADD", async () => {
  const m = await setup();
  script.answers = [
    facts("Is vegetarian", "Loves Dune"),
    decide({ id: "0", text: "Is vegetarian", event: "ADD" }, { id: "1", text: "Loves Dune", event: "ADD" }),
  ];
  const out = await m.add([{ role: "user", content: "I'm vegetarian and I loved Dune" }], {
    user_id: "alice",
    metadata: { source: "chat" },
  });
  expect(out.results.map((r) => [r.event, r.memory])).toEqual([
    ["ADD", "Is vegetarian"],
    ["ADD", "Loves Dune"],
  ]);
  const all = await m.getAll({ user_id: "alice" });
  expect(all.results.map((r) => r.memory)).toEqual(["Is vegetarian", "Loves Dune"]);
  expect(all.results[0]!.metadata).toEqual({ source: "chat" });
  expect((await m.history(out.results[0]!.id))[0]).toMatchObject({ event: "ADD", new_memory: "Is vegetarian" });
  expect(script.prompts[0]![1]!.content).toContain("user: I'm vegetarian and I loved Dune");
});

test("UPDATE keeps the id, DELETE removes, NONE leaves alone; ids are short integers mapped back", async () => {
  const m = await setup();
  const seeded = await m.add(
    ["Likes cats", "Lives in Paris", "Drinks coffee"].map((content) => ({ role: "user" as const, content })),
    { user_id: "alice", infer: false },
  );
  const [cats, paris, coffee] = seeded.results.map((r) => r.id);
  script.answers = [
    facts("Likes cats and dogs", "Moved to Berlin", "Drinks coffee"),
    "```json\n" +
      decide(
        { id: "0", text: "Likes cats and dogs", event: "UPDATE", old_memory: "Likes cats" },
        { id: "1", text: "Lives in Paris", event: "DELETE" },
        { id: "3", text: "Lives in Berlin", event: "ADD" },
        { id: "2", text: "Drinks coffee", event: "NONE" },
      ) +
      "\n```",
  ];
  // The lexical embedder ranks these in a fixed order; name the ids the LLM sees explicitly.
  const shown = async () =>
    JSON.parse(script.prompts[1]![1]!.content.split("\n")[1]!) as { id: string; text: string }[];
  const out = await m.add("I like dogs too, moved to Berlin, still drink coffee", { user_id: "alice" });
  const list = await shown();
  expect(list.map((x) => x.id)).toEqual(list.map((_, i) => String(i)));
  const idOf = (text: string) => seeded.results.find((r) => r.memory === text)!.id;
  // Map the scripted short ids to what the LLM was actually shown.
  expect(list.map((x) => x.text).sort()).toEqual(["Drinks coffee", "Likes cats", "Lives in Paris"]);
  const byShort = (i: string) => idOf(list[Number(i)]!.text);
  const events = Object.fromEntries(out.results.map((r) => [r.event === "ADD" ? "ADD" : r.id, r]));
  expect(events[byShort("0")]).toMatchObject({ event: "UPDATE" });
  expect(events[byShort("1")]).toMatchObject({ event: "DELETE" });
  expect(events.ADD).toMatchObject({ memory: "Lives in Berlin" });
  expect(out.results).toHaveLength(3);
  const updated = byShort("0");
  expect([cats, paris, coffee]).toContain(updated);
  expect((await m.history(updated)).map((h) => h.event)).toEqual(["ADD", "UPDATE"]);
  expect(await m.get(byShort("1"))).toBeNull();
  expect((await m.get(byShort("2")))!.memory).toBe(list[2]!.text);
});

test.each<[string, (realId: string) => string, string]>([
  [
    "a hallucinated short id",
    () => decide({ id: "0", text: "x", event: "ADD" }, { id: "9", text: "y", event: "UPDATE" }),
    'names unknown id "9"',
  ],
  [
    "a real memory id instead of a short one",
    (realId) => decide({ id: realId, text: "Likes dogs", event: "UPDATE" }),
    "names unknown id",
  ],
  ["invalid JSON", () => "{ memory: [", "not valid JSON"],
  ["a missing field", () => JSON.stringify({ memory: [{ id: "0", text: "x" }] }), "memory.0.event"],
  [
    "the same id changed twice",
    () => decide({ id: "0", text: "a", event: "UPDATE" }, { id: "0", text: "", event: "DELETE" }),
    "changed twice",
  ],
])("%s: LLMOutputError, nothing changes (not even the valid ADD)", async (_name, answer, message) => {
  const m = await setup();
  const { results } = await m.add("Likes cats", { user_id: "alice", infer: false });
  const id = results[0]!.id;
  script.answers = [facts("Likes dogs", "Is tall"), answer(id)];
  const err = await m.add("I like dogs", { user_id: "alice" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LLMOutputError);
  expect((err as Error).message).toContain(message);
  expect((await m.getAll({ user_id: "alice" })).results.map((r) => r.memory)).toEqual(["Likes cats"]);
  expect((await m.history(id)).map((h) => h.event)).toEqual(["ADD"]);
});

test("fact extraction output that is not JSON changes nothing", async () => {
  const m = await setup();
  script.answers = ["Sure! Here are the facts: likes dogs"];
  await expect(m.add("I like dogs", { user_id: "alice" })).rejects.toThrow(
    "LLM output for fact extraction rejected, nothing was changed: not valid JSON",
  );
  expect((await m.getAll({ user_id: "alice" })).results).toEqual([]);
});

test("no facts: no second call, nothing written", async () => {
  const m = await setup();
  script.answers = [facts()];
  await expect(m.add("hi there", { user_id: "alice" })).resolves.toEqual({ results: [] });
  expect(script.prompts).toHaveLength(1);
});

test("only memories of the same scope are shown to the LLM", async () => {
  const m = await setup();
  await m.add("Bob likes cats", { user_id: "bob", infer: false });
  await m.add("Alice likes cats", { user_id: "alice", infer: false });
  script.answers = [facts("Likes cats"), decide({ id: "0", text: "Alice likes cats", event: "NONE" })];
  await m.add("I like cats", { user_id: "alice" });
  expect(script.prompts[1]![1]!.content).toContain("Alice likes cats");
  expect(script.prompts[1]![1]!.content).not.toContain("Bob");
});

test("custom_fact_extraction_prompt and custom_update_memory_prompt replace the defaults", async () => {
  const m = await setup({
    custom_fact_extraction_prompt: "EXTRACT ONLY FOOD FACTS",
    custom_update_memory_prompt: "DECIDE CAREFULLY",
  });
  script.answers = [facts("Likes ramen"), decide({ id: "0", text: "Likes ramen", event: "ADD" })];
  await m.add("I like ramen", { user_id: "alice" });
  expect(script.prompts[0]![0]).toEqual({ role: "system", content: "EXTRACT ONLY FOOD FACTS" });
  expect(script.prompts[1]![0]).toEqual({ role: "system", content: "DECIDE CAREFULLY" });
});
