// Call overhead of a Forst function: an echo, measured side by side against
//   (a) the same echo in-process in JS            — the cost of not leaving V8 at all,
//   (b) Go net/http echo + minimal Rust client     — the loopback floor: HTTP and nothing else, over the transport
//       the addon uses (see addonTransport), and (b′) reqwest over TCP on 127.0.0.1 (what FORST_TRANSPORT=tcp uses),
//   (c) Node's global fetch to the same Go server  — what a hand-written JS client would pay,
//   (d) the generated function through the addon   — what users get,
//   (f) a string echoed through the addon's tokio runtime with no HTTP (binding.roundTrip): the JS ↔ Rust crossing,
//   (e) the Rust client straight to the Forst sidecar (token header, no JS): splits (d) into the Go server's share
//       (e − b: routing, JSON decode into the parameter, JSON encode of the result) and the JS + addon share (d − e).
// Variants are interleaved inside every run so that machine drift hits all four alike; figures are medians of runs.
import path from "node:path";
import { createRequire } from "node:module";
import { buildFloor, startFloorServer, runFloorClient } from "../floor/floor.mjs";
import {
  mulberry32, randomString, measureCalls, combineRuns, makeProject, loadForst, forstFn, targetFigure, fmt, errorText,
  PKG_DIR,
} from "../lib.mjs";

const require = createRequire(import.meta.url);

/** How the addon sends a body of `bytes` (src/runtime/client.rs): up to 64 KiB over the child's Unix socket on bare
 * hyper connections (src/runtime/socket_pool.rs), larger bodies over TCP with reqwest. The floor and (e) copy it. */
function addonTransport(bytes, socket) {
  return socket && bytes <= 64 * 1024 ? { transport: "hyper", socket } : { transport: "reqwest" };
}

const ECHO_FT = `func echo(value interface{}) interface{} {
  return value
}
`;

const PAYLOADS = [
  { label: "100 B", bytes: 100 },
  { label: "10 KB", bytes: 10 * 1024 },
  { label: "1 MB", bytes: 1024 * 1024 },
];
const CONCURRENCY = [1, 64];

/** Calls per measurement: enough for a stable p99 on small payloads, bounded for 1 MB so a run stays short. */
function callCount(bytes, concurrency, quick) {
  const base = bytes <= 100 ? (quick ? 1000 : 4000) : bytes <= 10240 ? (quick ? 500 : 2000) : quick ? 40 : 150;
  return Math.max(base, concurrency * (bytes > 10240 ? 2 : 8));
}

