// Express routes in pure JS vs Express calling Forst, under autocannon load. Both answers are checked for equality
// first (a fast wrong answer is not a result). The server runs in a child process (routes-server.mjs).
import path from "node:path";
import { fork } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import { createRequire } from "node:module";
import { BENCH_DIR, makeProject, targetFigure, fmt, procCpuMs } from "../lib.mjs";
import { ROUTES, BENCH_FT, normalize } from "./routes-impl.mjs";

const autocannon = createRequire(import.meta.url)("autocannon");
const CONNECTIONS = 10;

export function startServer(projectDir) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(BENCH_DIR, "suites", "routes-server.mjs"), [projectDir], { stdio: "inherit" });
    child.once("message", (m) => (m.error ? reject(new Error(m.error)) : resolve({ child, port: m.port, sidecarPid: m.sidecarPid })));
    child.once("exit", (code) => reject(new Error(`routes server exited (${code})`)));
  });
}

/** The example app with the benchmark's routes, served by routes-server.mjs in a child process. */
export async function startRoutes(name) {
  const projectDir = makeProject(name, { "forst/routes/bench.ft": BENCH_FT }, { copyExample: true });
  const { child, port, sidecarPid } = await startServer(projectDir);
  return { child, base: `http://127.0.0.1:${port}`, sidecarPid };
}

export async function post(url, body) {
  const t = performance.now();
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });
  const text = await res.text();
  const ms = performance.now() - t;
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return { value: JSON.parse(text), ms };
}

/**
 * One autocannon load; `amount` replaces the duration when a single request is too slow for a timed window.
 * `pids` name the processes whose CPU time per request is reported (the profile behind a ratio: on 2 cores the load
 * generator, Node and Go share the CPUs, so where each request's CPU goes decides the throughput).
 */
export async function load(url, body, opts, pids = {}) {
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procCpuMs(pid)]));
  const r = await autocannon({
    url, method: "POST", body, headers: { "content-type": "application/json" },
    connections: opts.amount ? 1 : CONNECTIONS, timeout: 300, ...opts,
  });
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad) console.error(`routes: ${url}: ${bad} failed requests (non2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})`);
  // Timed runs: completed requests over elapsed seconds. `amount` runs use one connection, so req/s is 1000 / mean
  // latency: autocannon's elapsed time there is rounded up to its 1 s ticker (5 × 10 ms requests read as 5 req/s).
  const reqPerSec = opts.amount ? 1000 / r.latency.mean : r.requests.total / r.duration;
  const cpuPerRequest = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, r.requests.total ? (procCpuMs(pid) - cpuBefore[k]) / r.requests.total : 0]),
  );
  return { reqPerSec, cpuPerRequest, p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean, count: r.requests.total, failed: bad, unit: "ms" };
}

