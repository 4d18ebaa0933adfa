// Peak memory of processLargeDataset: pure Node vs Node + the Go sidecar. Each variant runs in its own child Node
// process (memory-child.mjs) so peaks cannot mix; the parent samples VmRSS of the child and of its Go sidecar every
// 10 ms and keeps the largest sum.
import fs from "node:fs";
import path from "node:path";
import { fork } from "node:child_process";
import { BENCH_DIR, makeProject, makeRecords, procStatusBytes, median, targetFigure, fmt } from "../lib.mjs";
import { BENCH_FT } from "./routes-impl.mjs";

const MiB = 2 ** 20;

/** A streaming result of `n` items of about 100 bytes of JSON each. */
const STREAM_FT = `import "iter"

type StreamItem struct {
  N    Int    \`json:"n"\`
  Text String \`json:"text"\`
}

// streamItems yields n items of about a hundred bytes of JSON each.
func streamItems(n Int): iter.Seq[StreamItem] {
  return func(yield func(StreamItem) bool) {
    for i := 0; i < n; i++ {
      if !yield(StreamItem{N: i, Text: "an item of the stream, padded to about a hundred bytes of JSON each........"}) {
        return
      }
    }
  }
}
`;

function measure(mode, n, projectDir, dataFile) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(BENCH_DIR, "suites", "memory-child.mjs"), [mode, String(n), projectDir || "", dataFile || ""], {
      stdio: "inherit",
    });
    let goPid = null;
    let peak = 0;
    let final = null;
    const sample = () => {
      const rss = procStatusBytes(child.pid) + (goPid ? procStatusBytes(goPid) : 0);
      if (rss > peak) peak = rss;
    };
    const timer = setInterval(sample, 10);
    child.on("message", (m) => {
      if (m.goPid) goPid = m.goPid;
      if (m.error) final = { error: m.error };
      if (m.done) final = m;
      if (m.done || m.error) {
        sample();
        child.kill("SIGTERM");
      }
    });
    child.once("exit", () => {
      clearInterval(timer);
      if (!final || final.error) return reject(new Error(`memory ${mode}: ${final ? final.error : "child exited without a result"}`));
      if (final.length !== n) return reject(new Error(`memory ${mode}: ${final.length} results for ${n} records`));
      resolve({ peak, hwm: final.hwm, growth: final.growth });
    });
  });
}

