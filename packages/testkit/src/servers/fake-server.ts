/**
 * A small loopback HTTP server (real sockets on 127.0.0.1, a free port) that the protocol fakes are
 * built on. Tests program it: latency, queued faults (status codes with or without Retry-After,
 * connection resets, hangs, slow bodies, malformed JSON, and protocol-level answer faults such as a
 * wrong result count), and read back a log of every call with its headers and body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault =
  /** Answer with this status (and the API's own error body unless `body` is given). */
  | { type: "status"; status: number; body?: unknown; retryAfter?: number | string; headers?: Record<string, string> }
  /** Read the request, then destroy the socket without answering (ECONNRESET on the client). */
  | { type: "reset" }
  /** Never answer; the client has to give up (timeout or abort). */
  | { type: "hang" }
  /** Answer normally after `ms` more milliseconds. */
  | { type: "delay"; ms: number }
  /** Send the status and headers at once, then the body in `chunks` pieces `chunkDelayMs` apart. */
  | { type: "slow-body"; chunkDelayMs?: number; chunks?: number }
  /** 200 with a body that is not JSON. */
  | { type: "malformed-json" }
  /** 200 with one result too few. */
  | { type: "wrong-count" }
  /** 200 with a result whose index is outside the documents sent. */
  | { type: "bad-index" }
  /** 200 with a `NaN` score, written as Python's json module does (a bare NaN token). */
  | { type: "nan-score" }
  /** 200 with a score that is a string. */
  | { type: "non-numeric-score" };

export type FaultName = Fault["type"];
export type FaultInput = Fault | Exclude<FaultName, "status" | "delay">;

/** Faults that change a successful answer; each protocol fake says how. */
export const ANSWER_FAULTS = ["wrong-count", "bad-index", "nan-score", "non-numeric-score"] as const;
export type AnswerFault = (typeof ANSWER_FAULTS)[number];

export interface CallRecord {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  rawBody: string;
  /** What was answered: an HTTP status, or "reset" / "hang". */
  status?: number | "reset" | "hang";
  fault?: FaultName;
  /** ms since the server started, when the request was fully read. */
  at: number;
}

export interface Reply {
  status: number;
  /** Serialised as JSON unless `raw` is given. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Instead of an answer: a transport fault (status, reset, hang) applied to this call. */
  fault?: Fault;
}

export interface RouteRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  rawBody: string;
  call: CallRecord;
}

export interface Route {
  method: string;
  path: string;
  handle(req: RouteRequest): Reply | Promise<Reply>;
  /** Rewrites a successful reply for an answer fault (wrong count, bad index, NaN, string score). */
  answerFault?(fault: AnswerFault, reply: Reply, req: RouteRequest): Reply;
}

