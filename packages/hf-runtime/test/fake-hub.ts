/**
 * A loopback stand-in for the Hugging Face hub, serving what @huggingface/hub asks for: the model
 * API (`/api/models/{id}/revision/{rev}`, for the commit `main` is at), `paths-info`, and the file
 * route `/{id}/resolve/{rev}/{file}` with HEAD, `Range` and an ETag. Each repo is a fixture folder.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";

export const FAKE_COMMIT = "0123456789abcdef0123456789abcdef01234567";

export interface FakeHub {
  url: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Returns true when it answered the request itself (a refusal, a hang, a stall). */
export type Intercept = (req: IncomingMessage, res: ServerResponse, file?: string) => boolean;

const sha1 = (bytes: Buffer) => createHash("sha1").update(bytes).digest("hex");
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

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
  const headers = { etag, "content-type": "application/octet-stream", "x-repo-commit": FAKE_COMMIT };
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

export async function startFakeHub(
  repos: Record<string, string>,
  intercept: Intercept = () => false,
): Promise<FakeHub> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "").split("?")[0]!);
    requests.push(`${req.method} ${path}`);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|paths-info)\/([^/]+)$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (intercept(req, res, resolve?.[3])) return;
    const folder = repos[api?.[1] ?? resolve?.[1] ?? ""];
    if (!folder) return json(res, 404, { error: "Repository not found" }, { "x-error-code": "RepoNotFound" });
    if (api?.[2] === "revision")
      return json(res, 200, { _id: "fake", id: api[1], sha: FAKE_COMMIT, private: false, gated: false });
    if (api?.[2] === "paths-info" && req.method === "POST") {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const { paths } = JSON.parse(body) as { paths: string[] };
        const lastCommit = { id: FAKE_COMMIT, title: "fixture", date: "2026-01-01T00:00:00.000Z" };
        json(
          res,
          200,
          paths.flatMap((p) => {
            const bytes = readRepoFile(folder, p);
            return bytes ? [{ type: "file", path: p, oid: sha1(bytes), size: bytes.length, lastCommit }] : [];
          }),
        );
      });
      return;
    }
    const bytes = resolve ? readRepoFile(folder, resolve[3]!) : undefined;
    if (!bytes)
      return void res
        .writeHead(404, { "x-error-code": "EntryNotFound", "content-type": "text/plain" })
        .end("Entry not found");
    serveFile(req, res, bytes);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
