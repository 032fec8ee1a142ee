/**
 * The Qdrant test double: its answers validate against Qdrant's OpenAPI document, it refuses what
 * Qdrant refuses (with Qdrant's status and error body), and it evaluates filters the way Qdrant's
 * engine does — including the behaviours a naive filter translation trips over.
 */
import { qdrantSpec, startQdrantServer, type QdrantServer } from "../src/index.js";

let server: QdrantServer;
const spec = qdrantSpec();

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Calls and checks the answer against the document for that operation. */
async function ok(method: string, template: string, params: Record<string, string>, body?: unknown) {
  const path = template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k]!));
  const response = await call(method, path, body);
  if (response.status !== 200)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.json)}`);
  expect(spec.validateResponse(method, template, 200, response.json)).toEqual({ ok: true, errors: [] });
  return response.json.result;
}

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const C = "/collections/{collection_name}";

beforeAll(async () => {
  server = await startQdrantServer();
});
afterAll(() => server.close());

describe("collections", () => {
  test("GET / answers the version; create, exists, get, delete; answers valid against the document", async () => {
    const root = await call("GET", "/");
    expect(root.json).toMatchObject({ title: "qdrant - vector search engine", version: "1.18.0" });
    expect(spec.validateResponse("GET", "/", 200, root.json).ok).toBe(true);
    expect(await ok("GET", `${C}/exists`, { collection_name: "c1" })).toEqual({ exists: false });
    expect(
      await ok(
        "PUT",
        C,
        { collection_name: "c1" },
        { vectors: { size: 3, distance: "Cosine" }, shard_number: 2, replication_factor: 2 },
      ),
    ).toBe(true);
    expect(await ok("GET", `${C}/exists`, { collection_name: "c1" })).toEqual({ exists: true });
    const info = await ok("GET", C, { collection_name: "c1" });
    expect(info.config.params).toMatchObject({
      vectors: { size: 3, distance: "Cosine" },
      shard_number: 2,
      replication_factor: 2,
    });
    await ok(
      "PUT",
      `${C}/index`,
      { collection_name: "c1" },
      { field_name: "user_id", field_schema: { type: "keyword", is_tenant: true } },
    );
    expect((await ok("GET", C, { collection_name: "c1" })).payload_schema.user_id).toEqual({
      data_type: "keyword",
      params: { type: "keyword", is_tenant: true },
      points: 0,
    });
    expect(await ok("DELETE", C, { collection_name: "c1" })).toBe(true);
    expect(await ok("GET", `${C}/exists`, { collection_name: "c1" })).toEqual({ exists: false });
  });

  test("errors carry Qdrant's body and status: missing collection 404, existing one 409", async () => {
    const missing = await call("GET", "/collections/nope");
    expect(missing.status).toBe(404);
    expect(missing.json.status.error).toBe("Not found: Collection `nope` doesn't exist!");
    expect(spec.validateResponse("GET", C, 404, missing.json).ok).toBe(true);
    await ok("PUT", C, { collection_name: "twice" }, { vectors: { size: 2, distance: "Dot" } });
    const again = await call("PUT", "/collections/twice", { vectors: { size: 2, distance: "Dot" } });
    expect(again.status).toBe(409);
    expect(again.json.status.error).toBe("Wrong input: Collection `twice` already exists!");
  });

  test("the create body is validated: unknown distance, size 0, not JSON", async () => {
    expect((await call("PUT", "/collections/bad1", { vectors: { size: 3, distance: "Cosinus" } })).status).toBe(400);
    expect((await call("PUT", "/collections/bad2", { vectors: { size: 0, distance: "Cosine" } })).status).toBe(422);
    expect((await call("PUT", "/collections/bad3", "{not json")).status).toBe(400);
    expect(server.collections.has("bad1") || server.collections.has("bad2") || server.collections.has("bad3")).toBe(
      false,
    );
  });
});

describe("points", () => {
  const col = { collection_name: "pts" };
  beforeAll(async () => {
    await ok("PUT", C, col, { vectors: { size: 2, distance: "Cosine" } });
    await ok("PUT", `${C}/points`, col, {
      points: [
        { id: 1, vector: [1, 0], payload: { n: 1 } },
        { id: U(2), vector: [0, 1], payload: { n: 2 } },
        { id: U(3).toUpperCase(), vector: [1, 1], payload: { n: 3 } },
      ],
    });
  });

  test("ids: integers and UUIDs (stored lower-case, hyphenated); other strings are refused", async () => {
    const got = await ok("POST", `${C}/points`, col, { ids: [U(3), 1, U(9)], with_payload: true });
    expect(got.map((p: { id: unknown }) => p.id)).toEqual([U(3), 1]);
    for (const bad of ["m-1", "not-a-uuid", "", -1]) {
      const response = await call("PUT", "/collections/pts/points", { points: [{ id: bad, vector: [1, 0] }] });
      expect(response.status).toBe(400);
      expect(response.json.status.error).toMatch(/Format error in JSON body/);
    }
    expect((await call("POST", "/collections/pts/points", { ids: ["m-1"] })).status).toBe(400);
  });

  test("a vector of the wrong size is refused, and nothing of the batch is written", async () => {
    const response = await call("PUT", "/collections/pts/points", {
      points: [
        { id: 10, vector: [1, 0] },
        { id: 11, vector: [1, 0, 0] },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.json.status.error).toBe("Wrong input: Vector dimension error: expected dim: 2, got 3");
    expect(await ok("POST", `${C}/points`, col, { ids: [10, 11] })).toEqual([]);
    expect((await call("POST", "/collections/pts/points/query", { query: [1, 0, 0] })).status).toBe(400);
  });

  test("query: cosine, best first, limit/offset, payload selection, threshold", async () => {
    const all = await ok("POST", `${C}/points/query`, col, { query: [1, 0], with_payload: true, limit: 10 });
    expect(all.points.map((p: { id: unknown }) => p.id)).toEqual([1, U(3), U(2)]);
    expect(all.points[1].score).toBeCloseTo(Math.SQRT1_2, 6);
    const page = await ok("POST", `${C}/points/query`, col, { query: { nearest: [1, 0] }, limit: 1, offset: 1 });
    expect(page.points.map((p: { id: unknown }) => p.id)).toEqual([U(3)]);
    expect(page.points[0].payload).toBeNull();
    expect((await ok("POST", `${C}/points/query`, col, { query: [1, 0], score_threshold: 0.5 })).points).toHaveLength(
      2,
    );
    expect((await call("POST", "/collections/pts/points/query", { query: [1, 0], limit: 0 })).status).toBe(422);
  });

  test("scroll pages by id with next_page_offset; count", async () => {
    const first = await ok("POST", `${C}/points/scroll`, col, { limit: 2 });
    expect(first.points.map((p: { id: unknown }) => p.id)).toEqual([1, U(2)]);
    expect(first.next_page_offset).toBe(U(3));
    const second = await ok("POST", `${C}/points/scroll`, col, { limit: 2, offset: first.next_page_offset });
    expect(second.points.map((p: { id: unknown }) => p.id)).toEqual([U(3)]);
    expect(second.next_page_offset).toBeNull();
    expect(await ok("POST", `${C}/points/count`, col, { filter: { must: [{ key: "n", range: { gte: 2 } }] } })).toEqual(
      { count: 2 },
    );
  });

  test("with_payload include / exclude by JSON path", async () => {
    await ok("PUT", `${C}/points`, col, { points: [{ id: 20, vector: [1, 0], payload: { a: { b: 1, c: 2 }, d: 3 } }] });
    const [inc] = await ok("POST", `${C}/points`, col, { ids: [20], with_payload: { include: ["a.b"] } });
    expect(inc.payload).toEqual({ a: { b: 1 } });
    const [exc] = await ok("POST", `${C}/points`, col, { ids: [20], with_payload: { exclude: ["a.c", "d"] } });
    expect(exc.payload).toEqual({ a: { b: 1 } });
    const [list] = await ok("POST", `${C}/points`, col, { ids: [20], with_payload: ["d"] });
    expect(list.payload).toEqual({ d: 3 });
  });

  test("upsert modes and update_filter (conditional update)", async () => {
    await ok("PUT", `${C}/points`, col, { points: [{ id: 30, vector: [1, 0], payload: { rev: 1 } }] });
    await ok("PUT", `${C}/points`, col, {
      points: [{ id: 30, vector: [1, 0], payload: { rev: 9 } }],
      update_mode: "insert_only",
    });
    await ok("PUT", `${C}/points`, col, {
      points: [{ id: 31, vector: [1, 0], payload: { rev: 1 } }],
      update_mode: "update_only",
    });
    const rev = async () =>
      (await ok("POST", `${C}/points`, col, { ids: [30, 31] })).map((p: { payload: { rev: number } }) => p.payload.rev);
    expect(await rev()).toEqual([1]);
    await ok("PUT", `${C}/points`, col, {
      points: [{ id: 30, vector: [1, 0], payload: { rev: 2 } }],
      update_filter: { must: [{ key: "rev", match: { value: 5 } }] },
    });
    expect(await rev()).toEqual([1]);
    await ok("PUT", `${C}/points`, col, {
      points: [{ id: 30, vector: [1, 0], payload: { rev: 2 } }],
      update_filter: { must: [{ key: "rev", match: { value: 1 } }] },
    });
    expect(await rev()).toEqual([2]);
  });

  test("payload set (merge) and overwrite, by ids or filter, at a key", async () => {
    await ok("PUT", `${C}/points`, col, { points: [{ id: 40, vector: [1, 0], payload: { a: 1, m: { x: 1 } } }] });
    await ok("POST", `${C}/points/payload`, col, { payload: { b: 2 }, points: [40] });
    await ok("POST", `${C}/points/payload`, col, { payload: { y: 2 }, key: "m", filter: { must: [{ has_id: [40] }] } });
    expect((await ok("POST", `${C}/points`, col, { ids: [40] }))[0].payload).toEqual({ a: 1, b: 2, m: { x: 1, y: 2 } });
    await ok("PUT", `${C}/points/payload`, col, {
      payload: { z: 1 },
      filter: { must: [{ has_id: [40] }, { key: "a", match: { value: 1 } }] },
    });
    expect((await ok("POST", `${C}/points`, col, { ids: [40] }))[0].payload).toEqual({ z: 1 });
    expect((await call("POST", "/collections/pts/points/payload", { payload: { q: 1 } })).status).toBe(400);
  });

  test("delete by ids and by filter", async () => {
    await ok("PUT", `${C}/points`, col, {
      points: [50, 51, 52].map((id) => ({ id, vector: [1, 0], payload: { group: id === 52 ? "b" : "a" } })),
    });
    await ok("POST", `${C}/points/delete`, col, { points: [50] });
    await ok("POST", `${C}/points/delete`, col, { filter: { must: [{ key: "group", match: { value: "b" } }] } });
    expect((await ok("POST", `${C}/points`, col, { ids: [50, 51, 52] })).map((p: { id: number }) => p.id)).toEqual([
      51,
    ]);
  });

  test("the API key is required when configured", async () => {
    const locked = await startQdrantServer({ apiKey: "secret-key-1" });
    try {
      const no = await fetch(`${locked.url}/collections`);
      expect(no.status).toBe(401);
      expect(((await no.json()) as { status: { error?: string } }).status.error).toMatch(/API key/);
      expect((await fetch(`${locked.url}/collections`, { headers: { "api-key": "secret-key-1" } })).status).toBe(200);
      expect(
        (await fetch(`${locked.url}/collections`, { headers: { authorization: "Bearer secret-key-1" } })).status,
      ).toBe(200);
    } finally {
      await locked.close();
    }
  });
});

describe("filters, as Qdrant's engine evaluates them", () => {
  const col = { collection_name: "flt" };
  // The payloads of Qdrant's own condition-checker test, plus the traps of a naive translation.
  const payloads: Record<number, Record<string, unknown>> = {
    1: {
      price: 499.9,
      amount: 10,
      rating: [3, 7, 9, 9],
      color: "red",
      has_delivery: true,
      shipped_at: "2020-02-15T00:00:00Z",
      parts: [],
      packaging: null,
      not_null: [null],
      tags: ["a", "b"],
      note: "Login fails on mobile",
    },
    2: {
      price: 7,
      amount: 7.5,
      color: "blue",
      tags: [],
      note: "login FAILS",
      city: [
        { name: "Berlin", pop: 3 },
        { name: "Paris", pop: 2 },
      ],
    },
    3: { color: 7, tags: "a", shipped_at: "not a date", note: ["x", "the login page"] },
    4: {},
  };
  const ids = async (filter: unknown) =>
    (await ok("POST", `${C}/points/scroll`, col, { filter, limit: 100 })).points.map((p: { id: number }) => p.id);

  beforeAll(async () => {
    await ok("PUT", C, col, { vectors: { size: 2, distance: "Cosine" } });
    await ok("PUT", `${C}/points`, col, {
      points: Object.entries(payloads).map(([id, payload]) => ({ id: Number(id), vector: [1, 0], payload })),
    });
  });

  test("match.value: strict types; arrays match on any element", async () => {
    expect(await ids({ must: [{ key: "color", match: { value: "red" } }] })).toEqual([1]);
    expect(await ids({ must: [{ key: "color", match: { value: 7 } }] })).toEqual([3]);
    expect(await ids({ must: [{ key: "price", match: { value: 7 } }] })).toEqual([2]);
    // amount 7.5 is a float: an integer match never equals it
    expect(await ids({ must: [{ key: "amount", match: { value: 7 } }] })).toEqual([]);
    expect(await ids({ must: [{ key: "tags", match: { value: "a" } }] })).toEqual([1, 3]);
    expect(await ids({ must: [{ key: "has_delivery", match: { value: true } }] })).toEqual([1]);
  });

  test("match.except: missing fields, null and [] do NOT match (why must_not is the exact negation)", async () => {
    expect(await ids({ must: [{ key: "color", match: { except: ["red"] } }] })).toEqual([2, 3]);
    expect(await ids({ must_not: [{ key: "color", match: { any: ["red"] } }] })).toEqual([2, 3, 4]);
    expect(await ids({ must: [{ key: "tags", match: { except: ["a"] } }] })).toEqual([1]);
    expect(await ids({ must_not: [{ key: "tags", match: { any: ["a"] } }] })).toEqual([2, 4]);
  });

  test("range: numbers only (ints and floats alike), any element of an array", async () => {
    expect(await ids({ must: [{ key: "amount", range: { gte: 7, lte: 8 } }] })).toEqual([2]);
    expect(await ids({ must: [{ key: "rating", range: { gt: 8 } }] })).toEqual([1]);
    expect(await ids({ must: [{ key: "color", range: { gte: 0 } }] })).toEqual([3]);
    expect(await ids({ must: [{ key: "price", range: { gte: 7, lte: 7 } }] })).toEqual([2]);
  });

  test("range with datetimes: strings that parse, compared as instants; bad bounds are refused", async () => {
    expect(
      await ids({ must: [{ key: "shipped_at", range: { gte: "2020-02-01T00:00:00Z", lt: "2020-03-01" } }] }),
    ).toEqual([1]);
    expect(await ids({ must: [{ key: "shipped_at", range: { gt: "2020-02-15T01:00:00+02:00" } }] })).toEqual([1]);
    const bad = await call("POST", "/collections/flt/points/scroll", {
      filter: { must: [{ key: "shipped_at", range: { gte: "yesterday" } }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.status.error).toMatch(/not in a supported date\/time format/);
  });

  test("is_empty / is_null as in Qdrant's own tests: [] is empty, [null] is not, null is null", async () => {
    const empty = async (key: string) => ids({ must: [{ is_empty: { key } }] });
    expect(await empty("price")).toEqual([3, 4]);
    expect(await empty("parts")).toEqual([1, 2, 3, 4]);
    expect(await empty("packaging")).toEqual([1, 2, 3, 4]);
    expect(await empty("not_null")).toEqual([2, 3, 4]);
    expect(await ids({ must: [{ is_null: { key: "packaging" } }] })).toEqual([1]);
    expect(await ids({ must: [{ is_null: { key: "not_null" } }] })).toEqual([]);
    expect(await ids({ must: [{ is_null: { key: "parts" } }] })).toEqual([]);
    expect(await ids({ must: [{ key: "tags", is_empty: true }] })).toEqual([2, 4]);
  });

  test("match.text: a case-sensitive substring without an index, tokens with a full-text index", async () => {
    expect(await ids({ must: [{ key: "note", match: { text: "login" } }] })).toEqual([2, 3]);
    expect(await ids({ must: [{ key: "note", match: { text: "fails on" } }] })).toEqual([1]);
    await ok("PUT", `${C}/index`, col, {
      field_name: "note",
      field_schema: { type: "text", tokenizer: "word", lowercase: true },
    });
    expect(await ids({ must: [{ key: "note", match: { text: "login" } }] })).toEqual([1, 2, 3]);
    expect(await ids({ must: [{ key: "note", match: { text: "log" } }] })).toEqual([]);
    expect(await ids({ must: [{ key: "note", match: { text: "fails login" } }] })).toEqual([1, 2]);
    expect(await ids({ must: [{ key: "note", match: { phrase: "fails login" } }] })).toEqual([]);
  });

  test("should / must_not / min_should / nested / has_id / values_count", async () => {
    expect(
      await ids({
        should: [
          { key: "color", match: { value: "red" } },
          { key: "color", match: { value: "blue" } },
        ],
      }),
    ).toEqual([1, 2]);
    expect(await ids({ should: [] })).toEqual([]);
    expect(
      await ids({
        must_not: [
          { key: "color", match: { value: "red" } },
          { key: "color", match: { value: 7 } },
        ],
      }),
    ).toEqual([2, 4]);
    expect(
      await ids({
        min_should: {
          conditions: [
            { key: "color", match: { value: "red" } },
            { key: "tags", match: { value: "a" } },
            { key: "amount", range: { gt: 5 } },
          ],
          min_count: 2,
        },
      }),
    ).toEqual([1]);
    expect(
      await ids({
        must: [
          {
            nested: {
              key: "city",
              filter: {
                must: [
                  { key: "name", match: { value: "Paris" } },
                  { key: "pop", range: { gte: 2 } },
                ],
              },
            },
          },
        ],
      }),
    ).toEqual([2]);
    expect(
      await ids({
        must: [
          {
            nested: {
              key: "city",
              filter: {
                must: [
                  { key: "name", match: { value: "Paris" } },
                  { key: "pop", range: { gte: 3 } },
                ],
              },
            },
          },
        ],
      }),
    ).toEqual([]);
    expect(await ids({ must: [{ has_id: [2, 4] }] })).toEqual([2, 4]);
    expect(await ids({ must: [{ key: "rating", values_count: { gte: 4 } }] })).toEqual([1]);
    expect(await ids({ must: [{ must: [{ key: "color", match: { value: "red" } }] }] })).toEqual([1]);
  });

  test("quoted keys address names with dots; bare dots are nested paths", async () => {
    await ok("PUT", `${C}/points`, col, { points: [{ id: 9, vector: [1, 0], payload: { "a.b": 1, a: { b: 2 } } }] });
    expect(await ids({ must: [{ key: '"a.b"', match: { value: 1 } }] })).toEqual([9]);
    expect(await ids({ must: [{ key: "a.b", match: { value: 2 } }] })).toEqual([9]);
    expect(await ids({ must: [{ key: "a.b", match: { value: 1 } }] })).toEqual([]);
  });

  test("refused: unknown filter keys (400), conditions that check nothing (422), bad paths and ids (400)", async () => {
    const scroll = (filter: unknown) => call("POST", "/collections/flt/points/scroll", { filter });
    const unknown = await scroll({ must: [], nope: [] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.status.error).toMatch(/Format error in JSON body/);
    expect((await scroll({ must: [{ nope: 1 }] })).status).toBe(400);
    const nothing = await scroll({ must: [{ key: "color", mtch: { value: "red" } }] });
    expect(nothing.status).toBe(422);
    expect(nothing.json.status.error).toMatch(/At least one field condition must be specified/);
    expect((await scroll({ must: [{ key: "a..b", match: { value: 1 } }] })).status).toBe(400);
    expect((await scroll({ must: [{ key: "x", match: { value: 7.5 } }] })).status).toBe(400);
    expect((await scroll({ must: [{ key: "x", match: { any: ["a", 1] } }] })).status).toBe(400);
    expect((await scroll({ must: [{ has_id: ["m-1"] }] })).status).toBe(400);
    expect((await scroll({ must: [{ key: "x", range: { gte: 1, lte: "2024-01-01" } }] })).status).toBe(400);
  });
});

test("faults from the shared fake server: 429 with Retry-After in Qdrant's error shape", async () => {
  server.inject({ type: "status", status: 429, retryAfter: 2 }, { path: "/collections/flt/points/scroll" });
  const response = await fetch(`${server.url}/collections/flt/points/scroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe("2");
  expect(((await response.json()) as { status: { error?: string } }).status.error).toBeDefined();
  server.latencyMs = 5;
  expect((await call("GET", "/collections/flt/exists")).json.result).toEqual({ exists: true });
  server.latencyMs = 0;
});
