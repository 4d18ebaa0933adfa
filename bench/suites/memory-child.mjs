// Child process of the memory suite: runs processLargeDataset over `n` records once, either in pure JS or through
// Forst, and tells the parent (which samples RSS) the Go sidecar's pid. argv: mode n [projectDir] [dataFile].
// Modes: "js" and "forst" start from JS objects; "js-text" and "forst-raw" start from the JSON text an HTTP body would
// carry (read from dataFile) and end with JSON text, as an Express route does: JSON.parse → process → JSON.stringify
// in Node, or processLargeDataset.raw(text) straight through the sidecar.
import fs from "node:fs";
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
  if (mode === "js-text" || mode === "forst-raw") {
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
  process.send({ done: true, length, hwm });
}

main().catch((err) => process.send({ error: errorText(err) }));
