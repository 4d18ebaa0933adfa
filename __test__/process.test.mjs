// What a user's whole Node process sees: ESM and CJS imports of "@forst/sidecar", a script that ends by itself after
// one call, no Go process left after SIGKILL of Node, and the failures of a broken setup (missing Go, busy port,
// compile errors, bad config) as clear ForstErrors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { useFixture, packageDir, runNode, isAlive, waitFor } from "./helpers.mjs";

/** A fresh copy of the fixture with node_modules/@forst/sidecar linked to this package. */
function project() {
  const dir = useFixture("app");
  mkdirSync(path.join(dir, "node_modules", "@forst"), { recursive: true });
  symlinkSync(packageDir, path.join(dir, "node_modules", "@forst", "sidecar"), "dir");
  return dir;
}

test("CommonJS: require('@forst/sidecar').calculate works with zero config, and Node exits by itself", async () => {
  const dir = project();
  writeFileSync(
    path.join(dir, "main.cjs"),
    `const { calculate, status } = require("@forst/sidecar");
     calculate({ numbers: [1, 2, 2] }).then((r) => { console.log(JSON.stringify(r)); console.log("PID " + status().pid); });`
  );
  const r = await runNode(["main.cjs"], { cwd: dir, timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\{"result":3\}/);
  const pid = Number(/PID (\d+)/.exec(r.stdout)[1]);
  assert.ok(await waitFor(() => !isAlive(pid), { timeoutMs: 8000 }), "the Go child is gone after Node exits");
});

test("FORST_TRANSPORT=tcp: calls use the loopback port and no socket is made; a wrong value is config_invalid", async () => {
  const dir = project();
  writeFileSync(
    path.join(dir, "main.cjs"),
    `const { calculate, status } = require("@forst/sidecar");
     calculate({ numbers: [1, 2, 2] }).then(
       (r) => console.log(JSON.stringify(r) + " socket=" + status().socket),
       (e) => console.log(e.code + ": " + e.message));`
  );
  const tcp = await runNode(["main.cjs"], { cwd: dir, env: { FORST_TRANSPORT: "tcp" }, timeoutMs: 120000 });
  assert.equal(tcp.code, 0, tcp.stderr);
  assert.match(tcp.stdout, /\{"result":3\} socket=undefined/);
  const bad = await runNode(["main.cjs"], { cwd: dir, env: { FORST_TRANSPORT: "pigeon" } });
  assert.match(bad.stdout, /config_invalid: [^]*FORST_TRANSPORT: expected "unix" or "tcp", got "pigeon"/);
});

test("ES modules: import { processData } from '@forst/sidecar' (after `forst generate`)", async () => {
  const dir = project();
  const gen = await runNode([path.join(packageDir, "bin", "forst.js"), "generate"], { cwd: dir });
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stdout, /generated \d+ functions/);
  writeFileSync(
    path.join(dir, "main.mjs"),
    `import { processData, stop } from "@forst/sidecar";
     const r = await processData({ records: [{ id: "1", data: "x" }] });
     console.log(JSON.stringify(r));
     await stop();`
  );
  const r = await runNode(["main.mjs"], { cwd: dir, timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\{"processed":1,"status":"success"\}/);
});

test("SIGKILL of the Node parent leaves no Go process behind", async () => {
  const dir = project();
  writeFileSync(
    path.join(dir, "hold.cjs"),
    `const f = require("@forst/sidecar");
     f.start().then((i) => { console.log("PID " + i.pid); setInterval(() => {}, 1000); });`
  );
  let childPid;
  const run = runNode(["hold.cjs"], {
    cwd: dir,
    timeoutMs: 120000,
    onStdout: (out, node) => {
      const m = /PID (\d+)/.exec(out);
      if (m && !childPid) {
        childPid = Number(m[1]);
        node.kill("SIGKILL");
      }
    },
  });
  const r = await run;
  assert.equal(r.signal, "SIGKILL", r.stderr);
  assert.ok(childPid > 0, "the sidecar had started");
  assert.ok(await waitFor(() => !isAlive(childPid), { timeoutMs: 8000 }), `Go process ${childPid} is gone`);
});

/** Runs start() in a child process and returns the ForstError it printed as JSON. */
async function startError(dir, env = {}, pre = "") {
  writeFileSync(
    path.join(dir, "start.cjs"),
    `${pre}
     require("@forst/sidecar").start().then(
       () => { console.log("STARTED"); process.exit(0); },
       (e) => { console.log(JSON.stringify({ name: e.name, status: e.status, code: e.code, message: e.message })); });`
  );
  const r = await runNode(["start.cjs"], { cwd: dir, env, timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /STARTED/);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

test("missing Go: go_not_found says how to install it", async () => {
  const e = await startError(project(), { FORST_GO: "/nonexistent/bin/go" });
  assert.equal(e.name, "ForstError");
  assert.equal(e.code, "go_not_found");
  assert.match(e.message, /Install Go 1\.22 or newer/);
});

test("a busy devServer.port: port_in_use names the port", async () => {
  const dir = project();
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, "127.0.0.1", r));
  const { port } = blocker.address();
  writeFileSync(path.join(dir, "forst.config.js"), `module.exports = { devServer: { port: ${port}, watch: false } };`);
  try {
    const e = await startError(dir);
    assert.equal(e.code, "port_in_use");
    assert.match(e.message, new RegExp(`port ${port}`));
  } finally {
    blocker.close();
  }
});

test("a malformed .ft file: compile_error with a code frame at the typo", async () => {
  const dir = project();
  const file = path.join(dir, "forst", "routes", "search.ft");
  writeFileSync(file, readFileSync(file, "utf8").replace("len(queries))", "len(queries))g"));
  const e = await startError(dir);
  assert.equal(e.code, "compile_error");
  assert.match(e.message, /routes\/search\.ft:4:\d+/);
  assert.match(e.message, /\^/);
});

test("an invalid forst.config.js: config_invalid names the key, the file and the expected type", async () => {
  const dir = project();
  writeFileSync(path.join(dir, "forst.config.js"), `module.exports = { devServer: { prot: 8080 }, compilation: { debug: "yes" } };`);
  const e = await startError(dir);
  assert.equal(e.code, "config_invalid");
  assert.match(e.message, /forst\.config\.js: unknown key `devServer\.prot` \(did you mean `port`\?\)/);
  assert.match(e.message, /compilation\.debug must be true or false/);
});
