// Compiler speed on a generated 10,000-line project: `forst check` (parse + Forst's checks + Go's type checker), and
// `forst build` cold (dist/ deleted) and cached (nothing changed). Timed as wall clock of the CLI, so Node's start and
// the addon's load are included; `node -e require(binding)` is timed too and subtracted for the compile-only estimate.
// `forst check` on the example app is timed warm (Go's checker built and its export-data index on disk), against the
// ≤ 300 ms target; the 10,000-line project's check against ≤ 1.5 s.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { PKG_DIR, EXAMPLE_FORST, mkTemp, summarize, targetFigure, fmt } from "../lib.mjs";

const TARGET_LINES = 10_000;
const CLI = path.join(PKG_DIR, "bin", "forst.js");

/** One module: a struct and two helpers in shared/, two endpoints in routes/ that use them. */
function module(i) {
  const shared = `package shared

import "strings"

// Item${i} is a record of module ${i}.
type Item${i} struct {
  ID    string   \`json:"id"\`
  Name  string   \`json:"name"\`
  Score float64  \`json:"score"\`
  Tags  []string \`json:"tags"\`
}

// normalize${i} trims and lowercases a name.
func normalize${i}(s string) string {
  return strings.ToLower(strings.TrimSpace(s))
}

// score${i} adds one point per tag letter.
func score${i}(it Item${i}) float64 {
  total := it.Score
  for _, t := range it.Tags {
    total += float64(len(t))
  }
  return total
}
`;
  const routes = `// Endpoints of module ${i}.
func listItems${i}(items []Item${i}) []Item${i} {
  out := make([]Item${i}, 0, len(items))
  for _, it := range items {
    it.Name = normalize${i}(it.Name)
    out = append(out, it)
  }
  return out
}

func totalScore${i}(items []Item${i}) map[string]interface{} {
  total := 0.0
  best := ""
  for _, it := range items {
    s := score${i}(it)
    total += s
    if s > 10 {
      best = it.ID
    }
  }
  return map[string]interface{}{"total": total, "best": best, "module": ${i}}
}
`;
  return { shared, routes };
}

function generateProject() {
  const dir = mkTemp("compiler");
  fs.mkdirSync(path.join(dir, "forst", "shared"), { recursive: true });
  fs.mkdirSync(path.join(dir, "forst", "routes"), { recursive: true });
  let lines = 0;
  let i = 0;
  for (; lines < TARGET_LINES; i++) {
    const m = module(i);
    fs.writeFileSync(path.join(dir, "forst", "shared", `mod${i}.ft`), m.shared);
    fs.writeFileSync(path.join(dir, "forst", "routes", `mod${i}.ft`), m.routes);
    lines += m.shared.split("\n").length - 1 + m.routes.split("\n").length - 1;
  }
  return { dir, lines, modules: i };
}

/** Wall-clock ms of one command; throws with its output when it fails. */
function timed(args, cwd) {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`\`node ${args.join(" ")}\` exited ${r.status}:\n${(r.stderr || r.stdout || "").slice(0, 1500)}`);
  return ms;
}

/** The front end in process (parse → check → emit Go + TS, no gofmt), from `cargo bench --bench frontend`. */
function frontEnd() {
  const r = spawnSync("cargo", ["bench", "--quiet", "--bench", "frontend"], { cwd: PKG_DIR, encoding: "utf8" });
  const line = (r.stdout || "").split("\n").find((l) => l.startsWith("FORST_BENCH "));
  if (r.status !== 0 || !line) throw new Error(`cargo bench --bench frontend failed:\n${(r.stderr || "").slice(-1500)}`);
  return JSON.parse(line.slice("FORST_BENCH ".length));
}

function repeat(n, fn) {
  return Array.from({ length: n }, fn);
}

