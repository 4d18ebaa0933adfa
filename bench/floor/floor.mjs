// Builds and starts the loopback floor: the Go echo server (server.go) and the Rust keep-alive client (client/).
// Binaries are built on demand and reused: the server into bench/results/tmp, the client into its own target/.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, execFileSync, execFile } from "node:child_process";
import { promisify } from "node:util";
import { BENCH_DIR, TMP_DIR } from "../lib.mjs";

const FLOOR_DIR = path.join(BENCH_DIR, "floor");
const SERVER_BIN = path.join(TMP_DIR, "floor-server");
const CLIENT_MANIFEST = path.join(FLOOR_DIR, "client", "Cargo.toml");
const CLIENT_BIN = path.join(FLOOR_DIR, "client", "target", "release", "forst-bench-floor-client");

function newer(src, bin) {
  return fs.existsSync(bin) && fs.statSync(bin).mtimeMs >= fs.statSync(src).mtimeMs;
}

export function buildFloor() {
  fs.mkdirSync(TMP_DIR, { recursive: true });
  const serverSrc = path.join(FLOOR_DIR, "server.go");
  // A lone .go file builds without a go.mod; GOFLAGS cleared so a user's -mod=vendor etc. cannot interfere.
  if (!newer(serverSrc, SERVER_BIN)) {
    execFileSync("go", ["build", "-o", SERVER_BIN, serverSrc], { stdio: "inherit", env: { ...process.env, GOFLAGS: "" } });
  }
  // cargo is incremental and quick when nothing changed, so always ask it.
  execFileSync("cargo", ["build", "--release", "--quiet", "--manifest-path", CLIENT_MANIFEST], { stdio: "inherit" });
}

/** Starts the Go echo server (TCP, and a Unix socket in the temp dir); resolves to {url, socket, stop}. */
export function startFloorServer() {
  const socket = path.join(os.tmpdir(), `forst-bench-floor-${process.pid}.sock`);
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_BIN, [], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, FLOOR_UNIX: socket } });
    let buf = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`floor server exited early (${code})`)));
    child.stdout.on("data", (chunk) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      child.stdout.removeAllListeners("data");
      child.removeAllListeners("exit");
      resolve({
        pid: child.pid,
        url: `http://127.0.0.1:${buf.slice(0, nl).trim()}/echo`,
        socket,
        stop: () => child.kill("SIGTERM"),
      });
    });
  });
}

/**
 * Runs the Rust client once; its JSON is {p50, p99, mean, callsPerSec, count, unit}. `transport`: reqwest (default),
 * hyper or h2c; `socket`: a Unix socket path for reqwest/hyper (see client/src/main.rs).
 */
export async function runFloorClient(url, bytes, concurrency, count, { token, transport = "reqwest", socket } = {}) {
  const args = [url, String(bytes), String(concurrency), String(count), ...(token ? [token] : [])];
  const { stdout } = await promisify(execFile)(CLIENT_BIN, args, {
    maxBuffer: 1 << 20,
    env: { ...process.env, FLOOR_TRANSPORT: transport, FLOOR_SOCKET: socket || "" },
  });
  return JSON.parse(stdout);
}
