/**
 * What the Qdrant store does beyond the shared contract: the collection and its indexes, refusing a
 * collection it cannot use, typed errors with the server's words and retries, history on the
 * memory's own point, compare-and-set writes under concurrency, ids that are not UUIDs, client-side
 * re-checks that page until they have enough rows, and bad input refused before anything is sent.
 * These run against the test double (they read its call log and inject faults).
 */
import { Mem0Error, parseFilters, ProviderError, type HistoryEvent, type MemoryPayload } from "@mem0/core";
import { startQdrantServer, type QdrantServer } from "@mem0/testkit";
import { QdrantClient } from "@qdrant/js-client-rest";
import { createQdrantStore, historyPointId, pointId, qdrantConfigSchema, type QdrantConfig } from "../src/index.js";

let server: QdrantServer;
let n = 0;
const store = (config: Partial<QdrantConfig> = {}) =>
  createQdrantStore(
    { url: server.url, collection_name: `s${++n}`, embedding_model_dims: 4, max_retries: 2, ...config } as QdrantConfig,
    { env: {} },
  );
const client = () => new QdrantClient({ url: server.url, checkCompatibility: false });

const at = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString();
const payload = (memory: string, metadata: Record<string, unknown> = {}, i = 0, user = "alice"): MemoryPayload => ({
  user_id: user,
  memory,
  hash: `h-${memory}`,
  created_at: at(i),
  updated_at: at(i),
  metadata,
});
const event = (id: string, kind: HistoryEvent["event"], i: number, text: string | null = null): HistoryEvent => ({
  id: `e-${id}-${kind}-${i}`,
  memory_id: id,
  event: kind,
  old_memory: null,
  new_memory: text,
  created_at: at(i),
  updated_at: null,
  is_deleted: kind === "DELETE",
});
const v = (...xs: number[]) => [...xs, ...Array(4 - xs.length).fill(0)];
const U = (k: number) => `00000000-0000-4000-8000-${String(k).padStart(12, "0")}`;

