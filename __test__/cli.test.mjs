// The `forst` command: every subcommand's output and exit code, --help, usage errors, and `forst dev` serving,
// hot-reloading with a printed reload line or diagnostics, and leaving no process behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { useFixture, packageDir, runNode, waitFor, startForstDev } from "./helpers.mjs";

const forstBin = path.join(packageDir, "bin", "forst.js");
const forst = (args, cwd, env) => runNode([forstBin, ...args], { cwd, env, timeoutMs: 120000 });

test("forst --help lists the commands; each command has --help; a bad command is a usage error (exit 2)", async () => {
  const dir = useFixture("app");
  const help = await forst(["--help"], dir);
  assert.equal(help.code, 0);
  for (const c of ["dev", "build", "generate", "check", "routes"]) assert.match(help.stdout, new RegExp(`\\b${c}\\b`));
  const checkHelp = await forst(["check", "--help"], dir);
  assert.equal(checkHelp.code, 0);
  assert.match(checkHelp.stdout, /--json/);
  const bad = await forst(["frobnicate"], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unrecognized subcommand 'frobnicate'/);
});

test("forst routes prints method, path and signature", async () => {
  const r = await forst(["routes"], useFixture("app"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /POST\s+\/process-data\s+processData\(input: ProcessDataInput\): ProcessDataResult/);
  assert.match(r.stdout, /POST\s+\/calculate\s+calculate\(/);
  assert.match(r.stdout, /POST\s+\/add\s+add\(a: number, b: number\): number/);
});

test("forst check: 0 on a clean project, 1 with a code frame on errors, JSON with --json", async () => {
  const dir = useFixture("app");
  const ok = await forst(["check"], dir);
  assert.equal(ok.code, 0, ok.stderr);
  const file = path.join(dir, "forst", "routes", "search.ft");
  writeFileSync(file, readFileSync(file, "utf8").replace("len(queries))", "len(queries))g"));
  const bad = await forst(["check"], dir, { NO_COLOR: "1" });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /error\[F\d{4}\]/);
  assert.match(bad.stderr, /routes\/search\.ft:4:\d+/);
  const json = await forst(["check", "--json"], dir);
  assert.equal(json.code, 1);
  const diags = JSON.parse(json.stdout);
  assert.equal(diags.filter((d) => d.severity === "error").length, 1);
  const error = diags.find((d) => d.severity === "error");
  assert.equal(error.file, "forst/routes/search.ft");
  assert.equal(error.line, 4);
  assert.equal(error.code, "F0001");
});

test("forst build prints the binary and the manifest with sizes; a second build is cached", async () => {
  const dir = useFixture("app");
  const first = await forst(["build"], dir);
  assert.equal(first.code, 0, first.stderr);
  const bin = /binary\s+(\S+) \(([\d.]+ [KM]iB)\)/.exec(first.stdout);
  assert.ok(bin && existsSync(bin[1]), first.stdout);
  assert.match(first.stdout, /manifest\s+\S+manifest\.json \([\d.]+ KiB\)/);
  assert.match(first.stdout, /go build \d+ ms/);
  const second = await forst(["build"], dir);
  assert.match(second.stdout, /go build cached/);
});

test("forst generate writes the typed functions", async () => {
  const r = await forst(["generate"], useFixture("app"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /generated \d+ functions into .*generated/);
  const dts = readFileSync(path.join(packageDir, "generated", "index.d.ts"), "utf8");
  assert.match(dts, /export declare function processData\(/);
});

/** Runs a printed command line as a user pasting it into a shell would. */
function pasted(line) {
  return new Promise((resolve) => {
    const sh = spawn("bash", ["-c", line], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    sh.stdout.on("data", (d) => (stdout += d));
    sh.stderr.on("data", (d) => (stderr += d));
    sh.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

test("forst dev serves over curl-able HTTP, prints reload lines and diagnostics, and stops cleanly on SIGINT", async () => {
  const dir = useFixture("app");
  const dev = await startForstDev(dir, assert);
  const out = () => dev.output();
  try {
    assert.match(out(), /POST\s+\/calculate/);
    const { url, token } = dev;
    const res = await fetch(url + "/calculate", { method: "POST", headers: { "x-forst-token": token, "content-type": "application/json" }, body: '{"numbers":[3,4]}' });
    assert.deepEqual(await res.json(), { result: 5 });
    // The printed curl line is a real route with a sample body of its types, and works when pasted.
    const curl = /^\s+(curl .*)$/m.exec(out())[1];
    assert.match(curl, /-H 'Content-Type: application\/json'/);
    assert.doesNotMatch(curl, /<route>|<json>/);
    assert.ok(curl.includes(url), curl);
    const first = await pasted(curl);
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stdout, /"error"/, first.stdout);
    assert.doesNotThrow(() => JSON.parse(first.stdout), first.stdout);

    const file = path.join(dir, "forst", "routes", "testing.ft");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.replace("return a + b\n", "return a +\n"));
    // The reload line and its diagnostics can arrive in separate chunks: wait for both.
    assert.ok(await waitFor(() => /reload failed/.test(out()) && /routes\/testing\.ft:\d+:\d+/.test(out()), { timeoutMs: 20000 }), out());
    assert.match(out(), /reload failed — the previous version keeps serving\n[^]*routes\/testing\.ft:\d+:\d+/);
    writeFileSync(file, original.replace("return a + b\n", "return a - b\n"));
    assert.ok(await waitFor(() => /forst ✓ \d+ routes · compile \d+ ms · go build (\d+ ms|cached) · swapped in [\d.]+ s/.test(out()), { timeoutMs: 30000 }), out());
    // Same token, same port after the reload: the pasted line still works.
    const again = await pasted(curl);
    assert.equal(again.stdout, first.stdout, again.stderr);
    // A reload that changes the routes prints the table again, with a curl line for it.
    writeFileSync(path.join(dir, "forst", "routes", "greet.ft"), 'func greet(name String): String {\n  return "hi " + name\n}\n');
    assert.ok(await waitFor(() => /routes changed:\n[^]*POST\s+\/greet\s+greet\(name: string\): string/.test(out()), { timeoutMs: 30000 }), out());
    const third = await pasted(curl);
    assert.equal(third.stdout, first.stdout, third.stderr);
  } finally {
    await dev.stop();
  }
});