export async function run({ quick }) {
  const n = quick ? 100_000 : 1_000_000;
  const runs = quick ? 1 : 3;
  const projectDir = makeProject("memory", { "forst/routes/stream.ft": STREAM_FT, "forst/routes/bench.ft": BENCH_FT }, { copyExample: true });
  // The request body of the text variants, written once (the parent's memory is not sampled).
  const dataFile = path.join(projectDir, "dataset.json");
  fs.writeFileSync(dataFile, JSON.stringify(makeRecords(n, 4)));
  const js = [];
  const forst = [];
  const jsText = [];
  const forstRaw = [];
  const jsRoute = [];
  const forstHandler = [];
  const forstHandlerLoop = [];
  const streamGrowth = [];
  // Alternate the variants so that page-cache or allocator drift does not favour one.
  for (let r = 0; r < runs; r++) {
    js.push(await measure("js", n));
    forst.push(await measure("forst", n, projectDir));
    jsText.push(await measure("js-text", n, projectDir, dataFile));
    forstRaw.push(await measure("forst-raw", n, projectDir, dataFile));
    jsRoute.push(await measure("js-route", n, projectDir, dataFile));
    forstHandler.push(await measure("forst-handler", n, projectDir, dataFile));
    forstHandlerLoop.push(await measure("forst-handler-loop", n, projectDir, dataFile));
    streamGrowth.push(await measure("forst-stream", n, projectDir));
  }
  const fig = (xs) => ({ p50: median(xs.map((x) => x.peak)) / MiB, p99: Math.max(...xs.map((x) => x.peak)) / MiB,
    mean: xs.reduce((a, x) => a + x.peak, 0) / xs.length / MiB, runs: xs.length, count: xs.length, unit: "MiB" });
  const jsF = fig(js);
  const fF = fig(forst);
  const ratio = targetFigure("peak RSS Forst/JS", fF.p50 / jsF.p50, "<=", 0.5);
  const jsTextF = fig(jsText);
  const rawF = fig(forstRaw);
  const rawRatio = targetFigure("peak RSS Forst raw / JS, from and to JSON text", rawF.p50 / jsTextF.p50, "<=", 0.5);
  const jsRouteF = fig(jsRoute);
  const handlerF = fig(forstHandler);
  const handlerRatio = targetFigure("peak RSS of the route: Node + Go with fn.handler() / pure Node", handlerF.p50 / jsRouteF.p50, "<=", 0.5);
  // Not the RFC's code (no goroutine per record): no target, it shows what the data path itself holds.
  const handlerLoopF = fig(forstHandlerLoop);
  const handlerLoopRatio = { value: handlerLoopF.p50 / jsRouteF.p50, unit: "ratio" };
  // The child reports how far Node's own RSS rose above its level before the iteration.
  const growth = median(streamGrowth.map((x) => x.growth)) / MiB;
  const growthTarget = targetFigure(`Node RSS growth consuming ${n} streamed items`, growth, "<=", 100, "MiB");
  const last = forst[forst.length - 1].hwm;
  return {
    title: `Memory: processLargeDataset, ${n.toLocaleString("en-US")} records (peak RSS, MiB, median of ${runs})`,
    headers: ["variant", "peak RSS (MiB)", "Forst/JS", "target ≤ 0.5"],
    rows: [
      ["pure Node, from JS objects", fmt(jsF.p50, 1), "", ""],
      ["Node + Go sidecar, from JS objects", fmt(fF.p50, 1), fmt(ratio.value), ratio.verdict],
      ["pure Node, JSON text in and out (parse, process, stringify)", fmt(jsTextF.p50, 1), "", ""],
      ["Node + Go sidecar, JSON text in and out (.raw)", fmt(rawF.p50, 1), fmt(rawRatio.value), rawRatio.verdict],
      ["the route in pure Node: Express, express.json(), the JS function, res.json()", fmt(jsRouteF.p50, 1), "", ""],
      ["the route as processLargeDataset.handler(): Node + Go", fmt(handlerF.p50, 1), fmt(handlerRatio.value), handlerRatio.verdict],
      ["the same route written as a loop (processLargeDatasetLoop, no goroutine per record), .handler(): Node + Go", fmt(handlerLoopF.p50, 1), fmt(handlerLoopRatio.value), "—"],
      [`a streaming result of ${n.toLocaleString("en-US")} items consumed with for await: Node's RSS growth`, fmt(growth, 1), "", `≤ 100 MiB: ${growthTarget.verdict}`],
    ],
    figures: {
      js: jsF, forst: fF, forstOverJs: ratio, jsText: jsTextF, forstRaw: rawF, forstRawOverJsText: rawRatio,
      jsRoute: jsRouteF, forstHandler: handlerF, forstHandlerOverJsRoute: handlerRatio,
      forstHandlerLoop: handlerLoopF, forstHandlerLoopOverJsRoute: handlerLoopRatio, streamGrowth: growthTarget,
    },
    notes: [`kernel VmHWM of the last Forst run: Node ${fmt(last.node / MiB, 1)} MiB, Go ${fmt(last.go / MiB, 1)} MiB; ` +
      `pure Node ${fmt(js[js.length - 1].hwm.node / MiB, 1)} MiB`,
      ...[["fn.handler()", forstHandler], ["fn.handler(), the loop", forstHandlerLoop]].map(([what, xs]) => {
        const { node, go } = xs[xs.length - 1].hwm;
        return `kernel VmHWM of the last ${what} run: Node ${fmt(node / MiB, 1)} MiB, Go ${fmt(go / MiB, 1)} MiB`;
      })],
  };
}
