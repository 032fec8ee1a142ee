import { setImmediate as nextTurn } from "node:timers/promises";
import { DEFAULT_EMBEDDER_WARNING, Memory } from "@mem0/core";

async function warningsOf(
  config: Parameters<typeof Memory.fromConfig>[0],
): Promise<{ code: string; message: string }[]> {
  const m = await Memory.fromConfig(config);
  const heard: { code: string; message: string }[] = [];
  m.on("warning", (w) => heard.push(w));
  await nextTurn();
  await nextTurn();
  await m.add("tea", { user_id: "a", infer: false });
  await m.search("tea", { user_id: "a" });
  await m.close();
  return heard;
}

describe("warning event for defaults", () => {
  test("no embedder configured: exactly one warning naming the lexical embedder and what to configure", async () => {
    const heard = await warningsOf({ vector_store: { provider: "memory" } });
    expect(heard).toEqual([{ code: "DEFAULT_EMBEDDER", key: "embedder", message: DEFAULT_EMBEDDER_WARNING }]);
    expect(heard[0]!.message).toMatch(/"lexical" embedder/);
    expect(heard[0]!.message).toMatch(/embedder: \{ provider: "openai"/);
  });

  test("an embedder configured, even lexical by name: no warning", async () => {
    expect(await warningsOf({ vector_store: { provider: "memory" }, embedder: { provider: "lexical" } })).toEqual([]);
  });
});
