/**
 * Exact search over a compact in-memory copy of one scope's vectors.
 *
 * Why: ranking inside SQL visits each row of a scope through the scope index, a table seek, a
 * record decode and a sqlite-vec call, many times what reading the same vectors from memory costs
 * (docs/benchmarks.md has the figures). Here the scope's vectors sit back to back in a WebAssembly memory and a SIMD
 * kernel (dots.wat) scores them at memory speed.
 *
 * Compact: a row is kept as int8 with one scale per row (a quarter of its float32 bytes), so the
 * copy costs less memory than the file's own pages and a quarter of the reads per search.
 *
 * Exactness: the kernel's integer dot gives an approximate score with a proven error bound per row
 * (Cauchy–Schwarz on the rounding errors of the row and of the query, see `bound`). Every row whose
 * upper bound reaches the limit-th best lower bound is rescored with core's `dot` (float64, as the
 * reference store and the SQL path score) on its exact vector, read from SQLite by rowid in the
 * search's read transaction, then ranked by (score, id). Filters beyond the scope are run in SQL
 * (the store's own filter translation) once per block and filter; the admitted rows are remembered.
 *
 * Freshness: a block is valid for one database state. `token` (this connection's total_changes and
 * SQLite's data_version, which moves when another connection commits) is read in the same read
 * transaction as the search. A commit by another connection drops every block; a write by this
 * connection drops only the blocks whose scope it touched (`ownChanges`, recorded by
 * scope-journal.ts). A scope is copied on its second search in one state, so a write-search-write-search
 * workload on one scope keeps the SQL path and never pays a copy.
 *
 * Memory: blocks live in one WebAssembly memory of at most `maxBytes`; past that the least recently
 * searched blocks go and the rest are moved down. WebAssembly memory never shrinks, so the process
 * keeps its high-water mark (at most maxBytes).
 */
import { andFilters, dot, type FilterNode } from "@mem0/core";

/** dots.wat compiled (see its header for the command). */
const DOTS_WASM =
  "AGFzbQEAAAABGQNgA39/fwF/YAV/f39/fwBgBn9/f39/fwADBAMAAQIFAwEAAQcaAwZtZW1vcnkCAARkb3RzAAEGZG90c0F0AAIK8QID8wECBHsCfyABIAJqIQcgASACQWBxaiEIAkADQCABIAhPDQEgAf0ABAAhBSAB/QAEECEGIAMgBf2HASAA/QAEAP26Af2uASEDIAQgBf2IASAA/QAEEP26Af2uASEEIAMgBv2HASAA/QAEIP26Af2uASEDIAQgBv2IASAA/QAEMP26Af2uASEEIABBwABqIQAgAUEgaiEBDAALCyABIAdJBEAgAf0ABAAhBSADIAX9hwEgAP0ABAD9ugH9rgEhAyAEIAX9iAEgAP0ABBD9ugH9rgEhBAsgAyAE/a4BIQMgA/0bACAD/RsBaiAD/RsCIAP9GwNqags4AQF/IAQgAkECdGohBQJAA0AgBCAFTw0BIAQgACABIAMQADYCACABIANqIQEgBEEEaiEEDAALCwtBAQF/IAUgA0ECdGohBgJAA0AgBSAGTw0BIAUgACABIAIoAgAgBGxqIAQQADYCACACQQRqIQIgBUEEaiEFDAALCws=";

/** The part of the WebAssembly API used here (this package compiles without the DOM's type library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  dots(query: number, rows: number, n: number, rowBytes: number, out: number): void;
  dotsAt(query: number, rows: number, indexes: number, n: number, rowBytes: number, out: number): void;
}

function loadKernel(): Kernel | undefined {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    return new wasm.Instance(new wasm.Module(Buffer.from(DOTS_WASM, "base64"))).exports as Kernel;
  } catch {
    return undefined; // no WebAssembly SIMD here: the store keeps ranking in SQL
  }
}

const SCOPE_FIELDS = ["user_id", "agent_id", "run_id"] as const;
type ScopeField = (typeof SCOPE_FIELDS)[number];
const PAGE = 65536;
/** Residual filters whose admitted rows a block remembers (an agent repeats a few filters). */
const ADMITTED_PER_BLOCK = 16;
/** Bytes of JavaScript arrays per cached row: rowid (float64), scale and rounding error (float32). */
const ROW_META_BYTES = 16;
/** Largest int8 magnitude used, so a row and its negation round alike. */
const INT8_MAX = 127;
/** Covers float64 rounding in the approximate score and in core's `dot` (about dims × 2⁻⁵³). */
const FLOAT_SLACK = 1e-9;

