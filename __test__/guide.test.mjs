// The examples of upstream Forst's language guide (shapes, constraints, ensure, type guards, Result, errors) behave
// as the guide says, run by the real sidecar: each golden fixture tests/fixtures/guide_*.ft is built on its own and
// its endpoints are called over HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { packageDir, buildProject, runSidecar, exited } from "./helpers.mjs";

const TOKEN = "guide-test-" + process.pid;
const GUIDES = ["shapes", "constraints", "ensure", "guards", "result", "errors"];
const sidecars = {};

before(async () => {
  for (const name of GUIDES) {
    const dir = mkdtempSync(path.join(tmpdir(), `forst-guide-${name}-`));
    mkdirSync(path.join(dir, "forst", "routes"), { recursive: true });
    cpSync(path.join(packageDir, "tests", "fixtures", `guide_${name}.ft`), path.join(dir, "forst", "routes", `guide_${name}.ft`));
    const { binary } = await buildProject(dir);
    sidecars[name] = await runSidecar(binary, ["--listen", "127.0.0.1:0"], { FORST_TOKEN: TOKEN });
  }
});

after(async () => {
  for (const s of Object.values(sidecars)) {
    s.child.kill("SIGTERM");
    await exited(s.child);
  }
});

/** POSTs the arguments (JSON) to a guide's endpoint: { status, value } or { status, error }. */
async function call(guide, route, ...args) {
  const body = args.length === 0 ? undefined : JSON.stringify(args.length === 1 ? args[0] : args);
  const res = await fetch(sidecars[guide].url + route, { method: "POST", headers: { "x-forst-token": TOKEN, "content-type": "application/json" }, body });
  const json = await res.json();
  return res.ok ? { status: res.status, value: json } : { status: res.status, error: json.error };
}

const ok = (value) => ({ status: 200, value });

test("shapes: a record type, a nested shape, an anonymous record at a call site", async () => {
  assert.deepEqual(await call("shapes", "/greet", { name: "Ada", email: "ada@example.org" }), ok("Hello, Ada"));
  const customer = { name: "Bo", address: { line1: "Main St 1", city: "Oslo", zipCode: "01234" } };
  assert.deepEqual(await call("shapes", "/label", customer), ok("Bo, Main St 1, 01234 Oslo"));
  // "Invalid nested data fails at the same boundary."
  const bad = await call("shapes", "/label", { ...customer, address: { ...customer.address, zipCode: "1" } });
  assert.equal(bad.status, 400);
  assert.equal(bad.error.details.path, "c.address.zipCode");
  assert.deepEqual(await call("shapes", "/order-one"), ok(2));
  const profile = { manager: null, emails: ["a@x.org"], scores: { a: 1 }, tags: [] };
  assert.deepEqual(await call("shapes", "/describe", profile), ok({ nickname: "", emails: 1, scores: 1, hasManager: false }));
  assert.equal((await call("shapes", "/describe", { ...profile, emails: ["a@x", "b@x", "c@x", "d@x"] })).error.details.path, "p.emails");
  assert.equal((await call("shapes", "/describe", { ...profile, emails: ["nope"] })).error.details.path, "p.emails[0]");
});

test("constraints: invalid SKUs and quantities never reach the business logic", async () => {
  assert.deepEqual(await call("constraints", "/place-order", { stockKeepingUnit: "ITEM-1", quantity: 2, tags: ["x"] }), ok({ sku: "ITEM-1", quantity: 2, tags: 1 }));
  for (const [input, at, constraint] of [
    [{ stockKeepingUnit: "", quantity: 2, tags: [] }, "in.stockKeepingUnit", "Min(1)"],
    [{ stockKeepingUnit: "X".repeat(65), quantity: 2, tags: [] }, "in.stockKeepingUnit", "Max(64)"],
    [{ stockKeepingUnit: "A", quantity: 100, tags: [] }, "in.quantity", "Max(99)"],
    [{ stockKeepingUnit: "A", quantity: 1, tags: Array(11).fill("t") }, "in.tags", "Max(10)"],
  ]) {
    const r = await call("constraints", "/place-order", input);
    assert.deepEqual([r.status, r.error.code, r.error.details.path, r.error.details.constraint], [400, "invalid_input", at, constraint]);
  }
  // Chaining: all chained rules must pass.
  assert.deepEqual(await call("constraints", "/chained", { name: "abc", quantity: 1, tags: ["t"] }), ok("abc"));
  assert.equal((await call("constraints", "/chained", { name: "ab", quantity: 1, tags: ["t"] })).error.details.constraint, "Min(3)");
  assert.equal((await call("constraints", "/chained", { name: "abc", quantity: 1, tags: [] })).error.details.constraint, "Min(1)");
  const reference = {
    phone: "+49", email: "a@b", below: 99, above: 1, ratio: 0.5, positive: 0.1, accepted: true, declined: false,
    required: "x", absent: null, nonEmpty: [1], username: "carol",
  };
  assert.deepEqual(await call("constraints", "/reference", reference), ok(100));
  for (const [change, constraint] of [
    [{ phone: "49" }, 'HasPrefix("+")'], [{ email: "ab" }, 'Contains("@")'], [{ below: 100 }, "LessThan(100)"],
    [{ above: 0 }, "GreaterThan(0)"], [{ ratio: 1.5 }, "Max(1)"], [{ positive: 0 }, "GreaterThan(0)"],
    [{ accepted: false }, "True()"], [{ declined: true }, "False()"], [{ required: null }, "Present()"],
    [{ absent: "x" }, "Nil()"], [{ nonEmpty: [] }, "NotEmpty()"], [{ username: "ab" }, "Min(3)"],
  ]) {
    const r = await call("constraints", "/reference", { ...reference, ...change });
    assert.equal(r.status, 400, JSON.stringify(change));
    assert.equal(r.error.details.constraint, constraint);
  }
  assert.deepEqual(await call("constraints", "/rename", "abc", 2), ok("abcabc"));
  assert.equal((await call("constraints", "/rename", "abc", 0)).error.details.path, "times");
});

