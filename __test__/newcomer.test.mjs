// What a new user meets first (issue 14): progress lines during a cold build and a Ctrl-C that leaves nothing behind,
// zero config that keeps port 8080 free, every form of forst.config.*, FORST_DIR, generated functions in the project's
// own tree for npm workspaces, and an ES module import of a package nobody generated yet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { packageDir, forstBin, forst, runNode, waitFor, freePort } from "./helpers.mjs";

/** A project with one route, `whoami`, answering `name`, plus the given files. */
function project(name, files = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), `forst-newcomer-${name}-`));
  mkdirSync(path.join(dir, "forst", "routes"), { recursive: true });
  writeFileSync(path.join(dir, "forst", "routes", "whoami.ft"), `func whoami(): String {\n  return ${JSON.stringify(name)}\n}\n`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Processes whose command line or working directory is inside `dir` (a `go build` and its compilers). */
function processesIn(dir) {
  const found = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      let cwd = "";
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {}
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${pid}: ${cmdline}`);
    } catch {}
  }
  return found;
}

const tmpFiles = (dir) => {
  const out = path.join(dir, "dist", "forst");
  const list = (d) => (existsSync(d) ? readdirSync(d).filter((n) => n.includes(".tmp")) : []);
  return [...list(out), ...list(path.join(out, "bin"))];
};

/** Starts `args` with Node; resolves once `pattern` was printed on stderr, with the child and its output so far. */
function startUntil(args, { cwd, env, pattern, timeoutMs = 120000 }) {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => (out.stdout += d));
  child.stderr.on("data", (d) => (out.stderr += d));
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
  return { child, out, exited, printed: pattern ? waitFor(() => pattern.test(out.stderr), { timeoutMs }) : null };
}

test("a cold build (empty GOCACHE) prints progress; Ctrl-C and stop() kill go build and leave no .tmp; the next build cleans stale ones", async () => {
  const dir = project("cold");
  const env = { GOCACHE: path.join(dir, ".gocache"), NO_COLOR: "1" };

  // The CLI: the progress line, then SIGINT.
  const cli = startUntil([forstBin, "build"], { cwd: dir, env, pattern: /forst: building Go \(first build can take ~20 s\)…/ });
  assert.ok(await cli.printed, `no progress line: ${cli.out.stderr}`);
  assert.ok(await waitFor(() => processesIn(dir).some((p) => / build /.test(p)), { timeoutMs: 10000 }), "go build runs");
  cli.child.kill("SIGINT");
  assert.equal((await cli.exited).code, 130, cli.out.stderr);
  assert.ok(await waitFor(() => processesIn(dir).length === 0, { timeoutMs: 10000 }), `left running:\n${processesIn(dir).join("\n")}`);
  assert.deepEqual(tmpFiles(dir), []);

  // start() in an application, with FORST_LOG=silent: no line at all, and SIGINT still takes go build down.
  const script = `require(${JSON.stringify(packageDir)}).start().catch(() => {}); setInterval(() => {}, 1000);`;
  const app = startUntil(["-e", script], { cwd: dir, env: { ...env, FORST_LOG: "silent" } });
  assert.ok(await waitFor(() => processesIn(dir).some((p) => / build /.test(p)), { timeoutMs: 30000 }), "go build runs");
  await new Promise((r) => setTimeout(r, 1500));
  app.child.kill("SIGINT");
  assert.equal((await app.exited).signal, "SIGINT", "the process ends as the signal says");
  assert.equal(app.out.stderr, "", "FORST_LOG=silent prints nothing");
  assert.ok(await waitFor(() => processesIn(dir).length === 0, { timeoutMs: 10000 }), `left running:\n${processesIn(dir).join("\n")}`);

  // stop() while start() is in go build: the build is killed, start() fails with unavailable.
  const stopScript = `
    const forst = require(${JSON.stringify(packageDir)});
    const started = forst.start().then(() => "started", (e) => e.code + ": " + e.message);
    const poll = setInterval(() => {
      const building = require("node:fs").readdirSync("/proc").some((p) => {
        try { return require("node:fs").readFileSync("/proc/" + p + "/cmdline", "utf8").includes(${JSON.stringify(dir)} + "/dist/forst/bin/"); } catch { return false; }
      });
      if (building) { clearInterval(poll); forst.stop().then(async () => console.log(JSON.stringify(await started))); }
    }, 100);`;
  const stopped = await runNode(["-e", stopScript], { cwd: dir, env: { ...env, FORST_LOG: "silent" }, timeoutMs: 120000 });
  assert.match(JSON.parse(stopped.stdout), /^unavailable: the build was stopped/, stopped.stderr);
  assert.ok(await waitFor(() => processesIn(dir).length === 0, { timeoutMs: 10000 }), `left running:\n${processesIn(dir).join("\n")}`);

  // A stale temporary binary (a build killed before this fix, or by SIGKILL) is removed by the next build, which
  // reports its start and its time as JSON with FORST_LOG=json.
  mkdirSync(path.join(dir, "dist", "forst", "bin"), { recursive: true });
  writeFileSync(path.join(dir, "dist", "forst", "bin", "forst-sidecar-0123456789abcdef.tmp4242"), "half a binary");
  const built = await forst(["build"], dir, { ...env, FORST_LOG: "json" });
  assert.equal(built.code, 0, built.stderr);
  const events = built.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.event), ["go_build_started", "go_build_finished"], built.stderr);
  assert.match(events[1].msg, /^built Go in \d+\.\d s$/);
  assert.ok(events[1].duration_ms > 1000, JSON.stringify(events[1]));
  assert.deepEqual(tmpFiles(dir), []);
});

test("zero config leaves port 8080 alone (a free ephemeral port); a configured port is used exactly", async () => {
  const dir = project("ports");
  const script = `
    const forst = require(${JSON.stringify(packageDir)});
    forst.start().then(async (info) => {
      console.log(JSON.stringify({ port: info.port, answer: await forst.whoami() }));
      await forst.stop();
    }, (e) => { console.log(JSON.stringify({ code: e.code, message: e.message })); });`;
  const zero = await runNode(["-e", script], { cwd: dir, env: { FORST_PORT: "" } });
  const z = JSON.parse(zero.stdout);
  assert.equal(z.answer, "ports", zero.stderr);
  assert.notEqual(z.port, 8080);
  assert.ok(z.port >= 1024, `ephemeral: ${z.port}`);

  const port = await freePort();
  const exact = JSON.parse((await runNode(["-e", script], { cwd: dir, env: { FORST_PORT: String(port) } })).stdout);
  assert.equal(exact.port, port);

  // Busy: an error naming the port, never another port.
  const net = await import("node:net");
  const blocker = net.createServer().listen(port, "127.0.0.1");
  await new Promise((r) => blocker.once("listening", r));
  try {
    const busy = JSON.parse((await runNode(["-e", script], { cwd: dir, env: { FORST_PORT: String(port) } })).stdout);
    assert.equal(busy.code, "port_in_use");
    assert.match(busy.message, new RegExp(`port ${port}`));
  } finally {
    blocker.close();
  }
});

const GENERATE = (root) => `
  try { const r = require(${JSON.stringify(packageDir)}).generate(${root ? JSON.stringify(root) : ""}); console.log(JSON.stringify({ ok: r.functions, dir: r.dir })); }
  catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;

for (const [form, files] of [
  ["CommonJS forst.config.js", { "forst.config.js": 'module.exports = { output: "./gen" };' }],
  ["forst.config.cjs in a type:module project", { "package.json": '{"type":"module"}', "forst.config.cjs": 'module.exports = { output: "./gen" };' }],
  ["ESM export default in forst.config.js (type:module)", { "package.json": '{"type":"module"}', "forst.config.js": 'export default { output: "./gen" };' }],
  ["forst.config.mjs", { "forst.config.mjs": 'const config = { output: "./gen" };\nexport default config;' }],
]) {
  test(`config form: ${form} is read by generate(), the CLI and start()`, async () => {
    const dir = project("form", files);
    const sync = JSON.parse((await runNode(["-e", GENERATE()], { cwd: dir })).stdout);
    assert.deepEqual(sync.ok, ["whoami"], JSON.stringify(sync));
    assert.equal(sync.dir, path.join(dir, "gen"));
    assert.ok(existsSync(path.join(dir, "gen", "index.mjs")));
    const cli = await forst(["generate"], dir);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`into ${path.join(dir, "gen").replaceAll("/", "\\/")}`));
    // start() validates the same file: an unknown key in start() options is blamed on start(), not on the file.
    const typo = `require(${JSON.stringify(packageDir)}).start({ devServr: { port: 1 } }).catch((e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
    const t = JSON.parse((await runNode(["-e", typo], { cwd: dir })).stdout);
    assert.equal(t.code, "config_invalid");
    assert.match(t.message, /start\(\) options: unknown key `devServr` \(did you mean `devServer`\?\)/);
    assert.doesNotMatch(t.message, /forst\.config/);
  });
}

test("a config that exports a function, a function inside, or no default export is config_invalid with what to do", async () => {
  for (const [files, expected] of [
    [{ "forst.config.js": "module.exports = () => ({ output: './gen' });" }, /the configuration is a function; export the object itself/],
    [{ "forst.config.mjs": "export default function config() { return {}; }" }, /the configuration is a function; export the object itself/],
    [{ "forst.config.js": "module.exports = { limits: { bodyBytes: () => 5 } };" }, /limits\.bodyBytes is a function; the configuration holds plain values/],
    [{ "forst.config.mjs": "export const output = './gen';" }, /an ES module config needs a default export/],
  ]) {
    const dir = project("bad", files);
    const sync = JSON.parse((await runNode(["-e", GENERATE()], { cwd: dir })).stdout);
    assert.equal(sync.code, "config_invalid", JSON.stringify(sync));
    assert.match(sync.message, expected);
    const cli = await forst(["routes"], dir);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, expected);
    assert.doesNotMatch(cli.stderr + sync.message, /internal/);
  }
});

test("FORST_DIR finds the project from anywhere (its config beside the directory is used)", async () => {
  const dir = project("located", { "forst.config.js": 'module.exports = { output: "./gen" };' });
  const elsewhere = mkdtempSync(path.join(tmpdir(), "forst-elsewhere-"));
  const r = await forst(["generate"], elsewhere, { FORST_DIR: path.join(dir, "forst") });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(path.join(dir, "gen", "index.cjs")), r.stdout);
  // Relative to the current directory, like any path in the environment.
  const rel = await forst(["routes"], elsewhere, { FORST_DIR: path.relative(elsewhere, path.join(dir, "forst")) });
  assert.equal(rel.code, 0, rel.stderr);
  assert.match(rel.stdout, /POST\s+\/whoami/);
});

test("two apps of an npm workspace with `output` each call their own functions, even started from the workspace root", async () => {
  const root = mkdtempSync(path.join(tmpdir(), "forst-workspace-"));
  writeFileSync(path.join(root, "package.json"), JSON.stringify({ private: true, workspaces: ["apps/*"] }));
  mkdirSync(path.join(root, "node_modules", "@forst"), { recursive: true });
  symlinkSync(packageDir, path.join(root, "node_modules", "@forst", "sidecar"));
  const before = readFileSync(path.join(packageDir, "generated", "index.js"), "utf8");
  for (const name of ["alpha", "beta"]) {
    const app = path.join(root, "apps", name);
    cpSync(project(name, { "forst.config.js": 'module.exports = { output: "./forst/generated" };' }), app, { recursive: true });
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name, private: true }));
    writeFileSync(path.join(app, "main.mjs"), 'import { whoami } from "./forst/generated/index.mjs";\nimport { stop } from "@forst/sidecar";\nconsole.log("ESM " + (await whoami()));\nawait stop();\n');
    writeFileSync(path.join(app, "main.cjs"), 'const { whoami } = require("./forst/generated/index.cjs");\nwhoami().then((r) => { console.log("CJS " + r); return require("@forst/sidecar").stop(); });\n');
    const g = await forst(["generate"], app);
    assert.equal(g.code, 0, g.stderr);
  }
  assert.equal(readFileSync(path.join(packageDir, "generated", "index.js"), "utf8"), before, "the shared package's generated/ is left alone");
  for (const name of ["alpha", "beta"]) {
    const dts = readFileSync(path.join(root, "apps", name, "forst", "generated", "index.d.mts"), "utf8");
    assert.match(dts, /export declare function whoami\(/);
    for (const main of ["main.mjs", "main.cjs"]) {
      // From the workspace root: the generated module pins its own project.
      const r = await runNode([path.join("apps", name, main)], { cwd: root });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`(ESM|CJS) ${name}`));
    }
  }
});

test("an ES module import of a package nobody generated says to run `npx forst generate`", async () => {
  // The package as `npm ci --ignore-scripts` leaves it: generated/ holds the placeholders `npm pack` ships.
  const dir = mkdtempSync(path.join(tmpdir(), "forst-ungenerated-"));
  const pkg = path.join(dir, "node_modules", "@forst", "sidecar");
  mkdirSync(path.join(pkg, "generated"), { recursive: true });
  for (const f of ["package.json", "index.js", "index.mjs", "index.d.ts", "lib"]) cpSync(path.join(packageDir, f), path.join(pkg, f), { recursive: true });
  for (const f of ["index.js", "index.mjs", "index.d.ts"]) cpSync(path.join(packageDir, "stub", f), path.join(pkg, "generated", f));
  writeFileSync(path.join(dir, "main.mjs"), 'import { calculate } from "@forst/sidecar";\nconsole.log(typeof calculate);\n');
  const r = await runNode(["main.mjs"], { cwd: dir });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /@forst\/sidecar has no generated functions yet: run `npx forst generate` in your project/);

  // npm pack ships exactly those placeholders as generated/, whatever this checkout generated for its tests.
  const packed = await new Promise((resolve) => {
    const npm = spawn("npm", ["pack", "--dry-run", "--json", "--ignore-scripts=false"], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    npm.stdout.on("data", (d) => (out += d));
    npm.on("exit", () => resolve(out));
  });
  const files = JSON.parse(packed.slice(packed.indexOf("[")))[0].files;
  for (const f of ["index.js", "index.mjs", "index.d.ts"]) {
    const entry = files.find((e) => e.path === `generated/${f}`);
    assert.ok(entry, `generated/${f} is packed`);
    assert.equal(entry.size, readFileSync(path.join(packageDir, "stub", f)).length, `generated/${f} is the placeholder`);
  }
  assert.ok(!existsSync(path.join(packageDir, ".generated-before-pack")), "postpack put the checkout's generated/ back");
});

test("without the addon, the error names the platform package to install", async () => {
  const pkg = mkdtempSync(path.join(tmpdir(), "forst-noaddon-"));
  for (const f of ["package.json", "index.js", "lib", "stub"]) cpSync(path.join(packageDir, f), path.join(pkg, f), { recursive: true });
  const dir = project("noaddon");
  const script = `try { require(${JSON.stringify(pkg)}).generate(); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const r = JSON.parse((await runNode(["-e", script], { cwd: dir })).stdout);
  const libc = process.report.getReport().header.glibcVersionRuntime ? "gnu" : "musl";
  assert.equal(r.code, "addon_missing");
  assert.match(r.message, new RegExp(`npm install @forst/sidecar-linux-${process.arch}-${libc}`));
  assert.doesNotMatch(r.message, /run `npm run build` in the package, or reinstall/);
});

test("diagnostics: paths from the project root, unclosed brackets named, no false unused import after a syntax error", async () => {
  const dir = project("diag", {
    "forst/routes/upper.ft": 'import "strings"\n\nfunc upper(a String): String {\n  return strings.ToUpper(a\n}\n',
    "forst/routes/brace.ft": "func brace(a Int): Int {\n  if a > 1 {\n    return a\n  return 0\n}\n",
  });
  const r = await forst(["check"], dir, { NO_COLOR: "1" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error\[F0001\]: unclosed `\(`\n\s+┌─ forst\/routes\/upper\.ft:4:25/);
  assert.match(r.stderr, /add the missing `\)` for the `\(` on line 4/);
  assert.match(r.stderr, /error\[F0001\]: unclosed `\{`\n\s+┌─ forst\/routes\/brace\.ft:2:12/);
  assert.doesNotMatch(r.stderr, /unused import/);
  const json = JSON.parse((await forst(["check", "--json"], dir)).stdout);
  assert.deepEqual(json.map((d) => `${d.file}:${d.line}`).sort(), ["forst/routes/brace.ft:2", "forst/routes/upper.ft:4"]);
});
