// @forst/sidecar — the public ES module entry. Named imports of generated functions resolve against generated/index.mjs,
// written by `npx forst generate`, by the postinstall step when a forst/ directory exists, and by every start().
import core from "./lib/core.js";

export const { ForstError, start, stop, status, metrics, invoke } = core;
export const generate = core.generateSync;
export * from "./generated/index.mjs";
