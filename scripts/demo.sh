#!/usr/bin/env bash
# The main job: build the addon, install the example Express app, and run its demo (calls every route once, prints the
# results, exits 0). Usage: npm run demo
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build:debug
cd examples/express-app
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent demo
