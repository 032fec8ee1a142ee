import { lengthBuckets, longestFirst, paddedTokens, SerialQueue, SharedModelCache } from "../src/index.js";

describe("longestFirst (Hugging Face tokenizers' rule)", () => {
  test.each([
    // lengthA, lengthB, budget → kept
    [5, 5, 20, [5, 5]],
    [30, 3, 20, [17, 3]], // only the longer (the query) is cut
    [3, 30, 20, [3, 17]],
    [15, 15, 20, [10, 10]],
    [15, 15, 21, [10, 11]], // a tie gives the odd token to the second text
    [16, 15, 21, [11, 10]], // otherwise to the longer one
    [12, 8, 15, [8, 7]],
    [600, 600, 509, [254, 255]],
    [40, 0, 10, [10, 0]],
  ])("(%i, %i) in %i tokens keeps %j", (a, b, budget, kept) => {
    expect(longestFirst(a, b, budget)).toEqual(kept);
  });

  test("matches removing one token at a time from the longer text, for every small case", () => {
    for (let a = 0; a <= 12; a++) {
      for (let b = 0; b <= 12; b++) {
        for (let budget = 0; budget <= 24; budget++) {
          let x = a;
          let y = b;
          // Python's slow-tokenizer loop, which the Rust rule reproduces except for ties.
          while (x + y > budget)
            if (x > y) x--;
            else y--;
          const [ka, kb] = longestFirst(a, b, budget);
          expect(ka + kb).toBe(Math.min(a + b, budget));
          expect(Math.abs(ka - x) + Math.abs(kb - y)).toBeLessThanOrEqual(2);
          expect(ka).toBeLessThanOrEqual(a);
          expect(kb).toBeLessThanOrEqual(b);
        }
      }
    }
  });
});

describe("lengthBuckets", () => {
  const check = (lengths: number[], batches: number[][], size: number) => {
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(size);
    // Sorted: every batch is at least as long as the next one's longest member.
    for (let k = 1; k < batches.length; k++)
      expect(Math.min(...batches[k - 1]!.map((i) => lengths[i]!))).toBeGreaterThanOrEqual(
        Math.max(...batches[k]!.map((i) => lengths[i]!)),
      );
  };

  test("groups by length, longest first, at most batchSize per batch, every index once", () => {
    const lengths = [5, 50, 7, 48, 6, 49];
    const batches = lengthBuckets(lengths, 3);
    check(lengths, batches, 3);
    expect(batches).toEqual([
      [1, 5, 3],
      [2, 4, 0],
    ]);
    expect(paddedTokens(lengths, batches)).toBe(3 * 50 + 3 * 7);
  });

  test("splits short and long pairs into separate calls when the padding saved outweighs a call", () => {
    const lengths = [100, 20, 100, 20, 100, 20, 100, 20];
    // One call of 8 would compute 800 tokens; two calls compute 400 + 80.
    const batches = lengthBuckets(lengths, 32, { callOverheadTokens: 64 });
    expect(batches).toEqual([
      [0, 2, 4, 6],
      [1, 3, 5, 7],
    ]);
    // When a call costs more than the padding it saves, they stay together.
    expect(lengthBuckets(lengths, 32, { callOverheadTokens: 1000 })).toHaveLength(1);
    // Equal lengths never split below batch_size.
    expect(
      lengthBuckets(new Array(40).fill(30), 32, { callOverheadTokens: 1 })
        .map((b) => b.length)
        .sort(),
    ).toEqual([32, 8].sort());
  });

  test("with a prohibitive call cost, the number of batches is ceil(n / batchSize)", () => {
    for (let n = 0; n <= 70; n++) {
      for (const size of [1, 2, 7, 32]) {
        const lengths = Array.from({ length: n }, (_, i) => 5 + ((i * 37) % 11));
        const batches = lengthBuckets(lengths, size, { callOverheadTokens: 1e9 });
        expect(batches).toHaveLength(Math.ceil(n / size));
        check(lengths, batches, size);
        // And the cheapest plan never computes more than that one.
        expect(paddedTokens(lengths, lengthBuckets(lengths, size))).toBeLessThanOrEqual(paddedTokens(lengths, batches));
      }
    }
  });

  test("rejects a batch size that is not a positive integer", () => {
    expect(() => lengthBuckets([1], 0)).toThrow(RangeError);
  });
});

describe("SharedModelCache", () => {
  const disposable = () => ({
    disposed: 0,
    async dispose() {
      this.disposed += 1;
    },
  });

  test("a failed load is forgotten, so the next acquire tries again", async () => {
    const cache = new SharedModelCache<ReturnType<typeof disposable>>();
    let attempts = 0;
    const load = async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("hub down");
      return disposable();
    };
    await expect(cache.acquire("k", load)).rejects.toThrow("hub down");
    expect(cache.size).toBe(0);
    const lease = await cache.acquire("k", load);
    expect(attempts).toBe(2);
    await lease.release();
    expect(lease.value.disposed).toBe(1);
  });

  test("concurrent acquires share one load", async () => {
    const cache = new SharedModelCache<ReturnType<typeof disposable>>();
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 10));
      return disposable();
    };
    const leases = await Promise.all([cache.acquire("k", load), cache.acquire("k", load), cache.acquire("k", load)]);
    expect(loads).toBe(1);
    expect(cache.refCount("k")).toBe(3);
    for (const l of leases) await l.release();
    expect(leases[0]!.value.disposed).toBe(1);
  });
});

test("SerialQueue runs one task at a time, in order, and survives failures", async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  let running = 0;
  const task =
    (name: string, fail = false) =>
    async () => {
      running += 1;
      expect(running).toBe(1);
      await new Promise((r) => setTimeout(r, 5));
      log.push(name);
      running -= 1;
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([queue.run(task("a")), queue.run(task("b", true)), queue.run(task("c"))]);
  expect(log).toEqual(["a", "b", "c"]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(queue.pending).toBe(0);
});
