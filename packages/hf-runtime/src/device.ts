/**
 * Which onnxruntime execution provider a model runs on.
 *
 * onnxruntime-node is built with CUDA support on Linux x64 but ships the CUDA provider library only
 * when its postinstall downloaded it (`ONNXRUNTIME_NODE_INSTALL=cuda12`), and it also needs the CUDA
 * runtime on the machine. Neither can be known without trying, so the verdict comes from the first
 * session that asks for CUDA and is remembered for the process.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";

import type { DeviceOption } from "@mem0/hf-hosted";
export { DEVICES, type DeviceOption } from "@mem0/hf-hosted";
export type ResolvedDevice = "cpu" | "cuda";

/** `undefined` until a session has tried CUDA; then why it works or not. */
let cudaVerdict: { available: true } | { available: false; reason: string } | undefined;

export function rememberCudaVerdict(available: boolean, reason = ""): void {
  cudaVerdict = available ? { available: true } : { available: false, reason };
}

export function knownCudaVerdict(): typeof cudaVerdict {
  return cudaVerdict;
}

/** For tests: forget what the last CUDA attempt said. */
export function resetCudaVerdict(): void {
  cudaVerdict = undefined;
}

const CUDA_LIBRARY = "libonnxruntime_providers_cuda.so";

/**
 * Whether onnxruntime-node's CUDA provider library is on disk. Without it a CUDA session cannot
 * start, so there is no need to try one (onnxruntime would also print its failure to stderr).
 */
function findCudaProviderLibrary(): { found: true } | { found: false; reason: string } {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return { found: false, reason: `onnxruntime-node has no CUDA build for ${process.platform}-${process.arch}` };
  }
  let binRoot: string;
  try {
    binRoot = join(dirname(createRequire(import.meta.url).resolve("onnxruntime-node")), "..", "bin");
  } catch {
    return { found: true }; // an unusual layout: let the session attempt decide
  }
  const dirs = existsSync(binRoot) ? readdirSync(binRoot).map((napi) => join(binRoot, napi, "linux", "x64")) : [];
  if (dirs.some((d) => existsSync(join(d, CUDA_LIBRARY)))) return { found: true };
  return { found: false, reason: `${CUDA_LIBRARY} is not installed in ${dirs[0] ?? binRoot}` };
}

/**
 * The devices to try, in order. `auto` tries CUDA unless a previous attempt in this process already
 * failed, then the CPU; `cuda` is CUDA only, so a missing provider is an error rather than a silent
 * fall back to a CPU the user did not ask for.
 */
export function devicesToTry(requested: DeviceOption): ResolvedDevice[] {
  if (requested === "cpu") return ["cpu"];
  if (cudaVerdict === undefined) {
    const library = findCudaProviderLibrary();
    if (!library.found) rememberCudaVerdict(false, library.reason);
  }
  if (requested === "cuda") return ["cuda"];
  return cudaVerdict?.available === false ? ["cpu"] : ["cuda", "cpu"];
}

export function cudaUnavailableMessage(reason: string): string {
  return (
    `device "cuda" was requested but onnxruntime-node has no usable CUDA execution provider (${reason}). ` +
    `Install its CUDA add-on (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 on Linux x64 with CUDA 12), ` +
    `or set device: "auto" to use the GPU when present and the CPU otherwise`
  );
}

/** All cores by default: onnxruntime-node otherwise runs a session on one thread. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}
