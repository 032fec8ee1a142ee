/**
 * mem0-ts and the real mem0ai 3.3.1 package on one Qdrant collection (testkit's Qdrant double),
 * both with OpenAI embeddings from testkit's OpenAI fake (same model and dimensions, so the same
 * vectors). mem0ai's telemetry is off (MEM0_TELEMETRY=false, read when its module loads).
 */
import { Memory } from "@mem0/core";
import { QdrantClient } from "@qdrant/js-client-rest";
import { startOpenAIServer, startQdrantServer, type OpenAIServer, type QdrantServer } from "@mem0/testkit";

process.env.MEM0_TELEMETRY = "false";

const DIMS = 64;
const COLLECTION = "shared";
let qdrant: QdrantServer;
let openai: OpenAIServer;
let theirs: any;
let ours: Memory;

beforeAll(async () => {
  qdrant = await startQdrantServer();
  openai = await startOpenAIServer();
  const { Memory: Mem0AI } = await import("mem0ai/oss");
  const openaiConfig = { apiKey: "sk-test", baseURL: `${openai.url}/v1` };
  theirs = new Mem0AI({
    embedder: { provider: "openai", config: { ...openaiConfig, model: "text-embedding-3-small", embeddingDims: DIMS } },
    llm: { provider: "openai", config: { ...openaiConfig, model: "gpt-4o-mini" } },
    // mem0ai loads its Qdrant client as an optional peer from its own folder, which pnpm's strict
    // layout does not give it; its `client` option takes a ready one.
    vectorStore: {
      provider: "qdrant",
      config: {
        collectionName: COLLECTION,
        client: new QdrantClient({ url: qdrant.url, checkCompatibility: false }),
        dimension: DIMS,
      },
    },
    disableHistory: true,
  });
  ours = await Memory.fromConfig(
    {
      vector_store: { provider: "qdrant", config: { url: qdrant.url, collection_name: COLLECTION } },
      embedder: {
        provider: "openai",
        config: {
          api_key: "sk-test",
          baseURL: `${openai.url}/v1`,
          model: "text-embedding-3-small",
          embedding_dims: DIMS,
        },
      },
    },
    { env: {} },
  );
});
afterAll(async () => {
  await ours?.close();
  await qdrant?.close();
  await openai?.close();
});

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

describe("mem0ai writes, mem0-ts reads", () => {
  const texts = {
    alice: ["Loves sushi and ramen", "Works as a nurse", "Allergic to cats"],
    bob: ["Plays chess on Sundays", "Loves sushi too"],
  };

  beforeAll(async () => {
    for (const [user, list] of Object.entries(texts)) {
      for (const [i, t] of list.entries())
        await theirs.add(t, {
          userId: user,
          infer: false,
          metadata: { category: i === 0 ? "food" : "other", rank: i },
        });
    }
  });

  test("the collection mem0ai made (unnamed dense vector + bm25 sparse slot) is detected", async () => {
    expect(qdrant.collections.get(COLLECTION)!.sparse.has("bm25")).toBe(true);
    const pt = [...qdrant.collections.get(COLLECTION)!.points.values()][0]!;
    expect(pt.vectors.has("bm25")).toBe(true);
    await ours.getAll({ user_id: "alice" });
    expect((ours.vectorStore as any).layout).toEqual({ dense: undefined, others: true, sparse: ["bm25"] });
  });

  test("getAll: same ids, texts, metadata and created_at for each user", async () => {
    for (const user of ["alice", "bob"]) {
      const t = (await theirs.getAll({ filters: { user_id: user } })).results;
      const o = (await ours.getAll({ user_id: user })).results;
      expect(o).toHaveLength(texts[user as "alice" | "bob"].length);
      expect(
        byId(o).map((m) => [m.id, m.memory, m.created_at, m.metadata.category, m.metadata.rank, m.user_id]),
      ).toEqual(
        byId(t).map((m: any) => [m.id, m.memory, m.createdAt, m.metadata.category, m.metadata.rank, m.user_id]),
      );
    }
  });

  test("search: same top ids (same embedder); scope and filters respected", async () => {
    const t = (await theirs.search("sushi", { filters: { user_id: "alice" }, topK: 3, threshold: 0 })).results;
    const o = (await ours.search("sushi", { user_id: "alice", limit: 3 })).results;
    expect(o[0]!.id).toBe(t[0].id);
    expect(o[0]!.memory).toBe("Loves sushi and ramen");
    expect(o.every((r) => r.user_id === "alice")).toBe(true);
    const food = await ours.search("sushi", { user_id: "bob", filters: { category: "food" } });
    expect(food.results.map((r) => r.memory)).toEqual(["Plays chess on Sundays"]);
  });
});

describe("mem0-ts writes, mem0ai reads", () => {
  test("add and update: mem0ai sees the right text and metadata; the bm25 slot of its points survives our update", async () => {
    const added = (
      await ours.add("Drinks green tea", { user_id: "carol", metadata: { category: "drinks" }, infer: false })
    ).results[0]!;
    const seen = await theirs.get(added.id);
    expect(seen).toMatchObject({ id: added.id, memory: "Drinks green tea", user_id: "carol" });
    expect(seen.metadata.category).toBe("drinks");
    expect(typeof seen.createdAt).toBe("string");

    const theirMemory = (await theirs.getAll({ filters: { user_id: "alice" } })).results.find(
      (m: any) => m.memory === "Works as a nurse",
    );
    const bm25Before = qdrant.collections.get(COLLECTION)!.points.get(theirMemory.id)!.vectors.get("bm25");
    await ours.update(theirMemory.id, "Works as a surgeon");
    const after = await theirs.get(theirMemory.id);
    expect(after.memory).toBe("Works as a surgeon");
    expect(after.createdAt).toBe(theirMemory.createdAt);
    expect(after.metadata.category).toBe("other");
    expect(qdrant.collections.get(COLLECTION)!.points.get(theirMemory.id)!.vectors.get("bm25")).toEqual(bm25Before);
    const history = await ours.history(theirMemory.id);
    expect(history.map((e) => [e.event, e.old_memory, e.new_memory])).toEqual([
      ["UPDATE", "Works as a nurse", "Works as a surgeon"],
    ]);
    // mem0ai's hybrid search still finds it by the new text (its bm25 slot is left as mem0ai wrote it).
    const found = (await theirs.search("Works as a surgeon", { filters: { user_id: "alice" }, topK: 3, threshold: 0 }))
      .results;
    expect(found.map((m: any) => m.id)).toContain(theirMemory.id);
  });

  test("delete on one side disappears on the other", async () => {
    const mine = (await ours.add("Owns a red bike", { user_id: "dave", infer: false })).results[0]!;
    await theirs.add("Lives in Lisbon", { userId: "dave", infer: false });
    const theirsDave = (await theirs.getAll({ filters: { user_id: "dave" } })).results;
    expect(theirsDave.map((m: any) => m.memory).sort()).toEqual(["Lives in Lisbon", "Owns a red bike"]);
    await ours.delete(mine.id);
    expect((await theirs.getAll({ filters: { user_id: "dave" } })).results.map((m: any) => m.memory)).toEqual([
      "Lives in Lisbon",
    ]);
    expect(await theirs.get(mine.id)).toBeNull();
    expect((await ours.history(mine.id)).map((e) => e.event)).toEqual(["ADD", "DELETE"]);
    const lisbon = theirsDave.find((m: any) => m.memory === "Lives in Lisbon");
    await theirs.delete(lisbon.id);
    expect((await ours.getAll({ user_id: "dave" })).results).toEqual([]);
    expect(await ours.get(lisbon.id)).toBeNull();
  });
});
