// Calls through the real sidecar: the RFC's routes behind Express, every error code a call can produce, concurrency,
// large bodies, cancellation and timeouts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { useFixture, loadPackage, rawCall, rejectsWith } from "./helpers.mjs";

useFixture("app");
const forst = loadPackage();
const { processData, calculate, performConcurrentSearch, processLargeDataset, echo, add, fail, crash, sleepFor, cancelledSleepCount, byteLength, nothing } = forst;
let server;
let base;

before(async () => {
  const express = (await import("express")).default;
  const app = express();
  app.use(express.json({ limit: "100mb" }));
  app.get("/health", (req, res) => res.json({ status: "ok" }));
  app.post("/process-data", async (req, res) => {
    try {
      res.json(await processData(req.body));
    } catch (error) {
      res.status(500).json({ error: error.message });
    }
  });
  app.get("/search", async (req, res) => {
    const queries = req.query.queries.split(",");
    res.json(await performConcurrentSearch(queries));
  });
  app.post("/calculate", async (req, res) => res.json(await calculate(req.body)));
  app.post("/process-large-dataset", async (req, res) => res.json(await processLargeDataset(req.body)));
  await new Promise((r) => (server = app.listen(0, "127.0.0.1", r)));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server.close();
  await forst.stop();
});

const get = async (p) => (await fetch(base + p)).json();
const post = async (p, body) =>
  (await fetch(base + p, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json();

test("RFC processData through Express", async () => {
  const body = { records: [{ id: "1", data: "a" }, { id: "2", data: "b" }, { id: "3", data: "c" }] };
  assert.deepEqual(await post("/process-data", body), { processed: 3, status: "success" });
});

test("RFC calculate through Express: {numbers:[1,2,2]} → {result:3}", async () => {
  assert.deepEqual(await post("/calculate", { numbers: [1, 2, 2] }), { result: 3 });
});

test("RFC performConcurrentSearch through Express", async () => {
  const results = await get("/search?queries=ap,gr,zz");
  results.sort((a, b) => a.query.localeCompare(b.query));
  assert.deepEqual(results, [
    { query: "ap", hits: 2 },
    { query: "gr", hits: 2 },
    { query: "zz", hits: 0 },
  ]);
});

test("RFC processLargeDataset through Express", async () => {
  const data = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), data: "x".repeat(i % 7) }));
  const out = await post("/process-large-dataset", data);
  assert.equal(out.length, 1000);
  out.sort((a, b) => Number(a.id) - Number(b.id));
  assert.deepEqual(out[6], { id: "6", length: 6, upper: "XXXXXX" });
});

test("the TypeScript route stays in TypeScript", async () => {
  assert.deepEqual(await get("/health"), { status: "ok" });
});

test("arguments: one value, an array of several, none", async () => {
  assert.deepEqual(await echo({ a: [1, "two", null] }), { a: [1, "two", null] });
  assert.equal(await add(2, 40), 42);
  assert.equal(await nothing(), null);
});

test("400 invalid_input: a wrong argument type names the path and the expected type", async () => {
  await rejectsWith(assert, add("two", 1), { status: 400, code: "invalid_input", function: "add", message: /a.*int|int.*string/ });
});

test("400 invalid_input: an assertion on JSON that does not fit fails as invalid input, not a crash", async () => {
  await rejectsWith(assert, calculate({ numbers: "many" }), { status: 400, code: "invalid_input", message: /\[\]float64/ });
});

test("400 invalid_input: malformed JSON", async () => {
  const r = await rawCall("/calculate", '{"numbers": [1, 2');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, "invalid_input");
});

test("500 returned_error carries the function's error message", async () => {
  assert.equal(await fail(false), "fine");
  await rejectsWith(assert, fail(true), { status: 500, code: "returned_error", message: /asked to fail/, function: "fail" });
});

test("500 panic names the .ft location and the sidecar keeps serving", async () => {
  await rejectsWith(assert, crash("boom"), { status: 500, code: "panic", message: /boom/, location: /routes\/testing\.ft:\d+/ });
  await rejectsWith(assert, crash("nil map"), { status: 500, code: "panic", location: /routes\/testing\.ft:\d+/ });
  assert.equal(await add(1, 1), 2);
});