export async function run({ quick }) {
  const { dir, lines, modules } = generateProject();
  const n = quick ? 5 : 15;
  const baselineArgs = ["-e", `require(${JSON.stringify(path.join(PKG_DIR, "binding.js"))})`];
  timed(baselineArgs, dir); // warm the page cache for node and the addon
  timed([CLI, "check"], dir);
  // Interleaved so both see the same machine state.
  const base = [];
  const check = [];
  for (let r = 0; r < n; r++) {
    base.push(timed(baselineArgs, dir));
    check.push(timed([CLI, "check"], dir));
  }
  // The example app: `forst check` warm (the first run above built Go's checker and its index, if needed).
  const example = mkTemp("compiler-example");
  fs.cpSync(EXAMPLE_FORST, path.join(example, "forst"), { recursive: true });
  timed([CLI, "check"], example);
  const exampleCheck = repeat(n, () => timed([CLI, "check"], example));
  const cold = repeat(quick ? 1 : 3, () => {
    fs.rmSync(path.join(dir, "dist"), { recursive: true, force: true });
    return timed([CLI, "build"], dir);
  });
  const cached = repeat(quick ? 3 : 5, () => timed([CLI, "build"], dir));

  const figures = {
    nodeAndAddonLoad: { ...summarize(base), runs: n },
    checkWall: { ...summarize(check), runs: n },
    buildCold: { ...summarize(cold), runs: cold.length },
    buildCached: { ...summarize(cached), runs: cached.length },
  };
  figures.exampleCheck = { ...summarize(exampleCheck), runs: n };
  figures.exampleCheckTarget = targetFigure("forst check on the example app, warm, p50", figures.exampleCheck.p50, "<=", 300, "ms");
  figures.checkTarget = targetFigure("forst check on 10k lines (with Go's type checker), p50", figures.checkWall.p50, "<=", 1500, "ms");
  const compileOnly = figures.checkWall.p50 - figures.nodeAndAddonLoad.p50;
  figures.checkCompileOnly = { value: compileOnly, unit: "ms", note: "forst check minus node+addon load, p50 (includes reading files and rendering)" };
  const fe = frontEnd();
  figures.frontEnd = { p50: fe.p50, p99: fe.p99, mean: fe.mean, runs: fe.runs, unit: "ms", lines: fe.lines, files: fe.files, cores: fe.cores };
  figures.frontEndOneThread = { ...fe.oneThread, runs: fe.runs, unit: "ms" };
  figures.frontEndTarget = targetFigure("front end on 10k lines, p50", fe.p50, "<", 50, "ms");
  figures.goTypes = { ...fe.goTypes, runs: fe.runs, unit: "ms" };
  const row = (name, f, target = "") => [name, fmt(f.p50, 1), fmt(f.p99, 1), fmt(f.mean, 1), f.runs, target];
  return {
    title: `Compiler: ${lines.toLocaleString("en-US")} lines in ${modules * 2} files, ${modules * 2} endpoints (ms)`,
    headers: ["step", "p50", "p99", "mean", "runs", "target"],
    rows: [
      row("node + addon load (baseline)", figures.nodeAndAddonLoad),
      row("forst check on the example app (wall, warm)", figures.exampleCheck, `≤ 300: ${figures.exampleCheckTarget.verdict}`),
      row("forst check (wall, with Go's type checker)", figures.checkWall, `≤ 1500: ${figures.checkTarget.verdict}`),
      ["forst check − baseline", fmt(compileOnly, 1), "", "", n, ""],
      [`front end in process, ${fe.lines.toLocaleString("en-US")} lines (${fe.cores} cores)`, fmt(fe.p50, 1), fmt(fe.p99, 1), fmt(fe.mean, 1), fe.runs, `< 50: ${figures.frontEndTarget.verdict}`],
      ["front end in process, one thread", fmt(fe.oneThread.p50, 1), fmt(fe.oneThread.p99, 1), fmt(fe.oneThread.mean, 1), fe.runs, ""],
      [`Go's type checker in process, warm (${fe.lines.toLocaleString("en-US")} lines; first check ${fmt(fe.goTypes.first, 0)} ms)`, fmt(fe.goTypes.p50, 1), fmt(fe.goTypes.p99, 1), "", fe.runs, ""],
      row("forst build, cold (dist/ deleted)", figures.buildCold),
      row("forst build, cached", figures.buildCached),
    ],
    figures,
    notes: [`project: ${dir}`],
  };
}