/** The scope columns of a row, as a write left or found it. */
export type ScopeColumns = Record<ScopeField, string | null>;

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
  for (const part of parts) {
    const isScope =
      part.kind === "compare" &&
      part.op === "eq" &&
      (SCOPE_FIELDS as readonly string[]).includes(part.field) &&
      typeof part.value === "string";
    (isScope ? scope : rest).push(part);
  }
  const pairs = scope.map((n) => (n.kind === "compare" ? `${n.field}=${JSON.stringify(n.value)}` : "")).sort();
  return { key: pairs.join("&"), scope: andFilters(...scope), residual: andFilters(...rest) };
}

/** The scope equalities of a block's filter, to tell which blocks a written row belongs to. */
function scopePairs(scope: FilterNode | null): [ScopeField, string][] {
  const parts = scope === null ? [] : scope.kind === "and" ? scope.children : [scope];
  return parts.flatMap((p) => (p.kind === "compare" ? [[p.field as ScopeField, p.value as string]] : []));
}

/** What the cache reads from the store, inside the search's read transaction. */
export interface ScopeSource {
  /** "total_changes:data_version": the first moves with this connection's writes, the second with others' commits. */
  token(): string;
  count(scope: FilterNode | null): number;
  /** The scope's rows in rid order. */
  vectors(scope: FilterNode | null): Iterable<[rid: number, id: string, vector: Buffer]>;
  /** The rids of the rows passing `filter` (a scope and more), ascending. */
  admitted(filter: FilterNode): number[];
  /** The stored vectors of these rows, each with the row as the store reads it (handed back in the hits). */
  exact(rids: readonly number[]): Iterable<[rid: number, id: string, vector: Buffer, row: unknown]>;
  /**
   * The scope columns of every row this connection inserted, changed or deleted since the last
   * call, and forgets them; undefined when they are not known (then every block is dropped).
   */
  ownChanges(): ScopeColumns[] | undefined;
}

interface Block {
  scope: FilterNode | null;
  pairs: [ScopeField, string][];
  offset: number;
  n: number;
  rids: Float64Array;
  /** Row r is approximately scales[r] × its int8 values. */
  scales: Float32Array;
  /** ‖v − scales[r] × int8 row‖₂, rounded up. */
  errors: Float32Array;
  admitted: Map<string, Int32Array>;
}

export interface CachedHit {
  rid: number;
  id: string;
  score: number;
  /** What the source's `exact` returned for this row. */
  row: unknown;
}

/** Searches answered from a block, searches left to SQL, and blocks copied (diagnostics and tests). */
export interface ScopeCacheStats {
  hits: number;
  misses: number;
  copies: number;
}

/** The query rounded to int16 and what bounds the rounding. */
interface QuantizedQuery {
  scale: number;
  norm: number;
  /** ‖q − scale × int16 query‖₂ × the largest ‖v̂‖ per unit of row scale (INT8_MAX × √dims). */
  errorPerRowScale: number;
}

export class ScopeCache {
  private readonly kernel: Kernel;
  /** In order of last use: the first is the next to go. */
  private readonly blocks = new Map<string, Block>();
  /** Scopes searched once in this state: the next search of one copies it. */
  private readonly seen = new Set<string>();
  private readonly rowBytes: number;
  /** The query's int16 range: dims × INT8_MAX × this stays within int32. */
  private readonly queryMax: number;
  private held = 0;
  private changes = "";
  private version = "";
  private readonly counts: ScopeCacheStats = { hits: 0, misses: 0, copies: 0 };

