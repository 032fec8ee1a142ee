import { inspect } from "node:util";
import {
  addUnique,
  recordHeaders,
  requireApiKey,
  Secret,
  serverMessage,
  statusError,
  toProviderError,
} from "../src/index.js";

const KEY = "sk-canary-7d1f0a9e4c2b8a6f5e3d1c0b";

test("a Secret prints [redacted] through inspect, JSON and String, and reveals the trimmed value", () => {
  const holder = { secret: new Secret(`  ${KEY}\n`) };
  for (const text of [
    inspect(holder, { depth: 8, showHidden: true }),
    JSON.stringify(holder),
    String(holder.secret),
    `${holder.secret}`,
  ]) {
    expect(text).not.toContain(KEY);
    expect(text).toMatch(/redacted/);
  }
  expect(holder.secret.reveal()).toBe(KEY);
});

test("redaction runs before the cut: a key straddling the 300-character limit leaks no part of itself", () => {
  for (let pad = 270; pad <= 300; pad++) {
    const body = { message: `${"x".repeat(pad)} token ${KEY} rejected` };
    const said = serverMessage(body, [new Secret(KEY)]);
    expect(said).not.toContain(KEY.slice(0, 12));
    const err = statusError("p", 401, { body, secrets: [new Secret(KEY)] });
    expect(err.message).not.toContain(KEY.slice(0, 12));
  }
});

test("a key read with surrounding whitespace is trimmed once and redacted in both forms", () => {
  const secret = requireApiKey({ configured: undefined, env: { K: `${KEY}\n` }, envNames: ["K"], path: "x.api_key" });
  expect(secret.reveal()).toBe(KEY);
  const err = toProviderError("p", new Error(`sent ${KEY} and ${KEY}\n back`), { secrets: [secret] });
  expect(err.message).not.toContain(KEY);
});

test("warnings and headers copied into rerank meta are redacted", () => {
  const meta: Record<string, unknown> = {};
  addUnique(meta, "warnings", [`key ${KEY} is a trial key`], [new Secret(KEY)]);
  recordHeaders(meta, new Headers({ "x-api-warning": `key ${KEY} expires`, "x-ratelimit-remaining": "3" }), {
    match: /^x-/,
    secrets: [new Secret(KEY)],
  });
  expect(JSON.stringify(meta)).not.toContain(KEY);
  expect(meta.warnings).toEqual(["key [REDACTED] is a trial key"]);
});

test("errors keep a detail field without the provider prefix", () => {
  const err = statusError("cohere", 503, { body: { message: "busy" } });
  expect(err.message).toBe("cohere: HTTP 503: busy");
  expect(err.detail).toBe("HTTP 503: busy");
});
