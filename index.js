// @forst/sidecar — the public CommonJS entry. Hand-written and thin: the API lives in lib/core.js, the native addon in
// binding.js (written by `napi build`), and the project's typed functions in generated/ (written by `forst generate`,
// `start()` and on require below).
"use strict";

const core = require("./lib/core.js");

const api = {
  ForstError: core.ForstError,
  start: core.start,
  stop: core.stop,
  status: core.status,
  metrics: core.metrics,
  invoke: core.invoke,
  generate: core.generateSync,
};

// Zero config for CommonJS: compiling takes milliseconds, so regenerate here when the project changed; then
// `require("@forst/sidecar").processData` is the current function even if nobody ran `forst generate`. Problems are
// not thrown here (a require must not fail for a typo in a .ft file): start() reports them with code frames.
if (!process.env.FORST_NO_GENERATE) {
  try {
    core.generateSync();
  } catch {}
}
let generated = {};
try {
  generated = require("./generated/index.js");
} catch (err) {
  if (!err || err.code !== "MODULE_NOT_FOUND") throw err;
}
// The package's own names win: an endpoint called `start` stays reachable as invoke("start").
module.exports = Object.assign({}, generated, api);
