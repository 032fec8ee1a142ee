/**
 * Attacks from the hardening pass (issue 13, tenancy and input), kept as tests: each failed on the
 * code before the fix.
 */
import { describe, expect, test } from "@jest/globals";
import {
  ConfigError,
  FilterError,
  Mem0Error,
  Memory,
  METADATA_LIMITS,
  NotFoundError,
  parseFilters,
  providerConfigSchema,
  parseConfig,
  snakeCaseKeys,
  ValidationError,
  fields,
} from "@mem0/core";
import { memoryWith } from "./helpers.js";

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

async function seeded() {
  const m = await memoryWith();
  const alice = (await m.add("alice likes tea", { user_id: "alice", infer: false })).results[0]!.id;
  const bob = (await m.add("bob likes tea", { user_id: "bob", infer: false })).results[0]!.id;
  return { m, alice, bob };
}

describe("a key given in two spellings is refused, naming both", () => {
  test("search / getAll / deleteAll / add with user_id and userId: ValidationError, and nothing of bob's is read or deleted", async () => {
    const { m, bob } = await seeded();
    const twice = { user_id: "alice", userId: "bob" } as never;
    for (const call of [
      () => m.search("tea", twice),
      () => m.getAll(twice),
      () => m.deleteAll(twice),
      () => m.add("x", { ...(twice as object), infer: false } as never),
    ]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain('"user_id"');
      expect(err.message).toContain('"userId"');
      expect((err as ValidationError).path).toMatch(/\.options\.user_id$/);
    }
    expect(await m.get(bob)).not.toBeNull();
    expect((await m.getAll({ user_id: "bob" })).results).toHaveLength(1);
  });

  test("the config: a top-level key and a provider config key given twice are ConfigErrors naming both", async () => {
    const top = await rejection(Memory.fromConfig({ rerank_fallback: true, rerankFallback: false } as never));
    expect(top).toBeInstanceOf(ConfigError);
    expect((top as ConfigError).issues).toContainEqual(
      expect.stringMatching(/^rerank_fallback: given twice, as "rerank_fallback" and "rerankFallback"/),
    );
    const nested = await rejection(
      Memory.fromConfig({
        vector_store: { provider: "memory", config: { collection_name: "a", collectionName: "b" } },
      }),
    );
    expect((nested as ConfigError).issues).toContainEqual(
      expect.stringMatching(/^vector_store\.config\.collection_name: given twice/),
    );
    const schema = providerConfigSchema({ base_url: fields.url().optional() });
    expect(() => parseConfig(schema, { base_url: "http://a", baseURL: "http://b" }, "x.config")).toThrow(
      /x\.config\.base_url: given twice, as "base_url" and "baseURL"/,
    );
  });

  test("runs of capitals map to one word; an all-caps key keeps its spelling in messages", async () => {
    expect(
      snakeCaseKeys({ baseURL: 1, apiKey: 2, HTTPProxy: 3, userId: 4, embeddingModelDims: 5, USER_ID: 6 }),
    ).toEqual({
      base_url: 1,
      api_key: 2,
      http_proxy: 3,
      user_id: 4,
      embedding_model_dims: 5,
      USER_ID: 6,
    });
    const m = await memoryWith();
    await expect(m.search("q", { user_id: "a", USER_ID: "b" } as never)).rejects.toThrow(
      "search.options.USER_ID: unknown option",
    );
  });
});

