// The small-call fast path (lib/fast_path.js): its HTTP answer parser on every shape the sidecar sends, and the same
// results and errors as the addon's path (FORST_FAST_PATH=0) for the calls a user makes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { writeFileSync, readdirSync, readlinkSync } from "node:fs";
import { useFixture, loadPackage, packageDir, runNode } from "./helpers.mjs";

const { ResponseParser } = (await import("../lib/fast_path.js")).default;
const dir = useFixture("app");
const forst = loadPackage();
after(() => forst.stop());

function parse(...chunks) {
  const p = new ResponseParser();
  let answer = null;
  for (const c of chunks) answer = p.push(Buffer.from(c, "latin1")) || answer;
  return answer;
}

test("the answer parser: Content-Length and chunked bodies, split anywhere, Connection: close, garbage", () => {
  const plain = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
  for (let cut = 1; cut < plain.length; cut++) {
    const a = parse(plain.slice(0, cut), plain.slice(cut));
    assert.equal(a.status, 200);
    assert.equal(a.body.toString(), '{"a":1}');
    assert.equal(a.keepAlive, true);
  }
  const chunked = "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\nX-Forst-Error: invalid_input\r\n\r\n5\r\n{\"e\":\r\n2\r\n1}\r\n0\r\n\r\n";
  for (let cut = 1; cut < chunked.length; cut++) {
    const a = parse(chunked.slice(0, cut), chunked.slice(cut));
    assert.deepEqual([a.status, a.body.toString(), a.code], [400, '{"e":1}', "invalid_input"], `cut at ${cut}`);
  }
  assert.equal(parse("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}").keepAlive, false);
  assert.throws(() => parse("SSH-2.0-OpenSSH\r\n\r\n"), /not an HTTP answer/);
  assert.throws(() => parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), /malformed chunk/);
  assert.equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"), null, "incomplete: wait for more");
});

test("small calls go over the fast path: sockets held by this process, connected to the child", async () => {
  await forst.start();
  assert.equal(await forst.add(1, 2), 3);
  const socket = forst.status().socket;
  const inodes = readdirSync("/proc/self/fd").map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ""; } });
  assert.ok(inodes.some((l) => l.startsWith("socket:")), "a socket is open");
  const m = forst.metrics();
  assert.ok(m.calls >= 1, JSON.stringify(m));
  assert.ok(socket);
});

test("the fast path and the addon's path give the same results and the same errors", async () => {
  const script = `
    const f = require(${JSON.stringify(packageDir)});
    const out = [];
    const run = async (label, p) => { try { out.push([label, await p]); } catch (e) { out.push([label, e.code, e.status, e.message.replace(/\\d+ ms/g, "N ms"), e.function, e.location]); } };
    (async () => {
      await run("add", f.add(20, 22));
      await run("echo", f.echo({ s: "é\\u2028\\"<>&", n: [1.5, -2e300, null], t: true }));
      await run("nothing", f.nothing());
      await run("wrong type", f.add("x", 1));
      await run("malformed", f.calculate.raw("{nope"));
      await run("raw buffer", f.calculate.raw(Buffer.from('{"numbers":[3,4]}'), { as: "buffer" }).then((b) => Buffer.isBuffer(b) && b.toString()));
      await run("returned", f.fail(true));
      await run("panic", f.crash("boom"));
      await run("timeout", f.sleepFor(2000, { timeoutMs: 50 }));
      const c = new AbortController(); setTimeout(() => c.abort(), 50);
      await run("abort", f.sleepFor(2000, { signal: c.signal }));
      await run("unknown", f.invoke("noSuchFunction", 1));
      await run("big", f.byteLength("z".repeat(200000)));
      console.log("OUT " + JSON.stringify(out));
      await f.stop();
    })();`;
  writeFileSync(path.join(dir, "parity.cjs"), script);
  const fast = await runNode(["parity.cjs"], { cwd: dir, timeoutMs: 120000 });
  const addon = await runNode(["parity.cjs"], { cwd: dir, timeoutMs: 120000, env: { FORST_FAST_PATH: "0" } });
  // Windows' only transport: no Unix socket, so the fast path must hand every call to the addon (over TCP).
  const tcp = await runNode(["parity.cjs"], { cwd: dir, timeoutMs: 120000, env: { FORST_TRANSPORT: "tcp" } });
  const outOf = (r) => JSON.parse(/OUT ([^\n]*)/.exec(r.stdout)?.[1] ?? "null");
  assert.ok(outOf(fast), fast.stdout + fast.stderr);
  assert.deepEqual(outOf(fast), outOf(addon));
  assert.deepEqual(outOf(tcp), outOf(addon), tcp.stdout + tcp.stderr);
  const byLabel = Object.fromEntries(outOf(fast).map(([k, ...v]) => [k, v]));
  assert.deepEqual(byLabel.add, [42]);
  assert.equal(byLabel["raw buffer"][0], '{"result":5}');
  assert.equal(byLabel.panic[0], "panic");
  assert.equal(byLabel.timeout[0], "timeout");
  assert.equal(byLabel.abort[0], "aborted");
});