beforeAll(async () => {
  server = await startQdrantServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe("the collection", () => {
  test("first use creates it (Cosine, configured size, cluster options) with the tenant index and declared indexes", async () => {
    const s = store({
      shard_number: 3,
      replication_factor: 2,
      write_consistency_factor: 2,
      on_disk: true,
      indexed_fields: {
        priority: "float",
        rank: "integer",
        category: "keyword",
        due: "datetime",
        note: "text",
        ok: "bool",
        "a.b": "keyword",
      },
    });
    expect(server.calls).toHaveLength(0); // nothing happens before the first operation
    await s.list({ filter: null, limit: 1 });
    const info = await client().getCollection(s.collectionName);
    expect(info.config.params).toMatchObject({
      vectors: { size: 4, distance: "Cosine", on_disk: true },
      shard_number: 3,
      replication_factor: 2,
      write_consistency_factor: 2,
    });
    const types = Object.fromEntries(Object.entries(info.payload_schema).map(([k, x]) => [k, x?.data_type]));
    expect(types).toEqual({
      user_id: "keyword",
      agent_id: "keyword",
      run_id: "keyword",
      "_mem0.deleted": "bool",
      priority: "float",
      rank: "float",
      category: "keyword",
      "_mem0.dates.due": "float",
      note: "text",
      ok: "bool",
      '"a.b"': "keyword",
    });
    expect(info.payload_schema.user_id!.params).toMatchObject({ is_tenant: true });
  });

  test("an existing collection is used as it is; a second store does not re-create indexes", async () => {
    const a = store();
    await a.insert([{ id: U(1), vector: v(1), payload: payload("one") }]);
    const b = createQdrantStore({ url: server.url, collection_name: a.collectionName } as QdrantConfig, { env: {} });
    server.reset();
    expect((await b.get(U(1)))!.payload.memory).toBe("one");
    expect(b.dimensions).toBe(4);
    expect(server.calls.map((c) => `${c.method} ${c.path.replace(a.collectionName, "C")}`)).toEqual([
      "GET /collections/C/exists",
      "GET /collections/C",
      "POST /collections/C/points",
    ]);
  });

  test("a collection of another size, distance, or with several named vectors and no vector_name is refused with a clear error", async () => {
    await client().createCollection("wrong_size", { vectors: { size: 3, distance: "Cosine" } });
    await client().createCollection("wrong_distance", { vectors: { size: 4, distance: "Dot" } });
    await client().createCollection("named", {
      vectors: { text: { size: 4, distance: "Cosine" }, image: { size: 4, distance: "Cosine" } },
    });
    const err = (name: string) =>
      store({ collection_name: name })
        .insert([{ id: U(1), vector: v(1), payload: payload("x") }])
        .catch((e: unknown) => e);
    expect(await err("wrong_size")).toMatchObject({
      code: "QDRANT_COLLECTION_MISMATCH",
      message: expect.stringMatching(/holds 3-dimensional vectors but the embedder makes 4-dimensional/),
    });
    expect(await err("wrong_distance")).toMatchObject({
      code: "QDRANT_COLLECTION_MISMATCH",
      message: expect.stringMatching(/Dot distance/),
    });
    expect(await err("named")).toMatchObject({
      code: "QDRANT_COLLECTION_MISMATCH",
      message: expect.stringMatching(/named vectors "text", "image"; set vector_store.config.vector_name/),
    });
    expect(server.collections.get("wrong_size")!.points.size).toBe(0);
  });

  test("without dims and without a collection, the error says to set embedding_model_dims", async () => {
    const s = createQdrantStore({ url: server.url, collection_name: "nodims" } as QdrantConfig, { env: {} });
    await expect(s.list({ filter: null, limit: 1 })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/embedding_model_dims/),
    });
  });

  test("two processes creating the same collection at once both succeed", async () => {
    const name = `race${++n}`;
    const [a, b] = [0, 1].map(() =>
      createQdrantStore({ url: server.url, collection_name: name, embedding_model_dims: 4 } as QdrantConfig, {
        env: {},
      }),
    );
    await Promise.all([a!.ready(), b!.ready()]);
    expect(server.collections.has(name)).toBe(true);
  });

  test("reset drops the collection; the next call re-creates it", async () => {
    const s = store();
    await s.insert([{ id: U(1), vector: v(1), payload: payload("x") }]);
    await s.reset();
    expect(server.collections.has(s.collectionName)).toBe(false);
    expect(await s.list({ filter: null, limit: 5 })).toEqual([]);
    expect(server.collections.has(s.collectionName)).toBe(true);
  });
});

describe("config", () => {
  const parse = (c: unknown) => qdrantConfigSchema.safeParse(c);
  test("Mem0's keys and camelCase aliases; unknown keys and contradictions are errors naming the key", () => {
    expect(
      parse({ host: "localhost", port: 6333, collectionName: "m", embeddingModelDims: 8, onDisk: true }).success,
    ).toBe(true);
    const issues = (c: unknown) =>
      (parse(c) as { error: { issues: { path: (string | number)[]; message: string }[] } }).error.issues.map(
        (i) => `${i.path.join(".")}: ${i.message}`,
      );
    expect(issues({ url: "http://x:6333", host: "y" })).toEqual([
      "host: give either url or host (with port), not both",
    ]);
    expect(issues({ path: "/tmp/q" })[0]).toMatch(/^path: Qdrant's local .* only in the Python client/);
    expect(issues({ host: "http://x" })[0]).toMatch(/^host: expected a bare host name/);
    expect(issues({ port: 70000 })).toEqual(["port: expected a port number"]);
    expect(issues({ indexed_fields: { p: "number" } })[0]).toMatch(/^indexed_fields.p: expected one of keyword, float/);
    expect(parse({ colection_name: "x" }).success).toBe(false);
  });

  test("the API key comes from the config or QDRANT_API_KEY and is never in an error", async () => {
    const locked = await startQdrantServer({ apiKey: "qdrant-secret-123" });
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const fromEnv = createQdrantStore({ url: locked.url, embedding_model_dims: 4 } as QdrantConfig, {
        env: { QDRANT_API_KEY: "qdrant-secret-123" },
      });
      await fromEnv.insert([{ id: U(1), vector: v(1), payload: payload("x") }]);
      expect(locked.calls[0]!.headers["api-key"]).toBe("qdrant-secret-123");
      const wrong = createQdrantStore(
        { url: locked.url, api_key: "wrong-key-456", embedding_model_dims: 4 } as QdrantConfig,
        { env: {} },
      );
      const err = (await wrong.get(U(1)).catch((e: unknown) => e)) as ProviderError;
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.status).toBe(401);
      expect(`${err.message} ${JSON.stringify(err)} ${String(err.stack)}`).not.toMatch(
        /wrong-key-456|qdrant-secret-123/,
      );
    } finally {
      warn.mockRestore();
      await locked.close();
    }
  });
});

