// Attacks and faults against the real sidecar: another local user planting sockets, a child that stops answering, a
// route that panics in a goroutine or exits, a crash the runtime cannot recover, a flood of unauthenticated
// connections, 30,000 concurrent calls, and arguments JSON cannot carry. Each test is bounded and cleans up.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, renameSync, readFileSync, writeFileSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { spawn, execFileSync } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { useFixture, loadPackage, packageDir, isAlive, waitFor, rejectsWith, runNode } from "./helpers.mjs";

const dir = useFixture("app");
const forst = loadPackage();
after(() => forst.stop());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ATTACKER = "forstattacker";
const isRoot = process.getuid() === 0;

/** A second local user for the attacks (tests run as root here and in CI). */
function attackerUser() {
  try {
    execFileSync("id", [ATTACKER], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", ATTACKER]);
  }
  return ATTACKER;
}

/** Runs a Node script as the attacker user; resolves when it prints `ready`. */
function asAttacker(script, args) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "forst-attack-")), "attack.cjs");
  writeFileSync(file, script);
  chmodSync(path.dirname(file), 0o755);
  chmodSync(file, 0o644);
  const child = spawn("runuser", ["-u", attackerUser(), "--", process.execPath, file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const ready = waitFor(() => out.includes("ready"), { timeoutMs: 10000 });
  return { child, ready, output: () => out };
}

/** An attacker's listener: counts the connections and bytes it receives; prints `ready`, then `got <conns> <bytes>` on SIGTERM. */
const LISTENER = `
const net = require("net"), fs = require("fs");
let conns = 0, bytes = 0, token = false;
const servers = process.argv.slice(2).map((p) => {
  try { fs.unlinkSync(p); } catch {}
  const s = net.createServer((c) => { conns++; c.on("data", (d) => { bytes += d.length; if (/x-forst-token/i.test(d)) token = true; }); });
  s.listen(p, () => fs.chmodSync(p, 0o777));
  return s;
});
setTimeout(() => console.log("ready"), 200);
process.on("SIGTERM", () => { console.log("got " + conns + " " + bytes + " " + token); process.exit(0); });
`;

test("socket hijack: files, symlinks and listening sockets another user planted where sockets used to be are never reached", { skip: !isRoot && "needs root to create a second user" }, async () => {
  // A shared, sticky temporary directory like /tmp, so that the attacker (another user) can plant files in it.
  const tmp = mkdtempSync(path.join(os.tmpdir(), "forst-shared-"));
  chmodSync(tmp, 0o1777);
  // The victim: a Node process that prints its pid and waits, so the attacker can plant paths derived from it.
  writeFileSync(
    path.join(dir, "victim.cjs"),
    `const f = require(${JSON.stringify(packageDir)});
     console.log("PID " + process.pid);
     process.stdin.once("data", async () => {
       try {
         console.log("RESULT " + (await f.add(20, 22)) + " " + f.status().socket);
       } catch (e) { console.log("ERROR " + e.code + " " + e.message); }
       await f.stop();
     });`
  );
  const victim = spawn(process.execPath, ["victim.cjs"], { cwd: dir, env: { ...process.env, TMPDIR: tmp, XDG_RUNTIME_DIR: "" }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  victim.stdout.on("data", (d) => (out += d));
  victim.stderr.on("data", (d) => (out += d));
  assert.ok(await waitFor(() => /PID \d+/.test(out)), out);
  const pid = /PID (\d+)/.exec(out)[1];
  // The attacker plants, at the paths an earlier version used ($TMPDIR/forst-<pid>-<n>.sock) and at names in the new
  // directory's parent: a listening socket, a symlink to it, a plain file, and a world-writable directory.
  const attackerSock = path.join(tmp, "attacker.sock");
  const planted = [1, 2, 3].map((n) => path.join(tmp, `forst-${pid}-${n}.sock`));
  const attacker = asAttacker(
    LISTENER +
      `
      fs.symlinkSync(${JSON.stringify(attackerSock)}, ${JSON.stringify(planted[1])});
      fs.writeFileSync(${JSON.stringify(planted[2])}, "");
      fs.mkdirSync(${JSON.stringify(path.join(tmp, `forst-${pid}`))}, { mode: 0o777 });
      fs.symlinkSync(${JSON.stringify(tmp)}, ${JSON.stringify(path.join(tmp, `forst-${pid}-0`))});`,
    [attackerSock, planted[0]]
  );
  try {
    assert.ok(await attacker.ready, attacker.output());
    victim.stdin.write("go\n");
    assert.ok(await waitFor(() => /RESULT|ERROR/.test(out), { timeoutMs: 60000 }), out);
    assert.match(out, /RESULT 42 /, out);
    const socket = /RESULT 42 (\S+)/.exec(out)[1];
    assert.ok(!planted.includes(socket) && path.dirname(socket) !== tmp, `the socket ${socket} is in a directory of its own`);
    assert.match(path.basename(path.dirname(socket)), new RegExp(`^forst-${pid}-[0-9a-f]{24}$`));
  } finally {
    attacker.child.kill("SIGTERM");
    await new Promise((r) => attacker.child.once("exit", r));
    victim.kill("SIGKILL");
  }
  assert.match(attacker.output(), /got 0 0 false/, "the attacker's sockets got no connection, no byte, no token");
});

test("socket hijack: a socket swapped into the private directory is refused by peer credentials; nothing is sent", { skip: !isRoot && "needs root to create a second user" }, async () => {
  await forst.start();
  const { socket } = forst.status();
  const staging = mkdtempSync(path.join(os.tmpdir(), "forst-staging-"));
  chmodSync(staging, 0o777);
  const attackerSock = path.join(staging, "a.sock");
  const attacker = asAttacker(LISTENER, [attackerSock]);
  try {
    assert.ok(await attacker.ready, attacker.output());
    // Only root (or we) could do this: stand in for a compromised directory and replace the child's socket.
    renameSync(attackerSock, socket);
    // More concurrent calls than idle connections: new connections are made, to the impostor.
    const results = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => forst.add(i, 1)));
    const refused = results.filter((r) => r.status === "rejected");
    assert.ok(refused.length > 0, "some calls needed a new connection");
    for (const r of refused) {
      assert.equal(r.reason.code, "socket_unsafe", r.reason.message);
      assert.match(r.reason.message, /is not the sidecar this process started.*nothing was sent/);
    }
  } finally {
    attacker.child.kill("SIGTERM");
    await new Promise((r) => attacker.child.once("exit", r));
    await forst.stop();
  }
  assert.match(attacker.output(), /got \d+ 0 false/, "connections were closed before a byte (or the token) was written");
});

test("the sidecar refuses connections from another user on its socket (SO_PEERCRED), even if the directory were opened", { skip: !isRoot && "needs root to create a second user" }, async () => {
  await forst.start();
  const { socket } = forst.status();
  chmodSync(path.dirname(socket), 0o755);
  chmodSync(socket, 0o777);
  try {
    const probe = asAttacker(
      `const c = require("net").connect(${JSON.stringify(socket)});
       let got = "";
       c.on("connect", () => { console.log("ready"); c.write("GET /healthz HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n"); });
       c.on("data", (d) => (got += d));
       c.on("error", () => {});
       c.on("close", () => { console.log("closed [" + got + "]"); process.exit(0); });`,
      []
    );
    assert.ok(await waitFor(() => /closed/.test(probe.output()), { timeoutMs: 10000 }), probe.output());
    assert.match(probe.output(), /closed \[\]/, "closed without an answer");
    assert.equal(await forst.add(1, 1), 2, "our own calls still work");
  } finally {
    chmodSync(path.dirname(socket), 0o700);
  }
});

test("SIGSTOP of the child under load: every call settles within the probe window, the sidecar is replaced", async () => {
  await forst.stop();
  await forst.start({ liveness: { periodMs: 200, timeoutMs: 300, failureThreshold: 3 } });
  const { pid } = forst.status();
  const calls = Array.from({ length: 24 }, () => forst.sleepFor(5000).then((r) => ({ r }), (e) => ({ e })));
  await sleep(150);
  const stopped = Date.now();
  process.kill(pid, "SIGSTOP");
  try {
    const outcomes = await Promise.all(calls);
    const settled = Date.now() - stopped;
    for (const o of outcomes) {
      assert.ok(o.e, "no call can succeed while the child is stopped");
      assert.equal(o.e.code, "unavailable", o.e.message);
      assert.match(o.e.message, /stopped answering \(3 liveness probes in a row failed/);
    }
    assert.ok(settled < 4000, `settled ${settled} ms after SIGSTOP (probe window 3 × 200 + 300 ms)`);
    assert.ok(await waitFor(() => forst.status().state === "ready" && forst.status().pid !== pid, { timeoutMs: 10000 }));
    console.log(`# SIGSTOP → calls settled in ${settled} ms, new sidecar ready ${Date.now() - stopped} ms after SIGSTOP`);
    assert.equal(await forst.add(2, 3), 5);
    assert.ok(!isAlive(pid), "the stopped child was killed");
  } finally {
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
});

test("a panic in a goroutine fails only the call that started it, with the .ft line; other calls under load succeed", async () => {
  await forst.start();
  const { pid } = forst.status();
  let ok = 0;
  const failures = [];
  const deadline = Date.now() + 1500;
  const load = Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < deadline) {
        try {
          assert.equal(await forst.add(20, 22), 42);
          ok++;
        } catch (e) {
          failures.push(e.message);
        }
      }
    })
  );
  const panics = [];
  for (let i = 0; i < 5; i++) {
    panics.push(forst.goPanic(64, 10 + i).then(() => null, (e) => e));
    await sleep(100);
  }
  const errors = await Promise.all(panics);
  await load;
  assert.deepEqual(failures, [], "no other call failed");
  assert.ok(ok > 100, `${ok} calls succeeded meanwhile`);
  errors.forEach((e, i) => {
    assert.ok(e, "the panicking call failed");
    assert.equal(e.code, "panic");
    assert.equal(e.status, 500);
    assert.match(e.message, new RegExp(`index out of range \\[${10 + i}\\] with length 0 \\(in a goroutine started at routes/testing\\.ft:\\d+\\)`));
    assert.match(e.location, /^routes\/testing\.ft:\d+$/);
  });
  const source = readFileSync(path.join(dir, "forst", "routes", "testing.ft"), "utf8").split("\n");
  const line = Number(errors[0].location.split(":")[1]);
  assert.match(source[line - 1], /values\[i\] = empty\[i\]/, "the location is the panicking line");
  assert.equal(forst.status().pid, pid, "the process kept serving");
});

