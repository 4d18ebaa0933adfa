// Metrics and logs: the sidecar's GET /metrics passes `promtool check metrics` and its counters follow calls and
// errors; a real Prometheus scrapes it with the token as a bearer credential; the client's metrics() and
// metrics.prometheus() count what the app saw.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import path from "node:path";
import { useFixture, loadPackage, buildProject, runSidecar, runTool, freePort, waitFor } from "./helpers.mjs";

const dir = useFixture("app");
const forst = loadPackage();
after(() => forst.stop());

async function promtool(text) {
  const r = await runTool("promtool", ["check", "metrics"], { input: text }).catch((e) => {
    throw new Error(`promtool is required (scripts/install-test-tools.sh installs the Debian package prometheus): ${e.message}`);
  });
  assert.equal(r.code, 0, `promtool check metrics failed:\n${r.stdout}${r.stderr}\n--- exposition:\n${text}`);
  assert.equal((r.stdout + r.stderr).trim(), "", "promtool has no complaint (not even a lint warning)");
}

/** The value of one sample in an exposition, 0 when absent. */
function sample(text, line) {
  const found = text.split("\n").find((l) => l.startsWith(line + " "));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

test("the sidecar's /metrics passes promtool and its counters move with calls and errors", async () => {
  await forst.start();
  const before = await forst.metrics.sidecar();
  await promtool(before);
  await forst.add(1, 2);
  await forst.add(3, 4);
  await assert.rejects(forst.add("x", 1), { code: "invalid_input" });
  await assert.rejects(forst.crash("boom"), { code: "panic" });
  await forst.echo("x".repeat(1000));
  const now = await forst.metrics.sidecar();
  await promtool(now);
  const moved = (line) => sample(now, line) - sample(before, line);
  assert.equal(moved('forst_calls_total{function="add",code="ok"}'), 2);
  assert.equal(moved('forst_calls_total{function="add",code="invalid_input"}'), 1);
  assert.equal(moved('forst_calls_total{function="crash",code="panic"}'), 1);
  assert.equal(moved('forst_call_duration_seconds_count{function="add"}'), 3);
  assert.ok(moved('forst_request_bytes_total{function="echo"}') >= 1002);
  assert.ok(moved('forst_response_bytes_total{function="echo"}') >= 1002);
  assert.equal(sample(now, 'forst_calls_in_flight{function="add"}'), 0);
  assert.ok(sample(now, "go_goroutines") > 0 && sample(now, "go_memstats_heap_alloc_bytes") > 0);
  assert.match(now, /^go_gc_duration_seconds_count \d+$/m);
  assert.match(now, /^forst_build_info\{version="[^"]+",contract="c1-[0-9a-f]{16}",build_hash="[0-9a-f]{64}"\} 1$/m);
});

test("metrics() and metrics.prometheus(): the client's calls, errors by code, latency percentiles, restarts", async () => {
  const before = forst.metrics();
  await forst.add(1, 1);
  await assert.rejects(forst.add("x", 1), { code: "invalid_input" });
  await assert.rejects(forst.sleepFor(2000, { timeoutMs: 50 }), { code: "timeout" });
  const m = forst.metrics();
  assert.equal(m.calls - before.calls, 3);
  assert.equal(m.errors - before.errors, 2);
  assert.equal(m.errorsByCode.timeout - (before.errorsByCode.timeout ?? 0), 1, "a timeout never reached the sidecar's counters but is the client's");
  assert.equal(m.state, "ready");
  assert.equal(m.mode, "spawned");
  assert.equal(typeof m.restarts, "number");
  assert.equal(m.inFlight, 0);
  const { p50, p90, p99, max } = m.functions.add.latencyMs;
  assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, JSON.stringify(m.functions.add));
  assert.ok(m.functions.sleepFor.latencyMs.max >= 50);
  const text = forst.metrics.prometheus();
  await promtool(text);
  assert.match(text, /^forst_client_calls_total\{function="add",code="invalid_input"\} \d+$/m);
  assert.match(text, /^forst_client_calls_total\{function="sleepFor",code="timeout"\} 1$/m);
  assert.match(text, /^forst_client_sidecar_up 1$/m);
  // An app that already serves prom-client metrics appends ours and the sidecar's: still one valid exposition.
  await promtool(text + (await forst.metrics.sidecar()));
});

test("a real Prometheus scrapes the standalone sidecar with the token as bearer credential; --metrics-listen needs none", async () => {
  const built = await buildProject(dir);
  const work = mkdtempSync(path.join(tmpdir(), "forst-prometheus-"));
  const tokenFile = path.join(work, "token");
  writeFileSync(tokenFile, "scrape-me\n");
  const metricsPort = await freePort();
  const s = await runSidecar(built.binary, ["--listen", "127.0.0.1:0", "--token-file", tokenFile, "--metrics-listen", `127.0.0.1:${metricsPort}`]);
  let prometheus;
  try {
    const open = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(open.status, 200, "--metrics-listen serves /metrics without a token");
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/add`, { method: "POST", body: "[1,2]" })).status, 404, "and nothing else");
    for (let i = 0; i < 3; i++) {
      const r = await fetch(s.url + "/add", { method: "POST", headers: { "x-forst-token": "scrape-me", "content-type": "application/json" }, body: "[1,2]" });
      assert.equal(r.status, 200);
    }
    const port = await freePort();
    writeFileSync(
      path.join(work, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: forst
    scrape_interval: 1s
    authorization: { credentials_file: ${tokenFile} }
    static_configs: [{ targets: ["${s.address}"] }]
`
    );
    prometheus = spawn("prometheus", [
      `--config.file=${path.join(work, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(work, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    prometheus.stderr.on("data", (d) => (log += d));
    prometheus.on("error", (e) => (log += `\ncannot run prometheus (installed by scripts/install-test-tools.sh): ${e.message}`));
    const query = async (q) => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
        const body = await r.json();
        return body.data?.result?.[0]?.value?.[1];
      } catch {
        return undefined;
      }
    };
    const scraped = await waitFor(async () => (await query('forst_calls_total{function="add",code="ok"}')) === "3", { timeoutMs: 90000, intervalMs: 500 });
    assert.ok(scraped, `Prometheus did not scrape the sidecar within 90 s:\n${log.slice(-3000)}`);
    assert.equal(await query('up{job="forst"}'), "1");
    assert.ok(Number(await query("go_goroutines")) > 0);
  } finally {
    prometheus?.kill("SIGKILL");
    s.child.kill("SIGKILL");
  }
});