describe("errors and retries", () => {
  test("429 with Retry-After and 503 are retried; the write lands once", async () => {
    const s = store();
    await s.ready();
    server.reset();
    const path = `/collections/${s.collectionName}/points/query`;
    server
      .inject({ type: "status", status: 429, retryAfter: 0 }, { path })
      .inject({ type: "status", status: 503 }, { path });
    expect(await s.search({ vector: v(1), limit: 3, filter: null })).toEqual([]);
    expect(server.callsTo(path).map((c) => c.status)).toEqual([429, 503, 200]);
  });

  test("a persistent 429 ends as a typed rate-limit error after max_retries", async () => {
    const s = store({ max_retries: 1 });
    await s.ready();
    server.always({ type: "status", status: 429, retryAfter: 0 });
    const err = await s.get(U(1)).catch((e: unknown) => e);
    server.clearFaults();
    expect(err).toMatchObject({ code: "PROVIDER_RATE_LIMITED", status: 429, retryable: true });
  });

  test("a timeout is a typed, retryable error; a reset connection is retried", async () => {
    const s = store({ timeout_ms: 150, max_retries: 0 });
    await s.ready();
    server.inject("hang");
    await expect(s.get(U(1))).rejects.toMatchObject({ code: "PROVIDER_TIMEOUT", retryable: true });
    const t = store({ max_retries: 1 });
    await t.ready();
    server.inject("reset");
    expect(await t.get(U(1))).toBeNull();
  });

  test("the server's own message reaches the caller: a collection deleted under the store is a 404", async () => {
    const s = store();
    await s.insert([{ id: U(1), vector: v(1), payload: payload("x") }]);
    await client().deleteCollection(s.collectionName);
    const err = (await s.search({ vector: v(1), limit: 1, filter: null }).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ status: 404, retryable: false });
    expect(err.message).toContain(`Collection \`${s.collectionName}\` doesn't exist!`);
  });

  test("a request Qdrant refuses (here: a 400 injected as Qdrant words it) is not retried", async () => {
    const s = store();
    await s.ready();
    server.inject({ type: "status", status: 400, body: { status: { error: "Wrong input: boom" }, time: 0 } });
    await expect(s.get(U(1))).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("Wrong input: boom"),
    });
    expect(server.calls.filter((c) => c.status === 400)).toHaveLength(1);
  });
});

