// The shipped example app (examples/express-app/src/app.ts) under Express 4 and Express 5: bad input is a 400 with the
// error envelope, a panicking route a 500, and the server still answers /health afterwards — no unhandled rejection
// takes the process down. The app runs as its own Node process from a copy of the example, its TypeScript stripped
// with the repository's typescript, `express` pointing at the version under test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { packageDir, forst, runNode } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const ts = require("typescript");
const example = path.join(packageDir, "examples", "express-app");

/** A copy of the example with `express` = `expressDir`, an extra route that panics, and a driver script. */
function exampleWith(expressDir) {
  const dir = mkdtempSync(path.join(tmpdir(), "forst-example-"));
  cpSync(path.join(example, "forst"), path.join(dir, "forst"), { recursive: true });
  writeFileSync(path.join(dir, "forst", "routes", "explode.ft"), 'func explode(input map[string]interface{}) map[string]interface{} {\n  panic("kaboom")\n}\n');
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  mkdirSync(path.join(dir, "node_modules", "@forst"), { recursive: true });
  symlinkSync(expressDir, path.join(dir, "node_modules", "express"));
  symlinkSync(packageDir, path.join(dir, "node_modules", "@forst", "sidecar"));
  const source = readFileSync(path.join(example, "src", "app.ts"), "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(path.join(dir, "app.mjs"), js);
  writeFileSync(path.join(dir, "drive.mjs"), DRIVER);
  return dir;
}

// Mounts /explode the way the example mounts /calculate (await, next(err)), then sends what a careless client sends.
const DRIVER = `
import express from "express";
import { invoke, stop, processLargeDataset } from "@forst/sidecar";
import { createApp } from "./app.mjs";

const app = createApp({
  extraRoutes: (app) => {
    app.post("/explode", express.json(), async (req, res, next) => {
      try {
        res.json(await invoke("explode", req.body));
      } catch (err) {
        next(err);
      }
    });
    // The README's .raw recipe, as written there.
    app.post("/raw-large", express.text({ type: "application/json", limit: "64mb" }), async (req, res, next) => {
      try {
        res.type("application/json").send(await processLargeDataset.raw(req.body));
      } catch (err) {
        next(err);
      }
    });
  },
});
const server = app.listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const base = "http://127.0.0.1:" + server.address().port;
const send = async (method, path, body) => {
  const res = await fetch(base + path, { method, headers: { "content-type": "application/json" }, body });
  return { status: res.status, body: await res.json() };
};
const results = {
  badCalculate: await send("POST", "/calculate", JSON.stringify({ numbers: "many" })),
  malformed: await send("POST", "/calculate", "{not json"),
  badHandler: await send("POST", "/process-data", JSON.stringify({ records: "x" })),
  panic: await send("POST", "/explode", "{}"),
  health: await send("GET", "/health"),
  good: await send("POST", "/calculate", JSON.stringify({ numbers: [1, 2, 2] })),
};
// Well over express's 100 KB default: the recipe's limit lets it through.
const big = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), data: "x".repeat(40) }));
const raw = await send("POST", "/raw-large", JSON.stringify(big));
results.rawLarge = { status: raw.status, count: Array.isArray(raw.body) ? raw.body.length : raw.body };
server.close();
await stop();
console.log("RESULTS " + JSON.stringify(results));
`;

for (const [name, expressDir] of [
  ["Express 4", path.join(packageDir, "node_modules", "express")],
  ["Express 5", path.join(packageDir, "node_modules", "express5")],
]) {
  test(`the example app under ${name}: bad input → 400 envelope, panic → 500, /health still answers`, async () => {
    const version = JSON.parse(readFileSync(path.join(expressDir, "package.json"), "utf8")).version;
    assert.equal(version[0], name.at(-1), `${expressDir} is Express ${version}`);
    const dir = exampleWith(expressDir);
    const generated = await forst(["generate"], dir);
    assert.equal(generated.code, 0, generated.stderr);
    const run = await runNode(["drive.mjs"], { cwd: dir, timeoutMs: 180000 });
    assert.equal(run.code, 0, `the app process died:\n${run.stdout}\n${run.stderr}`);
    const results = JSON.parse(/^RESULTS (.*)$/m.exec(run.stdout)[1]);

    assert.equal(results.badCalculate.status, 400);
    assert.equal(results.badCalculate.body.error.code, "invalid_input");
    assert.match(results.badCalculate.body.error.message, /expected \[\]float64, got string/);
    assert.equal(results.badCalculate.body.error.function, "calculate");
    // express.json() refuses malformed JSON itself; the example's error handler answers it in the same envelope.
    assert.equal(results.malformed.status, 400);
    assert.equal(results.malformed.body.error.code, "invalid_input");
    assert.equal(results.badHandler.status, 400);
    assert.equal(results.badHandler.body.error.code, "invalid_input");
    assert.equal(results.panic.status, 500);
    assert.equal(results.panic.body.error.code, "panic");
    assert.match(results.panic.body.error.message, /kaboom/);
    assert.match(results.panic.body.error.location, /explode\.ft:2/);
    assert.deepEqual(results.health, { status: 200, body: { status: "ok" } });
    assert.deepEqual(results.good, { status: 200, body: { result: 3 } });
    assert.deepEqual(results.rawLarge, { status: 200, count: 5000 });
  });
}
