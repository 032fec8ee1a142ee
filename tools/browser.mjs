// Finds the Chromium that @mem0/ts-cli's report test opens, or installs one, so that the README's
// test command works on a machine with nothing but Node and npm. Order: MEM0_CHROMIUM; a system
// Chromium or Chrome; a Chrome for Testing downloaded before; then an install (Debian's or Ubuntu's
// package when running as root there, else a pinned Chrome for Testing through @puppeteer/browsers).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

/** Pinned, so every machine runs the report test in the same browser. */
export const CHROME_FOR_TESTING_BUILD = "131.0.6778.85";

const SYSTEM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];
const SYSTEM_PATHS = [
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
];

export function browserCacheDir(env = process.env) {
  return env.MEM0_BROWSER_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mem0-ts", "browsers");
}

function onPath(name, env) {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    const file = join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

export function findSystemBrowser(env = process.env) {
  for (const name of SYSTEM_NAMES) {
    const found = onPath(name, env);
    if (found) return found;
  }
  return SYSTEM_PATHS.find((p) => existsSync(p));
}

async function downloaded(cacheDir) {
  if (!existsSync(cacheDir)) return undefined;
  const { getInstalledBrowsers } = await import("@puppeteer/browsers");
  const found = (await getInstalledBrowsers({ cacheDir })).find((b) => existsSync(b.executablePath));
  return found?.executablePath;
}

const isDebianLike = () => {
  try {
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync("/etc/os-release", "utf8"));
  } catch {
    return false;
  }
};

function aptInstall(log) {
  const installed = spawnSync("dpkg", ["-s", "chromium"], { encoding: "utf8" }).stdout?.includes(
    "Status: install ok installed",
  );
  // Installed but its binary gone (removed by hand): only --reinstall brings the files back.
  const args = ["install", "-y", "--no-install-recommends", ...(installed ? ["--reinstall"] : []), "chromium"];
  log(`report test browser: installing Debian's chromium package (apt-get ${args.join(" ")}) as root`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const step of [["update"], args]) {
    const result = spawnSync("apt-get", step, { env, encoding: "utf8" });
    if (result.status !== 0)
      return `apt-get ${step.join(" ")} failed: ${(result.stderr || result.stdout || String(result.error)).trim().split("\n").slice(-3).join(" / ")}`;
  }
  return undefined;
}

async function chromeForTesting(cacheDir, log) {
  const { install, detectBrowserPlatform, Browser } = await import("@puppeteer/browsers");
  const platform = detectBrowserPlatform();
  if (!platform) throw new Error(`no Chrome for Testing build for ${process.platform}/${process.arch}`);
  log(
    `report test browser: downloading Chrome for Testing ${CHROME_FOR_TESTING_BUILD} (${platform}) into ${cacheDir} with @puppeteer/browsers`,
  );
  const installed = await install({ browser: Browser.CHROME, buildId: CHROME_FOR_TESTING_BUILD, platform, cacheDir });
  return installed.executablePath;
}

/**
 * Resolves the browser for the report test, installing one when needed. Returns its path, or
 * `{ error }` saying what was tried (the report test then fails with that message, never skips).
 */
export async function provideBrowser({ env = process.env, log = (m) => console.log(m) } = {}) {
  if (env.MEM0_CHROMIUM) {
    if (existsSync(env.MEM0_CHROMIUM)) return { path: env.MEM0_CHROMIUM, how: "MEM0_CHROMIUM" };
    return { error: `MEM0_CHROMIUM=${env.MEM0_CHROMIUM} does not exist` };
  }
  const system = findSystemBrowser(env);
  if (system) return { path: system, how: "the system's browser" };
  const cacheDir = browserCacheDir(env);
  const cached = await downloaded(cacheDir);
  if (cached) return { path: cached, how: `downloaded before, in ${cacheDir}` };
  log("report test browser: no MEM0_CHROMIUM, no Chromium or Chrome on PATH, none downloaded before");
  const problems = [];
  if (process.platform === "linux" && process.getuid?.() === 0 && isDebianLike()) {
    const failed = aptInstall(log);
    const system = failed ? undefined : findSystemBrowser(env);
    if (system) return { path: system, how: "installed with apt-get" };
    problems.push(failed ?? "apt-get installed chromium but no chromium binary is on PATH");
  }
  try {
    return { path: await chromeForTesting(cacheDir, log), how: "Chrome for Testing, just downloaded" };
  } catch (err) {
    problems.push(`Chrome for Testing: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    error: `no browser for the report test: ${problems.join("; ")}. Set MEM0_CHROMIUM to a Chromium or Chrome binary`,
  };
}
