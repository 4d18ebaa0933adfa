#!/usr/bin/env bash
# Runs every test: Rust unit + golden + fuzz-smoke tests, the Go server template's tests, and the Node tests against
# the real sidecar. Builds the native addon first. Usage: npm test
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --all-targets 2>&1

echo "== go test (server template and prelude)"
(cd runtime/go && go vet -tags forsttest ./... && go test -tags forsttest -count=1 ./...)
echo "== go test (the type-checking helper, runtime/gocheck)"
(cd runtime/gocheck && go vet ./... && go test -count=1 ./...)

echo "== napi build"
npm run --silent build:debug

echo "== tools for the deployment tests (promtool, prometheus, podman, kubeconform, Kubernetes schemas)"
export FORST_TEST_TOOLS="${FORST_TEST_TOOLS:-$HOME/.cache/forst-test-tools}"
bash scripts/install-test-tools.sh

echo "== node tests (against the real sidecar)"
node --test --test-concurrency=1 __test__/

echo "== the musl addon under a musl Node (scripts/test-musl.sh)"
bash scripts/test-musl.sh

echo "== the example Express app: typecheck against the generated types, then run its demo"
(
  cd examples/express-app
  [ -d node_modules ] || npm ci --no-audit --no-fund
  npm run --silent typecheck
  npm run --silent demo
)