test("os.Exit in a route: calls in flight get sidecar_crashed with the cause, and the service returns", async () => {
  await forst.start();
  const inflight = Array.from({ length: 8 }, () => forst.sleepFor(4000).then(() => null, (e) => e));
  await sleep(200);
  const exit = forst.exitNow(9).then(() => null, (e) => e);
  const errors = await Promise.all([...inflight, exit]);
  for (const e of errors) {
    assert.ok(e);
    assert.equal(e.status, 503);
    assert.equal(e.code, "sidecar_crashed", e.message);
    assert.match(e.message, /exited with code 9: exitNow: leaving with code 9/);
  }
  assert.equal(await forst.add(1, 2), 3, "back after the restart");
});

test("a crash no recover can catch (stack overflow): the cause from Go's crash report, then back", async () => {
  await forst.stop();
  await forst.start(); // default liveness: the overflow must be what ends the child, not the probe
  const e = await forst.recurse(0).then(() => null, (err) => err);
  assert.equal(e.code, "sidecar_crashed", e.message);
  assert.match(e.message, /fatal error: stack overflow \(at routes\/testing\.ft:\d+\)/);
  assert.ok(await waitFor(() => /stack overflow/.test(forst.status().lastError?.message ?? "")));
  assert.equal(await forst.add(2, 2), 4);
});

