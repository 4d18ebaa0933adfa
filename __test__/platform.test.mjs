// The addon napi's loader picks for this Node: glibc Node → forst-sidecar.linux-x64-gnu.node, musl Node (Alpine;
// scripts/test-musl.sh runs the Node tests under one) → forst-sidecar.linux-x64-musl.node, and a call works through it.
// The musl addon, when built, is checked as a file too: a shared object that needs musl's libc and not glibc's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { useFixture, loadPackage, packageDir } from "./helpers.mjs";

const musl = !process.report.getReport().header.glibcVersionRuntime;
const expected = `forst-sidecar.linux-${process.arch}-${musl ? "musl" : "gnu"}.node`;

test(`this ${musl ? "musl" : "glibc"} Node loads ${expected} and calls through it`, { skip: process.platform !== "linux" }, async () => {
  useFixture("app");
  const forst = loadPackage();
  try {
    assert.equal(await forst.add(2, 3), 5);
    const maps = readFileSync("/proc/self/maps", "utf8");
    const loaded = [...new Set(maps.split("\n").map((l) => l.split(/\s+/)[5]).filter((f) => f && f.endsWith(".node")))];
    assert.deepEqual(loaded.map((f) => path.basename(f)), [expected]);
  } finally {
    await forst.stop();
  }
});

const muslAddon = path.join(packageDir, "forst-sidecar.linux-x64-musl.node");
test("the musl addon is a shared object for musl: libc.musl, no glibc, napi's entry point", { skip: !existsSync(muslAddon) && "not built (npm run build:musl)" }, () => {
  const dynamic = execFileSync("readelf", ["-d", "-W", muslAddon], { encoding: "utf8" });
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  assert.ok(needed.some((n) => /^libc\.(musl-x86_64\.)?so/.test(n)), `needs musl's libc: ${needed.join(", ")}`);
  assert.ok(!needed.includes("libc.so.6"), `does not need glibc: ${needed.join(", ")}`);
  const symbols = execFileSync("readelf", ["--dyn-syms", "-W", muslAddon], { encoding: "utf8" });
  assert.match(symbols, /\bnapi_register_module_v1\b/);
  assert.doesNotMatch(symbols, /@GLIBC_/, "no glibc-versioned symbol");
});
