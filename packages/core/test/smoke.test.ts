import { Memory } from "@mem0/core";

test("add then search in the in-memory store", async () => {
  const m = await Memory.fromConfig({});
  await m.add("I love sushi and ramen", { user_id: "alice", infer: false });
  await m.add("The printer is broken", { user_id: "alice", infer: false });
  const r = await m.search("sushi", { user_id: "alice" });
  expect(r.results[0]!.memory).toBe("I love sushi and ramen");
  expect(r.reranked).toBe(false);
});
