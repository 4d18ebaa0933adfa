// `npm run demo`: start the app, call each route once, print the results, stop everything and exit 0.
import type { AddressInfo } from "node:net";
import { stop, status } from "@forst/sidecar";
import { createApp } from "./app.js";

const server = createApp().listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function call(method: string, path: string, body?: unknown, expected = 200) {
  const started = performance.now();
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  const ms = (performance.now() - started).toFixed(1);
  console.log(`${method} ${path} → ${res.status} (${ms} ms)\n  ${JSON.stringify(json)}`);
  if (res.status !== expected) throw new Error(`${path} answered ${res.status}, expected ${expected}`);
  return json;
}

const records = [
  { id: "1", data: "alpha" },
  { id: "2", data: "beta" },
  { id: "3", data: "gamma" },
];
try {
  await call("GET", "/health");
  await call("POST", "/process-data", { records });
  await call("GET", "/search?queries=ap,gr,bl");
  await call("POST", "/calculate", { numbers: [1, 2, 2] });
  await call("POST", "/process-large-dataset", records);
  // Bad input is an answer, not a crash: 400 with the error envelope, and the app keeps serving.
  await call("POST", "/calculate", { numbers: "many" }, 400);
  await call("GET", "/health");
  const s = status();
  console.log(`sidecar: ${s.url} pid ${s.pid}, build ${s.build?.cached ? "cached" : "fresh"} (go build ${s.build?.buildMs.toFixed(0)} ms)`);
} finally {
  server.close();
  await stop();
}