test("ensure: a failed check returns its error and the state stays unchanged", async () => {
  const tooFast = await call("ensure", "/drive", 120);
  assert.deepEqual([tooFast.status, tooFast.error.code], [422, "TooFast"]);
  // position stayed 0: stopping fails, as the guide's stop() does for a car that is not moving.
  assert.equal((await call("ensure", "/stop")).error.code, "AlreadyStopped");
  assert.deepEqual(await call("ensure", "/drive", 80), ok(null));
  assert.deepEqual(await call("ensure", "/stop"), ok(null));
  assert.equal((await call("ensure", "/stop")).error.code, "AlreadyStopped");
  // What the guide runs in main: drive(80), then stop(); each `ensure !err` passes.
  assert.deepEqual(await call("ensure", "/run"), ok(null));
  // Nil(): claim continues only when the slot is nil; open() passes nil on.
  assert.deepEqual(await call("ensure", "/claim", null), ok(null));
  const claimed = await call("ensure", "/claim", 5);
  assert.deepEqual([claimed.status, claimed.error.code, claimed.error.details.subject, claimed.error.details.constraint], [422, "ensure_failed", "slot", "Nil()"]);
  assert.deepEqual(await call("ensure", "/open"), ok(null));
  // The catalog: Ok() on a map lookup, then Max(avail) or InsufficientStock with its details.
  assert.deepEqual(await call("ensure", "/place-order", { stockKeepingUnit: "ITEM-2", quantity: 1 }), ok(0));
  const short = await call("ensure", "/place-order", { stockKeepingUnit: "ITEM-2", quantity: 1 });
  assert.deepEqual([short.status, short.error.code, short.error.details], [422, "InsufficientStock", { stockKeepingUnit: "ITEM-2", requested: 1, available: 0 }]);
  const unknown = await call("ensure", "/place-order", { stockKeepingUnit: "NOPE", quantity: 1 });
  assert.deepEqual([unknown.status, unknown.error.code, unknown.error.details.constraint], [422, "ensure_failed", "Ok()"]);
  // ensure x is Ok() or x: the success value after it, placeOrder's error otherwise.
  assert.deepEqual(await call("ensure", "/order-two"), ok(8));
  assert.deepEqual(await call("ensure", "/branch"), ok("ok"));
});

test("guards: LoggedIn fails before the task is created; Strong picks a branch; a guard on a type checks input", async () => {
  const op = { ctx: { sessionId: "479569ae", user: { name: "Alice" } }, input: { name: "Fix memory leak" } };
  assert.deepEqual(await call("guards", "/create-task", op), ok("Fix memory leak"));
  const anonymous = await call("guards", "/create-task", { ctx: { sessionId: null, user: null }, input: { name: "Go to the gym" } });
  assert.deepEqual([anonymous.status, anonymous.error.code, anonymous.error.details.subject], [422, "ensure_failed", "ctx.sessionId"]);
  assert.deepEqual(await call("guards", "/check-password", "12345abc"), ok("weak"));
  assert.deepEqual(await call("guards", "/check-password", "correct horse battery"), ok("strong"));
  assert.deepEqual(await call("guards", "/register", { email: "a@b.org", password: "correct horse battery" }), ok("a@b.org"));
  const weak = await call("guards", "/register", { email: "a@b.org", password: "12345abc" });
  assert.deepEqual([weak.status, weak.error.details.path, weak.error.details.constraint], [400, "account.password", "Strong()"]);
});

test("Result: values or errors, narrowed with Ok(), inferred from ensure, the final call's Result", async () => {
  assert.deepEqual(await call("result", "/ok-int"), ok(42));
  assert.deepEqual(await call("result", "/use-ok-int"), ok(42));
  assert.deepEqual(await call("result", "/g"), ok(1));
  assert.deepEqual(await call("result", "/f"), ok(1));
  assert.deepEqual(await call("result", "/done"), ok("done"));
  assert.deepEqual(await call("result", "/final"), ok(42));
});

test("errors: nominal errors with their fields and statuses, a closed union, Err(ParseError) narrowing", async () => {
  const notPositive = await call("errors", "/validate-positive", 0);
  assert.deepEqual([notPositive.status, notPositive.error.code, notPositive.error.message, notPositive.error.details], [422, "NotPositive", "n must be greater than 0", { message: "n must be greater than 0" }]);
  assert.deepEqual(await call("errors", "/validate-positive", 1), ok(null));
  const io = await call("errors", "/load-file", "");
  assert.deepEqual([io.status, io.error.code, io.error.details], [409, "IoError", { path: "" }]);
  const parse = await call("errors", "/load-file", "data.txt");
  assert.deepEqual([parse.status, parse.error.code, parse.error.details], [422, "ParseError", { code: 1 }]);
  assert.deepEqual(await call("errors", "/load-file", "a.json"), ok(6));
  assert.deepEqual(await call("errors", "/load"), ok(0));
  assert.deepEqual(await call("errors", "/inspect"), ok(null));
  assert.deepEqual(await call("errors", "/handle-parse-error", { code: 7 }), ok(null));
});
