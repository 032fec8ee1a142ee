/**
 * A Qdrant-compatible test double: real HTTP on 127.0.0.1 (a free port), in-memory collections.
 * It is not Qdrant. It speaks the REST API the official JS client (`@qdrant/js-client-rest`) uses —
 * the endpoints below — with Qdrant's answer envelope (`{ result, status: "ok", time }`), its error
 * body (`{ status: { error }, time }`) and its statuses, and it answers the way Qdrant's engine does
 * for what it implements (filter semantics in qdrant-filter.ts; exact search, no HNSW).
 *
 * Every request body is validated against Qdrant's own OpenAPI document (specs/qdrant.json, v1.18.x):
 * a body the document rejects is a 400 ("Format error in JSON body: …", as Qdrant's deserializer
 * answers), or a 422 for range violations ("Validation error in JSON body: …"). On top of the
 * document, it rejects what Qdrant rejects although the document allows it: non-UUID string ids,
 * payload keys that are not JSON paths, field conditions that check nothing (422), unparsable
 * datetimes, vectors of the wrong size ("Wrong input: Vector dimension error …").
 *
 * Endpoints: `GET /`; collections: `PUT|GET|DELETE /collections/{c}`, `GET …/exists`;
 * `PUT …/index`; points: `PUT …/points` (upsert, with `update_mode` and `update_filter`),
 * `POST …/points` (retrieve), `GET …/points/{id}`, `POST …/points/query`, `POST …/points/scroll`,
 * `POST …/points/count`, `POST …/points/delete`, `PUT|POST …/points/payload` (overwrite / set).
 * `PUT …/points/vectors` (update named vectors, keeping the others), `POST …/points/search` (the
 * deprecated search mem0ai calls). Vectors: one unnamed dense vector, named dense vectors, and
 * sparse vectors (`sparse_vectors`, modifier `idf`), given as `{ indices, values }` or as a
 * `Document` for the built-in `Qdrant/bm25` model, which Qdrant (≥ 1.15.2) encodes server-side
 * (see bm25Encode: word tokens, lower-cased, English stop words dropped, no stemming).
 * Not implemented (answered 400 "not supported by the Qdrant test double"): multi vectors, other
 * inference models, prefetch and fusion queries, `order_by`, snapshots, sharding keys.
 *
 * Tests get the FakeServer's fault injection (429 with Retry-After, 503, resets, hangs) and call log.
 */
import { readFileSync } from "node:fs";
import { OpenApiSpec } from "../openapi.js";
import {
  FakeServer,
  type CallRecord,
  type FakeServerOptions,
  type Reply,
  type Route,
  type RouteRequest,
} from "./fake-server.js";
import {
  canonicalId,
  checkFilter,
  filterProblem,
  isUuid,
  parseJsonPath,
  valuesAt,
  type JsonPath,
  type TextIndex,
} from "./qdrant-filter.js";

export const QDRANT_VERSION = "1.18.0";

// biome-ignore lint/suspicious/noExplicitAny: parsed request JSON, checked field by field where it is read
type Json = Record<string, any>;
type PointId = string | number;

interface SparseVector {
  indices: number[];
  values: number[];
}

interface StoredPoint {
  id: PointId;
  /** By vector name; the unnamed vector is "". */
  vectors: Map<string, Float32Array | SparseVector>;
  payload: Json;
  version: number;
}

type Distance = "Cosine" | "Dot" | "Euclid" | "Manhattan";

interface Collection {
  name: string;
  /** The unnamed (else the first named) dense vector's size and distance, for assertions. */
  size: number;
  distance: Distance;
  /** Dense vectors by name ("" for the single unnamed vector). */
  dense: Map<string, { size: number; distance: Distance }>;
  sparse: Map<string, { modifier?: string }>;
  /** The create request's `vectors` as given. */
  vectorsConfig: Json;
  params: Json;
  onDiskPayload: boolean;
  points: Map<PointId, StoredPoint>;
  /** Payload indexes by field name as given. */
  indexes: Map<string, { data_type: string; params?: Json }>;
  operationId: number;
}

export interface QdrantServerOptions {
  /** When set, requests need the `api-key` header (or `Authorization: Bearer`). */
  apiKey?: string;
  latencyMs?: FakeServerOptions["latencyMs"];
}

