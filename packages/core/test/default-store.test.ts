import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_VECTOR_STORE, Memory } from "@mem0/core";

test("with no vector_store, memories go to the embedded SQLite file under $MEM0_DIR and survive a restart", async () => {
  expect(DEFAULT_VECTOR_STORE).toEqual({ provider: "sqlite" });
  const first = await Memory.fromConfig({});
  expect(first.vectorStore.provider).toBe("sqlite");
  const { results } = await first.add("Alice is vegetarian", { user_id: "alice", infer: false });
  await first.close();
  expect(existsSync(join(process.env.MEM0_DIR!, "mem0.db"))).toBe(true);

  const second = await Memory.fromConfig({});
  expect(await second.get(results[0]!.id)).toMatchObject({ memory: "Alice is vegetarian" });
  expect((await second.history(results[0]!.id)).map((h) => h.event)).toEqual(["ADD"]);
  await second.close();
});