export async function run({ quick }) {
  const runs = quick ? 3 : 5;
  buildFloor();
  const server = await startFloorServer();

  // (d) is optional: if the addon or the compiler is not there yet, (a)-(c) still report.
  let forst = null;
  let echo = null;
  let forstError = null;
  let sidecar = null;
  try {
    forst = loadForst(makeProject("overhead", { "forst/routes/echo.ft": ECHO_FT }));
    await forst.start();
    echo = forstFn(forst, "echo");
    const probe = await echo("ping");
    if (probe !== "ping") throw new Error(`echo("ping") returned ${JSON.stringify(probe)}`);
    const binding = require(path.join(PKG_DIR, "binding.js"));
    const st = forst.status();
    sidecar = { url: `${st.url}/echo`, socket: st.socket, token: binding.internalToken(), binding };
  } catch (err) {
    forstError = errorText(err);
    console.error(`overhead: (d) addon unavailable, reporting (a)-(c) only:\n${forstError}`);
  }

  const jsEcho = async (x) => x;
  const fetchEcho = async (x) => {
    const res = await fetch(server.url, { method: "POST", body: JSON.stringify(x), headers: { "content-type": "application/json" } });
    return res.json();
  };

  const figures = {};
  const rows = [];
  const notes = forstError ? [`(d) not measured: ${forstError}`] : [];
  try {
    for (const p of PAYLOADS) {
      // A JSON string value whose encoding is exactly p.bytes long; same seed every run.
      const payload = randomString(mulberry32(p.bytes), p.bytes - 2);
      for (const c of CONCURRENCY) {
        const count = callCount(p.bytes, c, quick);
        const per = { js: [], floor: [], floorTcp: [], fetch: [], addon: [], direct: [], hop: [] };
        let cellError = null;
        for (let r = 0; r < runs; r++) {
          per.js.push(await measureCalls(() => jsEcho(payload), { concurrency: c, count }));
          // The floor and (e) travel like (d).
          const viaSocket = sidecar && sidecar.socket;
          per.floor.push(await runFloorClient(server.url, p.bytes, c, count, addonTransport(p.bytes, viaSocket && server.socket)));
          if (viaSocket) per.floorTcp.push(await runFloorClient(server.url, p.bytes, c, count));
          per.fetch.push(await measureCalls(() => fetchEcho(payload), { concurrency: c, count }));
          if (sidecar) per.direct.push(await runFloorClient(sidecar.url, p.bytes, c, count, { token: sidecar.token, ...addonTransport(p.bytes, sidecar.socket) }));
          if (sidecar) per.hop.push(await measureCalls(async () => JSON.parse(await sidecar.binding.roundTrip(JSON.stringify(payload))), { concurrency: c, count }));
          if (echo && !cellError) {
            // A failing (d) cell is reported and skipped; (a)-(c) and the other cells still run.
            try {
              per.addon.push(await measureCalls(() => echo(payload), { concurrency: c, count }));
            } catch (err) {
              cellError = errorText(err);
              per.addon = [];
              notes.push(`(d) ${p.label} c=${c} failed: ${cellError}`);
              console.error(`overhead: (d) ${p.label} c=${c} failed: ${cellError}`);
            }
          }
        }
        const key = `${p.label.replace(" ", "")}.c${c}`;
        const f = {};
        for (const [k, v] of Object.entries(per)) if (v.length) f[k] = figures[`${key}.${k}`] = combineRuns(v);
        const d = f.addon;
        const vsFloor = targetFigure(`${key} (d)/(b) p50`, d ? d.p50 / f.floor.p50 : NaN, "<=", 1.3);
        const vsFetch = targetFigure(`${key} (d)/(c) p50`, d ? d.p50 / f.fetch.p50 : NaN, "<=", 0.5);
        figures[`${key}.addonOverFloor`] = vsFloor;
        figures[`${key}.addonOverFetch`] = vsFetch;
        const lat = (x) => (x ? `${fmt(x.p50, 3)} / ${fmt(x.p99, 3)}` : "n/a");
        rows.push([
          p.label, c, lat(f.js), lat(f.hop), lat(f.floor), lat(f.floorTcp), lat(f.fetch), lat(f.direct), lat(d),
          `${fmt(f.floor.callsPerSec, 0)} / ${fmt(f.fetch.callsPerSec, 0)} / ${fmt(d && d.callsPerSec, 0)}`,
          `${fmt(vsFloor.value)} (${vsFloor.verdict})`, `${fmt(vsFetch.value)} (${vsFetch.verdict})`,
        ]);
      }
    }
  } finally {
    server.stop();
    if (forst) await forst.stop().catch(() => {});
  }

  return {
    title: "Call overhead: echo (latency p50 / p99 in ms; runs: " + runs + ")",
    headers: [
      "payload", "conc", "(a) JS in-process", "(f) JS→Rust→JS, no HTTP", `(b) Go+Rust floor, ${sidecar && sidecar.socket ? "the addon's transport" : "TCP"}`,
      "(b′) floor, reqwest TCP", "(c) fetch→Go", "(e) Rust→Forst sidecar", "(d) Forst addon",
      "calls/s b / c / d", "(d)/(b) p50 ≤ 1.3", "(d)/(c) p50 ≤ 0.5",
    ],
    rows,
    figures,
    notes,
  };
}