describe("bad input is refused before anything is sent", () => {
  test.each([
    ["a reserved metadata key", { _mem0: 1 }, /metadata\._mem0 is reserved/],
    ["a record field in metadata", { memory: "x" }, /metadata\.memory is reserved/],
    ["NaN", { score: Number.NaN }, /metadata\.score is NaN/],
    ["Infinity in an array", { xs: [1, Infinity] }, /metadata\.xs\[1\] is Infinity/],
    ["a BigInt", { big: BigInt(1) }, /metadata\.big is a bigint/],
  ])("%s", async (_label, metadata, message) => {
    const s = store();
    await expect(
      s.insert([
        { id: U(1), vector: v(1), payload: payload("ok") },
        { id: U(2), vector: v(1), payload: payload("bad", metadata) },
      ]),
    ).rejects.toMatchObject({
      code: "INVALID_PAYLOAD",
      message: expect.stringMatching(message),
    });
    expect(server.calls).toEqual([]);
  });

  test("a search vector of the wrong size", async () => {
    const s = store();
    await expect(s.search({ vector: [1, 2], limit: 1, filter: null })).rejects.toMatchObject({
      code: "INVALID_VECTOR",
    });
  });
});

describe("ids", () => {
  test("UUIDs are the point ids; other ids map to a stable UUID and round-trip", async () => {
    const s = store();
    await s.insert([
      { id: U(7), vector: v(1), payload: payload("uuid") },
      { id: "mem-1", vector: v(0, 1), payload: payload("text id") },
      { id: "ÜNICODE id", vector: v(0, 0, 1), payload: payload("unicode id") },
    ]);
    const stored = [...server.collections.get(s.collectionName)!.points.keys()];
    expect(stored).toEqual(expect.arrayContaining([U(7), pointId("mem-1"), pointId("ÜNICODE id")]));
    expect(pointId("mem-1")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await s.list({ filter: null, limit: 10 })).map((r) => r.id).sort()).toEqual(
      ["mem-1", U(7), "ÜNICODE id"].sort(),
    );
    expect((await s.search({ vector: v(0, 1), limit: 1, filter: null }))[0]!.id).toBe("mem-1");
    expect((await s.get("ÜNICODE id"))!.payload.memory).toBe("unicode id");
    await s.update("mem-1", { payload: payload("changed") });
    expect((await s.get("mem-1"))!.payload.memory).toBe("changed");
  });
});

