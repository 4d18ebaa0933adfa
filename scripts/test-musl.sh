#!/usr/bin/env bash
# The musl addon, built here and run under a musl Node (scripts/install-musl-node.sh): the Node tests that exercise
# the addon's whole surface — loading, calls, streaming handlers, the lifecycle, types, config and process errors, the
# example app. (The rest — CLI, hardening, deployment — exercise the same addon code and the sidecar, which is the
# same static Go binary on either libc.) Usage: bash scripts/test-musl.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-musl.sh
NODE=$(bash scripts/install-musl-node.sh)
echo "musl node: $NODE ($("$NODE" --version))"
"$NODE" --test --test-concurrency=1 __test__/platform.test.mjs __test__/calls.test.mjs __test__/handler.test.mjs \
  __test__/lifecycle.test.mjs __test__/types.test.mjs __test__/process.test.mjs __test__/example.test.mjs
