/**
 * Item: typed config. fixtures/types/typed-config.ts is compiled against the workspace packages
 * (core + the Cohere reranker, whose declarations add its config type): it must compile cleanly
 * (every `@ts-expect-error` is used, every other line accepted), and with the directives removed
 * each of those lines must fail for the reason its comment gives.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const fixture = join(__dirname, "..", "fixtures", "types", "typed-config.ts");
const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  skipLibCheck: true,
  types: [],
};

function diagnostics(source: string): { line: number; message: string }[] {
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => (file === fixture ? source : read(file));
  const program = ts.createProgram([fixture], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  }));
}

const original = readFileSync(fixture, "utf8");

test("the fixture compiles: known options accepted, third-party names loose, every expected error present", () => {
  expect(diagnostics(original)).toEqual([]);
}, 60_000);

test("without the directives, exactly the marked lines fail, each for its reason", () => {
  const lines = original.split("\n");
  const marked = lines.flatMap((l, i) => (l.includes("// @ts-expect-error") ? [i + 2] : []));
  const found = diagnostics(original.replace(/\/\/ @ts-expect-error.*$/gm, "//"));
  expect([...new Set(found.map((d) => d.line))]).toEqual(marked);
  const on = (line: number) =>
    found
      .filter((d) => d.line === line)
      .map((d) => d.message)
      .join("\n");
  const [modle, topK, dim, timeout, topKK, role] = marked;
  expect(on(modle!)).toMatch(/'modle' does not exist/);
  expect(on(topK!)).toMatch(/Type 'string' is not assignable to type 'number'/);
  expect(on(dim!)).toMatch(/'embedding_dim' does not exist/);
  expect(on(timeout!)).toMatch(/Type 'string' is not assignable to type 'number'/);
  expect(on(topKK!)).toMatch(/'top_kk' does not exist/);
  expect(on(role!)).toMatch(/'"reranker"' is not assignable to type '"embedder"'/);
}, 60_000);
