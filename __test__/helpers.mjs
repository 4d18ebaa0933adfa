// Shared helpers for the node:test suites: a private copy of a fixture project, the package loaded from it, raw HTTP
// access to the sidecar, and process checks. Tests run against the real sidecar (no mocks).
import { cpSync, mkdtempSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const packageDir = path.resolve(here, "..");
const require = createRequire(import.meta.url);

/**
 * A private copy of a test project, made the cwd: the example app's forst/ (the RFC's routes) with
 * `__test__/fixtures/<name>` laid over it (routes that exercise error paths). Returns its path.
 */
export function useFixture(name = "app") {
  const dir = mkdtempSync(path.join(tmpdir(), `forst-${name}-`));
  cpSync(path.join(packageDir, "examples", "express-app", "forst"), path.join(dir, "forst"), { recursive: true });
  cpSync(path.join(here, "fixtures", name), dir, { recursive: true });
  process.chdir(dir);
  return dir;
}

/** The package as a user's CommonJS code sees it. */
export function loadPackage() {
  return require(packageDir);
}

export function binding() {
  return require(path.join(packageDir, "binding.js"));
}

/** POSTs raw bytes to the running sidecar. `token: false` omits it. */
export async function rawCall(route, body, { token = true, method = "POST", headers = {} } = {}) {
  const { status } = loadPackage();
  const s = status();
  const h = { "content-type": "application/json", ...headers };
  if (token) h["x-forst-token"] = binding().internalToken();
  const res = await fetch(s.url + route, { method, headers: h, body: method === "GET" ? undefined : body });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, text, json, headers: res.headers };
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return !existsSync(`/proc/${pid}/stat`) ? false : !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

export async function waitFor(check, { timeoutMs = 10000, intervalMs = 25 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

/** Runs `node` with a script in `cwd` (as `uid`/`gid` when given); resolves with code, stdout, stderr. */
export function runNode(args, { cwd, env = {}, timeoutMs = 60000, onStdout, uid, gid } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, uid, gid, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      if (onStdout) onStdout(stdout, child);
    });
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid });
    });
  });
}

/** Asserts that `promise` rejects with a ForstError having these fields. */
export async function rejectsWith(assert, promise, fields) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, "ForstError", `expected a ForstError, got ${err && err.stack}`);
    for (const [k, v] of Object.entries(fields)) {
      if (v instanceof RegExp) assert.match(String(err[k]), v, `${k}: ${err[k]}`);
      else assert.equal(err[k], v, `${k} of ${err.message}`);
    }
    return true;
  });
}

export const forstBin = path.join(packageDir, "bin", "forst.js");

/** Runs the `forst` command in `cwd`. */
export function forst(args, cwd, env) {
  return runNode([forstBin, ...args], { cwd, env, timeoutMs: 180000 });
}

/** `forst build` in `dir`; returns the binary and manifest paths it printed. */
export async function buildProject(dir, env) {
  const r = await forst(["build"], dir, env);
  if (r.code !== 0) throw new Error(`forst build failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const binary = /^binary\s+(\S+)/m.exec(r.stdout)[1];
  const manifest = /^manifest\s+(\S+)/m.exec(r.stdout)[1];
  return { binary, manifest, stdout: r.stdout };
}

/**
 * Starts a built sidecar binary on its own (as a container would), stdin /dev/null. Resolves once it printed its
 * address: { child, address, url, output() } — or rejects with everything it printed when it exits first.
 */
export function runSidecar(binary, args = [], env = {}, { timeoutMs = 20000, uid, gid } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { PATH: process.env.PATH, ...env }, uid, gid, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the sidecar printed no address within ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /FORST_LISTENING (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, address: m[1], url: `http://${m[1]}`, output: () => ({ stdout: out, stderr: err }) });
      }
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`the sidecar exited (${code ?? signal}):\n${out}\n${err}`), { code, stdout: out, stderr: err }));
    });
  });
}

/** Resolves with the exit code (or signal) of a child process. */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
}

/** Where scripts/install-test-tools.sh put the test tools. */
export const toolsDir = process.env.FORST_TEST_TOOLS || path.join(process.env.HOME || "/root", ".cache", "forst-test-tools");

/** Runs a program to completion with `input` on stdin; resolves { code, stdout, stderr }. */
export function runTool(command, args, { input, env, timeoutMs = 120000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr });
    });
    // A program that exits without reading its stdin (podman often does) makes this write fail with EPIPE: not
    // the test's concern, and unhandled it would fail whichever test is running.
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

/** A free loopback TCP port (for tools that cannot report the port they bound). */
export async function freePort() {
  const net = await import("node:net");
  const server = net.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Runs `forst dev` in `dir` (NO_COLOR) until it serves. Returns the child, `output()` (stdout and stderr so far), its
 * URL and token, and `stop()`: SIGINT, then waits for the child to exit and for its sidecar to be gone.
 */
export async function startForstDev(dir, assert) {
  const child = spawn(process.execPath, [path.join(packageDir, "bin", "forst.js"), "dev"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const output = () => out;
  const stop = async () => {
    const pid = Number(/pid (\d+)/.exec(out)?.[1]);
    child.kill("SIGINT");
    if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    if (pid) assert.ok(await waitFor(() => !isAlive(pid), { timeoutMs: 8000 }), "sidecar gone");
  };
  if (!(await waitFor(() => /Ctrl-C to stop/.test(out), { timeoutMs: 120000 }))) {
    await stop();
    assert.fail(`forst dev did not start:\n${out}`);
  }
  const url = /forst dev · (http:\/\/127\.0\.0\.1:\d+)/.exec(out)[1];
  const token = /X-Forst-Token: ([0-9a-f]{64})/.exec(out)[1];
  return { child, output, url, token, stop };
}
