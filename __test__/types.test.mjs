// TypeScript sees the user's real signatures through "@forst/sidecar": tsc --strict accepts a correct call and rejects
// a wrong argument type.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { useFixture, packageDir, runNode } from "./helpers.mjs";

const tsc = path.join(packageDir, "node_modules", "typescript", "bin", "tsc");
let dir;

before(async () => {
  dir = useFixture("app");
  mkdirSync(path.join(dir, "node_modules", "@forst"), { recursive: true });
  symlinkSync(packageDir, path.join(dir, "node_modules", "@forst", "sidecar"), "dir");
  const gen = await runNode([path.join(packageDir, "bin", "forst.js"), "generate"], { cwd: dir });
  assert.equal(gen.code, 0, gen.stderr);
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [path.join(packageDir, "node_modules", "@types")],
      },
      files: ["main.mts"],
    })
  );
});

async function typecheck(source) {
  writeFileSync(path.join(dir, "main.mts"), source);
  return runNode([tsc, "-p", "tsconfig.json"], { cwd: dir });
}

test("tsc --strict accepts correct calls with the inferred and declared types", async () => {
  const r = await typecheck(`
    import { calculate, processData, performConcurrentSearch, add, ForstError, start, type ProcessDataResult } from "@forst/sidecar";
    const p: ProcessDataResult = await processData({ records: [{ id: "1", data: "x" }] });
    const n: number = p.processed;
    const s: string = p.status;
    const c = await calculate({ numbers: [1, 2] }, { timeoutMs: 100 });
    const hits: number[] = (await performConcurrentSearch(["a"])).map((r) => r.hits);
    const sum: number = await add(1, 2);
    const text: string = await calculate.raw('{"numbers":[1]}', { timeoutMs: 50 });
    const info = await start();
    const port: number = info.port;
    try { await add(1, 2); } catch (e) { if (e instanceof ForstError) { const code: string = e.code; } }
    export { n, s, c, hits, sum, text, port };
  `);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("tsc --strict rejects a wrong argument type", async () => {
  const r = await typecheck(`
    import { processData, add } from "@forst/sidecar";
    await processData({ records: [{ id: 1, data: "x" }] });
    await add("1", 2);
  `);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout, /TS2322|TS2345/);
  assert.match(r.stdout, /main\.mts\(3,/);
  assert.match(r.stdout, /main\.mts\(4,/);
});
