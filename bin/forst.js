#!/usr/bin/env node
// The `forst` command: the arguments are parsed (clap) and run inside the native addon; this file only loads the
// project's forst.config.* and handles signals: Ctrl-C during a build kills `go build` (its whole process group) and
// exits 130; `forst dev` keeps Node alive until Ctrl-C, then stops the sidecar and exits 0.
"use strict";
const core = require("../lib/core.js");

let binding;
let serving = false;
let interrupted = false;

async function onSignal(signal) {
  interrupted = true;
  if (binding) {
    binding.cancelBuilds();
    await binding.stop().catch(() => {});
  }
  process.exit(serving ? 0 : signal === "SIGINT" ? 130 : 143);
}

async function main() {
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  binding = core.native();
  const root = core.findProjectRoot(process.cwd());
  const options = await core.projectOptionsFor(root);
  const { exitCode, keepAlive } = await binding.cli(process.argv.slice(2), options);
  if (interrupted) return; // onSignal exits, with the signal's code
  if (!keepAlive) process.exit(exitCode);
  // `forst dev`: the sidecar lives in the addon, which does not hold the event loop; hold it here until a signal.
  serving = true;
  setInterval(() => {}, 1 << 30);
}

main().catch((err) => {
  console.error("forst: " + (err && err.message));
  process.exit(1);
});
