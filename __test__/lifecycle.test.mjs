// The sidecar's lifecycle in one Node process: lazy start, idempotent start, stop/start cycles, the build cache,
// crash → restart with callers getting 503 or success (never hanging), the crash-loop backoff, calls after stop().
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { statSync, lstatSync, existsSync } from "node:fs";
import path from "node:path";
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

test("calls travel over the child's own Unix socket in a private directory; TCP keeps serving; stop() removes the socket", async () => {
  await forst.start();
  const { socket, url } = forst.status();
  assert.ok(socket, "a socket on Linux by default");
  const st = statSync(socket);
  assert.ok(st.isSocket(), `${socket} is a socket`);
  assert.equal(st.mode & 0o777, 0o600, "only the owner may connect");
  const dir = lstatSync(path.dirname(socket));
  assert.ok(dir.isDirectory() && !dir.isSymbolicLink(), "the socket's directory is a real directory");
  assert.equal(dir.mode & 0o777, 0o700, "only its owner may enter the socket's directory");
  assert.equal(dir.uid, process.getuid());
  assert.match(path.basename(path.dirname(socket)), new RegExp(`^forst-${process.pid}-[0-9a-f]{24}$`), "a random name");
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

test("a crash loop backs off and comes back by itself: ten crashes in a row, then serving again without start()", async () => {
  await forst.stop();
  await forst.start({ restart: { backoffMs: 20, maxBackoffMs: 300 } });
  const attempts = [];
  for (let i = 0; i < 10; i++) {
    assert.ok(await waitFor(() => forst.status().state === "ready", { timeoutMs: 15000 }), `ready before crash ${i + 1}`);
    await rejectsWith(assert, forst.exitNow(7), { status: 503, code: "sidecar_crashed", message: /exited with code 7: exitNow: leaving with code 7/ });
    assert.ok(await waitFor(() => forst.status().restart), "restarting, with the backoff shown");
    const { restart, state, lastError } = forst.status();
    assert.equal(state, "restarting");
    attempts.push(restart.attempt);
    assert.match(restart.cause, /exited with code 7/);
    assert.ok(restart.backoffMs <= 300 && restart.retryAt > Date.now() - 1000, JSON.stringify(restart));
    assert.equal(lastError.code, "sidecar_crashed");
  }
  assert.deepEqual(attempts, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "crashes in a row are counted");
  const crashed = Date.now();
  assert.equal(await forst.add(1, 1), 2, "a call made during the backoff waits for the restart");
  assert.ok(Date.now() - crashed < 5000);
  assert.equal(forst.status().state, "ready");
  assert.equal(forst.status().restart, undefined);
});

test("after stop(), calls fail with 503 instead of starting a new sidecar; start() brings it back", async () => {
  await forst.start();
  await forst.stop();
  await rejectsWith(assert, forst.add(1, 1), { status: 503, code: "unavailable", message: /stopped with stop\(\); call start\(\)/ });
  assert.equal(forst.status().state, "stopped");
  await forst.start();
  assert.equal(await forst.add(2, 1), 3);
});
