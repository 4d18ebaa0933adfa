#!/usr/bin/env node
// Benchmark driver: `node bench/run.mjs [--suite overhead|transports|routes|routes-validation|memory|codec|compiler|
// devloop]... [--quick]`.
// Each suite runs in its own child Node process because the addon supervises one sidecar per process, the package
// finds its project from process.cwd(), and memory peaks must not mix. A failing suite prints its error and the
// others still run. Results: a markdown table per suite on stdout, bench/results/latest.{json,md}.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeCharts } from "./chart.mjs";
import { BENCH_DIR, machineInfo, versions, markdownTable, errorText } from "./lib.mjs";

const SUITES = ["overhead", "transports", "routes", "routes-validation", "memory", "codec", "compiler", "devloop"];
const RESULTS_DIR = path.join(BENCH_DIR, "results");
const SELF = fileURLToPath(import.meta.url);

function parseArgs(argv) {
  const opts = { suites: [], quick: false, child: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--suite") opts.suites.push(...argv[++i].split(","));
    else if (a.startsWith("--suite=")) opts.suites.push(...a.slice(8).split(","));
    else if (a === "--child") opts.child = argv[++i];
    else if (a === "--out") opts.out = argv[++i];
    else if (a === "--help" || a === "-h") {
      console.log(`usage: node bench/run.mjs [--suite ${SUITES.join("|")}]... [--quick]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const s of opts.suites) if (!SUITES.includes(s)) throw new Error(`unknown suite ${s} (have: ${SUITES.join(", ")})`);
  if (opts.suites.length === 0) opts.suites = SUITES;
  return opts;
}

/** Child mode: run one suite, write its result as JSON to --out, exit hard (the addon may hold handles). */
async function child(name, quick, out) {
  let result;
  try {
    const mod = await import(pathToFileURL(path.join(BENCH_DIR, "suites", `${name}.mjs`)).href);
    result = await mod.run({ quick });
  } catch (err) {
    result = { error: errorText(err), stack: err && err.stack };
  }
  fs.writeFileSync(out, JSON.stringify(result));
  process.exit(0);
}

function runSuite(name, quick) {
  const out = path.join(RESULTS_DIR, "tmp", `${name}.${process.pid}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const limitMs = (quick ? 6 : 25) * 60_000;
  return new Promise((resolve) => {
    const args = [SELF, "--child", name, "--out", out, ...(quick ? ["--quick"] : [])];
    const proc = spawn(process.execPath, args, { stdio: "inherit", cwd: BENCH_DIR });
    const timer = setTimeout(() => proc.kill("SIGKILL"), limitMs);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(fs.readFileSync(out, "utf8")));
      } catch {
        resolve({ error: `suite process ended (code ${code}, signal ${signal}) without a result` + (signal === "SIGKILL" ? ` after the ${limitMs / 60000} min limit` : "") });
      }
      fs.rmSync(out, { force: true });
    });
  });
}

function render(name, r) {
  if (r.error) return `## ${name}\n\n**FAILED**: ${r.error}\n`;
  let md = `## ${r.title}\n\n${markdownTable(r.headers, r.rows)}\n`;
  for (const n of r.notes || []) md += `\n> ${n.replace(/\n/g, "\n> ")}\n`;
  return md;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) return child(opts.child, opts.quick, opts.out);

  const report = { date: new Date().toISOString(), quick: opts.quick, machine: machineInfo(), versions: versions(), suites: {} };
  let md = `# @forst/sidecar benchmarks\n\n${report.date}${opts.quick ? " (quick)" : ""} — ${report.machine.cpus.count}× ` +
    `${report.machine.cpus.model}, ${report.machine.memory.totalGiB} GiB, ${report.machine.os}; ` +
    `node ${report.versions.node}, ${report.versions.go}, ${report.versions.rustc}\n`;
  for (const name of opts.suites) {
    console.error(`\n== suite ${name}${opts.quick ? " (quick)" : ""} ==`);
    const t = Date.now();
    const r = await runSuite(name, opts.quick);
    const section = render(name, r);
    console.log("\n" + section);
    if (r.error) console.error(`suite ${name} FAILED:\n${r.stack || r.error}`);
    report.suites[name] = r.error ? { error: r.error } : { title: r.title, figures: r.figures, notes: r.notes || [] };
    report.suites[name].seconds = Math.round((Date.now() - t) / 100) / 10;
    md += "\n" + section;
  }
  // Merge-free: latest.* always describe exactly the suites of this invocation.
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  fs.writeFileSync(path.join(RESULTS_DIR, "latest.md"), md);
  for (const file of writeCharts(report, RESULTS_DIR)) console.error(`wrote ${path.relative(process.cwd(), file)}`);
  console.error(`\nwrote ${path.relative(process.cwd(), path.join(RESULTS_DIR, "latest.json"))} and latest.md`);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
