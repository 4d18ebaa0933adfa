#!/usr/bin/env bash
# The release targets this Linux machine cannot run, checked as far as it can: the crate compiles, with clippy
# -D warnings (all targets, tests included), for macOS (x86_64-apple-darwin) and Windows (x86_64-pc-windows-msvc), and
# the Go server template passes go vet with GOOS=darwin and GOOS=windows. Nothing is linked or run: running is the
# release workflow's job (.github/workflows/release.yml). lint.sh runs this (~40 s warm).
#
# The one C dependency: pest's stack guard (psm, stacker: it keeps a deeply nested .ft file from overflowing the
# stack) compiles an assembly file, and on Windows a C file including <windows.h>, with the target's C compiler.
# Debian's clang assembles both (macOS: Mach-O; Windows: COFF with the MinGW headers, whose <windows.h> clang cannot
# read in MSVC mode, hence the windows-gnu --target for that one C file). The objects are only archived, never
# linked, so a check here proves the Rust side and says nothing about the C toolchains of the real runners.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(x86_64-apple-darwin x86_64-pc-windows-msvc)

install_apt() { # <package>
  echo "check-platforms: apt-get install $1"
  [ "$(id -u)" = 0 ] || { echo "check-platforms: $1 is missing and this is not root: apt-get install $1" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}
command -v clang >/dev/null || install_apt clang
command -v llvm-ar >/dev/null || install_apt llvm
[ -f /usr/share/mingw-w64/include/windows.h ] || install_apt mingw-w64-x86-64-dev

installed=$(rustup target list --installed)
for t in "${TARGETS[@]}"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done

export CC_x86_64_apple_darwin=clang AR_x86_64_apple_darwin=llvm-ar
export CC_x86_64_pc_windows_msvc=clang AR_x86_64_pc_windows_msvc=llvm-ar
export CFLAGS_x86_64_pc_windows_msvc=--target=x86_64-w64-windows-gnu

for t in "${TARGETS[@]}"; do
  echo "== cargo clippy --target $t --all-targets -- -D warnings"
  cargo clippy --quiet --target "$t" --all-targets -- -D warnings 2>&1
done

for os in darwin windows; do
  echo "== GOOS=$os go vet (runtime/go, runtime/gocheck)"
  (cd runtime/go && GOOS=$os go vet -tags forsttest ./...)
  (cd runtime/gocheck && GOOS=$os go vet ./...)
done
