// fn.handler(): a whole route served by Forst, streamed — with Express 4, Express 5 and node:http, no body parser in
// front. Same answers as the function call, the error envelope with the right status for every failure, a client
// that goes away cancels the Go context, a 200 MB body passes with a bounded heap, and no promise is left rejected.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createRequire } from "node:module";
import { writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { useFixture, loadPackage, waitFor } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const dir = useFixture("app");
const forst = loadPackage();
const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

const servers = [];
after(async () => {
  for (const s of servers) s.close();
  await forst.stop();
  assert.deepEqual(unhandled, [], "no unhandled rejection");
});

/** The same routes on three stacks. */
function apps() {
  const mount = (app) => {
    app.post("/process-data", forst.processData.handler());
    app.post("/calculate", forst.calculate.handler());
    app.post("/search", forst.performConcurrentSearch.handler());
    app.post("/process-large-dataset", forst.processLargeDataset.handler());
    app.post("/crash", forst.crash.handler());
    app.post("/byte-length", forst.byteLength.handler());
    app.post("/add", forst.add.handler());
    app.get("/sleep/:ms", forst.sleepFor.handler({ input: (req) => Number(req.params.ms) }));
    app.get("/echo-query", forst.echo.handler({ input: "query" }));
    return app;
  };
  const express4 = mount(require("express")());
  const express5 = mount(require("express5")());
  const routes = new Map();
  const plain = { post: (p, h) => routes.set("POST " + p, h), get: (p, h) => routes.set("GET " + p, h) };
  mount(plain);
  const node = (req, res) => {
    const [pathname] = req.url.split("?");
    const sleep = /^\/sleep\/(\d+)$/.exec(pathname);
    if (sleep) {
      req.params = { ms: sleep[1] };
      return routes.get("GET /sleep/:ms")(req, res);
    }
    if (pathname === "/echo-query") req.query = Object.fromEntries(new URL(req.url, "http://x").searchParams);
    const h = routes.get(`${req.method} ${pathname}`);
    if (!h) return res.writeHead(404).end();
    h(req, res);
  };
  return { "express 4": express4, "express 5": express5, "node:http": node };
}

async function listen(handler) {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${server.address().port}`;
}

async function post(base, route, body, headers = {}) {
  const res = await fetch(base + route, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

const records = Array.from({ length: 300 }, (_, i) => ({ id: String(i), data: "item-" + i }));
const rfc = [
  ["/process-data", { records }, () => forst.processData({ records })],
  ["/calculate", { numbers: [1, 2, 2, 4.5] }, () => forst.calculate({ numbers: [1, 2, 2, 4.5] })],
  ["/search", ["ap", "gr", "bl"], () => forst.performConcurrentSearch(["ap", "gr", "bl"])],
  ["/process-large-dataset", records, () => forst.processLargeDataset(records)],
];

test("the handler answers what the function call answers, for every RFC route, on Express 4, Express 5 and node:http", async () => {
  await forst.start({ limits: { bodyBytes: 300 * 1024 * 1024 } });
  for (const [stack, app] of Object.entries(apps())) {
    const base = await listen(app);
    for (const [route, input, direct] of rfc) {
      const viaHandler = await post(base, route, JSON.stringify(input));
      assert.equal(viaHandler.status, 200, `${stack} ${route}: ${viaHandler.text}`);
      const expected = await direct();
      const sort = (v) => (Array.isArray(v) ? [...v].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : v);
      assert.deepEqual(sort(viaHandler.json), sort(expected), `${stack} ${route}`);
    }
    assert.equal((await post(base, "/add", "[2, 40]")).text, "42", `${stack}: several parameters take the JSON array`);
    assert.deepEqual(JSON.parse(await (await fetch(base + "/echo-query?a=1&b=x")).text()), { a: "1", b: "x" }, `${stack}: input "query"`);
  }
});

test("every failure is an HTTP answer with the error envelope and the status of ForstError", async () => {
  for (const [stack, app] of Object.entries(apps())) {
    const base = await listen(app);
    const malformed = await post(base, "/calculate", '{"numbers": [1,');
    assert.equal(malformed.status, 400, stack);
    assert.equal(malformed.json.error.code, "invalid_input");
    assert.match(malformed.json.error.message, /malformed JSON/);
    const wrong = await post(base, "/calculate", '{"numbers": "many"}');
    assert.equal(wrong.status, 400);
    assert.match(wrong.json.error.message, /expected \[\]float64, got string/);
    const panic = await post(base, "/crash", '"boom"');
    assert.equal(panic.status, 500, stack);
    assert.equal(panic.json.error.code, "panic");
    assert.match(panic.json.error.location, /^routes\/testing\.ft:\d+$/);
    assert.equal((await post(base, "/add", "[1, 1]")).text, "2", `${stack}: still serving`);
  }
});

test("a body over limits.bodyBytes is answered 413 while the client is still sending", async () => {
  await forst.stop();
  await forst.start({ limits: { bodyBytes: 1024 * 1024 } });
  const base = await listen(apps()["express 4"]);
  const { port } = new URL(base);
  // Send the headers and 2 MB, then keep the request open: the answer must come without the rest.
  const answer = await new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/byte-length", method: "POST", headers: { "content-type": "application/json", "content-length": 64 * 1024 * 1024 } });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.write('"' + "x".repeat(2 * 1024 * 1024));
  });
  assert.equal(answer.status, 413);
  assert.equal(JSON.parse(answer.text).error.code, "body_too_large");
  await forst.stop();
  await forst.start({ limits: { bodyBytes: 300 * 1024 * 1024 } });
});

test("a client that goes away cancels the Go context", async () => {
  const before = await forst.cancelledSleepCount();
  for (const app of Object.values(apps())) {
    const base = await listen(app);
    const controller = new AbortController();
    const call = fetch(base + "/sleep/10000", { signal: controller.signal }).catch(() => "aborted");
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    assert.equal(await call, "aborted");
  }
  assert.ok(await waitFor(async () => (await forst.cancelledSleepCount()) >= before + 3, { timeoutMs: 5000 }), "each sleepFor saw its context cancelled");
});

test("a 200 MB body streams through with a bounded Node heap", async () => {
  const base = await listen(apps()["node:http"]);
  const file = path.join(dir, "big.json");
  const fd = openSync(file, "w");
  writeSync(fd, '"');
  const block = "y".repeat(1024 * 1024);
  for (let i = 0; i < 200; i++) writeSync(fd, block);
  writeSync(fd, '"');
  closeSync(fd);
  global.gc?.();
  const start = process.memoryUsage();
  let peak = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - start.heapUsed - start.arrayBuffers);
  }, 5);
  const curl = spawn("curl", ["-s", "-X", "POST", "-H", "content-type: application/json", "--data-binary", "@" + file, base + "/byte-length"]);
  let out = "";
  curl.stdout.on("data", (d) => (out += d));
  await new Promise((r) => curl.on("exit", r));
  clearInterval(sampler);
  assert.equal(out, String(200 * 1024 * 1024));
  assert.ok(peak < 48 * 1024 * 1024, `Node's heap + buffers grew by ${(peak / 1048576).toFixed(1)} MiB for a 200 MiB body`);
  writeFileSync(file, "");
});
