/** A loopback stand-in for the Hugging Face hub's `/{id}/resolve/main/{file}` downloads. */
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface Hub {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export type Behaviour = "serve" | "hang" | "stall" | { status: number };

export async function startHub(modelDir: string, behaviour: (file: string) => Behaviour = () => "serve"): Promise<Hub> {
  const requests: string[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const m = /^\/[^/]+\/[^/]+\/resolve\/main\/(.+)$/.exec(req.url ?? "");
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
    res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
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
