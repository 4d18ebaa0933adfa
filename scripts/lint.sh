#!/usr/bin/env bash
# The habits, enforced: Rust formatting and clippy, gofmt and go vet on the Go server template. CI (.ci/run) runs this
# before the tests; run it yourself before a commit. Generated Go is checked by the golden tests (gofmt + go vet).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings 2>&1

echo "== gofmt -l, go vet (runtime/go)"
unformatted=$(gofmt -l runtime/go runtime/gocheck bench/floor)
if [ -n "$unformatted" ]; then
  echo "gofmt would reformat:" >&2
  echo "$unformatted" >&2
  exit 1
fi
(cd runtime/go && go vet -tags forsttest ./...)
(cd runtime/gocheck && go vet ./...)

echo "== macOS and Windows: clippy and go vet (scripts/check-platforms.sh)"
bash scripts/check-platforms.sh
