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
# napi's loader decides musl or glibc by reading /usr/bin/ldd (Alpine's is musl's script), and this machine's is
# glibc's: the tests run in a mount namespace where /usr/bin/ldd is musl's, as on Alpine, so the loader's own choice is
# what is tested. Without the rights for that (not root), the loader is pointed at the musl addon instead.
LDD="$(dirname "$(dirname "$(dirname "$NODE")")")/ldd"
if unshare --mount true 2>/dev/null; then
  run() { unshare --mount sh -c 'mount --bind "$0" /usr/bin/ldd && exec "$@"' "$LDD" "$@"; }
else
  echo "test-musl: no mount namespace here; NAPI_RS_NATIVE_LIBRARY_PATH points the loader at the musl addon"
  export NAPI_RS_NATIVE_LIBRARY_PATH="$PWD/forst-sidecar.linux-x64-musl.node"
  run() { "$@"; }
fi
run "$NODE" --test --test-concurrency=1 __test__/platform.test.mjs __test__/calls.test.mjs __test__/handler.test.mjs \
  __test__/lifecycle.test.mjs __test__/types.test.mjs __test__/process.test.mjs __test__/example.test.mjs
