// Hot reload against the real sidecar: edits are served, broken edits keep the old version serving (with the error in
// status().lastError), route files come and go, and 20 reloads under continuous load fail no call.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync, unlinkSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { useFixture, loadPackage, isAlive, waitFor, rejectsWith } from "./helpers.mjs";

const dir = useFixture("app");
const forst = loadPackage();
const testing = path.join(dir, "forst", "routes", "testing.ft");
const original = readFileSync(testing, "utf8");
const pids = new Set();

after(async () => {
  await forst.stop();
  for (const pid of pids) assert.ok(await waitFor(() => !isAlive(pid), { timeoutMs: 8000 }), `child ${pid} is gone`);
});

function setAdd(expr) {
  writeFileSync(testing, original.replace("return a + b\n", `return ${expr}\n`));
}

async function served(check, timeoutMs = 30000) {
  return waitFor(async () => {
    pids.add(forst.status().pid);
    try {
      return await check();
    } catch {
      return false;
    }
  }, { timeoutMs, intervalMs: 50 });
}

test("an edit is served after the reload", async () => {
  await forst.start({ devServer: { watch: true } });
  assert.equal(await forst.add(1, 2), 3);
  setAdd("a + b + 100");
  assert.ok(await served(async () => (await forst.add(1, 2)) === 103), "new behaviour served");
});

test("a broken edit keeps the old version serving and reports the error; fixing it serves the fix", async () => {
  writeFileSync(testing, original.replace("return a + b\n", "return a + \n"));
  assert.ok(await waitFor(() => forst.status().lastError?.code === "compile_error", { timeoutMs: 15000 }), "error reported");
  assert.match(forst.status().lastError.message, /routes\/testing\.ft/);
  assert.equal(await forst.add(1, 2), 103, "the previous version still serves");
  setAdd("a * b");
  assert.ok(await served(async () => (await forst.add(3, 4)) === 12), "fixed version served");
  assert.equal(forst.status().lastError, null);
});

test("a new route file becomes callable; deleting it gives unknown_function", async () => {
  const extra = path.join(dir, "forst", "routes", "extra", "greet.ft");
  mkdirSync(path.dirname(extra), { recursive: true });
  writeFileSync(extra, 'func greet(name String): String {\n  return "hello " + name\n}\n');
  assert.ok(await served(async () => (await forst.invoke("greet", "ada")) === "hello ada"), "new route served");
  rmSync(path.dirname(extra), { recursive: true });
  assert.ok(
    await served(async () => {
      try {
        await forst.invoke("greet", "ada");
        return false;
      } catch (err) {
        return err.code === "unknown_function" && /greet/.test(err.message);
      }
    }),
    "removed route is unknown"
  );
});

test("20 reloads under continuous load: 0 failed calls", async () => {
  let failures = [];
  let calls = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        await forst.add(2, 3);
        calls++;
      } catch (err) {
        failures.push(`${err.code}: ${err.message}`);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, worker));
  for (let i = 1; i <= 20; i++) {
    setAdd(`a + b + ${i * 1000}`);
    assert.ok(await served(async () => (await forst.add(0, 0)) === i * 1000), `reload ${i} served`);
  }
  running = false;
  await load;
  assert.deepEqual(failures, [], `${failures.length} of ${calls} calls failed`);
  assert.ok(calls > 100, `the load really ran (${calls} calls)`);
});