describe("history on the memory's point", () => {
  test("each write carries its events in the same upsert; a delete leaves a tombstone with the history", async () => {
    const s = store();
    await s.insert([{ id: "h1", vector: v(1), payload: payload("v1") }], { history: [event("h1", "ADD", 1, "v1")] });
    const upserts = server.calls.filter((c) => c.method === "PUT" && c.path.endsWith("/points"));
    expect(upserts).toHaveLength(1);
    expect(
      (upserts[0]!.body as { points: { payload: { _mem0: { history: unknown[] } } }[] }).points[0]!.payload._mem0
        .history,
    ).toHaveLength(1);
    await s.update("h1", { payload: payload("v2") }, { history: [event("h1", "UPDATE", 2, "v2")] });
    await s.delete("h1", { history: [event("h1", "DELETE", 3)] });
    expect((await s.history.get("h1")).map((e) => e.event)).toEqual(["ADD", "UPDATE", "DELETE"]);
    expect(await s.get("h1")).toBeNull();
    expect(await s.count()).toBe(0);
    // The memory's point is gone (Mem0's unscoped get(id) finds nothing); the tombstone is at its history point.
    expect(server.collections.get(s.collectionName)!.points.has(pointId("h1"))).toBe(false);
    const tomb = server.collections.get(s.collectionName)!.points.get(historyPointId("h1"))!;
    // Only `_mem0`, scope ids inside it: no scoped Mem0 query (they all filter on user_id…) sees it.
    expect(tomb.payload).toEqual({
      _mem0: expect.objectContaining({ deleted: true, id: "h1", scope: { user_id: "alice" } }),
    });
  });

  test("re-inserting a deleted id revives it and keeps the earlier history", async () => {
    const s = store();
    await s.insert([{ id: "h2", vector: v(1), payload: payload("first") }], {
      history: [event("h2", "ADD", 1, "first")],
    });
    await s.delete("h2", { history: [event("h2", "DELETE", 2)] });
    await s.insert([{ id: "h2", vector: v(1), payload: payload("again") }], {
      history: [event("h2", "ADD", 3, "again")],
    });
    expect((await s.get("h2"))!.payload.memory).toBe("again");
    expect((await s.history.get("h2")).map((e) => e.event)).toEqual(["ADD", "DELETE", "ADD"]);
  });

  test("history.add appends to an existing memory; to a missing one it is NOT_FOUND", async () => {
    const s = store();
    await s.insert([{ id: "h3", vector: v(1), payload: payload("x") }]);
    await s.history.add([event("h3", "UPDATE", 5, "y")]);
    expect((await s.history.get("h3")).map((e) => e.id)).toEqual(["e-h3-UPDATE-5"]);
    await expect(s.history.add([event("nope", "ADD", 1)])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("history.reset clears events and drops tombstones, keeping memories", async () => {
    const s = store();
    await s.insert(
      [
        { id: "a", vector: v(1), payload: payload("a") },
        { id: "b", vector: v(1), payload: payload("b") },
      ],
      { history: [event("a", "ADD", 1), event("b", "ADD", 1)] },
    );
    await s.delete("b", { history: [event("b", "DELETE", 2)] });
    await s.history.reset();
    expect(await s.history.get("a")).toEqual([]);
    expect(await s.history.get("b")).toEqual([]);
    expect((await s.get("a"))!.payload.memory).toBe("a");
    expect(server.collections.get(s.collectionName)!.points.size).toBe(1);
  });

  test("an event for a memory the write does not touch is refused, nothing written", async () => {
    const s = store();
    await expect(
      s.insert([{ id: "c", vector: v(1), payload: payload("c") }], { history: [event("other", "ADD", 1)] }),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await s.get("c")).toBeNull();
  });
});

describe("compare-and-set writes", () => {
  test("concurrent updates from two stores lose no history event", async () => {
    const a = store();
    await a.insert([{ id: "hot", vector: v(1), payload: payload("v0") }], { history: [event("hot", "ADD", 0, "v0")] });
    const b = createQdrantStore({ url: server.url, collection_name: a.collectionName } as QdrantConfig, { env: {} });
    await b.ready();
    // Both read before either writes: the second write must notice and retry on fresh data.
    server.latencyMs = (call) => (call.path.endsWith("/points") && call.method === "POST" ? 5 : 0);
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).update(
          "hot",
          { payload: payload(`v${i + 1}`) },
          { history: [event("hot", "UPDATE", i + 1, `v${i + 1}`)] },
        ),
      ),
    );
    server.latencyMs = 0;
    const events = await a.history.get("hot");
    expect(events).toHaveLength(7);
    expect(new Set(events.map((e) => e.id)).size).toBe(7);
    const conditional = server.calls.filter((c) => c.method === "PUT" && c.path.endsWith("/points/payload"));
    expect(conditional.length).toBeGreaterThan(6); // some writes lost the race and were retried
  });

  test("a delete racing an update: the memory stays deleted and both events are kept", async () => {
    const a = store();
    await a.insert([{ id: "race", vector: v(1), payload: payload("v0") }]);
    const results = await Promise.allSettled([
      a.delete("race", { history: [event("race", "DELETE", 1)] }),
      a.update("race", { payload: payload("v1") }, { history: [event("race", "UPDATE", 2)] }),
    ]);
    const events = (await a.history.get("race")).map((e) => e.event);
    if (results[1]!.status === "fulfilled") {
      // The update won the race, then the delete applied on top of it.
      expect(events).toEqual(["UPDATE", "DELETE"]);
    } else {
      expect(results[1]!.reason).toMatchObject({ code: "NOT_FOUND" });
      expect(events).toEqual(["DELETE"]);
    }
    expect(await a.get("race")).toBeNull();
  });

  test("insert never overwrites: an existing id is DUPLICATE_ID and the stored memory is unchanged", async () => {
    const s = store();
    await s.insert([{ id: "dup", vector: v(1), payload: payload("original") }]);
    await expect(s.insert([{ id: "dup", vector: v(0, 1), payload: payload("other") }])).rejects.toMatchObject({
      code: "DUPLICATE_ID",
    });
    expect((await s.get("dup"))!.payload.memory).toBe("original");
  });
});