export interface QdrantServer extends FakeServer {
  /** The in-memory state, for assertions (read-only use). */
  readonly collections: ReadonlyMap<string, Collection>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const badInput = (message: string) => new HttpError(400, `Wrong input: ${message}`);
const notFound = (message: string) => new HttpError(404, `Not found: ${message}`);
const unsupported = (what: string) =>
  new HttpError(400, `Bad request: ${what} is not supported by the Qdrant test double`);

const BOUND_KEYWORDS = new Set([
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "minProperties",
  "maxProperties",
  "uniqueItems",
]);

function withoutBounds(node: unknown, inProperties = false): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutBounds(n));
  if (!node || typeof node !== "object") return node;
  const out = Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => inProperties || !BOUND_KEYWORDS.has(k))
      .map(([k, v]) => [k, withoutBounds(v, !inProperties && (k === "properties" || k === "patternProperties"))]),
  );
  // An unsigned format is a Rust type: a negative number fails deserialization, not validation.
  if (!inProperties && typeof out.format === "string" && out.format.startsWith("uint")) out.minimum = 0;
  return out;
}

let specCache: OpenApiSpec | undefined;
let shapeCache: OpenApiSpec | undefined;
function loadDocument(): ConstructorParameters<typeof OpenApiSpec>[1] {
  return JSON.parse(readFileSync(new URL("../../specs/qdrant.json", import.meta.url), "utf8")) as ConstructorParameters<
    typeof OpenApiSpec
  >[1];
}
/** Qdrant's OpenAPI document (v1.18.x), loaded once per process. */
export function qdrantSpec(): OpenApiSpec {
  specCache ??= new OpenApiSpec("qdrant", loadDocument());
  return specCache;
}
/** The same document without bounds (minimum, maxItems, …): what Qdrant's deserializer checks. */
function qdrantShapes(): OpenApiSpec {
  shapeCache ??= new OpenApiSpec(
    "qdrant-shapes",
    withoutBounds(loadDocument()) as ConstructorParameters<typeof OpenApiSpec>[1],
  );
  return shapeCache;
}

/**
 * Validates a body against the document. Qdrant deserializes first (a body of the wrong shape is a
 * 400, "Format error in JSON body") and then validates bounds (a 422, "Validation error in JSON
 * body"), so a body that only breaks bounds is told apart by validating it again without them.
 */
function validateBody(method: string, template: string, body: unknown): void {
  const check = qdrantSpec().validateRequest(method, template, body);
  if (check.ok) return;
  if (qdrantShapes().validateRequest(method, template, body).ok)
    throw new HttpError(422, `Validation error in JSON body: [${check.errors.join("; ")}]`);
  throw new HttpError(400, `Format error in JSON body: ${check.errors.join("; ")}`);
}

function checkId(id: unknown, where: string): PointId {
  if (typeof id === "number") return id;
  if (typeof id === "string" && isUuid(id)) return canonicalId(id);
  throw new HttpError(
    400,
    `Format error in JSON body: ${where}: ${JSON.stringify(id)} is not a valid point id: ` +
      "expected an unsigned integer or a UUID",
  );
}

function checkFilterBody(filter: unknown, where: string): void {
  const problem = filterProblem(filter as Json | null | undefined, where);
  if (problem) throw new HttpError(problem[0], problem[1]);
}