  private constructor(
    kernel: Kernel,
    private readonly dims: number,
    private readonly maxBytes: number,
  ) {
    this.kernel = kernel;
    this.rowBytes = Math.ceil(dims / 16) * 16;
    this.queryMax = Math.min(32767, Math.floor((2 ** 31 - 1) / (INT8_MAX * this.rowBytes)));
  }

  /** Undefined where the kernel cannot run (no WebAssembly SIMD) or no budget is given. */
  static create(dims: number, maxBytes: number): ScopeCache | undefined {
    if (!(dims > 0) || !(maxBytes > 0) || dims * INT8_MAX * 16 >= 2 ** 31) return undefined;
    const kernel = loadKernel();
    return kernel && new ScopeCache(kernel, dims, maxBytes);
  }

  /** Bytes the blocks hold now, their JavaScript arrays included (tests and diagnostics). */
  get heldBytes(): number {
    return this.held;
  }

  get stats(): ScopeCacheStats {
    return { ...this.counts };
  }

  /** The top `limit` rows under `split`, or undefined when this search should run in SQL. */
  search(query: Float32Array, limit: number, split: ScopeSplit, source: ScopeSource): CachedHit[] | undefined {
    this.refresh(source);
    let block = this.blocks.get(split.key);
    if (block) {
      this.blocks.delete(split.key); // most recently used goes last
      this.blocks.set(split.key, block);
    } else if (!this.seen.has(split.key)) {
      this.seen.add(split.key);
    } else {
      block = this.build(split, source);
    }
    const hits = block && this.searchBlock(query, limit, block, split, source);
    this.counts[hits ? "hits" : "misses"]++;
    return hits;
  }

  private searchBlock(
    query: Float32Array,
    limit: number,
    block: Block,
    split: ScopeSplit,
    source: ScopeSource,
  ): CachedHit[] | undefined {
    const rows = split.residual ? this.admitted(block, split, source) : "all";
    const n = rows === "all" ? block.n : rows.length;
    if (n === 0) return [];
    const { dots, quantized } = this.score(query, block, rows, n);
    return this.rank(query, quantized, block, rows, dots, limit, source);
  }

  /** Drops what the writes since the last search made stale. */
  private refresh(source: ScopeSource): void {
    const [changes, version] = source.token().split(":") as [string, string];
    if (changes === this.changes && version === this.version) return;
    const own = source.ownChanges(); // also forgets them, whoever wrote
    if (version !== this.version || !own) {
      this.blocks.clear();
      this.held = 0;
      this.seen.clear();
    } else {
      for (const [key, block] of this.blocks) {
        if (!own.some((row) => block.pairs.every(([field, value]) => row[field] === value))) continue;
        this.blocks.delete(key);
        this.held -= this.blockBytes(block.n);
      }
      this.seen.clear();
    }
    [this.changes, this.version] = source.token().split(":") as [string, string];
  }

  private blockBytes(n: number): number {
    return n * (this.rowBytes + ROW_META_BYTES);
  }

  private scratchBytes(n: number): number {
    return this.rowBytes * 2 + n * 8;
  }

  /** Where the blocks end in WebAssembly memory (the scratch space starts there). */
  private top(): number {
    let end = 0;
    for (const block of this.blocks.values()) end = Math.max(end, block.offset + block.n * this.rowBytes);
    return end;
  }