describe("scope: several scope keys are ANDed (decoys match one key only)", () => {
  test("search, getAll and deleteAll with user_id + agent_id touch only memories with both", async () => {
    const m = await memoryWith();
    const both = (await m.add("tea with both", { user_id: "u", agent_id: "a", infer: false })).results[0]!.id;
    const decoyUser = (await m.add("tea with user only", { user_id: "u", agent_id: "other", infer: false })).results[0]!
      .id;
    const decoyAgent = (await m.add("tea with agent only", { user_id: "other", agent_id: "a", infer: false }))
      .results[0]!.id;
    const userOnly = (await m.add("tea no agent", { user_id: "u", infer: false })).results[0]!.id;
    const scope = { user_id: "u", agent_id: "a" };
    expect((await m.search("tea", scope)).results.map((r) => r.id)).toEqual([both]);
    expect((await m.getAll(scope)).results.map((r) => r.id)).toEqual([both]);
    expect(await m.deleteAll(scope)).toEqual({ deleted: 1 });
    for (const id of [decoyUser, decoyAgent, userOnly]) expect(await m.get(id)).not.toBeNull();
    expect(await m.get(both)).toBeNull();
  });
});

describe("optional scope on get / update / delete / history by id", () => {
  test("outside the scope: get is null, update/delete/history are NotFoundError, and nothing changes", async () => {
    const { m, bob } = await seeded();
    expect(await m.get(bob, { user_id: "alice" })).toBeNull();
    for (const call of [
      () => m.update(bob, "hacked", { user_id: "alice" }),
      () => m.delete(bob, { user_id: "alice" }),
      () => m.history(bob, { user_id: "alice" }),
    ]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.message).not.toMatch(/forbidden|scope/i);
    }
    // Two keys: both must match.
    expect(await m.get(bob, { user_id: "bob", agent_id: "x" })).toBeNull();
    const kept = await m.get(bob);
    expect(kept!.memory).toBe("bob likes tea");
    expect((await m.history(bob)).map((e) => e.event)).toEqual(["ADD"]);
  });

  test("inside the scope they work as unscoped; a missing memory is the same NotFoundError", async () => {
    const { m, bob } = await seeded();
    expect((await m.get(bob, { user_id: "bob" }))!.memory).toBe("bob likes tea");
    expect((await m.update(bob, "bob likes coffee", { userId: "bob" } as never)).memory).toBe("bob likes coffee");
    expect((await m.history(bob, { user_id: "bob" })).map((e) => e.event)).toEqual(["ADD", "UPDATE"]);
    expect(await m.delete(bob, { user_id: "bob" })).toEqual({ id: bob, event: "DELETE" });
    await expect(m.delete(bob, { user_id: "bob" })).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a bad scope is a ValidationError: empty, unknown key, two spellings", async () => {
    const { m, bob } = await seeded();
    await expect(m.get(bob, {})).rejects.toThrow("get.options: give at least one of user_id, agent_id, run_id");
    await expect(m.delete(bob, { owner: "bob" } as never)).rejects.toThrow("delete.options.owner: unknown option");
    await expect(m.update(bob, "x", { user_id: "bob", userId: "alice" } as never)).rejects.toThrow(
      /update\.options\.user_id: given twice/,
    );
    expect((await m.get(bob))!.memory).toBe("bob likes tea");
  });
});