export interface FakeServerOptions {
  routes: Route[];
  /** Delay before every answer; a function can vary it per call. */
  latencyMs?: number | ((call: CallRecord) => number);
  /** Bodies over this many bytes get `oversize()` (default: no limit). */
  maxBodyBytes?: number;
  oversize?: (bytes: number) => Reply;
  /** The API's error body for a status, used by `status` faults and 404s. */
  errorBody?: (status: number, message: string) => unknown;
  /** Checks credentials before anything else (as real APIs do); returns the 401 reply or undefined. */
  auth?: (headers: Record<string, string>) => Reply | undefined;
  /** Start with `echoKey` on (see FakeServer.echoKey). */
  echoKey?: boolean;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  path?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function normalizeFault(fault: FaultInput): Fault {
  return typeof fault === "string" ? ({ type: fault } as Fault) : fault;
}

const STATUS_TEXT: Record<number, string> = {
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  408: "request timeout",
  413: "payload too large",
  422: "unprocessable entity",
  424: "failed dependency",
  429: "too many requests",
  500: "internal server error",
  502: "bad gateway",
  503: "service unavailable",
  504: "gateway timeout",
};

export class FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly calls: CallRecord[] = [];
  latencyMs: FakeServerOptions["latencyMs"];
  /**
   * A careless server: every answer echoes the caller's bearer key in headers (`x-api-warning`,
   * `x-ratelimit-echo`), and every error body echoes it where the client's 300-character cut falls,
   * so a client that redacts late, or not at all, shows it.
   */
  echoKey: boolean;
  /** The most requests that were being handled at the same moment. */
  maxConcurrent = 0;
  private inFlight = 0;
  private faults: QueuedFault[] = [];
  private readonly started = performance.now();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly options: FakeServerOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.latencyMs = options.latencyMs;
    this.echoKey = options.echoKey ?? false;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("request", (req, res) => void this.handle(req, res));
  }

  static async start(options: FakeServerOptions): Promise<FakeServer> {
    const server = createServer({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new FakeServer(server, options);
  }

  /**
   * Queues a fault for the next `times` matching calls (default 1; `Infinity` for every call),
   * optionally only for one path. Faults are used in the order they were queued.
   */
  inject(fault: FaultInput, options: { times?: number; path?: string } = {}): this {
    const normalized = normalizeFault(fault);
    if ((ANSWER_FAULTS as readonly string[]).includes(normalized.type)) {
      const routes = this.options.routes.filter((r) => !options.path || r.path === options.path);
      if (!routes.some((r) => r.answerFault))
        throw new Error(`fault ${normalized.type} is not supported by ${options.path ?? "any route of this server"}`);
    }
    this.faults.push({ fault: normalized, remaining: options.times ?? 1, path: options.path });
    return this;
  }

  /** Every call from now on fails with `fault` until `clearFaults()`. */
  always(fault: FaultInput, options: { path?: string } = {}): this {
    return this.inject(fault, { ...options, times: Infinity });
  }

  clearFaults(): this {
    this.faults = [];
    return this;
  }

  /** Forgets calls and faults, e.g. between tests sharing one server. */
  reset(): this {
    this.calls.length = 0;
    this.maxConcurrent = 0;
    return this.clearFaults();
  }

  callsTo(path: string): CallRecord[] {
    return this.calls.filter((c) => c.path === path);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(path: string): Fault | undefined {
    const queued = this.faults.find((f) => f.remaining > 0 && (!f.path || f.path === path));
    if (!queued) return undefined;
    queued.remaining -= 1;
    return queued.fault;
  }

  private errorReply(status: number, message?: string, extraHeaders?: Record<string, string>): Reply {
    const text = message ?? STATUS_TEXT[status] ?? `status ${status}`;
    return {
      status,
      body: this.options.errorBody ? this.options.errorBody(status, text) : { message: text },
      headers: extraHeaders,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    let call: CallRecord | undefined;
    try {
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of req) {
        bytes += (chunk as Buffer).length;
        // Past the limit the bytes are drained, not kept, so the 413 can still be answered.
        if (this.options.maxBodyBytes === undefined || bytes <= this.options.maxBodyBytes) chunks.push(chunk as Buffer);
      }
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      let body: unknown = rawBody;
      try {
        body = rawBody === "" ? undefined : JSON.parse(rawBody);
      } catch {
        /* kept as text: the route answers the API's own parse error */
      }
      const path = (req.url ?? "/").split("?")[0]!;
      call = {
        method: req.method ?? "GET",
        path,
        headers,
        body,
        rawBody,
        at: Math.round(performance.now() - this.started),
      };
      this.calls.push(call);

      const fault = this.takeFault(path);
      if (fault) call.fault = fault.type;
      const latency = typeof this.latencyMs === "function" ? this.latencyMs(call) : (this.latencyMs ?? 0);
      if (latency > 0) await sleep(latency);
      if (fault?.type === "delay") await sleep(fault.ms);

      if (fault && (await this.transportFault(fault, req, res, call))) return;
      let reply: Reply;
      const route = this.options.routes.find((r) => r.method === call!.method && r.path === path);
      const denied = this.options.auth?.(headers);
      if (!route) reply = this.errorReply(404, `no route for ${call.method} ${path}`);
      else if (denied) reply = denied;
      else if (this.options.maxBodyBytes !== undefined && bytes > this.options.maxBodyBytes) {
        reply = this.options.oversize?.(bytes) ?? this.errorReply(413);
      } else {
        const routeReq: RouteRequest = { method: call.method, path, headers, body, rawBody, call };
        reply = await route.handle(routeReq);
        // A route may answer with a fault of its own (e.g. a scripted chat answer).
        if (reply.fault) {
          call.fault = reply.fault.type;
          if (await this.transportFault(reply.fault, req, res, call)) return;
          reply = this.errorReply(500, `fault ${reply.fault.type} cannot be scripted as an answer; use inject()`);
        }
        if (
          fault &&
          (ANSWER_FAULTS as readonly string[]).includes(fault.type) &&
          reply.status < 300 &&
          route.answerFault
        ) {
          reply = route.answerFault(fault.type as AnswerFault, reply, routeReq);
        }
      }
      if (fault?.type === "malformed-json" && reply.status < 300) {
        const text = JSON.stringify(reply.body ?? {});
        reply = { ...reply, raw: text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
      }
      if (fault?.type === "slow-body")
        return this.sendSlowly(res, call, reply, fault.chunks ?? 5, fault.chunkDelayMs ?? 100);
      return this.send(res, call, reply);
    } catch (err) {
      if (call) call.status = 500;
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake server error: ${err instanceof Error ? err.message : String(err)}`);
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Handles the faults that replace the answer entirely; false for those that shape an answer. */
  private async transportFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    call: CallRecord,
  ): Promise<boolean> {
    if (fault.type === "reset") {
      call.status = "reset";
      req.socket.destroy();
      return true;
    }
    if (fault.type === "hang") {
      call.status = "hang";
      if (!res.destroyed) await new Promise<void>((resolve) => res.on("close", () => resolve()));
      return true;
    }
    if (fault.type === "status") {
      const extra: Record<string, string> = { ...fault.headers };
      if (fault.retryAfter !== undefined) extra["retry-after"] = String(fault.retryAfter);
      this.send(
        res,
        call,
        fault.body !== undefined
          ? { status: fault.status, body: fault.body, headers: extra }
          : this.errorReply(fault.status, undefined, extra),
      );
      return true;
    }
    return false;
  }

  private serialise(reply: Reply): { text: string; headers: Record<string, string> } {
    const text = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
    const headers: Record<string, string> = { ...reply.headers };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
    return { text, headers };
  }

  private send(res: ServerResponse, call: CallRecord, reply: Reply): void {
    call.status = reply.status;
    if (res.destroyed) return;
    const { text, headers } = this.serialise(this.echoKey ? withEchoedKey(reply, bearerToken(call.headers)) : reply);
    res.writeHead(reply.status, { ...headers, "content-length": String(Buffer.byteLength(text)) });
    res.end(text);
  }

  private async sendSlowly(
    res: ServerResponse,
    call: CallRecord,
    reply: Reply,
    chunks: number,
    delayMs: number,
  ): Promise<void> {
    call.status = reply.status;
    const { text, headers } = this.serialise(reply);
    res.writeHead(reply.status, headers);
    const size = Math.ceil(text.length / chunks);
    for (let i = 0; i < text.length && !res.destroyed; i += size) {
      res.write(text.slice(i, i + size));
      await sleep(delayMs);
    }
    if (!res.destroyed) res.end();
  }
}

export function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  return FakeServer.start(options);
}

/** Where a client cuts server text (provider-utils' MAX_SERVER_TEXT): the echo straddles it. */
const CUT = 300;

function echoAt(message: string, key: string): string {
  const lead = " authorised by ";
  // Two thirds of the key before the cut: a client that cuts first, then redacts, leaks them.
  const pad = Math.max(0, CUT - Math.ceil((key.length * 2) / 3) - message.length - lead.length - 1);
  return `${message} ${"r".repeat(pad)}${lead}${key}`;
}

/** `reply` with `key` in its headers and, for an error, in the server's own words whatever the API's shape. */
function withEchoedKey(reply: Reply, key: string | undefined): Reply {
  if (!key) return reply;
  const headers = { ...reply.headers, "x-api-warning": `key ${key} is a trial key`, "x-ratelimit-echo": key };
  if (reply.status < 400) return { ...reply, headers };
  if (reply.raw !== undefined) return { ...reply, headers, raw: echoAt(reply.raw, key) };
  const body = reply.body;
  if (typeof body === "string") return { ...reply, headers, body: echoAt(body, key) };
  if (!body || typeof body !== "object") return { ...reply, headers, body: echoAt("error", key) };
  const record = body as Record<string, unknown>;
  const error = record.error as Record<string, unknown> | string | undefined;
  if (typeof record.message === "string")
    return { ...reply, headers, body: { ...record, message: echoAt(record.message, key) } };
  if (error && typeof error === "object" && typeof error.message === "string") {
    return { ...reply, headers, body: { ...record, error: { ...error, message: echoAt(error.message, key) } } };
  }
  if (typeof error === "string") return { ...reply, headers, body: { ...record, error: echoAt(error, key) } };
  return { ...reply, headers, body: { ...record, message: echoAt("error", key) } };
}

/** The bearer token of a request, or undefined. */
export function bearerToken(headers: Record<string, string>): string | undefined {
  const match = /^bearer\s+(.+)$/i.exec(headers.authorization ?? "");
  return match?.[1]?.trim();
}
