// The generated JSON codecs against encoding/json (v1) and encoding/json/v2, in Go, on the RFC's four routes: each
// route's request body decoded into its parameter type, and its record types encoded, at 1k/10k/100k records.
// bench/codec/*_bench_test.go run inside the example app's generated module with `go test -bench`; v2 needs
// GOEXPERIMENT=jsonv2 (which also rebuilds v1 on v2's code), so it runs separately. Rounds alternate the two runs;
// each figure is the best of its rounds (the machine is shared: the best is the least disturbed).
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { BENCH_DIR, PKG_DIR, makeProject, targetFigure, fmt } from "../lib.mjs";
import { ROUTES } from "./routes-impl.mjs";

const CLI = path.join(PKG_DIR, "bin", "forst.js");
const RFC_ROUTES = ["processData", "calculate", "performConcurrentSearch", "processLargeDataset"];
const TARGET = 3; // decode throughput, codec / encoding/json v1

function sh(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${(r.stdout || "").slice(-2000)}${(r.stderr || "").slice(-2000)}`);
  return r.stdout;
}

/** `go test -bench` output lines → { "Decode/processData/1000/codec": {nsPerOp, mbPerSec, allocs, bytes} }. */
function parseBench(out) {
  const figures = {};
  const re = /^Benchmark(\w+?)(?:V2)?\/(\S+?)-\d+\s+\d+\s+([\d.]+) ns\/op\s+([\d.]+) MB\/s\s+(\d+) B\/op\s+(\d+) allocs\/op/;
  for (const line of out.split("\n")) {
    const m = re.exec(line.trim());
    if (m) figures[`${m[1]}/${m[2]}`] = { nsPerOp: +m[3], mbPerSec: +m[4], bytes: +m[5], allocs: +m[6] };
  }
  return figures;
}

/** Keeps the best (fastest) figure of each benchmark across rounds. */
function keepBest(best, figures) {
  for (const [k, f] of Object.entries(figures)) if (!best[k] || f.nsPerOp < best[k].nsPerOp) best[k] = f;
}

export async function run({ quick }) {
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const rounds = quick ? 2 : 3;
  const benchtime = quick ? "200ms" : "700ms";
  const dir = makeProject("codec", {}, { copyExample: true });
  sh(process.execPath, [CLI, "build"], { cwd: dir });
  const src = path.join(dir, "dist", "forst", "src");
  for (const f of fs.readdirSync(path.join(BENCH_DIR, "codec"))) fs.copyFileSync(path.join(BENCH_DIR, "codec", f), path.join(src, f));
  const data = path.join(dir, "data");
  fs.mkdirSync(data);
  const bodyBytes = {};
  for (const route of RFC_ROUTES) {
    for (const n of sizes) {
      const body = JSON.stringify(ROUTES[route](n));
      bodyBytes[`${route}.${n}`] = body.length;
      fs.writeFileSync(path.join(data, `${route}.${n}.json`), body);
    }
  }
  const env = { ...process.env, FORST_BENCH_DATA: data, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod", CGO_ENABLED: "0" };
  const args = ["test", "-tags", "forstbench", "-run", "^$", "-benchmem", `-benchtime=${benchtime}`];
  const best = {};
  let v2Error = null;
  for (let r = 0; r < rounds; r++) {
    console.error(`codec: round ${r + 1}/${rounds}`);
    keepBest(best, parseBench(sh("go", [...args, "-bench", "^Benchmark(Decode|Encode)$", "."], { cwd: src, env })));
    try {
      const out = sh("go", [...args, "-bench", "V2$", "."], { cwd: src, env: { ...env, GOEXPERIMENT: "jsonv2" } });
      keepBest(best, parseBench(out));
    } catch (err) {
      v2Error = err.message.split("\n").slice(0, 3).join(" ");
    }
  }

  const figures = {};
  const rows = [];
  const get = (k) => best[k];
  const ratio = (a, b) => (a && b ? a.mbPerSec / b.mbPerSec : undefined);
  const allocs = (...fs) => fs.map((f) => (f ? fmt(f.allocs, 0) : "n/a")).join(" / ");
  for (const route of RFC_ROUTES) {
    for (const n of sizes) {
      const base = `${route}/${n}`;
      const [codec, stream, v1, v2] = ["codec", "codec-stream", "v1", "v2"].map((v) => get(`Decode/${base}/${v}`));
      const r = ratio(stream, v1);
      const t = targetFigure(`${route}.${n}.decode`, r, ">=", TARGET);
      figures[`${route}.${n}.decode`] = { codec, stream, v1, v2, bodyBytes: bodyBytes[`${route}.${n}`], target: t };
      rows.push([route, n.toLocaleString("en-US"), "decode body", mb(codec), mb(stream), mb(v1), mb(v2), fmt(r), allocs(stream, v1, v2), `≥ ${TARGET}: ${t.verdict}`]);
      for (const what of ["input", "result"]) {
        const [ec, e1, e2] = ["codec", "v1", "v2"].map((v) => get(`Encode/${base}/${what}/${v}`));
        if (!ec) continue; // a small map: not measured
        figures[`${route}.${n}.encode.${what}`] = { codec: ec, v1: e1, v2: e2 };
        rows.push([route, n.toLocaleString("en-US"), `encode ${what}`, mb(ec), "", mb(e1), mb(e2), fmt(ratio(ec, e1)), allocs(ec, e1, e2), ""]);
      }
    }
  }
  const notes = [
    "MB/s of JSON text; best of " + rounds + " rounds of `go test -bench` (-benchtime " + benchtime + "), codec and v1 side by side in each round, v2 in a GOEXPERIMENT=jsonv2 run right after. " +
      "codec: the generated decoder on the body's bytes; streamed: the same through the server's 64 KiB read buffer (what the sidecar runs, and what the target is judged on); " +
      "v1: json.Unmarshal into the same parameter type (the old server also ran json.Valid over the body first); v2: encoding/json/v2 Unmarshal. " +
      "Encodes: the codec into a reused buffer (as the server's pooled encoder), v1 and v2 Marshal. Allocations per operation: codec (streamed) / v1 / v2.",
  ];
  if (v2Error) notes.push(`encoding/json/v2 could not run: ${v2Error}`);
  return {
    title: "Codec: generated codecs vs encoding/json v1 and v2 (Go, MB/s)",
    headers: ["route", "records", "what", "codec", "codec streamed", "v1", "v2", "codec/v1", "allocs/op codec / v1 / v2", "target decode"],
    rows,
    figures,
    notes,
  };
}

function mb(f) {
  return f ? fmt(f.mbPerSec, 1) : "n/a";
}
