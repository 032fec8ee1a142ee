/**
 * Exact search over a contiguous in-memory copy of one scope's vectors.
 *
 * Why: ranking inside SQL visits each row of a scope through the scope index, a table seek, a
 * record decode and a sqlite-vec call: about 1.8 µs per row, 30× what reading the same vectors
 * from memory costs (docs/benchmarks.md). Here the scope's vectors sit back to back in a
 * WebAssembly memory and a SIMD kernel (dots.wat) scores them at memory speed.
 *
 * Exactness: the kernel sums in float32. Every row whose float32 score is within the float32
 * error bound of the limit-th best is rescored with core's `dot` (float64, as the reference store
 * and the SQL path's final scores), then ranked by (score, id). Filters beyond the scope are
 * evaluated with core's reference `evaluateFilter` on the rows' payloads.
 *
 * Freshness: a block is valid for one database state. `token` (this connection's total_changes and
 * SQLite's data_version, which moves when another connection commits) is read in the same read
 * transaction as the search; any change drops every block. A scope is copied on its second search
 * in one state, so a write-search-write-search workload keeps the SQL path and never pays a copy.
 *
 * Memory: blocks are bump-allocated up to `maxBytes` of vectors; past that the cache starts over.
 * WebAssembly memory never shrinks, so the process keeps its high-water mark (at most maxBytes).
 */
import { andFilters, dot, evaluateFilter, payloadField, type FilterNode, type MemoryPayload } from "@mem0/core";

/** dots.wat compiled (see its header for the command). */
const DOTS_WASM =
  "AGFzbQEAAAABGQNgA39/fwF9YAV/f39/fwBgBn9/f39/fwADBAMAAQIFAwEAAQcaAwZtZW1vcnkCAARkb3RzAAEGZG90c0F0AAIK/wID8wEDBHsCfwF7IAAgAkECdGohByAAIAJBcHFBAnRqIQgCQANAIAAgCE8NASADIAD9AAQAIAH9AAQA/eYB/eQBIQMgBCAA/QAEECAB/QAEEP3mAf3kASEEIAUgAP0ABCAgAf0ABCD95gH95AEhBSAGIAD9AAQwIAH9AAQw/eYB/eQBIQYgAEHAAGohACABQcAAaiEBDAALCwJAA0AgACAHTw0BIAMgAP0ABAAgAf0ABAD95gH95AEhAyAAQRBqIQAgAUEQaiEBDAALCyADIAT95AEgBSAG/eQB/eQBIQkgCf0fACAJ/R8BkiAJ/R8CIAn9HwOSkgs/AQJ/IANBAnQhBiAEIAJBAnRqIQUCQANAIAQgBU8NASAEIAAgASADEAA4AgAgASAGaiEBIARBBGohBAwACwsLSAECfyAEQQJ0IQcgBSADQQJ0aiEGAkADQCAFIAZPDQEgBSAAIAEgAigCACAHbGogBBAAOAIAIAJBBGohAiAFQQRqIQUMAAsLCw==";

/** The part of the WebAssembly API used here (this package compiles without the DOM's type library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  dots(q: number, v: number, n: number, dims: number, out: number): void;
  dotsAt(q: number, v: number, idx: number, n: number, dims: number, out: number): void;
}

function loadKernel(): Kernel | undefined {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    return new wasm.Instance(new wasm.Module(Buffer.from(DOTS_WASM, "base64"))).exports as Kernel;
  } catch {
    return undefined; // no WebAssembly SIMD here: the store keeps ranking in SQL
  }
}

const SCOPE_FIELDS = new Set(["user_id", "agent_id", "run_id"]);
const PAGE = 65536;
/** Residual filters whose admitted rows a block remembers (an agent repeats a few filters). */
const ADMITTED_PER_BLOCK = 16;

/** A filter split into the scope equalities that pick a block and what each row must still pass. */
export interface ScopeSplit {
  key: string;
  scope: FilterNode | null;
  residual: FilterNode | null;
}