test("21,000 unauthenticated connections to the TCP port: calls with the token still succeed", async () => {
  await forst.start();
  const { url, pid } = forst.status();
  const port = Number(new URL(url).port);
  // Three processes (one Node process may hold only so many sockets): each keeps up to 7,000 connections open,
  // some silent, some with half a request, some with requests that lack the token.
  const flood = `
    const net = require("net");
    const want = 7000; let open = 0, made = 0, refused = 0, attempts = 0;
    function one(i) {
      attempts++;
      const c = net.connect(${port}, "127.0.0.1");
      c.on("connect", () => { open++; made++;
        if (i % 3 === 1) c.write("POST /add HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n");
        if (i % 3 === 2) c.write("POST /add HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 5\\r\\n\\r\\n[1,1]");
      });
      c.on("error", () => { refused++; });
      c.on("close", () => { open--; setTimeout(() => one(i), 10); });
    }
    for (let i = 0; i < want; i++) one(i);
    setTimeout(() => console.log("ready"), 1000);
    setTimeout(() => { console.log("attempts " + attempts + " made " + made + " refused " + refused); process.exit(0); }, 6000);`;
  const floods = [0, 1, 2].map(() => runNode(["-e", flood], { timeoutMs: 20000 }));
  await sleep(1500);
  const fds = () => readdirSync(`/proc/${pid}/fd`).length;
  let ok = 0;
  let maxFds = 0;
  const started = Date.now();
  while (Date.now() - started < 3000) {
    assert.equal(await forst.add(ok, 1), ok + 1);
    ok++;
    if (ok % 50 === 0) maxFds = Math.max(maxFds, fds());
  }
  const reports = await Promise.all(floods);
  const attempts = reports.reduce((n, r) => n + Number(/attempts (\d+)/.exec(r.stdout)?.[1] ?? 0), 0);
  const summary = reports.map((r) => (r.stdout + r.stderr).trim().replace(/\s+/g, " ")).join(" | ");
  assert.ok(attempts >= 21000, `the flood opened ${attempts} connections: ${summary}`);
  console.log(`# flood: ${summary}; ${ok} calls succeeded meanwhile; the sidecar held at most ${maxFds} descriptors`);
  assert.ok(ok > 100, `${ok} calls succeeded during the flood`);
  assert.ok(maxFds < 512 + 64, `the sidecar held at most ${maxFds} descriptors (TCP cap 512)`);
  assert.equal(forst.status().pid, pid);
});

