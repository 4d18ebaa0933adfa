// The binary `forst build` leaves in outputDir, run on its own the way a container or a systemd unit runs it: stdin
// is /dev/null, the token comes from the environment or a file, SIGTERM drains in-flight calls and exits 0.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, existsSync, readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { useFixture, buildProject, runSidecar, exited } from "./helpers.mjs";

let built;
before(async () => {
  built = await buildProject(useFixture("app"));
});

const call = (url, route, body, token = "s3cret") =>
  fetch(url + route, { method: "POST", headers: { "x-forst-token": token, "content-type": "application/json" }, body });

test("forst build writes the binary and manifest.json (functions, types, contract, build hash) and says how to run it", () => {
  assert.ok(existsSync(built.binary) && path.basename(built.binary) === "forst-sidecar", built.stdout);
  const m = JSON.parse(readFileSync(built.manifest, "utf8"));
  assert.equal(m.binary, "forst-sidecar");
  assert.match(m.contract, /^c1-[0-9a-f]{16}$/);
  assert.match(m.buildHash, /^[0-9a-f]{64}$/);
  assert.match(m.sourceHash, /^[0-9a-f]{64}$/);
  assert.ok(m.functions.some((f) => f.name === "add" && f.route === "/add" && f.params.length === 2), "functions");
  assert.match(m.types, /export declare function add\(a: number, b: number/);
  assert.match(built.stdout, /FORST_TOKEN=\$\(openssl rand -hex 32\) \S+forst-sidecar --listen 127\.0\.0\.1:8080/);
});

test("without a token the binary exits 2 and says how to give one", async () => {
  const child = spawn(built.binary, [], { env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  assert.equal(await exited(child), 2);
  assert.match(stderr, /no token: set FORST_TOKEN, or pass --token-file PATH/);
  assert.match(stderr, /--no-auth/);
});

test("--help documents every option; --version prints the contract and build hash", async () => {
  const help = spawn(built.binary, ["--help"], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  help.stdout.on("data", (d) => (text += d));
  assert.equal(await exited(help), 0);
  for (const opt of ["--listen", "--token-file", "--no-auth", "--supervised", "--grace", "--metrics-listen", "--healthcheck", "FORST_LOG=json", "SIGTERM"]) {
    assert.ok(text.includes(opt), `--help mentions ${opt}`);
  }
  const m = JSON.parse(readFileSync(built.manifest, "utf8"));
  const version = spawn(built.binary, ["--version"], { stdio: ["ignore", "pipe", "pipe"] });
  let v = "";
  version.stdout.on("data", (d) => (v += d));
  await exited(version);
  assert.deepEqual(JSON.parse(v), { version: m.version, contract: m.contract, buildHash: m.buildHash });
});

test("--listen 127.0.0.1:0 prints the bound address; calls need the token (header or file); stdin EOF does not stop it", async () => {
  const tokenFile = path.join(path.dirname(built.manifest), "..", "token");
  writeFileSync(tokenFile, "s3cret\n", { mode: 0o600 });
  const s = await runSidecar(built.binary, ["--listen", "127.0.0.1:0", "--token-file", tokenFile]);
  try {
    assert.match(s.address, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(s.address, "127.0.0.1:0");
    const ok = await call(s.url, "/add", "[2, 40]");
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "42");
    const bearer = await fetch(s.url + "/add", { method: "POST", headers: { authorization: "Bearer s3cret", "content-type": "application/json" }, body: "[1, 1]" });
    assert.equal(await bearer.text(), "2");
    const denied = await call(s.url, "/add", "[1, 1]", "wrong");
    assert.equal(denied.status, 401);
    const version = await (await fetch(s.url + "/__forst/version", { headers: { "x-forst-token": "s3cret" } })).json();
    assert.equal(version.contract, JSON.parse(readFileSync(built.manifest, "utf8")).contract);
    assert.equal(s.child.exitCode, null, "stdin at EOF (/dev/null) is not 'parent gone' without --supervised");
  } finally {
    s.child.kill("SIGKILL");
  }
});

test("a busy --listen address exits 3 and names it", async () => {
  const first = await runSidecar(built.binary, ["--listen", "127.0.0.1:0"], { FORST_TOKEN: "s3cret" });
  try {
    await assert.rejects(runSidecar(built.binary, ["--listen", first.address], { FORST_TOKEN: "s3cret" }), (e) => {
      assert.equal(e.code, 3);
      assert.match(e.stderr, new RegExp(`cannot listen on ${first.address}`));
      return true;
    });
  } finally {
    first.child.kill("SIGKILL");
  }
});

test("SIGTERM during a slow call: that call completes, new calls are refused, exit 0", async () => {
  const s = await runSidecar(built.binary, ["--grace", "20s"], { FORST_TOKEN: "s3cret", FORST_LISTEN: "127.0.0.1:0", FORST_LOG: "json" });
  const slow = call(s.url, "/sleep-for", "1500");
  // The call is in flight once the sidecar counts it.
  const inFlight = async () => {
    const text = await (await fetch(s.url + "/metrics", { headers: { "x-forst-token": "s3cret" } })).text();
    return /forst_calls_in_flight\{function="sleepFor"\} 1/.test(text);
  };
  for (let i = 0; i < 200 && !(await inFlight()); i++) await new Promise((r) => setTimeout(r, 10));
  const t0 = Date.now();
  s.child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 200));
  await assert.rejects(call(s.url, "/add", "[1, 1]"), /fetch failed/, "new calls are refused while draining");
  const res = await slow;
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '"slept"');
  assert.equal(await exited(s.child), 0);
  assert.ok(Date.now() - t0 < 10000, "it exits once the call is done, not at the end of the grace period");
  const events = s.output().stderr.trim().split("\n").map((l) => JSON.parse(l).event);
  assert.deepEqual(events.filter((e) => e !== "call"), ["listening", "draining", "stopped"]);
  assert.ok(events.includes("call"), "the slow call was logged");
});