export async function run({ quick }) {
  const duration = quick ? 3 : 10;
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const { child, base, sidecarPid } = await startRoutes("routes");
  // The sidecar's pid is the first child's: a restart during the run would show as 0 ms of Go CPU.
  const pids = { load: process.pid, node: child.pid, go: sidecarPid };
  const figures = {};
  const rows = [];
  const notes = [];
  try {
    for (const route of Object.keys(ROUTES)) {
      for (const n of sizes) {
        const body = JSON.stringify(ROUTES[route](n));
        const key = `${route}.${n}`;
        let same;
        let jsCall;
        let forstCall;
        let rawCall;
        let handlerCall;
        try {
          jsCall = await post(`${base}/js/${route}`, body);
          forstCall = await post(`${base}/forst/${route}`, body);
          rawCall = await post(`${base}/forst-raw/${route}`, body);
          handlerCall = await post(`${base}/forst-handler/${route}`, body);
          const expected = normalize(route, jsCall.value);
          same = [forstCall, rawCall, handlerCall].every((c) => isDeepStrictEqual(expected, normalize(route, c.value)));
        } catch (err) {
          notes.push(`${key}: ${err.message}`);
          rows.push([route, n.toLocaleString("en-US"), "error", "", "", "", "", "", "", "", "", "", "", ""]);
          console.error(`routes: ${key} FAILED: ${err.message}`);
          continue;
        }
        if (!same) {
          const msg = `!!! MISMATCH ${key}: JS and Forst answers differ (JS ${JSON.stringify(jsCall.value).slice(0, 200)} vs Forst ${JSON.stringify(forstCall.value).slice(0, 200)})`;
          console.error(msg);
          notes.push(msg);
        }
        // A request slower than a tenth of the window would leave too few samples: count a fixed amount instead.
        const slow = Math.max(jsCall.ms, forstCall.ms, rawCall.ms, handlerCall.ms) * 10 > duration * 1000;
        const opts = slow ? { amount: 5 } : { duration };
        const variants = { js: "js", forst: "forst", forstRaw: "forst-raw", forstHandler: "forst-handler" };
        if (!slow) {
          // warm-up: JIT, sockets, Go's heap
          for (const prefix of Object.values(variants)) await load(`${base}/${prefix}/${route}`, body, { duration: 1 });
        }
        const r = {};
        for (const [name, prefix] of Object.entries(variants)) r[name] = figures[`${key}.${name}`] = await load(`${base}/${prefix}/${route}`, body, opts, pids);
        const ratio = r.forst.reqPerSec / r.js.reqPerSec;
        const rawRatio = r.forstRaw.reqPerSec / r.js.reqPerSec;
        const handlerRatio = r.forstHandler.reqPerSec / r.js.reqPerSec;
        figures[`${key}.forstRawOverJs`] = { value: rawRatio, unit: "ratio" };
        figures[`${key}.forstOverJs`] = { value: ratio, unit: "ratio" };
        // The targets are for the way to move a whole route, the handler: ≥ 1× everywhere, ≥ 1.5× at 100k records
        // for processData and processLargeDataset, ≥ 3× for the CPU-heavy route.
        // processLargeDatasetLoop is not an RFC route (see routes-impl.mjs): no target, the ratio is reported.
        const want = route === "processLargeDatasetLoop" ? null : route === "sha256Stats" ? 3 : n >= 100_000 && ["processData", "processLargeDataset"].includes(route) ? 1.5 : 1;
        const target = want === null ? { value: handlerRatio, unit: "ratio" } : targetFigure(`${key} Forst handler/JS req/s`, handlerRatio, ">=", want);
        figures[`${key}.forstHandlerOverJs`] = target;
        const cell = (x) => `${fmt(x.reqPerSec, 1)} (${fmt(x.p50, 0)} / ${fmt(x.p99, 0)})`;
        // CPU ms per request: Node's server + Go's sidecar (+ the load generator's), JS vs handler.
        const cpu = (x) => `${fmt(x.cpuPerRequest.node, 2)} + ${fmt(x.cpuPerRequest.go, 2)} (+ ${fmt(x.cpuPerRequest.load, 2)})`;
        rows.push([
          route, n.toLocaleString("en-US"),
          cell(r.js), cell(r.forstHandler), fmt(handlerRatio), want === null ? "—" : `≥ ${want}: ${target.verdict}`,
          cell(r.forst), fmt(ratio), cell(r.forstRaw), fmt(rawRatio),
          cpu(r.js), cpu(r.forstHandler),
          same ? "yes" : "**MISMATCH**", slow ? `${opts.amount} requests, 1 conn` : `${duration} s, ${CONNECTIONS} conn`,
        ]);
      }
    }
  } finally {
    child.disconnect();
  }
  return {
    title: "Express routes: pure JS vs Forst (req/s (p50 / p99 ms)); handler = `fn.handler()` (streamed, no body parser), call = `await fn(req.body)`, raw = `fn.raw(text)`",
    headers: ["route", "records", "JS", "Forst handler", "handler/JS", "target", "Forst call", "call/JS", "Forst raw", "raw/JS", "CPU ms/req JS: Node + Go (+ load)", "CPU ms/req handler", "same JSON", "load"],
    rows, figures,
    notes: process.env.FORST_BENCH_FAKE === "1" ? ["FORST_BENCH_FAKE=1: /forst served by the JS versions (harness test)", ...notes] : notes,
  };
}