describe("client-side re-checks page until they have enough", () => {
  test("icontains over many candidates: the matches are the lowest-scoring rows", async () => {
    const s = store();
    const rows = Array.from({ length: 300 }, (_, i) => ({
      id: `r${String(i).padStart(3, "0")}`,
      vector: v(1, i / 100),
      payload: payload(i >= 290 ? `TARGET ${i}` : `other ${i}`, {}, i),
    }));
    await s.insert(rows);
    server.reset();
    const hits = await s.search({ vector: v(1), limit: 5, filter: parseFilters({ memory: { icontains: "target" } }) });
    expect(hits.map((h) => h.id)).toEqual(["r290", "r291", "r292", "r293", "r294"]);
    expect(server.callsTo(`/collections/${s.collectionName}/points/query`).length).toBeGreaterThan(1);
    expect(await s.count(parseFilters({ memory: { icontains: "TARGET" } }))).toBe(10);
    expect(
      (await s.list({ filter: parseFilters({ memory: { icontains: "target" } }), limit: 3 })).map((r) => r.id),
    ).toEqual(["r290", "r291", "r292"]);
  });

  test("ties at the cut are broken by id, even when they span pages", async () => {
    const s = store();
    const ids = ["t9", "t3", "t7", "t1", "t5", "t2", "t8", "t4", "t6"];
    await s.insert(ids.map((id) => ({ id, vector: v(1, 1), payload: payload(id) })));
    expect((await s.search({ vector: v(1, 1), limit: 3, filter: null })).map((h) => h.id)).toEqual(["t1", "t2", "t3"]);
  });

  test("a filter that matches nothing sends no query", async () => {
    const s = store();
    await s.ready();
    server.reset();
    expect(await s.search({ vector: v(1), limit: 3, filter: parseFilters({ c: { in: [] } }) })).toEqual([]);
    expect(server.calls).toEqual([]);
  });
});

describe("deleteAll (erasure)", () => {
  test("one delete-by-filter request removes a scope's memories, tombstones and history", async () => {
    const s = store();
    await s.insert(
      [
        { id: "a1", vector: v(1), payload: payload("a1", {}, 1, "ann") },
        { id: "a2", vector: v(1), payload: payload("a2", {}, 2, "ann") },
        { id: "b1", vector: v(1), payload: payload("b1", {}, 3, "ben") },
      ],
      { history: [event("a1", "ADD", 1), event("a2", "ADD", 2), event("b1", "ADD", 3)] },
    );
    await s.delete("a2", { history: [event("a2", "DELETE", 4)] });
    server.reset();
    expect(await s.deleteAll(parseFilters({ user_id: "ann" }))).toBe(1);
    expect(server.callsTo(`/collections/${s.collectionName}/points/delete`)).toHaveLength(1);
    expect(await s.history.get("a2")).toEqual([]);
    expect((await s.list({ filter: null, limit: 10 })).map((r) => r.id)).toEqual(["b1"]);
  });
});

test("every request the store sent in this file was accepted by the test double's OpenAPI validation", () => {
  // Calls were reset between tests; the last test's calls are a sample of every kind of request.
  expect(server.calls.filter((c) => c.status === 400 || c.status === 422)).toEqual([]);
});

test("a Mem0Error is what a caller can branch on", async () => {
  const err = await store()
    .search({ vector: v(1), limit: 0, filter: null })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Mem0Error);
});
