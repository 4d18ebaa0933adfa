// Shared helpers for the benchmark suites: seeded data, statistics, timing loops, machine info, tables, and
// loading @forst/sidecar against a throw-away project. Kept dependency-free so that a broken addon or a missing
// devDependency only fails the suite that needs it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const PKG_DIR = path.resolve(BENCH_DIR, "..");
export const EXAMPLE_FORST = path.join(PKG_DIR, "examples", "express-app", "forst");
/** Build outputs (the floor server and client binaries stay in Cargo's target/); gitignored. */
export const TMP_DIR = path.join(BENCH_DIR, "results", "tmp");
export const require = createRequire(import.meta.url);

/** mulberry32: a tiny seeded PRNG so every run benchmarks byte-identical inputs. Returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";
/** ASCII-only on purpose: Go's len() counts bytes and JS's .length UTF-16 units; ASCII keeps them equal. */
export function randomString(rand, n) {
  let s = "";
  for (let i = 0; i < n; i++) s += LETTERS[(rand() * 26) | 0];
  return s;
}

/** `n` records {id, data} with 16..64-letter data, from a fixed seed. */
export function makeRecords(n, seed = 42) {
  const rand = mulberry32(seed);
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { id: "r" + i, data: randomString(rand, 16 + ((rand() * 49) | 0)) };
  return out;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
}

export function median(xs) {
  return percentile([...xs].sort((a, b) => a - b), 0.5);
}

/** p50/p99/mean of one set of samples. */
export function summarize(samples, unit = "ms") {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), mean, count: s.length, unit };
}

/**
 * Medians across runs: each run is summarised on its own, then p50/p99/mean/callsPerSec are the medians of the
 * per-run figures (robust to one noisy run). `runs` says how many there were.
 */
export function combineRuns(perRun, unit = "ms") {
  const pick = (k) => median(perRun.map((r) => r[k]).filter((v) => v !== undefined));
  const out = { p50: pick("p50"), p99: pick("p99"), mean: pick("mean"), runs: perRun.length, count: pick("count"), unit };
  if (perRun.some((r) => r.callsPerSec !== undefined)) out.callsPerSec = pick("callsPerSec");
  return out;
}

/**
 * Calls `fn` `count` times from `concurrency` async workers after `warmup` unmeasured calls; per-call latency in ms
 * and calls/s over the measured phase.
 */
export async function measureCalls(fn, { concurrency, count, warmup = Math.max(concurrency, 10) }) {
  await runWorkers(fn, concurrency, warmup, null);
  const lat = [];
  const t0 = performance.now();
  await runWorkers(fn, concurrency, count, lat);
  const secs = (performance.now() - t0) / 1000;
  return { ...summarize(lat), callsPerSec: count / secs };
}

async function runWorkers(fn, concurrency, count, lat) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const t = performance.now();
      await fn();
      if (lat) lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Wall-clock milliseconds of one async (or sync) step. */
export async function timeMs(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpus: { model: cpus[0] ? cpus[0].model : "unknown", count: cpus.length },
    memory: { totalBytes: os.totalmem(), totalGiB: +(os.totalmem() / 2 ** 30).toFixed(1) },
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export function versions() {
  return { node: process.version, go: tryRun("go", ["version"]), rustc: tryRun("rustc", ["--version"]) };
}

/** "met"/"missed" for a figure against a target; "n/a" when the figure could not be measured. */
export function verdict(value, op, target) {
  if (value === undefined || value === null || Number.isNaN(value)) return "n/a";
  return (op === "<=" ? value <= target : op === "<" ? value < target : value >= target) ? "met" : "missed";
}

/** A target as a figure, so latest.json carries the verdict next to the number. */
export function targetFigure(name, value, op, target, unit = "ratio") {
  return { name, value, op, target, unit, verdict: verdict(value, op, target) };
}

export function fmt(v, digits = 2) {
  if (v === undefined || v === null || Number.isNaN(v)) return "n/a";
  if (typeof v !== "number") return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return v.toFixed(digits);
}

export function markdownTable(headers, rows) {
  const line = (cells) => "| " + cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ") + " |";
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

export function mkTemp(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `forst-bench-${prefix}-`));
}

/** A temp project: `files` maps paths under the project (e.g. "forst/routes/echo.ft") to contents. */
export function makeProject(prefix, files, { copyExample = false } = {}) {
  const dir = mkTemp(prefix);
  if (copyExample) fs.cpSync(EXAMPLE_FORST, path.join(dir, "forst"), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/**
 * Loads @forst/sidecar for `projectDir`. The package finds its project from process.cwd() (and index.js regenerates
 * the typed functions on require), so chdir first. One project per process: suites run in their own child process.
 */
export function loadForst(projectDir) {
  // Measure the production path: no file watching unless a suite (devloop) asks for it. 1M records are ~60 MB of
  // JSON, close to the default 64 MiB body limit: raise it.
  if (process.env.FORST_WATCH === undefined) process.env.FORST_WATCH = "0";
  if (process.env.FORST_BODY_LIMIT === undefined) process.env.FORST_BODY_LIMIT = String(512 * 2 ** 20);
  process.chdir(projectDir);
  return require(PKG_DIR);
}

/** The generated typed function when there is one, else invoke() by name. */
export function forstFn(forst, name) {
  return typeof forst[name] === "function" ? forst[name] : (...args) => forst.invoke(name, ...args);
}

/** VmRSS (or another /proc status field) of a pid in bytes; 0 when the process is gone. */
export function procStatusBytes(pid, field = "VmRSS") {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms; 0 when it is gone. Fields 14 and 15 of
 * /proc/<pid>/stat, counted after the command name (which may contain spaces), in clock ticks of 10 ms.
 */
export function procCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

export function errorText(err) {
  if (!err) return "unknown error";
  const code = err.code ? ` [${err.code}]` : "";
  return (err.message || String(err)).split("\n").slice(0, 6).join("\n") + code;
}
