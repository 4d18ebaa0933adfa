// Child process of the memory suite: runs processLargeDataset over `n` records once, either in pure JS or through
// Forst, and tells the parent (which samples RSS) the Go sidecar's pid. argv: mode n [projectDir] [dataFile].
// Modes: "js" and "forst" start from JS objects; "js-text" and "forst-raw" start from the JSON text an HTTP body would
// carry (read from dataFile) and end with JSON text, as an Express route does: JSON.parse → process → JSON.stringify
// in Node, or processLargeDataset.raw(text) straight through the sidecar. "js-route" and "forst-handler" are the
// route itself: an HTTP server (Express with express.json() and the JS function, or processLargeDataset.handler())
// that curl, in a process of its own, sends dataFile to. "forst-handler-loop" is that route with
// processLargeDatasetLoop (routes-impl.mjs: the same answer without a goroutine per record).
import fs from "node:fs";
import http from "node:http";
import { spawn } from "node:child_process";
import { js } from "./routes-impl.mjs";
import { makeRecords, loadForst, forstFn, procStatusBytes, errorText } from "../lib.mjs";

async function main() {
  const [mode, nText, projectDir, dataFile] = process.argv.slice(2);
  let forst = null;
  let goPid = null;
  if (mode.startsWith("forst")) {
    forst = loadForst(projectDir);
    const info = await forst.start();
    goPid = (info && info.pid) || forst.status().pid;
    process.send({ goPid });
  }
  let length;
  let growth;
  if (mode === "forst-stream") {
    // Node's own RSS while it consumes the stream: what a flat-memory streaming result means for the app.
    const before = procStatusBytes(process.pid);
    let peak = 0;
    length = 0;
    for await (const item of forstFn(forst, "streamItems")(Number(nText))) {
      if (item.n !== length) throw new Error(`item ${length} arrived as ${item.n}`);
      if (++length % 10000 === 0) peak = Math.max(peak, procStatusBytes(process.pid) - before);
    }
    growth = peak;
  } else if (mode === "js-route" || mode.startsWith("forst-handler")) {
    length = await serveOnce(mode, forst, dataFile);
  } else if (mode === "js-text" || mode === "forst-raw") {
    const body = fs.readFileSync(dataFile, "utf8");
    const answer = mode === "forst-raw"
      ? await forstFn(forst, "processLargeDataset").raw(body)
      : JSON.stringify(js.processLargeDataset(JSON.parse(body)));
    // Counting records by their "id" keys keeps the check cheap and parse-free.
    length = answer.split('"id":').length - 1;
  } else {
    const data = makeRecords(Number(nText), 4);
    const result = mode === "forst" ? await forstFn(forst, "processLargeDataset")(data) : js.processLargeDataset(data);
    length = result.length;
  }
  // Kernel-tracked peaks as a cross-check of the parent's 10 ms sampling.
  const hwm = { node: procStatusBytes(process.pid, "VmHWM"), go: goPid ? procStatusBytes(goPid, "VmHWM") : 0 };
  if (forst) await forst.stop();
  process.send({ done: true, length, hwm, growth });
}

/** Serves one POST of dataFile (sent by curl) and returns the number of records in the answer. */
async function serveOnce(mode, forst, dataFile) {
  const { default: express } = await import("express");
  const app = express();
  if (mode === "forst-handler") app.post("/run", forstFn(forst, "processLargeDataset").handler());
  else if (mode === "forst-handler-loop") app.post("/run", forstFn(forst, "processLargeDatasetLoop").handler());
  else app.post("/run", express.json({ limit: "1gb" }), (req, res) => res.json(js.processLargeDataset(req.body)));
  const server = http.createServer(app);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/run`;
  const curl = spawn("curl", ["-sS", "-X", "POST", "-H", "content-type: application/json", "--data-binary", "@" + dataFile, url]);
  let ids = 0;
  let tail = "";
  curl.stdout.on("data", (d) => {
    // Count records as the answer arrives, without holding it: a key split across chunks is joined by the tail.
    const text = tail + d.toString("latin1");
    ids += text.split('"id":').length - 1;
    tail = text.slice(-4);
    ids -= tail.split('"id":').length - 1;
  });
  let stderr = "";
  curl.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise((r) => curl.on("exit", r));
  ids += tail.split('"id":').length - 1;
  server.close();
  if (code !== 0) throw new Error(`curl failed (${code}): ${stderr}`);
  return ids;
}

main().catch((err) => process.send({ error: errorText(err) }));