  /** Grows the WebAssembly memory to at least `bytes`; views of the old buffer are invalid after. */
  private reserve(bytes: number): void {
    const have = this.kernel.memory.buffer.byteLength;
    if (bytes > have) this.kernel.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** Drops the least recently used blocks until `bytes` more fit, then moves the rest down. */
  private makeRoom(bytes: number): void {
    for (const [key, block] of this.blocks) {
      if (this.held + bytes <= this.maxBytes) break;
      this.blocks.delete(key);
      this.held -= this.blockBytes(block.n);
    }
    const heap = new Uint8Array(this.kernel.memory.buffer);
    let end = 0;
    for (const block of [...this.blocks.values()].sort((a, b) => a.offset - b.offset)) {
      const size = block.n * this.rowBytes;
      if (block.offset !== end) heap.copyWithin(end, block.offset, block.offset + size);
      block.offset = end;
      end += size;
    }
  }

  private build(split: ScopeSplit, source: ScopeSource): Block | undefined {
    const n = source.count(split.scope);
    const bytes = this.blockBytes(n) + this.scratchBytes(n);
    if (n === 0 || bytes > this.maxBytes) return undefined; // never fits: stays in SQL
    this.makeRoom(bytes);
    const offset = this.top();
    try {
      this.reserve(offset + n * this.rowBytes + this.scratchBytes(n));
    } catch {
      return undefined; // the engine refused more memory
    }
    const block: Block = {
      scope: split.scope,
      pairs: scopePairs(split.scope),
      offset,
      n,
      rids: new Float64Array(n),
      scales: new Float32Array(n),
      errors: new Float32Array(n),
      admitted: new Map(),
    };
    const heap = new Int8Array(this.kernel.memory.buffer);
    const vectorBytes = this.dims * 4;
    let row = 0;
    for (const [rid, , stored] of source.vectors(split.scope)) {
      if (stored.byteLength !== vectorBytes || row === n) return undefined; // not the state counted
      const at = offset + row * this.rowBytes;
      const [scale, error] = quantizeRow(floats(stored), heap.subarray(at, at + this.rowBytes));
      block.rids[row] = rid;
      block.scales[row] = scale;
      block.errors[row] = error;
      row++;
    }
    if (row !== n) return undefined;
    this.blocks.set(split.key, block);
    this.held += this.blockBytes(n);
    this.counts.copies++;
    return block;
  }

  /** Indexes of the block's rows that pass the residual filter (found in SQL), remembered per filter. */
  private admitted(block: Block, split: ScopeSplit, source: ScopeSource): Int32Array {
    const key = JSON.stringify(split.residual);
    const known = block.admitted.get(key);
    if (known) return known;
    const rids = source.admitted(andFilters(split.scope, split.residual)!);
    const rows = new Int32Array(rids.length);
    let count = 0;
    let at = 0;
    // Both lists ascend by rid: one merge walk.
    for (const rid of rids) {
      while (at < block.n && block.rids[at]! < rid) at++;
      if (at < block.n && block.rids[at] === rid) rows[count++] = at;
    }
    const result = rows.subarray(0, count);
    if (block.admitted.size >= ADMITTED_PER_BLOCK) block.admitted.delete(block.admitted.keys().next().value!);
    block.admitted.set(key, result);
    return result;
  }

  /** Integer dots of the admitted rows with the int16 query, computed in the scratch space after the blocks. */
  private score(
    query: Float32Array,
    block: Block,
    rows: Int32Array | "all",
    n: number,
  ): { dots: Int32Array; quantized: QuantizedQuery } {
    const top = this.top();
    this.reserve(top + this.scratchBytes(n));
    const buffer = this.kernel.memory.buffer;
    const queryAt = top;
    const out = queryAt + this.rowBytes * 2;
    const quantized = this.quantizeQuery(query, new Int16Array(buffer, queryAt, this.rowBytes));
    if (rows === "all") {
      this.kernel.dots(queryAt, block.offset, n, this.rowBytes, out);
    } else {
      const indexes = out + n * 4;
      new Int32Array(buffer, indexes, n).set(rows);
      this.kernel.dotsAt(queryAt, block.offset, indexes, n, this.rowBytes, out);
    }
    return { dots: new Int32Array(buffer, out, n), quantized };
  }

  private quantizeQuery(query: Float32Array, into: Int16Array): QuantizedQuery {
    let largest = 0;
    let squares = 0;
    for (const x of query) {
      largest = Math.max(largest, Math.abs(x));
      squares += x * x;
    }
    const scale = largest / this.queryMax;
    let errorSquares = 0;
    into.fill(0);
    for (let i = 0; i < query.length; i++) {
      const value = scale === 0 ? 0 : Math.max(-this.queryMax, Math.min(this.queryMax, Math.round(query[i]! / scale)));
      into[i] = value;
      errorSquares += (query[i]! - scale * value) ** 2;
    }
    const roundUp = 1 + 2 ** -20;
    return {
      scale,
      norm: Math.sqrt(squares) * roundUp,
      errorPerRowScale: Math.sqrt(errorSquares) * roundUp * INT8_MAX * Math.sqrt(this.dims),
    };
  }

  /**
   * Exact top `limit`. With q̂ and v̂ the rounded query and row, the score the kernel gives is q̂·v̂, and
   * |q·v − q̂·v̂| ≤ |q·(v − v̂)| + |(q − q̂)·v̂| ≤ ‖q‖‖v − v̂‖ + ‖q − q̂‖‖v̂‖, with ‖v̂‖ ≤ INT8_MAX × scale × √dims.
   * A row is rescored when its upper bound reaches the limit-th best lower bound.
   */
  private rank(
    query: Float32Array,
    quantized: QuantizedQuery,
    block: Block,
    rows: Int32Array | "all",
    dots: Int32Array,
    wanted: number,
    source: ScopeSource,
  ): CachedHit[] | undefined {
    const n = dots.length;
    const limit = Math.floor(wanted); // as SQL's LIMIT reads 2.5
    const approx = new Float64Array(n);
    const bounds = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const row = rows === "all" ? j : rows[j]!;
      const scale = block.scales[row]!;
      approx[j] = scale * quantized.scale * dots[j]!;
      bounds[j] = quantized.norm * block.errors[row]! + quantized.errorPerRowScale * scale + FLOAT_SLACK;
    }
    const cut = n > limit ? limitthLargest(approx, bounds, limit) : -Infinity;
    const candidates: number[] = [];
    for (let j = 0; j < n; j++)
      if (approx[j]! + bounds[j]! >= cut) candidates.push(block.rids[rows === "all" ? j : rows[j]!]!);
    const hits: CachedHit[] = [];
    for (const [rid, id, stored, row] of source.exact(candidates))
      hits.push({ rid, id, score: dot(query, floats(stored)), row });
    if (hits.length !== candidates.length) return undefined; // not the state cached: let SQL answer
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return hits.slice(0, limit);
  }
}

