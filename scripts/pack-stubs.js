// `npm pack` / `npm publish`: the tarball ships generated/ as the placeholders in stub/ (never the functions this
// checkout generated for its tests), so that an install with --ignore-scripts still has generated/ and an ES module
// import says to run `npx forst generate` instead of ERR_MODULE_NOT_FOUND. `prepack` sets the checkout's generated/
// aside and `postpack` puts it back. Usage: node scripts/pack-stubs.js prepack|postpack
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const pkg = path.resolve(__dirname, "..");
const generated = path.join(pkg, "generated");
const aside = path.join(pkg, ".generated-before-pack");
const STUBS = ["index.js", "index.mjs", "index.d.ts"];

if (process.argv[2] === "prepack") {
  if (!fs.existsSync(aside) && fs.existsSync(generated)) fs.renameSync(generated, aside);
  fs.rmSync(generated, { recursive: true, force: true });
  fs.mkdirSync(generated);
  for (const name of STUBS) fs.copyFileSync(path.join(pkg, "stub", name), path.join(generated, name));
} else if (process.argv[2] === "postpack") {
  if (fs.existsSync(aside)) {
    fs.rmSync(generated, { recursive: true, force: true });
    fs.renameSync(aside, generated);
  }
} else {
  console.error("usage: node scripts/pack-stubs.js prepack|postpack");
  process.exit(2);
}
