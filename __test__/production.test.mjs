// Production mode: an image holds the app, its .ft sources and the build `forst build` made, but no Go, and the app
// runs as a non-root user on a read-only file system. start() must run the prebuilt binary without asking for Go and
// without writing anything; without a matching build it must say so clearly instead of building.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { useFixture, packageDir, buildProject, runNode } from "./helpers.mjs";

const USER = "forstprod";
let uid;
let gid;

before(() => {
  // Tests run as root here and in CI: an unprivileged user shows what a container's non-root user sees.
  try {
    execFileSync("id", ["-u", USER]);
  } catch {
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER]);
  }
  uid = Number(execFileSync("id", ["-u", USER]).toString());
  gid = Number(execFileSync("id", ["-g", USER]).toString());
});

/** PATH without any directory that holds a `go`, so the only Go there is would be found by accident. */
function pathWithoutGo() {
  const dirs = process.env.PATH.split(":").filter((d) => d && !existsSync(path.join(d, "go")));
  return [path.dirname(process.execPath), ...dirs].join(":");
}

/** A copy of the app with node_modules/@forst/sidecar, built by root with Go, then readable by everyone. */
async function builtProject() {
  const dir = useFixture("app");
  mkdirSync(path.join(dir, "node_modules", "@forst"), { recursive: true });
  symlinkSync(packageDir, path.join(dir, "node_modules", "@forst", "sidecar"), "dir");
  writeFileSync(
    path.join(dir, "main.cjs"),
    `const f = require("@forst/sidecar");
     f.start().then(async () => {
       const sum = await f.add(2, 40);
       const s = f.status();
       console.log("RESULT " + JSON.stringify({ sum, prebuilt: s.build.prebuilt, state: s.state, uid: process.getuid() }));
       await f.stop();
     }, (e) => console.log("ERROR " + JSON.stringify({ code: e.code, message: e.message })));`
  );
  await buildProject(dir);
  chmodSync(dir, 0o755);
  return dir;
}

/** Makes `dir` and everything below it read-only (what a root-owned image layer is to a non-root user). */
function readOnly(dir) {
  execFileSync("chmod", ["-R", "a-w", dir]);
}

/** Every file below `dir` with its size and mtime: the proof that nothing was written. */
function snapshot(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      out.push(`${p} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory() && name !== "node_modules") walk(p);
    }
  };
  walk(dir);
  return out.sort().join("\n");
}

function runApp(dir, env, asUser = true) {
  return runNode(["main.cjs"], {
    cwd: dir,
    env: { PATH: pathWithoutGo(), FORST_GO: "", HOME: "/nonexistent", ...env },
    uid: asUser ? uid : undefined,
    gid: asUser ? gid : undefined,
    timeoutMs: 60000,
  });
}

function parse(r, tag) {
  const line = r.stdout.split("\n").find((l) => l.startsWith(tag + " "));
  assert.ok(line, `no ${tag} line: ${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice(tag.length + 1));
}

test("NODE_ENV=production, no go on PATH, read-only project, non-root user: start() and a call succeed, nothing is written", async () => {
  const dir = await builtProject();
  readOnly(dir);
  assert.throws(() => execFileSync("sh", ["-c", "command -v go"], { env: { PATH: pathWithoutGo() } }), "go is not on this PATH");
  const before = snapshot(dir);
  const r = await runApp(dir, { NODE_ENV: "production" });
  assert.equal(r.code, 0, r.stderr);
  const result = parse(r, "RESULT");
  assert.deepEqual(result, { sum: 42, prebuilt: true, state: "ready", uid });
  assert.doesNotMatch(r.stderr, /could not write|Permission denied|read-only/i, "no write was even attempted");
  assert.equal(snapshot(dir), before, "the project and its outputDir are unchanged");
});

test("without Go and without NODE_ENV, a matching build is used too; with no build at all, go_not_found says there was none", async () => {
  const dir = await builtProject();
  readOnly(dir);
  const r = await runApp(dir, {});
  assert.equal(parse(r, "RESULT").prebuilt, true, r.stderr);
  execFileSync("chmod", ["-R", "u+w", dir]);
  execFileSync("rm", ["-rf", path.join(dir, "dist")]);
  const none = parse(await runApp(dir, {}, false), "ERROR");
  assert.equal(none.code, "go_not_found");
  assert.match(none.message, /no prebuilt binary to run instead: .*manifest\.json cannot be read/);
});

test("a build of other sources with prebuilt required: prebuilt_missing says why and what to run, and nothing is built", async () => {
  const dir = await builtProject();
  const file = path.join(dir, "forst", "routes", "testing.ft");
  writeFileSync(file, readFileSync(file, "utf8").replace("return a + b\n", "return a + b + 1\n"));
  readOnly(dir);
  for (const env of [{ NODE_ENV: "production" }, { FORST_REQUIRE_PREBUILT: "1" }]) {
    const e = parse(await runApp(dir, env), "ERROR");
    assert.equal(e.code, "prebuilt_missing", JSON.stringify(env));
    assert.match(e.message, /made from other sources or options \(its source hash [0-9a-f]{16} ≠ [0-9a-f]{16}/);
    assert.match(e.message, /run `npx forst build`/);
    assert.match(e.message, /FORST_REQUIRE_PREBUILT=0/);
  }
  // Go is there and root could write, but production mode never builds at run time.
  execFileSync("chmod", ["-R", "u+w", dir]);
  const before = snapshot(dir);
  const withGo = await runNode(["main.cjs"], { cwd: dir, env: { NODE_ENV: "production" }, timeoutMs: 60000 });
  assert.equal(parse(withGo, "ERROR").code, "prebuilt_missing");
  assert.equal(snapshot(dir), before, "nothing was built or written");
  const bad = parse(await runApp(dir, { FORST_REQUIRE_PREBUILT: "maybe" }), "ERROR");
  assert.equal(bad.code, "config_invalid");
  assert.match(bad.message, /FORST_REQUIRE_PREBUILT: expected 1 or 0, got "maybe"/);
});