/** The limit-th largest lower bound (approx − bound): a sorted copy for large limits, a small insertion list otherwise. */
function limitthLargest(approx: Float64Array, bounds: Float64Array, limit: number): number {
  const n = approx.length;
  if (limit > 64) {
    const lows = approx.map((a, j) => a - bounds[j]!);
    return lows.sort()[n - limit]!;
  }
  const best = new Float64Array(limit).fill(-Infinity); // ascending; best[0] is the current cut
  for (let j = 0; j < n; j++) {
    const low = approx[j]! - bounds[j]!;
    if (low <= best[0]!) continue;
    let k = 1;
    while (k < limit && best[k]! < low) {
      best[k - 1] = best[k]!;
      k++;
    }
    best[k - 1] = low;
  }
  return best[0]!;
}

/** A stored float32 vector as floats (copied when SQLite's buffer is not 4-byte aligned). */
function floats(stored: Buffer): Float32Array {
  return stored.byteOffset % 4 === 0
    ? new Float32Array(stored.buffer, stored.byteOffset, stored.byteLength / 4)
    : new Float32Array(new Uint8Array(stored).buffer);
}

/** Rounds `vector` to int8 at one scale into `into` (zero padded); returns the scale and ‖v − v̂‖₂ rounded up. */
function quantizeRow(vector: Float32Array, into: Int8Array): [scale: number, error: number] {
  let largest = 0;
  for (const x of vector) largest = Math.max(largest, Math.abs(x));
  const scale = Math.fround(largest / INT8_MAX);
  into.fill(0);
  let squares = 0;
  for (let i = 0; i < vector.length; i++) {
    const value = scale === 0 ? 0 : Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(vector[i]! / scale)));
    into[i] = value;
    squares += (vector[i]! - scale * value) ** 2;
  }
  // float64 rounding in the sum, then float32 storage, both covered by rounding up.
  const error = Math.fround(Math.sqrt(squares) * (1 + 2 ** -20));
  return [scale, error < Math.sqrt(squares) ? Number.MAX_VALUE : error];
}