export function splitScope(filter: FilterNode | null): ScopeSplit {
  const parts = filter === null ? [] : filter.kind === "and" ? filter.children : [filter];
  const scope: FilterNode[] = [];
  const rest: FilterNode[] = [];
  for (const p of parts) {
    const isScope = p.kind === "compare" && p.op === "eq" && SCOPE_FIELDS.has(p.field) && typeof p.value === "string";
    (isScope ? scope : rest).push(p);
  }
  const pairs = scope.map((n) => (n.kind === "compare" ? `${n.field}=${JSON.stringify(n.value)}` : "")).sort();
  return { key: pairs.join("&"), scope: andFilters(...scope), residual: andFilters(...rest) };
}

/** What the cache reads from the store, inside the search's read transaction. */
export interface ScopeSource {
  /** Changes whenever any row may have changed (this connection's writes or another's commits). */
  token(): string;
  count(scope: FilterNode | null): number;
  /** The scope's rows in rid order. */
  vectors(scope: FilterNode | null): Iterable<[rid: number, id: string, vector: Buffer]>;
  /** The scope's payloads in the same order. */
  payloads(scope: FilterNode | null): MemoryPayload[];
}

interface Block {
  scope: FilterNode | null;
  offset: number;
  rids: number[];
  ids: string[];
  payloads?: MemoryPayload[];
  admitted: Map<string, Int32Array>;
}

export interface CachedHit {
  rid: number;
  id: string;
  score: number;
}

export class ScopeCache {
  private readonly kernel: Kernel;
  private readonly blocks = new Map<string, Block>();
  /** Scopes searched once in this state: the next search of one copies it. */
  private readonly seen = new Set<string>();
  private top = 0;
  private token = "";

  private constructor(
    kernel: Kernel,
    private readonly dims: number,
    private readonly maxBytes: number,
  ) {
    this.kernel = kernel;
  }

  /** Undefined where the kernel cannot run (no WebAssembly SIMD) or the vector length does not suit it. */
  static create(dims: number, maxBytes: number): ScopeCache | undefined {
    if (dims % 4 !== 0 || maxBytes <= 0) return undefined;
    const kernel = loadKernel();
    return kernel && new ScopeCache(kernel, dims, maxBytes);
  }

  /** Bytes of vectors held now (tests and diagnostics). */
  get heldBytes(): number {
    return this.top;
  }

  /** The top `limit` rows under `split`, or undefined when this search should run in SQL. */
  search(query: Float32Array, limit: number, split: ScopeSplit, source: ScopeSource): CachedHit[] | undefined {
    const token = source.token();
    if (token !== this.token) this.reset(token);
    let block = this.blocks.get(split.key);
    if (!block) {
      if (!this.seen.has(split.key)) {
        this.seen.add(split.key);
        return undefined;
      }
      block = this.build(split, source);
      if (!block) return undefined;
    }
    const rows = split.residual ? this.admitted(block, split.residual, source) : "all";
    if (!rows) return undefined;
    const n = rows === "all" ? block.ids.length : rows.length;
    if (n === 0) return [];
    const scores = this.score(query, block, rows, n);
    return this.rank(query, block, rows, scores, limit);
  }

  private reset(token: string): void {
    this.blocks.clear();
    this.seen.clear();
    this.top = 0;
    this.token = token;
  }