function compareIds(a: PointId, b: PointId): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drops keys from a payload by JSON path (Qdrant's `exclude`). */
function removePath(payload: Json, path: JsonPath): void {
  const items = [{ key: path.first } as const, ...path.rest];
  const walk = (value: unknown, i: number) => {
    const item = items[i]!;
    const last = i === items.length - 1;
    if ("key" in item) {
      if (!value || typeof value !== "object" || Array.isArray(value)) return;
      if (last) delete (value as Json)[item.key];
      else walk((value as Json)[item.key], i + 1);
    } else if ("index" in item) {
      if (Array.isArray(value) && !last) walk(value[item.index], i + 1);
    } else if (Array.isArray(value) && !last) for (const v of value) walk(v, i + 1);
  };
  walk(payload, 0);
}

/** Keeps only the given paths (Qdrant's `include`), nested objects rebuilt along the way. */
function includePaths(payload: Json, paths: JsonPath[]): Json {
  const out: Json = {};
  for (const path of paths) {
    if (!(path.first in payload)) continue;
    if (path.rest.length === 0) {
      out[path.first] = structuredClone(payload[path.first]);
      continue;
    }
    if (!path.rest.every((x) => "key" in x)) {
      out[path.first] = structuredClone(payload[path.first]);
      continue;
    }
    let source: unknown = payload[path.first];
    out[path.first] ??= {};
    let target: Json = out[path.first];
    const keys = path.rest.map((segment) => (segment as { key: string }).key);
    for (const [i, key] of keys.entries()) {
      if (!source || typeof source !== "object" || Array.isArray(source) || !(key in (source as Json))) break;
      source = (source as Json)[key];
      if (i === keys.length - 1) target[key] = structuredClone(source);
      else {
        target[key] ??= {};
        target = target[key];
      }
    }
  }
  return out;
}

function selectPayload(payload: Json, withPayload: unknown, defaultOn: boolean): Json | undefined {
  const spec = withPayload === undefined || withPayload === null ? defaultOn : withPayload;
  if (spec === false) return undefined;
  if (spec === true) return structuredClone(payload);
  const parse = (xs: string[]) =>
    xs.map((entry) => {
      const parsed = parseJsonPath(entry);
      if (!parsed)
        throw new HttpError(
          400,
          `Format error in JSON body: with_payload: invalid payload key ${JSON.stringify(entry)}`,
        );
      return parsed;
    });
  if (Array.isArray(spec)) return includePaths(payload, parse(spec));
  if (spec && typeof spec === "object" && Array.isArray((spec as Json).include))
    return includePaths(payload, parse((spec as Json).include));
  if (spec && typeof spec === "object" && Array.isArray((spec as Json).exclude)) {
    const copy = structuredClone(payload);
    for (const excludedPath of parse((spec as Json).exclude)) removePath(copy, excludedPath);
    return copy;
  }
  return structuredClone(payload);
}

function preprocess(distance: Distance, v: number[]): Float32Array {
  const out = Float32Array.from(v);
  if (distance !== "Cosine") return out;
  let sum = 0;
  for (const x of out) sum += x * x;
  const norm = Math.sqrt(sum);
  // Qdrant leaves a zero vector as it is, so it scores 0 against everything.
  if (norm > 1e-30) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

function score(distance: Distance, q: Float32Array, v: Float32Array): number {
  let similarity = 0;
  if (distance === "Euclid") {
    for (let i = 0; i < q.length; i++) similarity += (q[i]! - v[i]!) ** 2;
    return Math.fround(Math.sqrt(similarity));
  }
  if (distance === "Manhattan") {
    for (let i = 0; i < q.length; i++) similarity += Math.abs(q[i]! - v[i]!);
    return Math.fround(similarity);
  }
  for (let i = 0; i < q.length; i++) similarity += q[i]! * v[i]!;
  return Math.fround(similarity);
}

const higherIsBetter = (distance: Distance) => distance === "Cosine" || distance === "Dot";

/** English stop words Qdrant's bm25 drops (a subset of its list). */
const STOP_WORDS = new Set(
  (
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these " +
    "they this to was will with i me my we our you your he she his her its"
  ).split(" "),
);
const BM25_MODEL = "qdrant/bm25";
const BM25 = { k: 1.2, b: 0.75, avgLen: 256 };

/** A token's index in the sparse vector: FNV-1a, as an unsigned 32-bit integer. */
function tokenIndex(token: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(token, "utf8")) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** Qdrant/bm25 document encoding: term-frequency weights, normalised by document length. */
export function bm25Encode(text: string, kind: "document" | "query"): SparseVector {
  const tokens = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => !STOP_WORDS.has(t));
  const tf = new Map<number, number>();
  for (const t of tokens) tf.set(tokenIndex(t), (tf.get(tokenIndex(t)) ?? 0) + 1);
  const indices = [...tf.keys()].sort((a, b) => a - b);
  const norm = BM25.k * (1 - BM25.b + (BM25.b * tokens.length) / BM25.avgLen);
  const values = indices.map((i) => (kind === "query" ? 1 : (tf.get(i)! * (BM25.k + 1)) / (tf.get(i)! + norm)));
  return { indices, values };
}

function isDocument(v: unknown): v is { text: string; model: string } {
  return (
    !!v &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    typeof (v as Json).text === "string" &&
    typeof (v as Json).model === "string"
  );
}

function isSparse(v: unknown): v is SparseVector {
  return !!v && typeof v === "object" && Array.isArray((v as Json).indices) && Array.isArray((v as Json).values);
}

export async function startQdrantServer(options: QdrantServerOptions = {}): Promise<QdrantServer> {
  const collections = new Map<string, Collection>();
  const started = performance.now();
  const ok = (result: unknown, status = 200): Reply => ({
    status,
    body: { result, status: "ok", time: (performance.now() - started) / 1e9 },
  });

  const collectionNamed = (name: string): Collection => {
    const collection = collections.get(name);
    if (!collection) throw notFound(`Collection \`${name}\` doesn't exist!`);
    return collection;
  };
  /** A path parameter the route's template names, so always there. */
  const pathParam = (params: Record<string, string>, name: string): string => {
    const value = params[name];
    if (value === undefined) throw new Error(`the route has no {${name}} parameter`);
    return value;
  };
  const collectionOf = (params: Record<string, string>) => collectionNamed(pathParam(params, "collection_name"));

  const textIndexes = (collection: Collection): Map<string, TextIndex> => {
    const out = new Map<string, TextIndex>();
    for (const [field, idx] of collection.indexes) {
      if (idx.data_type !== "text") continue;
      const indexParams = idx.params ?? {};
      out.set(field, {
        tokenizer: indexParams.tokenizer ?? "word",
        lowercase: indexParams.lowercase ?? true,
        minTokenLen: indexParams.min_token_len ?? undefined,
        maxTokenLen: indexParams.max_token_len ?? undefined,
      });
    }
    return out;
  };

  const matching = (collection: Collection, filter: Json | null | undefined): StoredPoint[] => {
    const ctx = { textIndexes: textIndexes(collection) };
    return [...collection.points.values()]
      .filter((p) => checkFilter(filter, p.payload, { ...ctx, pointId: p.id }))
      .sort((a, b) => compareIds(a.id, b.id));
  };

  const denseOf = (collection: Collection, name: string, v: unknown, where: string): Float32Array => {
    const params = collection.dense.get(name);
    if (!params) throw badInput(`Not existing vector name error: ${name === "" ? "default vector" : name}`);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number"))
      throw unsupported(`${where}: a vector other than a dense float array`);
    if (v.length !== params.size)
      throw badInput(`Vector dimension error: expected dim: ${params.size}, got ${v.length}`);
    return preprocess(params.distance, v as number[]);
  };

  const sparseOf = (collection: Collection, name: string, v: unknown, kind: "document" | "query"): SparseVector => {
    if (!collection.sparse.has(name)) throw badInput(`Not existing vector name error: ${name}`);
    if (isDocument(v)) {
      if (v.model.toLowerCase() !== BM25_MODEL) throw unsupported(`inference with model ${JSON.stringify(v.model)}`);
      return bm25Encode(v.text, kind);
    }
    if (!isSparse(v)) throw badInput(`Conversion between sparse and regular vectors failed`);
    if (v.indices.length !== v.values.length)
      throw new HttpError(422, `Validation error in JSON body: [indices: must be the same length as values]`);
    if (new Set(v.indices).size !== v.indices.length)
      throw new HttpError(422, `Validation error in JSON body: [indices: must be unique]`);
    return { indices: [...v.indices], values: [...v.values] };
  };

  /** A point's VectorStruct: a bare dense array is the unnamed vector; an object names each vector. */
  const vectorsOf = (collection: Collection, v: unknown, where: string): Map<string, Float32Array | SparseVector> => {
    const out = new Map<string, Float32Array | SparseVector>();
    if (Array.isArray(v)) {
      if (v.some((x) => Array.isArray(x))) throw unsupported(`${where}: multi vectors`);
      out.set("", denseOf(collection, "", v, where));
      return out;
    }
    if (isDocument(v)) throw unsupported(`${where}: a document for the unnamed dense vector`);
    for (const [name, value] of Object.entries((v ?? {}) as Json)) {
      out.set(
        name,
        collection.sparse.has(name)
          ? sparseOf(collection, name, value, "document")
          : denseOf(collection, name, value, `${where}.${name}`),
      );
    }
    return out;
  };

  /** Scores `candidates` against a query on vector `using`; best first, ties by id. */
  const rank = (
    c: Collection,
    candidates: StoredPoint[],
    using: string,
    query: unknown,
  ): { pt: StoredPoint; score: number }[] => {
    if (c.sparse.has(using)) {
      const querySparse = sparseOf(c, using, query, "query");
      const idf = new Map<number, number>();
      if (c.sparse.get(using)!.modifier === "idf") {
        const docs = [...c.points.values()]
          .map((p) => p.vectors.get(using))
          .filter((x): x is SparseVector => isSparse(x));
        for (const i of querySparse.indices) {
          const docCount = docs.filter((d) => d.indices.includes(i)).length;
          idf.set(i, Math.log((docs.length - docCount + 0.5) / (docCount + 0.5) + 1));
        }
      }
      // Points without the sparse vector, or sharing no index with the query, are not hits.
      return candidates
        .flatMap((pt) => {
          const docSparse = pt.vectors.get(using);
          if (!isSparse(docSparse)) return [];
          let total = 0;
          let overlap = false;
          querySparse.indices.forEach((i, k) => {
            const j = docSparse.indices.indexOf(i);
            if (j < 0) return;
            overlap = true;
            total += querySparse.values[k]! * docSparse.values[j]! * (idf.get(i) ?? 1);
          });
          return overlap ? [{ pt, score: Math.fround(total) }] : [];
        })
        .sort((a, b) => b.score - a.score || compareIds(a.pt.id, b.pt.id));
    }
    const params = c.dense.get(using);
    if (!params) throw badInput(`Not existing vector name error: ${using === "" ? "default vector" : using}`);
    const queryDense = denseOf(c, using, query, "query");
    const sign = higherIsBetter(params.distance) ? -1 : 1;
    return candidates
      .flatMap((pt) => {
        const pointDense = pt.vectors.get(using);
        return pointDense instanceof Float32Array
          ? [{ pt, score: score(params.distance, queryDense, pointDense) }]
          : [];
      })
      .sort((a, b) => sign * (a.score - b.score) || compareIds(a.pt.id, b.pt.id));
  };

  const passes = (collection: Collection, using: string, s: number, threshold: number | null | undefined) =>
    threshold == null ||
    (collection.sparse.has(using) || higherIsBetter(collection.dense.get(using)!.distance)
      ? s >= threshold
      : s <= threshold);

  const updateResult = (collection: Collection) => ok({ operation_id: collection.operationId++, status: "completed" });

  const selectPoints = (collection: Collection, body: Json, where: string): StoredPoint[] => {
    if (Array.isArray(body.points)) {
      const ids = body.points.map((id: unknown, i: number) => checkId(id, `${where}.points[${i}]`));
      const found = ids
        .map((id: PointId) => collection.points.get(id))
        .filter((p: StoredPoint | undefined): p is StoredPoint => p !== undefined);
      if (body.filter == null) return found;
      checkFilterBody(body.filter, `${where}.filter`);
      const ctx = { textIndexes: textIndexes(collection) };
      return found.filter((p: StoredPoint) => checkFilter(body.filter, p.payload, { ...ctx, pointId: p.id }));
    }
    if (body.filter != null) {
      checkFilterBody(body.filter, `${where}.filter`);
      return matching(collection, body.filter);
    }
    throw badInput("Either list of point ids or filter must be provided");
  };

  // Each handler checks the fields it reads and answers Qdrant's own 400 for bad ones, as the real server does.
  // biome-ignore lint/suspicious/noExplicitAny: parsed request JSON, checked field by field where it is read
  type Handler = (params: Record<string, string>, body: any, req: RouteRequest) => Reply;
  const routes: { method: string; template: string; regex: RegExp; names: string[]; handle: Handler }[] = [];
  const on = (method: string, template: string, handle: Handler) => {
    const names: string[] = [];
    const pattern = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    const regex = new RegExp(`^${pattern}$`);
    routes.push({ method, template, regex, names, handle });
  };
  const validated = (method: string, template: string, handle: Handler) =>
    on(method, template, (params, body, req) => {
      if (typeof req.body === "string" && req.rawBody !== "")
        throw new HttpError(400, `Format error in JSON body: expected a JSON object`);
      validateBody(method, template, body ?? {});
      return handle(params, body ?? {}, req);
    });

  on("GET", "/", () => ({
    status: 200,
    body: {
      title: "qdrant - vector search engine",
      version: QDRANT_VERSION,
      commit: "0000000000000000000000000000000000000000",
    },
  }));

  on("GET", "/collections", () => ok({ collections: [...collections.keys()].map((name) => ({ name })) }));

  on("GET", "/collections/{collection_name}/exists", (params) =>
    ok({ exists: collections.has(pathParam(params, "collection_name")) }),
  );

  validated("PUT", "/collections/{collection_name}", (params, body) => {
    const name = pathParam(params, "collection_name");
    if (!/^[^/\\\0]{1,255}$/.test(name))
      throw new HttpError(422, `Validation error in path parameters: [name: collection name is not valid]`);
    // Qdrant maps StorageError::AlreadyExists to 409 Conflict (mem0ai and Mem0 Python rely on it).
    if (collections.has(name)) throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const vectors = body.vectors ?? {};
    const single = typeof vectors.size === "number";
    const dense = new Map<string, { size: number; distance: Distance }>();
    if (single) dense.set("", { size: vectors.size, distance: vectors.distance });
    else
      for (const [n, v] of Object.entries(vectors as Record<string, Json>))
        dense.set(n, { size: v.size, distance: v.distance });
    const sparse = new Map<string, { modifier?: string }>(
      Object.entries((body.sparse_vectors ?? {}) as Record<string, Json>).map(([n, v]) => [
        n,
        { modifier: v?.modifier ?? undefined },
      ]),
    );
    const main = dense.get("") ?? [...dense.values()][0] ?? { size: 0, distance: "Cosine" as Distance };
    collections.set(name, {
      name,
      size: main.size,
      distance: main.distance,
      dense,
      sparse,
      vectorsConfig: vectors,
      params: {
        vectors,
        ...(sparse.size > 0 ? { sparse_vectors: body.sparse_vectors } : {}),
        shard_number: body.shard_number ?? 1,
        replication_factor: body.replication_factor ?? 1,
        write_consistency_factor: body.write_consistency_factor ?? 1,
        on_disk_payload: body.on_disk_payload ?? true,
      },
      onDiskPayload: body.on_disk_payload ?? true,
      points: new Map(),
      indexes: new Map(),
      operationId: 0,
    });
    return ok(true);
  });

  on("GET", "/collections/{collection_name}", (params) => {
    const collection = collectionOf(params);
    const payload_schema: Json = {};
    for (const [field, idx] of collection.indexes) {
      const path = parseJsonPath(field)!;
      const points = [...collection.points.values()].filter((pt) =>
        valuesAt(pt.payload, path).some((v) => v !== null && !(Array.isArray(v) && v.length === 0)),
      ).length;
      payload_schema[field] = { data_type: idx.data_type, ...(idx.params ? { params: idx.params } : {}), points };
    }
    return ok({
      status: "green",
      optimizer_status: "ok",
      indexed_vectors_count: 0,
      points_count: collection.points.size,
      segments_count: 1,
      config: {
        params: collection.params,
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
        optimizer_config: {
          deleted_threshold: 0.2,
          vacuum_min_vector_number: 1000,
          default_segment_number: 0,
          max_segment_size: null,
          memmap_threshold: null,
          indexing_threshold: 10000,
          flush_interval_sec: 5,
          max_optimization_threads: null,
        },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: null,
      },
      payload_schema,
    });
  });

  on("DELETE", "/collections/{collection_name}", (params) =>
    ok(collections.delete(pathParam(params, "collection_name"))),
  );

  validated("PUT", "/collections/{collection_name}/index", (params, body) => {
    const collection = collectionOf(params);
    if (!parseJsonPath(body.field_name))
      throw new HttpError(
        400,
        `Format error in JSON body: field_name: invalid payload key ${JSON.stringify(body.field_name)}`,
      );
    const schema = body.field_schema;
    if (schema == null) throw badInput(`Can't auto-detect field type, please specify \`field_schema\` in the request`);
    if (typeof schema === "string") collection.indexes.set(body.field_name, { data_type: schema });
    else collection.indexes.set(body.field_name, { data_type: schema.type, params: schema });
    return updateResult(collection);
  });

  validated("PUT", "/collections/{collection_name}/points", (params, body) => {
    const collection = collectionOf(params);
    let incoming: { id: PointId; vectors: Map<string, Float32Array | SparseVector>; payload: Json }[];
    if (body.batch) {
      const { ids, vectors, payloads } = body.batch;
      if (!Array.isArray(vectors) || vectors.length !== ids.length)
        throw badInput(`number of ids and vectors must be equal`);
      if (!Array.isArray(vectors)) throw unsupported("batch.vectors by name");
      incoming = ids.map((id: unknown, i: number) => ({
        id: checkId(id, `batch.ids[${i}]`),
        vectors: vectorsOf(collection, vectors[i], `batch.vectors[${i}]`),
        payload: payloads?.[i] ?? {},
      }));
    } else {
      incoming = body.points.map((pt: Json, i: number) => ({
        id: checkId(pt.id, `points[${i}].id`),
        vectors: vectorsOf(collection, pt.vector, `points[${i}].vector`),
        payload: pt.payload ?? {},
      }));
    }
    if (body.shard_key != null) throw unsupported("shard_key");
    checkFilterBody(body.update_filter, "update_filter");
    const mode: string = body.update_mode ?? "upsert";
    const ctx = { textIndexes: textIndexes(collection) };
    for (const pt of incoming) {
      const existing = collection.points.get(pt.id);
      if (existing) {
        if (mode === "insert_only") continue;
        if (
          body.update_filter != null &&
          !checkFilter(body.update_filter, existing.payload, { ...ctx, pointId: existing.id })
        )
          continue;
        // An upsert replaces the whole point: vectors it does not give are gone.
        collection.points.set(pt.id, {
          id: pt.id,
          vectors: pt.vectors,
          payload: structuredClone(pt.payload),
          version: existing.version + 1,
        });
      } else if (mode !== "update_only") {
        collection.points.set(pt.id, {
          id: pt.id,
          vectors: pt.vectors,
          payload: structuredClone(pt.payload),
          version: 0,
        });
      }
    }
    return updateResult(collection);
  });

  /** A point's vectors as Qdrant returns them: the bare array for a single unnamed vector, else by name. */
  const vectorsOut = (collection: Collection, pt: StoredPoint): unknown => {
    const out = (v: Float32Array | SparseVector) =>
      v instanceof Float32Array ? Array.from(v) : { indices: [...v.indices], values: [...v.values] };
    if (collection.dense.has("") && collection.dense.size === 1 && collection.sparse.size === 0)
      return out(pt.vectors.get("")!);
    return Object.fromEntries([...pt.vectors].map(([n, v]) => [n, out(v)]));
  };

  const recordOut = (
    c: Collection,
    pt: StoredPoint,
    withPayload: unknown,
    withVector: unknown,
    payloadDefault: boolean,
  ) => {
    const payload = selectPayload(pt.payload, withPayload, payloadDefault);
    return {
      id: pt.id,
      ...(payload !== undefined ? { payload } : { payload: null }),
      ...(withVector === true ? { vector: vectorsOut(c, pt) } : {}),
    };
  };

  validated("POST", "/collections/{collection_name}/points", (params, body) => {
    const collection = collectionOf(params);
    const ids: PointId[] = body.ids.map((id: unknown, i: number) => checkId(id, `ids[${i}]`));
    const seen = new Set<PointId>();
    const out = [];
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const pt = collection.points.get(id);
      if (pt) out.push(recordOut(collection, pt, body.with_payload, body.with_vector, true));
    }
    return ok(out);
  });

  on("GET", "/collections/{collection_name}/points/{id}", (params) => {
    const collection = collectionOf(params);
    const raw = decodeURIComponent(pathParam(params, "id"));
    const id = /^\d+$/.test(raw) ? Number(raw) : raw;
    const pt = collection.points.get(checkId(id, "id"));
    if (!pt) throw notFound(`No point with id ${raw} found`);
    return ok(recordOut(collection, pt, true, true, true));
  });

  validated("POST", "/collections/{collection_name}/points/query", (params, body) => {
    const collection = collectionOf(params);
    if (body.prefetch != null) throw unsupported("prefetch");
    if (body.shard_key != null) throw unsupported("shard_key");
    if (body.lookup_from != null) throw unsupported("lookup_from");
    checkFilterBody(body.filter, "filter");
    const limit: number = body.limit ?? 10;
    const offset: number = body.offset ?? 0;
    let query = body.query;
    if (query && typeof query === "object" && !Array.isArray(query) && "nearest" in query) {
      if (query.mmr != null) throw unsupported("mmr");
      query = query.nearest;
    }
    const candidates = matching(collection, body.filter);
    let scored: { pt: StoredPoint; score: number }[];
    const using: string = body.using ?? "";
    if (query === undefined || query === null) {
      scored = candidates.map((pt) => ({ pt, score: 0 }));
    } else if (Array.isArray(query) || isSparse(query) || isDocument(query)) {
      scored = rank(collection, candidates, using, query).filter((x) =>
        passes(collection, using, x.score, body.score_threshold),
      );
    } else throw unsupported("this kind of query");
    const points = scored.slice(offset, offset + limit).map(({ pt, score: s }) => ({
      ...recordOut(collection, pt, body.with_payload, body.with_vector, false),
      version: pt.version,
      score: s,
    }));
    return ok({ points });
  });

  validated("POST", "/collections/{collection_name}/points/scroll", (params, body) => {
    const collection = collectionOf(params);
    if (body.order_by != null) throw unsupported("order_by");
    if (body.shard_key != null) throw unsupported("shard_key");
    checkFilterBody(body.filter, "filter");
    const limit: number = body.limit ?? 10;
    const start = body.offset == null ? undefined : checkId(body.offset, "offset");
    const all = matching(collection, body.filter).filter((pt) => start === undefined || compareIds(pt.id, start) >= 0);
    const page = all.slice(0, limit);
    const next = all[limit];
    return ok({
      points: page.map((pt) => recordOut(collection, pt, body.with_payload, body.with_vector, true)),
      next_page_offset: next ? next.id : null,
    });
  });

  // Deprecated in Qdrant 1.10 but still served; mem0ai 3.x searches with it.
  validated("POST", "/collections/{collection_name}/points/search", (params, body) => {
    const collection = collectionOf(params);
    if (body.shard_key != null) throw unsupported("shard_key");
    checkFilterBody(body.filter, "filter");
    const named = body.vector && !Array.isArray(body.vector) ? (body.vector as Json) : undefined;
    const using: string = named ? named.name : "";
    const query = named ? named.vector : body.vector;
    const offset: number = body.offset ?? 0;
    const scored = rank(collection, matching(collection, body.filter), using, query).filter((x) =>
      passes(collection, using, x.score, body.score_threshold),
    );
    return ok(
      scored.slice(offset, offset + body.limit).map(({ pt, score: sc }) => ({
        ...recordOut(collection, pt, body.with_payload, body.with_vector, false),
        version: pt.version,
        score: sc,
      })),
    );
  });

  // Replaces the named vectors given and keeps the point's other vectors and its payload.
  validated("PUT", "/collections/{collection_name}/points/vectors", (params, body) => {
    const collection = collectionOf(params);
    if (body.shard_key != null) throw unsupported("shard_key");
    checkFilterBody(body.update_filter, "update_filter");
    const ctx = { textIndexes: textIndexes(collection) };
    const updates = (body.points as Json[]).map((pt, i) => ({
      id: checkId(pt.id, `points[${i}].id`),
      vectors: vectorsOf(collection, pt.vector, `points[${i}].vector`),
    }));
    for (const u of updates) if (!collection.points.has(u.id)) throw notFound(`No point with id ${u.id} found`);
    for (const pointUpdate of updates) {
      const pt = collection.points.get(pointUpdate.id)!;
      if (body.update_filter != null && !checkFilter(body.update_filter, pt.payload, { ...ctx, pointId: pt.id }))
        continue;
      for (const [n, v] of pointUpdate.vectors) pt.vectors.set(n, v);
      pt.version += 1;
    }
    return updateResult(collection);
  });

  validated("POST", "/collections/{collection_name}/points/count", (params, body) => {
    const collection = collectionOf(params);
    checkFilterBody(body.filter, "filter");
    return ok({ count: matching(collection, body.filter).length });
  });

  validated("POST", "/collections/{collection_name}/points/delete", (params, body) => {
    const collection = collectionOf(params);
    if (body.shard_key != null) throw unsupported("shard_key");
    for (const pt of selectPoints(collection, body, "body")) collection.points.delete(pt.id);
    return updateResult(collection);
  });

  const writePayload = (overwrite: boolean) => (params: Record<string, string>, body: Json) => {
    const collection = collectionOf(params);
    if (body.shard_key != null) throw unsupported("shard_key");
    let path: JsonPath | undefined;
    if (body.key != null) {
      path = parseJsonPath(body.key);
      if (!path)
        throw new HttpError(400, `Format error in JSON body: key: invalid payload key ${JSON.stringify(body.key)}`);
      if (!path.rest.every((x) => "key" in x)) throw unsupported("a payload key with array indices");
    }
    for (const pt of selectPoints(collection, body, "body")) {
      const value = structuredClone(body.payload) as Json;
      if (!path) {
        pt.payload = overwrite ? value : { ...pt.payload, ...value };
      } else {
        // Qdrant sets (or, for overwrite, replaces) the object at `key`, creating it when missing.
        const keys = [path.first, ...path.rest.map((x) => (x as { key: string }).key)];
        let target = pt.payload;
        for (const segment of keys.slice(0, -1)) {
          if (!target[segment] || typeof target[segment] !== "object" || Array.isArray(target[segment]))
            target[segment] = {};
          target = target[segment];
        }
        const last = keys[keys.length - 1]!;
        const current = target[last];
        target[last] =
          overwrite || !current || typeof current !== "object" || Array.isArray(current)
            ? value
            : { ...current, ...value };
      }
      pt.version += 1;
    }
    return updateResult(collection);
  };
  validated("PUT", "/collections/{collection_name}/points/payload", writePayload(true));
  validated("POST", "/collections/{collection_name}/points/payload", writePayload(false));

  // The FakeServer routes by exact path; Qdrant's paths carry the collection name, so a concrete
  // route is registered for each path the first time a request for it arrives (the latency hook
  // is the one callback that runs before routing).
  const table: Route[] = [];
  const known = new Set<string>();
  const dispatch = (req: RouteRequest): Reply => {
    for (const candidateRoute of routes) {
      if (candidateRoute.method !== req.method) continue;
      const routeMatch = candidateRoute.regex.exec(req.path);
      if (!routeMatch) continue;
      const params = Object.fromEntries(
        candidateRoute.names.map((n, i) => [n, decodeURIComponent(routeMatch[i + 1]!)]),
      );
      try {
        return candidateRoute.handle(params, req.body, req);
      } catch (err) {
        if (err instanceof HttpError) return { status: err.status, body: { status: { error: err.message }, time: 0 } };
        throw err;
      }
    }
    return { status: 404, body: { status: { error: `Not found: no route for ${req.method} ${req.path}` }, time: 0 } };
  };
  const ensureRoute = (call: CallRecord) => {
    const key = `${call.method} ${call.path}`;
    if (known.has(key)) return;
    known.add(key);
    table.push({ method: call.method, path: call.path, handle: dispatch });
  };
  let latency = options.latencyMs;
  const hook = (call: CallRecord) => {
    ensureRoute(call);
    return typeof latency === "function" ? latency(call) : (latency ?? 0);
  };

  const server = await FakeServer.start({
    routes: table,
    latencyMs: hook,
    errorBody: (_status, message) => ({ status: { error: message }, time: 0 }),
    auth: options.apiKey
      ? (headers) => {
          const given = headers["api-key"] ?? /^bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
          if (given === options.apiKey) return undefined;
          return {
            status: 401,
            body: {
              status: {
                error: given ? "Invalid API key or JWT" : "Must provide an API key or an Authorization bearer token",
              },
              time: 0,
            },
          };
        }
      : undefined,
  });
  // Tests may set `latencyMs` on the server as on every fake; the routing hook has to stay in front.
  Object.defineProperty(server, "latencyMs", {
    get: () => hook,
    set: (value: FakeServerOptions["latencyMs"]) => {
      latency = value;
    },
  });
  return Object.assign(server, { collections }) as QdrantServer;
}
