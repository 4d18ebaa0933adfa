// Express routes in pure JS vs Express calling Forst, under autocannon load. Both answers are checked for equality
// first (a fast wrong answer is not a result). The server runs in a child process (routes-server.mjs).
import path from "node:path";
import { fork } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import { createRequire } from "node:module";
import { BENCH_DIR, makeProject, targetFigure, fmt } from "../lib.mjs";
import { ROUTES, BENCH_FT, normalize } from "./routes-impl.mjs";

const autocannon = createRequire(import.meta.url)("autocannon");
const CONNECTIONS = 10;

function startServer(projectDir) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(BENCH_DIR, "suites", "routes-server.mjs"), [projectDir], { stdio: "inherit" });
    child.once("message", (m) => (m.error ? reject(new Error(m.error)) : resolve({ child, port: m.port })));
    child.once("exit", (code) => reject(new Error(`routes server exited (${code})`)));
  });
}

async function post(url, body) {
  const t = performance.now();
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });
  const text = await res.text();
  const ms = performance.now() - t;
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return { value: JSON.parse(text), ms };
}

/** One autocannon load; `amount` replaces the duration when a single request is too slow for a timed window. */
async function load(url, body, opts) {
  const r = await autocannon({
    url, method: "POST", body, headers: { "content-type": "application/json" },
    connections: opts.amount ? 1 : CONNECTIONS, timeout: 300, ...opts,
  });
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad) console.error(`routes: ${url}: ${bad} failed requests (non2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})`);
  // Timed runs: completed requests over elapsed seconds. `amount` runs use one connection, so req/s is 1000 / mean
  // latency: autocannon's elapsed time there is rounded up to its 1 s ticker (5 × 10 ms requests read as 5 req/s).
  const reqPerSec = opts.amount ? 1000 / r.latency.mean : r.requests.total / r.duration;
  return { reqPerSec, p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean, count: r.requests.total, failed: bad, unit: "ms" };
}

export async function run({ quick }) {
  const duration = quick ? 3 : 10;
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const projectDir = makeProject("routes", { "forst/routes/bench.ft": BENCH_FT }, { copyExample: true });
  const { child, port } = await startServer(projectDir);
  const base = `http://127.0.0.1:${port}`;
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
        try {
          jsCall = await post(`${base}/js/${route}`, body);
          forstCall = await post(`${base}/forst/${route}`, body);
          rawCall = await post(`${base}/forst-raw/${route}`, body);
          same = isDeepStrictEqual(normalize(route, jsCall.value), normalize(route, forstCall.value)) &&
            isDeepStrictEqual(normalize(route, jsCall.value), normalize(route, rawCall.value));
        } catch (err) {
          notes.push(`${key}: ${err.message}`);
          rows.push([route, n.toLocaleString("en-US"), "error", "", "", "", "", "", "", ""]);
          console.error(`routes: ${key} FAILED: ${err.message}`);
          continue;
        }
        if (!same) {
          const msg = `!!! MISMATCH ${key}: JS and Forst answers differ (JS ${JSON.stringify(jsCall.value).slice(0, 200)} vs Forst ${JSON.stringify(forstCall.value).slice(0, 200)})`;
          console.error(msg);
          notes.push(msg);
        }
        // A request slower than a tenth of the window would leave too few samples: count a fixed amount instead.
        const slow = Math.max(jsCall.ms, forstCall.ms, rawCall.ms) * 10 > duration * 1000;
        const opts = slow ? { amount: 5 } : { duration };
        if (!slow) {
          await load(`${base}/js/${route}`, body, { duration: 1 }); // warm-up: JIT, sockets, Go's heap
          await load(`${base}/forst/${route}`, body, { duration: 1 });
          await load(`${base}/forst-raw/${route}`, body, { duration: 1 });
        }
        const jsR = (figures[`${key}.js`] = await load(`${base}/js/${route}`, body, opts));
        const fR = (figures[`${key}.forst`] = await load(`${base}/forst/${route}`, body, opts));
        const rR = (figures[`${key}.forstRaw`] = await load(`${base}/forst-raw/${route}`, body, opts));
        const ratio = fR.reqPerSec / jsR.reqPerSec;
        const rawRatio = rR.reqPerSec / jsR.reqPerSec;
        figures[`${key}.forstRawOverJs`] = { value: rawRatio, unit: "ratio" };
        const target = route === "sha256Stats" ? targetFigure(`${key} Forst/JS req/s`, ratio, ">=", 3) : null;
        figures[`${key}.forstOverJs`] = target || { value: ratio, unit: "ratio" };
        rows.push([
          route, n.toLocaleString("en-US"),
          `${fmt(jsR.reqPerSec, 1)} (${fmt(jsR.p50, 0)} / ${fmt(jsR.p99, 0)})`,
          `${fmt(fR.reqPerSec, 1)} (${fmt(fR.p50, 0)} / ${fmt(fR.p99, 0)})`,
          fmt(ratio),
          `${fmt(rR.reqPerSec, 1)} (${fmt(rR.p50, 0)} / ${fmt(rR.p99, 0)})`, fmt(rawRatio),
          target ? `≥ 3: ${target.verdict}` : "",
          same ? "yes" : "**MISMATCH**", slow ? `${opts.amount} requests, 1 conn` : `${duration} s, ${CONNECTIONS} conn`,
        ]);
      }
    }
  } finally {
    child.disconnect();
  }
  return {
    title: "Express routes: pure JS vs Forst (req/s (p50 / p99 ms)); raw = `fn.raw(text)`, body never parsed by Node",
    headers: ["route", "records", "JS", "Forst", "Forst/JS", "Forst raw", "raw/JS", "target", "same JSON", "load"],
    rows, figures,
    notes: process.env.FORST_BENCH_FAKE === "1" ? ["FORST_BENCH_FAKE=1: /forst served by the JS versions (harness test)", ...notes] : notes,
  };
}
