// Connect mode: the app calls a sidecar it did not start (FORST_SIDECAR_URL + FORST_TOKEN), here the standalone binary
// of `forst build` as a Kubernetes native sidecar would run it. Calls work, survive the sidecar's restart, and a
// sidecar rebuilt with another signature is refused with contract_mismatch naming both versions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { useFixture, loadPackage, buildProject, runSidecar, exited, rejectsWith } from "./helpers.mjs";

let dir;
let built;
let sidecar;
let forst;
const TOKEN = "connect-token";

before(async () => {
  dir = useFixture("app");
  built = await buildProject(dir);
  sidecar = await runSidecar(built.binary, ["--listen", "127.0.0.1:0"], { FORST_TOKEN: TOKEN });
  process.env.FORST_SIDECAR_URL = sidecar.url;
  process.env.FORST_TOKEN = TOKEN;
  forst = loadPackage();
});

after(async () => {
  await forst?.stop();
  sidecar?.child.kill("SIGKILL");
  delete process.env.FORST_SIDECAR_URL;
  delete process.env.FORST_TOKEN;
});

test("start() connects instead of spawning; calls work; status() and metrics() say connect", async () => {
  const info = await forst.start();
  assert.equal(info.url, sidecar.url);
  assert.equal(info.pid, 0, "nothing was spawned");
  assert.equal(await forst.add(20, 22), 42);
  const s = forst.status();
  assert.equal(s.mode, "connect");
  assert.equal(s.state, "ready");
  assert.equal(s.url, sidecar.url);
  assert.equal(s.pid, undefined);
  assert.equal(forst.metrics().mode, "connect");
  assert.match(await forst.metrics.sidecar(), /forst_calls_total\{function="add",code="ok"\} 1/);
});

test("the sidecar killed and restarted: a call made while it is down waits for it and succeeds", async () => {
  sidecar.child.kill("SIGKILL");
  await exited(sidecar.child);
  const pending = forst.add(1, 2);
  await new Promise((r) => setTimeout(r, 300));
  sidecar = await runSidecar(built.binary, ["--listen", sidecar.address], { FORST_TOKEN: TOKEN });
  assert.equal(await pending, 3);
  assert.equal(await forst.add(2, 2), 4);
  assert.ok(forst.metrics().restarts >= 1, "the reconnection is counted");
  assert.equal(forst.status().state, "ready");
});

test("a sidecar rebuilt with a changed signature: calls fail with contract_mismatch naming both contracts", async () => {
  const ours = JSON.parse(readFileSync(built.manifest, "utf8")).contract;
  const other = mkdtempSync(path.join(tmpdir(), "forst-changed-"));
  cpSync(path.join(dir, "forst"), path.join(other, "forst"), { recursive: true });
  const file = path.join(other, "forst", "routes", "testing.ft");
  writeFileSync(file, readFileSync(file, "utf8").replace("func add(a int, b int) int {\n  return a + b", "func add(a int, b int, c int) int {\n  return a + b + c"));
  const changed = await buildProject(other);
  const theirs = JSON.parse(readFileSync(changed.manifest, "utf8")).contract;
  assert.notEqual(theirs, ours);
  sidecar.child.kill("SIGKILL");
  await exited(sidecar.child);
  sidecar = await runSidecar(changed.binary, ["--listen", sidecar.address], { FORST_TOKEN: TOKEN });
  const mismatch = { status: 409, code: "contract_mismatch", message: new RegExp(`contract ${theirs}[^]*contract ${ours}`) };
  await rejectsWith(assert, forst.add(1, 2), mismatch);
  await rejectsWith(assert, forst.echo("x"), { code: "contract_mismatch" });
  // A new start() says so before any call.
  await forst.stop();
  await rejectsWith(assert, forst.start(), { code: "contract_mismatch", message: new RegExp(`serves contract ${theirs} \\(@forst/sidecar [^)]+\\) but this app's functions were generated for contract ${ours}`) });
});

test("a wrong token is unauthorized at start(); an unreachable sidecar is not_ready within timeouts.readyMs", async () => {
  await forst.stop();
  process.env.FORST_TOKEN = "wrong";
  await rejectsWith(assert, forst.start(), { code: "unauthorized", message: /refused the token: set FORST_TOKEN/ });
  process.env.FORST_TOKEN = TOKEN;
  sidecar.child.kill("SIGKILL");
  await exited(sidecar.child);
  const t0 = Date.now();
  await rejectsWith(assert, forst.start({ timeouts: { readyMs: 500 } }), { code: "not_ready", message: /did not answer GET \/readyz within 500 ms/ });
  assert.ok(Date.now() - t0 < 5000);
});