  /** Grows the WebAssembly memory to at least `bytes`; views of the old buffer are invalid after. */
  private reserve(bytes: number): void {
    const have = this.kernel.memory.buffer.byteLength;
    if (bytes > have) this.kernel.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  private scratchBytes(n: number): number {
    return this.dims * 4 + n * 8;
  }

  private build(split: ScopeSplit, source: ScopeSource): Block | undefined {
    const n = source.count(split.scope);
    const bytes = n * this.dims * 4;
    if (bytes + this.scratchBytes(n) > this.maxBytes) return undefined; // never fits: stays in SQL
    if (this.top + bytes + this.scratchBytes(n) > this.maxBytes) this.reset(this.token);
    try {
      this.reserve(this.top + bytes + this.scratchBytes(n));
    } catch {
      return undefined; // the engine refused more memory
    }
    const block: Block = { scope: split.scope, offset: this.top, rids: [], ids: [], admitted: new Map() };
    const heap = new Uint8Array(this.kernel.memory.buffer);
    const rowBytes = this.dims * 4;
    for (const [rid, id, vector] of source.vectors(split.scope)) {
      if (vector.byteLength !== rowBytes || block.ids.length === n) return undefined; // not the state counted
      heap.set(vector, block.offset + block.ids.length * rowBytes);
      block.rids.push(rid);
      block.ids.push(id);
    }
    if (block.ids.length !== n) return undefined;
    this.top += bytes + ((16 - (bytes % 16)) % 16);
    this.blocks.set(split.key, block);
    return block;
  }

  /** Indexes of the block's rows that pass `residual`, remembered per filter. */
  private admitted(block: Block, residual: FilterNode, source: ScopeSource): Int32Array | "all" | undefined {
    const key = JSON.stringify(residual);
    let rows = block.admitted.get(key);
    if (rows) return rows;
    block.payloads ??= source.payloads(block.scope);
    if (block.payloads.length !== block.ids.length) return undefined;
    const out: number[] = [];
    for (let i = 0; i < block.payloads.length; i++)
      if (evaluateFilter(residual, payloadField(block.payloads[i]!))) out.push(i);
    rows = Int32Array.from(out);
    if (block.admitted.size >= ADMITTED_PER_BLOCK) block.admitted.delete(block.admitted.keys().next().value!);
    block.admitted.set(key, rows);
    return rows;
  }

  /** float32 scores of the admitted rows, computed in the scratch space after the blocks. */
  private score(query: Float32Array, block: Block, rows: Int32Array | "all", n: number): Float32Array {
    this.reserve(this.top + this.scratchBytes(n));
    const q = this.top;
    const out = q + this.dims * 4;
    const buffer = this.kernel.memory.buffer;
    new Float32Array(buffer, q, this.dims).set(query);
    if (rows === "all") {
      this.kernel.dots(q, block.offset, n, this.dims, out);
    } else {
      const idx = out + n * 4;
      new Int32Array(buffer, idx, n).set(rows);
      this.kernel.dotsAt(q, block.offset, idx, n, this.dims, out);
    }
    return new Float32Array(buffer, out, n);
  }

  /** Exact top `limit`: every row the float32 scores cannot rule out is rescored in float64. */
  private rank(
    query: Float32Array,
    block: Block,
    rows: Int32Array | "all",
    scores: Float32Array,
    wanted: number,
  ): CachedHit[] {
    const n = scores.length;
    const limit = Math.floor(wanted); // as SQL's LIMIT reads 2.5
    let cut = -Infinity;
    if (n > limit) {
      // The limit-th best float32 score: a sorted copy for large limits, a small insertion list otherwise.
      if (limit > 64) {
        cut = Float32Array.from(scores).sort()[n - limit]!;
      } else {
        const best = new Float64Array(limit).fill(-Infinity); // ascending; best[0] is the current cut
        for (let j = 0; j < n; j++) {
          const s = scores[j]!;
          if (s <= best[0]!) continue;
          let k = 1;
          while (k < limit && best[k]! < s) {
            best[k - 1] = best[k]!;
            k++;
          }
          best[k - 1] = s;
        }
        cut = best[0]!;
      }
    }
    // float32 summation of `dims` products of unit vectors errs by at most about dims × 2⁻²⁴; twice that, plus slack.
    const slack = (this.dims + 8) * 2 ** -23;
    const buffer = this.kernel.memory.buffer;
    const hits: CachedHit[] = [];
    for (let j = 0; j < n; j++) {
      if (scores[j]! < cut - slack) continue;
      const row = rows === "all" ? j : rows[j]!;
      const vector = new Float32Array(buffer, block.offset + row * this.dims * 4, this.dims);
      hits.push({ rid: block.rids[row]!, id: block.ids[row]!, score: dot(query, vector) });
    }
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return hits.slice(0, limit);
  }
}
