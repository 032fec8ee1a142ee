import { createHash } from "node:crypto";
import { Mem0Error, NotFoundError, ValidationError } from "@mem0/core";
import { memoryWith } from "./helpers.js";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

describe("add with infer: false", () => {
  test("a string becomes one memory with id, hash, timestamps, scope and metadata", async () => {
    const m = await memoryWith();
    const { results } = await m.add("I like green tea", {
      user_id: "alice",
      agent_id: "bot",
      metadata: { category: "food" },
      infer: false,
    });
    expect(results).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        memory: "I like green tea",
        event: "ADD",
      },
    ]);
    const got = await m.get(results[0]!.id);
    expect(got).toMatchObject({
      memory: "I like green tea",
      user_id: "alice",
      agent_id: "bot",
      metadata: { category: "food" },
      hash: md5("I like green tea"),
    });
    expect(got!.created_at).toBe(got!.updated_at);
    expect(Date.parse(got!.created_at)).not.toBeNaN();
    expect(got).not.toHaveProperty("run_id");
  });

  test("each non-system message becomes a memory", async () => {
    const m = await memoryWith();
    const { results } = await m.add(
      [
        { role: "system", content: "You are helpful" },
        { role: "user", content: "I'm vegetarian" },
        { role: "assistant", content: "Noted: vegetarian" },
      ],
      { user_id: "alice", infer: false },
    );
    expect(results.map((r) => r.memory)).toEqual(["I'm vegetarian", "Noted: vegetarian"]);
    expect((await m.getAll({ user_id: "alice" })).results).toHaveLength(2);
  });

  test("infer defaults to false without an LLM; infer: true without one is a clear error", async () => {
    const m = await memoryWith();
    await expect(m.add("x", { user_id: "a" })).resolves.toMatchObject({ results: [{ event: "ADD" }] });
    await expect(m.add("x", { user_id: "a", infer: true })).rejects.toThrow(
      "add.options.infer: infer: true needs an llm in the config",
    );
  });

  test("metadata is copied, not shared with the caller", async () => {
    const m = await memoryWith();
    const metadata = { tags: ["a"] };
    const { results } = await m.add("x", { user_id: "a", metadata, infer: false });
    metadata.tags.push("b");
    expect((await m.get(results[0]!.id))!.metadata).toEqual({ tags: ["a"] });
  });

  test.each([
    [["hello", {}], "add.options: give at least one of user_id, agent_id, run_id"],
    [["", { user_id: "a" }], "add.messages: must not be empty"],
    [[[], { user_id: "a" }], "add.messages: must not be empty"],
    [
      [
        [
          { role: "user", content: "ok" },
          { role: "robot", content: "x" },
        ],
        { user_id: "a" },
      ],
      "add.messages[1].role",
    ],
    [[[{ role: "user", content: "  " }], { user_id: "a" }], "add.messages[0].content: must not be empty"],
    [["hi", { user_id: "a", metadata: { user_id: "b" } }], "add.options.metadata.user_id: is reserved"],
    [["hi", { user_id: "a", metadata: "work" }], "add.options.metadata: expected a plain object"],
    [["hi", { user_id: "a", userID: "x" }], 'add.options.user_id: given twice, as "user_id" and "userID"'],
  ])("add(%j) is refused and writes nothing", async (args, message) => {
    const m = await memoryWith();
    await expect((m.add as (...a: unknown[]) => Promise<unknown>)(...(args as unknown[]))).rejects.toThrow(message);
    expect((await m.getAll({ filters: { memory: "*" } })).results).toEqual([]);
  });
});

