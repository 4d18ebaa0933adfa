// The sidecar's lifecycle in one Node process: lazy start, idempotent start, stop/start cycles, the build cache,
// crash → restart with callers getting 503 or success (never hanging), and the crash-loop limit.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { statSync, existsSync } from "node:fs";
import { useFixture, loadPackage, isAlive, waitFor, rejectsWith } from "./helpers.mjs";

useFixture("app");
const forst = loadPackage();

after(() => forst.stop());

test("the first call starts the sidecar when nobody called start()", async () => {
  assert.equal(forst.status().state, "stopped");
  assert.equal(await forst.add(1, 2), 3);
  const s = forst.status();
  assert.equal(s.state, "ready");
  assert.ok(s.pid > 0 && isAlive(s.pid));
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(s.lastError, null);
});

test("calls travel over the child's own Unix socket (owner-only); TCP keeps serving; stop() removes the socket", async () => {
  await forst.start();
  const { socket, url } = forst.status();
  assert.ok(socket, "a socket on Linux by default");
  const st = statSync(socket);
  assert.ok(st.isSocket(), `${socket} is a socket`);
  assert.equal(st.mode & 0o777, 0o600, "only the owner may connect");
  assert.equal(await forst.add(2, 3), 5);
  assert.equal((await fetch(url + "/readyz")).status, 200, "the loopback port still answers");
  await forst.stop();
  assert.ok(await waitFor(() => !existsSync(socket)), "the socket file is gone after stop()");
  assert.equal(forst.status().socket, undefined);
});

test("start() is idempotent and concurrent starts share one sidecar", async () => {
  const [a, b] = await Promise.all([forst.start(), forst.start()]);
  assert.equal(a.pid, b.pid);
  assert.equal(a.pid, forst.status().pid);
  assert.ok(a.routes.some((r) => r.includes("/process-data")), a.routes.join("\n"));
});

test("stop() then start(): the old child exits, the new one comes from the build cache", async () => {
  for (let i = 0; i < 3; i++) {
    const { pid } = forst.status();
    await forst.stop();
    assert.equal(forst.status().state, "stopped");
    assert.ok(await waitFor(() => !isAlive(pid)), `child ${pid} exited after stop()`);
    const info = await forst.start();
    assert.notEqual(info.pid, pid);
    assert.equal(forst.status().build.cached, true, "an unchanged project does not run go build");
    assert.equal(await forst.add(i, 1), i + 1);
  }
});

test("kill -9 of the child under load: callers get a result or 503, none hang, and it restarts", async () => {
  const { pid } = forst.status();
  const outcomes = { ok: 0, unavailable: 0, other: [] };
  const deadline = Date.now() + 1500;
  const worker = async () => {
    while (Date.now() < deadline) {
      const guard = new Promise((_, reject) => setTimeout(() => reject(new Error("a call hung")), 15000));
      try {
        await Promise.race([forst.add(1, 1), guard]);
        outcomes.ok++;
      } catch (err) {
        if (err.name === "ForstError" && err.status === 503) outcomes.unavailable++;
        else outcomes.other.push(err.message);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 16 }, worker));
  setTimeout(() => process.kill(pid, "SIGKILL"), 300);
  await load;
  assert.deepEqual(outcomes.other, [], "only successes and 503s");
  assert.ok(outcomes.ok > 0);
  assert.ok(await waitFor(() => forst.status().state === "ready"), "restarted");
  const s = forst.status();
  assert.notEqual(s.pid, pid);
  assert.ok(s.restarts >= 1);
  assert.equal(await forst.add(2, 2), 4);
});

test("a crash loop ends in state crashed: calls fail fast with 503 and the last stderr lines; start() recovers", async () => {
  for (let i = 0; i < 12 && forst.status().state !== "crashed"; i++) {
    await waitFor(() => ["ready", "crashed"].includes(forst.status().state), { timeoutMs: 15000 });
    if (forst.status().state === "crashed") break;
    await forst.exitNow(7).catch(() => {});
  }
  assert.equal(forst.status().state, "crashed");
  const started = Date.now();
  await rejectsWith(assert, forst.add(1, 1), { status: 503, code: "unavailable", message: /exitNow: leaving with code 7/ });
  assert.ok(Date.now() - started < 1000, "fails fast");
  assert.match(forst.status().lastError.message, /exited with code 7/);
  await forst.start();
  assert.equal(await forst.add(1, 1), 2);
});
