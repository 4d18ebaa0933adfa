// Runs after `npm install`: makes sure generated/ exists (ES module imports need the file), then generates the
// project's functions when the installing project has a forst/ directory. Never fails the install.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const pkg = path.resolve(__dirname, "..");
const generated = path.join(pkg, "generated");
fs.mkdirSync(generated, { recursive: true });
for (const name of ["index.js", "index.mjs", "index.d.ts"]) {
  const target = path.join(generated, name);
  if (!fs.existsSync(target)) fs.copyFileSync(path.join(pkg, "stub", name), target);
}
const projectDir = process.env.INIT_CWD || process.cwd();
if (fs.existsSync(path.join(projectDir, "forst"))) {
  try {
    const { functions, dir } = require("../lib/core.js").generateSync(projectDir);
    console.log(`@forst/sidecar: generated ${functions.length} function(s) from ${path.join(projectDir, "forst")} into ${dir}`);
  } catch (err) {
    console.warn(`@forst/sidecar: could not generate functions yet (${err.message.split("\n")[0]}); run \`npx forst generate\` later`);
  }
}
