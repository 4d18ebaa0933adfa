#!/usr/bin/env node
// The `forst` command: the arguments are parsed (clap) and run inside the native addon; this file only loads the
// project's forst.config.* and keeps Node alive for `forst dev`.
"use strict";
const core = require("../lib/core.js");

async function main() {
  const binding = require("../binding.js");
  const root = core.findProjectRoot(process.cwd());
  const options = await core.projectOptionsFor(root);
  const { exitCode, keepAlive } = await binding.cli(process.argv.slice(2), options);
  if (!keepAlive) process.exit(exitCode);
  // `forst dev`: the sidecar lives in the addon, which does not hold the event loop; hold it here until a signal.
  const timer = setInterval(() => {}, 1 << 30);
  const shutdown = async () => {
    clearInterval(timer);
    await binding.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((err) => {
  console.error("forst: " + (err && err.message));
  process.exit(1);
});
