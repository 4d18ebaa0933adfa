// The edit loop: (1) with watch on, how long from saving a changed .ft route until calls get the new answer;
// (2) how long a fresh Node process takes from require("@forst/sidecar") to start() resolved when the binary is cached.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { PKG_DIR, makeProject, loadForst, forstFn, summarize, targetFigure, fmt } from "../lib.mjs";

const SAVES = 5;
const POLL_TIMEOUT_MS = 30_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * calculate({numbers: [3, 4]}) is 5; the edit with offset k makes it 5 + k, so each save has an answer of its own.
 * The offsets are new in every run (not from a fixed seed): Go's build cache would otherwise hand back the package an
 * earlier run compiled from the same text, and measure a reload that compiles nothing, which no real edit is.
 */
function calculateWithOffset(original, k) {
  const edited = original.replace(/math\.Sqrt\(result\)/, `math.Sqrt(result) + ${k}.0`);
  if (edited === original) throw new Error("calculate.ft no longer contains math.Sqrt(result); update devloop.mjs");
  return edited;
}

async function saveToServing(forst, file, original) {
  const calc = forstFn(forst, "calculate");
  const times = [];
  const run = randomInt(1, 2 ** 40) * 100; // offsets below 2^53: 5 + offset is exact
  for (let i = 1; i <= SAVES; i++) {
    const k = run + i;
    await sleep(300); // let the watcher settle so each save is its own reload
    const t0 = performance.now();
    fs.writeFileSync(file, calculateWithOffset(original, k));
    for (;;) {
      // Calls made during the swap may fail with `unavailable`; they count as "not yet".
      const r = await calc({ numbers: [3, 4] }).catch(() => null);
      if (r && r.result === 5 + k) break;
      if (performance.now() - t0 > POLL_TIMEOUT_MS) throw new Error(`save ${i}: the new result was not served within ${POLL_TIMEOUT_MS} ms (last: ${JSON.stringify(r)})`);
      await sleep(2);
    }
    times.push(performance.now() - t0);
  }
  return times;
}

/** A fresh Node process: ms from require to start() resolved, plus whether the binary came from the cache. */
const COLD_START = `
const t0 = performance.now();
const forst = require(${JSON.stringify(PKG_DIR)});
forst.start().then(async () => {
  const ms = performance.now() - t0;
  const s = forst.status();
  console.log(JSON.stringify({ ms, cached: !!(s.build && s.build.cached) }));
  await forst.stop();
  process.exit(0);
}, (e) => { console.error(e.message); process.exit(1); });
`;

function coldStart(projectDir) {
  const env = { ...process.env };
  delete env.FORST_WATCH; // zero-config defaults, as a user's first require would see them
  const r = spawnSync(process.execPath, ["-e", COLD_START], { cwd: projectDir, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cold start failed: ${(r.stderr || "").slice(0, 1000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

export async function run({ quick }) {
  const projectDir = makeProject("devloop", {}, { copyExample: true });
  const file = path.join(projectDir, "forst", "routes", "calculate.ft");
  const original = fs.readFileSync(file, "utf8");

  process.env.FORST_WATCH = "1";
  const forst = loadForst(projectDir);
  let saves;
  try {
    await forst.start();
    saves = await saveToServing(forst, file, original);
  } finally {
    fs.writeFileSync(file, original); // so the cold starts below hit the cached original build
    await forst.stop().catch(() => {});
  }

  coldStart(projectDir); // warm-up: page cache, and a cached build of the restored source
  const starts = Array.from({ length: quick ? 3 : 7 }, () => coldStart(projectDir));
  const notCached = starts.filter((s) => !s.cached).length;

  const save = { ...summarize(saves), runs: saves.length };
  const start = { ...summarize(starts.map((s) => s.ms)), runs: starts.length };
  const saveT = targetFigure("save→serving p50", save.p50, "<=", 1000, "ms");
  const startT = targetFigure("cached start() p50", start.p50, "<=", 150, "ms");
  return {
    title: "Dev loop (ms)",
    headers: ["step", "p50", "p99", "mean", "runs", "target"],
    rows: [
      ["save → new result served (watch on)", fmt(save.p50, 0), fmt(save.p99, 0), fmt(save.mean, 0), save.runs, `≤ 1000: ${saveT.verdict}`],
      ["fresh process: require → start() resolved, cached build", fmt(start.p50, 1), fmt(start.p99, 1), fmt(start.mean, 1), start.runs, `≤ 150: ${startT.verdict}`],
    ],
    figures: { saveToServing: save, cachedStart: start, saveToServingTarget: saveT, cachedStartTarget: startT },
    notes: notCached ? [`${notCached} of ${starts.length} cold starts did not report a cached build`] : [],
  };
}