test("404 unknown_function", async () => {
  await rejectsWith(assert, forst.invoke("noSuchFunction", 1), { status: 404, code: "unknown_function", message: /noSuchFunction/ });
  const r = await rawCall("/no-such-route", "{}");
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, "unknown_function");
});

test("405 on a GET of an endpoint", async () => {
  const r = await rawCall("/calculate", undefined, { method: "GET" });
  assert.equal(r.status, 405);
  assert.equal(r.json.error.code, "method_not_allowed");
});

test("401 without the token, 403 for a foreign Host", async () => {
  const r = await rawCall("/calculate", '{"numbers":[1]}', { token: false });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, "unauthorized");
  const health = await rawCall("/healthz", undefined, { token: false, method: "GET" });
  assert.equal(health.status, 200);
  // DNS rebinding: a browser page on evil.example resolving to 127.0.0.1 sends its own Host.
  const { port } = forst.status();
  const status = await new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/healthz", headers: { host: "evil.example" } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(status, 403);
});

test("a 50 MB body is accepted", async () => {
  const big = "x".repeat(50 * 1024 * 1024);
  assert.equal(await byteLength(big), big.length);
});

test("413 body_too_large above the limit, with how to raise it", async () => {
  const huge = "y".repeat(65 * 1024 * 1024);
  await rejectsWith(assert, byteLength(huge), { status: 413, code: "body_too_large", message: /bodyBytes|FORST_BODY_LIMIT/ });
});

test("500 concurrent calls all succeed", async () => {
  const results = await Promise.all(Array.from({ length: 500 }, (_, i) => add(i, 1)));
  assert.deepEqual(results, Array.from({ length: 500 }, (_, i) => i + 1));
});

test("timeoutMs fails the call with code timeout", async () => {
  await rejectsWith(assert, sleepFor(5000, { timeoutMs: 100 }), { status: 504, code: "timeout" });
});

test("an AbortSignal cancels the call", async () => {
  const controller = new AbortController();
  const started = Date.now();
  const call = sleepFor(5000, { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await rejectsWith(assert, call, { code: "aborted" });
  assert.ok(Date.now() - started < 3000, "the abort took effect promptly");
  const already = new AbortController();
  already.abort();
  await rejectsWith(assert, sleepFor(10, { signal: already.signal }), { code: "aborted" });
});

test("a context-aware function sees the caller go away: abort and timeout cancel the Go context", async () => {
  assert.equal(await sleepFor(10), "slept");
  // Small bodies travel on the Unix socket and large ones on TCP: both must carry the cancellation to Go.
  for (const padding of [0, 100 * 1024]) {
    for (const makeOptions of [() => ({ timeoutMs: 50 }), () => ({ signal: AbortSignal.timeout(50) })]) {
      const before = await cancelledSleepCount();
      const options = makeOptions();
      const call = sleepFor.raw("5000" + " ".repeat(padding), options);
      await assert.rejects(call);
      let after = before;
      for (let i = 0; i < 100 && after === before; i++) {
        await new Promise((r) => setTimeout(r, 20));
        after = await cancelledSleepCount();
      }
      assert.equal(after, before + 1, `the Go context was cancelled (${padding ? "TCP" : "socket"}, ${Object.keys(options)[0]})`);
    }
  }
});

test("the raw form: JSON text in, JSON text out, same errors", async () => {
  assert.deepEqual(JSON.parse(await calculate.raw('{"numbers":[3,4]}')), { result: 5 });
  assert.equal(JSON.parse(await add.raw("[2, 3]")), 5);
  await rejectsWith(assert, calculate.raw("{nope"), { status: 400, code: "invalid_input", function: "calculate" });
  await rejectsWith(assert, calculate.raw({ numbers: [1] }), { status: 400, code: "invalid_argument", message: /JSON text/ });
  await rejectsWith(assert, calculate.raw('{"numbers":"many"}'), { status: 400, code: "invalid_input", message: /input\["numbers"\]: expected \[\]float64, got string/ });
});
