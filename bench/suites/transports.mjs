// The transports we could carry calls over, at the loopback floor (Go echo server + Rust client, no JS, no Forst):
// reqwest and bare hyper connections, each over TCP on 127.0.0.1 and over a Unix socket, and HTTP/2 without TLS (h2c)
// on one multiplexed connection. This is the measurement behind the addon's transport: bare hyper on the child's Unix
// socket for every call (since the socket is also what proves the peer is our child), reqwest over TCP with
// FORST_TRANSPORT=tcp and in connect mode. Variants are interleaved inside every run.
import { buildFloor, startFloorServer, runFloorClient } from "../floor/floor.mjs";
import { combineRuns, fmt } from "../lib.mjs";

const VARIANTS = [
  { key: "reqwestTcp", label: "reqwest, TCP (FORST_TRANSPORT=tcp, connect mode)", transport: "reqwest", unix: false },
  { key: "reqwestUnix", label: "reqwest, Unix socket", transport: "reqwest", unix: true },
  { key: "hyperTcp", label: "hyper conn, TCP", transport: "hyper", unix: false },
  { key: "hyperUnix", label: "hyper conn, Unix socket (the addon's)", transport: "hyper", unix: true },
  { key: "h2c", label: "HTTP/2 h2c, one connection", transport: "h2c", unix: false },
];
const PAYLOADS = [
  { label: "100 B", bytes: 100 },
  { label: "10 KB", bytes: 10 * 1024 },
  { label: "1 MB", bytes: 1024 * 1024 },
];

export async function run({ quick }) {
  const runs = quick ? 3 : 5;
  buildFloor();
  const server = await startFloorServer();
  const figures = {};
  const rows = [];
  try {
    for (const p of PAYLOADS) {
      for (const c of [1, 64]) {
        const count = p.bytes > 10240 ? (quick ? 128 : 448) : quick ? 2000 : 10000;
        const per = Object.fromEntries(VARIANTS.map((v) => [v.key, []]));
        for (let r = 0; r < runs; r++) {
          for (const v of VARIANTS) {
            per[v.key].push(await runFloorClient(server.url, p.bytes, c, count, { transport: v.transport, socket: v.unix ? server.socket : undefined }));
          }
        }
        const key = `${p.label.replace(" ", "")}.c${c}`;
        const cells = VARIANTS.map((v) => {
          const f = (figures[`${key}.${v.key}`] = combineRuns(per[v.key]));
          return `${fmt(f.p50, 3)} / ${fmt(f.p99, 3)}`;
        });
        const base = figures[`${key}.reqwestTcp`].p50;
        const gain = figures[`${key}.hyperUnix`].p50 / base;
        figures[`${key}.hyperUnixOverReqwestTcp`] = { name: `${key} hyper Unix / reqwest TCP p50`, value: gain, unit: "ratio" };
        rows.push([p.label, c, ...cells, fmt(gain)]);
      }
    }
  } finally {
    server.stop();
  }
  return {
    title: `Transports at the loopback floor: Go echo + Rust client (latency p50 / p99 in ms; runs: ${runs})`,
    headers: ["payload", "conc", ...VARIANTS.map((v) => v.label), "hyper Unix / reqwest TCP p50"],
    rows,
    figures,
    notes: [],
  };
}
