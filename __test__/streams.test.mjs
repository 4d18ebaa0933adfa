// Streaming results against the real sidecar: a function whose endpoint returns iter.Seq[T] or a channel of T is an
// AsyncIterable<T> — items in order, `break` and AbortSignal stop the producer (observable from Go), a panic after
// the first items ends the iteration with a ForstError, a slow consumer keeps memory flat; fn.handler() streams NDJSON
// or a JSON array to an HTTP client.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createRequire } from "node:module";
import { useFixture, loadPackage, waitFor, rejectsWith } from "./helpers.mjs";

const require = createRequire(import.meta.url);
useFixture("app");
const forst = loadPackage();
after(() => forst.stop());

async function collect(iterable) {
  const out = [];
  for await (const x of iterable) out.push(x);
  return out;
}

test("items arrive in order, typed as the Go items encode", async () => {
  assert.deepEqual(await collect(forst.count(5)), [0, 1, 2, 3, 4]);
  assert.deepEqual(await collect(forst.count(0)), []);
  const items = await collect(forst.items(3));
  assert.deepEqual(items.map((i) => i.n), [0, 1, 2]);
  assert.match(items[0].text, /^an item of the stream/);
  assert.deepEqual((await collect(forst.ticker(3, 5))).map((t) => t.n), [0, 1, 2], "a channel stream");
  assert.deepEqual(await collect(forst.invoke("count", 3)), [0, 1, 2], "invoke() of a streaming function iterates too");
});

test("break stops the producer; an AbortSignal cancels the channel's context", async () => {
  const before = await forst.stoppedEarlyCount();
  let n = 0;
  for await (const _ of forst.items(10_000_000)) if (++n === 100) break;
  assert.equal(n, 100);
  assert.ok(await waitFor(async () => (await forst.stoppedEarlyCount()) === before + 1), "the Seq saw yield return false");

  const cancelledBefore = await forst.chanCancelledCount();
  const controller = new AbortController();
  const got = [];
  const iteration = (async () => {
    for await (const t of forst.ticker(1000, 50, { signal: controller.signal })) {
      got.push(t.n);
      if (got.length === 2) controller.abort();
    }
  })();
  await rejectsWith(assert, iteration, { status: 499, code: "aborted" });
  assert.deepEqual(got, [0, 1]);
  assert.ok(await waitFor(async () => (await forst.chanCancelledCount()) === cancelledBefore + 1), "the producer saw ctx.Done()");
});

test("a panic after the first items ends the iteration with a ForstError and its .ft line; an error before is a rejection", async () => {
  const got = [];
  await rejectsWith(
    assert,
    (async () => {
      for await (const x of forst.failAfter(3)) got.push(x);
    })(),
    { status: 500, code: "panic", message: /assignment to entry in nil map/, location: /^routes\/streams\.ft:\d+$/ }
  );
  assert.deepEqual(got, [0, 1, 2], "the items before the failure were delivered");
  await rejectsWith(assert, collect(forst.refuse("not today")), { status: 500, code: "returned_error", message: "not today" });
  await rejectsWith(assert, collect(forst.count("many")), { status: 400, code: "invalid_input" });
  assert.throws(() => forst.count(1, 2), /takes 1 argument, got 2/);
});

test("a slow consumer of many items keeps Node's memory flat", async () => {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = 0;
  let n = 0;
  for await (const item of forst.items(300_000)) {
    n++;
    if (n % 20_000 === 0) {
      await new Promise((r) => setTimeout(r, 20)); // slower than the producer
      peak = Math.max(peak, process.memoryUsage().rss - start);
    }
    assert.equal(item.n, n - 1);
  }
  assert.equal(n, 300_000);
  assert.ok(peak < 100 * 1024 * 1024, `RSS grew by ${(peak / 1048576).toFixed(1)} MiB for 30 MB of items`);
});

test("fn.handler() streams NDJSON, or a JSON array, to an HTTP client; a failure after the first items ends it visibly", async () => {
  const app = require("express5")();
  app.post("/count", forst.count.handler());
  app.post("/count-array", forst.count.handler({ stream: "array" }));
  app.post("/fail", forst.failAfter.handler());
  app.post("/fail-array", forst.failAfter.handler({ stream: "array" }));
  const server = http.createServer(app);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const post = (route, body) => fetch(base + route, { method: "POST", body, headers: { "content-type": "application/json" } });
    const nd = await post("/count", "4");
    assert.equal(nd.headers.get("content-type"), "application/x-ndjson");
    assert.equal(await nd.text(), "0\n1\n2\n3\n");
    const arr = await post("/count-array", "4");
    assert.equal(arr.headers.get("content-type"), "application/json");
    assert.deepEqual(await arr.json(), [0, 1, 2, 3]);
    const failed = (await (await post("/fail", "2")).text()).trim().split("\n");
    assert.deepEqual(failed.slice(0, 2), ["0", "1"]);
    assert.equal(JSON.parse(failed[2]).error.code, "panic");
    await assert.rejects(post("/fail-array", "2").then((r) => r.text()), "an array that failed is cut short, not completed");
    assert.throws(() => forst.count.handler({ stream: "csv" }), /stream must be "ndjson" or "array"/);
    assert.throws(() => forst.add.handler({ stream: "array" }), /does not know the option "stream"/);
  } finally {
    server.close();
  }
});