describe("get, getAll, update, delete, history", () => {
  test("update re-embeds, keeps the id and writes UPDATE history with old and new text", async () => {
    const m = await memoryWith();
    const id = (await m.add("Likes cats", { user_id: "alice", infer: false })).results[0]!.id;
    const before = (await m.get(id))!;
    await new Promise((r) => setTimeout(r, 5));
    const out = await m.update(id, "Likes dogs");
    expect(out).toEqual({ id, memory: "Likes dogs", event: "UPDATE", previous_memory: "Likes cats" });
    const after = (await m.get(id))!;
    expect(after.hash).toBe(md5("Likes dogs"));
    expect(after.created_at).toBe(before.created_at);
    expect(after.updated_at > before.updated_at).toBe(true);
    expect((await m.search("dogs", { user_id: "alice" })).results[0]!.id).toBe(id);
    const history = await m.history(id);
    expect(history.map((h) => [h.event, h.old_memory, h.new_memory, h.is_deleted])).toEqual([
      ["ADD", null, "Likes cats", false],
      ["UPDATE", "Likes cats", "Likes dogs", false],
    ]);
  });

  test("update of metadata alone keeps the text", async () => {
    const m = await memoryWith();
    const id = (await m.add("Likes cats", { user_id: "alice", infer: false })).results[0]!.id;
    await m.update(id, { metadata: { category: "pets" } });
    expect(await m.get(id)).toMatchObject({ memory: "Likes cats", metadata: { category: "pets" } });
  });

  test("delete removes the memory and records DELETE", async () => {
    const m = await memoryWith();
    const id = (await m.add("temp", { user_id: "alice", infer: false })).results[0]!.id;
    await expect(m.delete(id)).resolves.toEqual({ id, event: "DELETE" });
    expect(await m.get(id)).toBeNull();
    const history = await m.history(id);
    expect(history.at(-1)).toMatchObject({ event: "DELETE", old_memory: "temp", new_memory: null, is_deleted: true });
  });

  test("update and delete of an unknown id are NotFoundError and write no history", async () => {
    const m = await memoryWith();
    await expect(m.update("nope", "x")).rejects.toBeInstanceOf(NotFoundError);
    await expect(m.delete("nope")).rejects.toThrow('Memory "nope" not found');
    expect(await m.history("nope")).toEqual([]);
    await expect(m.update("", "x")).rejects.toBeInstanceOf(ValidationError);
    await expect(m.update("nope", "   ")).rejects.toThrow("update.text: must not be empty");
  });

  test("getAll filters by scope and filters, oldest first, with a limit", async () => {
    const m = await memoryWith();
    for (let i = 0; i < 5; i++) await m.add(`note ${i}`, { user_id: "alice", infer: false, metadata: { n: i } });
    await m.add("other", { user_id: "bob", infer: false, metadata: { n: 3 } });
    expect((await m.getAll({ user_id: "alice" })).results.map((r) => r.memory)).toEqual([
      "note 0",
      "note 1",
      "note 2",
      "note 3",
      "note 4",
    ]);
    expect((await m.getAll({ user_id: "alice", filters: { n: { gte: 3 } } })).results.map((r) => r.memory)).toEqual([
      "note 3",
      "note 4",
    ]);
    expect((await m.getAll({ user_id: "alice", limit: 2 })).results).toHaveLength(2);
    await expect(m.getAll({})).rejects.toThrow(
      "getAll.options: give at least one of user_id, agent_id, run_id, or filters",
    );
  });

  test("filter fields are the memory's own: nothing matches through Object.prototype", async () => {
    const m = await memoryWith();
    await m.add("x", { user_id: "alice", infer: false, metadata: { a: 1 } });
    expect((await m.getAll({ user_id: "alice", filters: { constructor: "*" } })).results).toEqual([]);
    expect((await m.getAll({ user_id: "alice", filters: { toString: { ne: "x" } } })).results).toHaveLength(1);
  });

  test("deleteAll deletes one scope only and refuses an empty scope", async () => {
    const m = await memoryWith();
    await m.add("a1", { user_id: "alice", infer: false });
    await m.add("a2", { user_id: "alice", run_id: "r1", infer: false });
    await m.add("b1", { user_id: "bob", infer: false });
    await expect(m.deleteAll({})).rejects.toThrow("deleteAll.options: give at least one of user_id, agent_id, run_id");
    await expect(m.deleteAll({ run_id: "r1" })).resolves.toEqual({ deleted: 1 });
    await expect(m.deleteAll({ user_id: "alice" })).resolves.toEqual({ deleted: 1 });
    expect((await m.getAll({ user_id: "bob" })).results.map((r) => r.memory)).toEqual(["b1"]);
    expect((await m.getAll({ user_id: "alice" })).results).toEqual([]);
  });

  test("reset clears memories and history", async () => {
    const m = await memoryWith();
    const id = (await m.add("x", { user_id: "a", infer: false })).results[0]!.id;
    await m.reset();
    expect(await m.get(id)).toBeNull();
    expect(await m.history(id)).toEqual([]);
  });
});

test("a store write that fails leaves no history behind (atomic with the store's own history)", async () => {
  const m = await memoryWith({ vector_store: { provider: "memory", config: { embedding_model_dims: 8 } } });
  await expect(m.add("x", { user_id: "a", infer: false })).rejects.toBeInstanceOf(Mem0Error);
  expect((await m.getAll({ user_id: "a" })).results).toEqual([]);
});