test("30,000 concurrent calls from one process all settle, within the connection cap", async () => {
  await forst.stop();
  await forst.start({ limits: { connections: 64 } });
  const fds = () => readdirSync("/proc/self/fd").length;
  const baseline = fds();
  let maxFds = baseline;
  const sampler = setInterval(() => (maxFds = Math.max(maxFds, fds())), 5);
  try {
    const results = await Promise.all(Array.from({ length: 30000 }, (_, i) => forst.add(i, 1)));
    results.forEach((r, i) => assert.equal(r, i + 1));
  } finally {
    clearInterval(sampler);
  }
  assert.ok(maxFds - baseline <= 64 + 8, `descriptors grew by ${maxFds - baseline} (cap 64)`);
});

test("arguments JSON cannot carry are invalid_argument before anything is sent", async () => {
  await forst.start();
  const circular = { a: 1 };
  circular.self = circular;
  let deep = [];
  for (let i = 0; i < 1e6; i++) deep = [deep];
  const cases = [
    [() => forst.echo(10n), /cannot be sent as JSON: Do not know how to serialize a BigInt/],
    [() => forst.echo(circular), /cannot be sent as JSON: Converting circular structure/],
    [() => forst.echo(deep), /nested too deeply/],
    [() => forst.echo({ a: [1, NaN] }), /argument\.a\[1\] is NaN, which JSON cannot carry/],
    [() => forst.add(1, Infinity), /arguments\[1\] is Infinity/],
    [() => forst.add(2, 3, 4), /takes 2 arguments, got 3 \(the last one is not call options/],
    [() => forst.add(2, 3, {}, 5), /takes 2 arguments, got 4/],
    [() => forst.add(2, 3, { signal: "stop" }), /options\.signal must be an AbortSignal/],
    [() => forst.add(2, 3, { timeoutMs: 2 ** 32 }), /options\.timeoutMs must be a number of milliseconds from 0 \(none\) to 2147483647, got 4294967296/],
    [() => forst.add(2, 3, { timeoutMs: "100" }), /got "100"/],
    [() => forst.add(2, 3, { timeoutMs: -1 }), /got -1/],
  ];
  for (const [call, message] of cases) {
    await rejectsWith(assert, call(), { status: 400, code: "invalid_argument", message });
  }
  await rejectsWith(assert, forst.sleepFor(1000, { timeoutMs: 0.5 }), { code: "timeout" });
  assert.equal(await forst.add(2, 3, { timeoutMs: 1000 }), 5);
});

test("when Node dies with a call in flight, the child exits at once (not after the grace period)", async () => {
  writeFileSync(
    path.join(dir, "dying.cjs"),
    `const f = require(${JSON.stringify(packageDir)});
     f.start().then((i) => {
       console.log("PID " + i.pid);
       f.sleepFor(60000).catch(() => {});
       setTimeout(() => process.kill(process.pid, "SIGKILL"), 300);
     });`
  );
  const r = await runNode(["dying.cjs"], { cwd: dir, timeoutMs: 60000 });
  const died = Date.now();
  const pid = Number(/PID (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(pid, r.stdout + r.stderr);
  assert.ok(await waitFor(() => !isAlive(pid), { timeoutMs: 5000 }), "the child is gone");
  assert.ok(Date.now() - died < 2000, `gone ${Date.now() - died} ms after Node (grace period 5000 ms)`);
});
