import { PassThrough } from "node:stream";
import { Memory } from "@mem0/core";
import { bufferIo, processIo, readMemories, startProgress } from "@mem0/ts-cli";
import { ingest } from "../src/ingest.js";
import { fixture } from "./helpers.js";

function fakeTty() {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 100,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let text = "";
  stream.on("data", (d) => (text += d));
  return { stream: stream, text: () => text };
}

test("a bar draws on a terminal stream and stays silent without one", async () => {
  const tty = fakeTty();
  const memory = await Memory.fromConfig({ vector_store: { provider: "memory" } });
  await ingest(memory, readMemories(fixture("memories.jsonl")), bufferIo({ progressStream: tty.stream }));
  expect(tty.text()).toMatch(/loading memories \[[█░]+\] \d+% \d+\/27/);
  expect(tty.text()).toContain("27/27");

  const quiet = bufferIo();
  const bar = startProgress(quiet, "nothing", 3);
  bar.increment();
  bar.stop();
  expect(quiet.stdout).toEqual([]);
  expect(quiet.stderr).toEqual([]);
});

test("bars only when stdout is a terminal and neither --quiet nor --json is given", () => {
  const was = process.stdout.isTTY;
  try {
    process.stdout.isTTY = true;
    expect(processIo().progressStream).toBe(process.stderr);
    expect(processIo({ quiet: true }).progressStream).toBeUndefined();
    expect(processIo({ json: true }).progressStream).toBeUndefined();
    process.stdout.isTTY = false;
    expect(processIo().progressStream).toBeUndefined();
  } finally {
    process.stdout.isTTY = was;
  }
});
