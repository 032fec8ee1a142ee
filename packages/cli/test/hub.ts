/**
 * A loopback stand-in for the Hugging Face hub: `/{id}/resolve/{revision}/{file}` (HEAD, GET, ranges,
 * an ETag), `/api/models/{id}/paths-info/{revision}`, which @huggingface/hub's cache download asks
 * first, and `/api/models/{id}/revision/main`, for the commit main is at. As on the real hub, each
 * file's `lastCommit` is the commit that last changed it, not the one main is at.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface Hub {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** The commit the fake repository's main branch is at. */
export const MAIN_COMMIT = "0123456789abcdef0123456789abcdef01234567";

export type Behaviour = "serve" | "hang" | "stall" | { status: number };

export async function startHub(modelDir: string, behaviour: (file: string) => Behaviour = () => "serve"): Promise<Hub> {
  const requests: string[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const revision = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/main(\?.*)?$/.exec(req.url ?? "");
    if (revision && req.method === "GET") {
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ _id: "fake", id: revision[1], sha: MAIN_COMMIT, private: false }));
    }
    const api = /^\/api\/models\/[^/]+\/[^/]+\/paths-info\/[^/]+$/.exec(req.url ?? "");
    if (api && req.method === "POST") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const { paths } = JSON.parse(body) as { paths: string[] };
        const infos = paths.flatMap((path) => {
          try {
            const bytes = readFileSync(join(modelDir, path));
            const oid = createHash("sha1").update(bytes).digest("hex");
            // A commit per file (the one that last changed it), as the real hub answers.
            const lastCommit = {
              id: createHash("sha1").update(path).digest("hex"),
              title: `add ${path}`,
              date: "2026-01-01T00:00:00.000Z",
            };
            return [{ type: "file", path, oid, size: bytes.length, lastCommit }];
          } catch {
            return [];
          }
        });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(infos));
      });
      return;
    }
    const m = /^\/[^/]+\/[^/]+\/resolve\/[^/]+\/(.+)$/.exec(req.url ?? "");
    if (!m) return void res.writeHead(404).end();
    const b = behaviour(m[1]!);
    if (b === "hang") return; // never answers
    if (typeof b === "object") return void res.writeHead(b.status).end();
    let body: Buffer;
    try {
      body = readFileSync(join(modelDir, m[1]!));
    } catch {
      return void res.writeHead(404).end("Entry not found");
    }
    const etag = `"${createHash("sha1").update(body).digest("hex")}"`;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      const whole = body.length;
      body = body.subarray(start, end + 1);
      res.writeHead(206, {
        "content-length": body.length,
        "content-range": `bytes ${start}-${end}/${whole}`,
        etag,
        "content-type": "application/octet-stream",
      });
    } else res.writeHead(200, { "content-length": body.length, etag, "content-type": "application/octet-stream" });
    if (req.method === "HEAD") return void res.end();
    if (b === "stall") return void res.write(body.subarray(0, 100)); // headers and a little, then nothing
    res.end(body);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
