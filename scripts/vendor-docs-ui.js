#!/usr/bin/env node
// Copies the docs page's renderer into the package (npm runs this before packing): Swagger UI's self-contained
// bundle and style sheet, with its license, from the swagger-ui-dist dev dependency into assets/docs-ui/. The
// sidecar of `forst dev` serves them at /__forst/docs, so the page needs no CDN. About 1.9 MB of the package; the rest
// of swagger-ui-dist (source maps, other bundles, ~10 MB) stays out.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];
const root = path.resolve(__dirname, "..");
const from = path.dirname(require.resolve("swagger-ui-dist/package.json", { paths: [root] }));
const to = path.join(root, "assets", "docs-ui");
fs.mkdirSync(to, { recursive: true });
for (const f of FILES) {
  const src = path.join(from, f);
  if (fs.existsSync(src)) fs.copyFileSync(src, path.join(to, f));
  else if (!["LICENSE", "NOTICE"].includes(f)) throw new Error(`swagger-ui-dist has no ${f}: is it installed (npm ci)?`);
}
const { version } = require(path.join(from, "package.json"));
fs.writeFileSync(path.join(to, "VERSION"), `swagger-ui-dist ${version}\n`);
console.log(`vendor-docs-ui: swagger-ui-dist ${version} → ${path.relative(root, to)}`);
