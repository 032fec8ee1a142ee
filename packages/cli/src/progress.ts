/** Progress bars (cli-progress) for long steps; silent unless the Io has a progress stream. */
import { SingleBar } from "cli-progress";
import type { Io } from "./io.js";

export interface Progress {
  increment(n?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const SILENT: Progress = { increment() {}, setTotal() {}, stop() {} };

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function startProgress(io: Io, label: string, total: number, unit: "items" | "bytes" = "items"): Progress {
  if (!io.progressStream) return SILENT;
  const bar = new SingleBar({
    stream: io.progressStream,
    format: `${label} [{bar}] {percentage}% {value}/{total} · {duration_formatted} · eta {eta_formatted}`,
    formatValue: (v, _options, type) =>
      unit === "bytes" && (type === "value" || type === "total") ? formatBytes(v) : String(v),
    barsize: 24,
    barCompleteChar: "█",
    barIncompleteChar: "░",
    hideCursor: false,
    clearOnComplete: true,
    // Redraw at most ~10 times a second: a bar must not cost the work it measures.
    fps: 10,
  });
  bar.start(total, 0);
  return {
    increment: (n = 1) => bar.increment(n),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
