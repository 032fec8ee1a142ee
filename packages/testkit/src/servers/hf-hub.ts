/**
 * A loopback stand-in for the Hugging Face hub, serving what @huggingface/hub asks for: the model
 * API (`/api/models/{id}/revision/{rev}`, for the commit `main` is at), `paths-info`, and the file
 * route `/{id}/resolve/{rev}/{file}` with HEAD, `Range` and an ETag. Each repo is a fixture folder;
 * an unknown repo or file gets the hub's 404s. As on the real hub, each file's `lastCommit` is the
 * commit that last changed it, not the one `main` is at.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";

/** The commit every fake repository's `main` branch is at. */
export const FAKE_HF_COMMIT = "0123456789abcdef0123456789abcdef01234567";

export interface FakeHfHub {
  url: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Sees each request before the hub answers it; returns true when it answered (or chose never to).
 * `file` is set for the file route.
 */
export type HfHubIntercept = (req: IncomingMessage, res: ServerResponse, file?: string) => boolean;

/** What a file request gets instead of the file: no answer, a stalled body, or a status. */
export type HfHubFault = "hang" | "stall" | { status: number };

const sha1 = (bytes: Buffer | string) => createHash("sha1").update(bytes).digest("hex");
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

/**
 * An intercept for the file route: every file `matches` accepts gets `fault`. A stall sends the
 * headers and a little of the body, then nothing; HEAD and the `bytes=0-0` probe are still served.
 */
export function hfHubFault(matches: (file: string) => boolean, fault: HfHubFault): HfHubIntercept {
  return (req, res, file) => {
    if (file === undefined || !matches(file)) return false;
    if (fault === "hang") return true;
    if (fault === "stall") {
      if (req.method === "HEAD" || req.headers.range === "bytes=0-0") return false;
      res
        .writeHead(200, { "content-length": "100000", "content-type": "application/octet-stream" })
        .write(Buffer.alloc(100));
      return true;
    }
    res.writeHead(fault.status).end();
    return true;
  };
}

function readRepoFile(folder: string, file: string): Buffer | undefined {
  if (file.split("/").includes("..")) return undefined;
  try {
    return readFileSync(join(folder, file));
  } catch {
    return undefined;
  }
}

function serveFile(req: IncomingMessage, res: ServerResponse, bytes: Buffer): void {
  const etag = `"${sha1(bytes)}"`;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  const headers = { etag, "content-type": "application/octet-stream", "x-repo-commit": FAKE_HF_COMMIT };
  let body = bytes;
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
    body = bytes.subarray(start, end + 1);
    res.writeHead(206, {
      ...headers,
      "content-length": body.length,
      "content-range": `bytes ${start}-${end}/${bytes.length}`,
    });
  } else res.writeHead(200, { ...headers, "content-length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}

function answerPathsInfo(req: IncomingMessage, res: ServerResponse, folder: string): void {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    const { paths } = JSON.parse(body) as { paths: string[] };
    const infos = paths.flatMap((path) => {
      const bytes = readRepoFile(folder, path);
      if (!bytes) return [];
      const lastCommit = { id: sha1(path), title: `add ${path}`, date: "2026-01-01T00:00:00.000Z" };
      return [{ type: "file", path, oid: sha1(bytes), size: bytes.length, lastCommit }];
    });
    json(res, 200, infos);
  });
}

/** Starts the fake hub; `repos` maps a hub id (`owner/name`) to the fixture folder it serves. */
export async function startFakeHfHub(
  repos: Record<string, string>,
  intercept: HfHubIntercept = () => false,
): Promise<FakeHfHub> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "").split("?")[0] ?? "");
    requests.push(`${req.method} ${path}`);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|paths-info)\/([^/]+)$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (intercept(req, res, resolve?.[3])) return;
    const folder = repos[api?.[1] ?? resolve?.[1] ?? ""];
    if (!folder) return json(res, 404, { error: "Repository not found" }, { "x-error-code": "RepoNotFound" });
    if (api?.[2] === "revision")
      return json(res, 200, { _id: "fake", id: api[1], sha: FAKE_HF_COMMIT, private: false, gated: false });
    if (api?.[2] === "paths-info" && req.method === "POST") return answerPathsInfo(req, res, folder);
    const bytes = resolve?.[3] === undefined ? undefined : readRepoFile(folder, resolve[3]);
    if (!bytes)
      return void res
        .writeHead(404, { "x-error-code": "EntryNotFound", "content-type": "text/plain" })
        .end("Entry not found");
    serveFile(req, res, bytes);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