describe("metadata: only what every store can store and filter on", () => {
  const nested = (levels: number) => {
    let v: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < levels; i++) v = { nest: v };
    return v;
  };

  test("nesting, key length and size past the limits are ValidationErrors; at the limits they are stored and filterable", async () => {
    const m = await memoryWith();
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        nested(1000),
        new RegExp(`add\\.options\\.metadata(\\.nest)+: nested deeper than ${METADATA_LIMITS.maxDepth} levels`),
      ],
      [{ ["k".repeat(METADATA_LIMITS.maxKeyLength + 1)]: 1 }, /key longer than 256 characters/],
      [{ big: "x".repeat(METADATA_LIMITS.maxBytes) }, /bytes as JSON; the limit is 65536/],
    ];
    for (const [metadata, message] of cases) {
      const err = await rejection(m.add("x", { user_id: "u", metadata, infer: false }));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toMatch(message);
    }
    expect((await m.getAll({ user_id: "u" })).results).toEqual([]);
    const deepest = nested(METADATA_LIMITS.maxDepth - 1);
    const { results } = await m.add("ok", {
      user_id: "u",
      metadata: { ...deepest, tag: "t", ["k".repeat(METADATA_LIMITS.maxKeyLength)]: 1 },
      infer: false,
    });
    expect((await m.getAll({ user_id: "u", filters: { tag: "t" } })).results.map((r) => r.id)).toEqual([
      results[0]!.id,
    ]);
    // update is held to the same rules
    await expect(m.update(results[0]!.id, { metadata: nested(1000) })).rejects.toBeInstanceOf(ValidationError);
  });

  test("functions, toJSON, Symbol keys, Dates, BigInt, NaN and undefined in arrays are ValidationErrors naming the key", async () => {
    const m = await memoryWith();
    const cases: [unknown, string][] = [
      [{ f: () => 1 }, "add.options.metadata.f: a function cannot be stored"],
      [{ a: { toJSON: () => "x" } }, "add.options.metadata.a.toJSON: a function"],
      [{ [Symbol("s")]: 1 }, "add.options.metadata: Symbol keys cannot be stored"],
      [{ when: new Date(0) }, "add.options.metadata.when: a Date is not a plain object"],
      [{ n: 10n }, "add.options.metadata.n: a bigint"],
      [{ n: Number.NaN }, "add.options.metadata.n: NaN is not a JSON number"],
      [{ list: [1, undefined] }, "add.options.metadata.list.1: undefined cannot be stored"],
    ];
    for (const [metadata, message] of cases) {
      const err = await rejection(
        m.add("x", { user_id: "u", metadata: metadata as Record<string, unknown>, infer: false }),
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain(message);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await rejection(m.add("x", { user_id: "u", metadata: cyclic, infer: false }))).toBeInstanceOf(
      ValidationError,
    );
    expect((await m.getAll({ user_id: "u" })).results).toEqual([]);
  });
});

describe("filters: typed errors, and long lists work", () => {
  test("a 10,000-deep filter is a FilterError, not a RangeError", async () => {
    let f: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 10_000; i++) f = { NOT: [f] };
    expect(() => parseFilters(f)).toThrow(FilterError);
    expect(() => parseFilters(f)).toThrow(/nested deeper than 32 levels/);
    const m = await memoryWith();
    await expect(m.search("q", { user_id: "u", filters: f })).rejects.toBeInstanceOf(FilterError);
  });

  test("in with 100,000 values matches like a short list", async () => {
    const m = await memoryWith();
    const { results } = await m.add("x", { user_id: "u", metadata: { n: 99_999 }, infer: false });
    const values = Array.from({ length: 100_000 }, (_, i) => i);
    expect((await m.getAll({ user_id: "u", filters: { n: { in: values } } })).results.map((r) => r.id)).toEqual([
      results[0]!.id,
    ]);
  });
});

describe("provider names and URLs", () => {
  test.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
    "provider %p is not looked up on Object.prototype",
    async (name) => {
      const err = await rejection(Memory.fromConfig({ reranker: { provider: name } }));
      expect(err).toBeInstanceOf(Mem0Error);
      expect(err.message).not.toMatch(/function|\[native code\]|Object\(\)/);
      expect(err.message).toContain(JSON.stringify(name));
    },
  );

  test("a URL field accepts http: and https: only", () => {
    const schema = providerConfigSchema({ base_url: fields.url() });
    for (const bad of ["file:///etc/passwd", "data:text/plain,x", "ftp://example.com", "javascript:alert(1)"]) {
      expect(() => parseConfig(schema, { base_url: bad }, "reranker.config")).toThrow(
        "reranker.config.base_url: expected an absolute http(s) URL",
      );
    }
    for (const good of ["http://127.0.0.1:8080", "https://api.example.com/v1"])
      expect(parseConfig(schema, { base_url: good }, "r").base_url).toBe(good);
  });
});
