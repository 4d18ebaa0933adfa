#!/usr/bin/env bash
# Builds the addon for x86_64-unknown-linux-musl (Alpine and other musl systems) on a glibc Linux machine:
# forst-sidecar.linux-x64-musl.node beside the gnu one; binding.js (napi's loader) picks it under a musl Node.
# Needs the Rust target (rustup) and musl-gcc (Debian's musl-tools) as the linker; installs both when missing.
# The addon links musl's libc dynamically (napi-rs' -crt-static for musl targets), as Node on Alpine expects.
# Usage: bash scripts/build-musl.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-musl
if ! rustup target list --installed | grep -qx "$TARGET"; then
  echo "build-musl: rustup target add $TARGET"
  rustup target add "$TARGET"
fi
if ! command -v musl-gcc >/dev/null; then
  echo "build-musl: apt-get install musl-tools"
  [ "$(id -u)" = 0 ] || { echo "build-musl: musl-gcc is missing and this is not root: apt-get install musl-tools" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends musl-tools >/dev/null
fi
# Rust's unwinder links libgcc_s dynamically on musl (Alpine's libgcc package provides it at run time). Debian has no
# musl build of it to link against, but only its soname and symbol versions matter at link time: a private directory
# holds the system's libgcc_s as the link-time stand-in, and the linker is musl-gcc looking there too.
LINK="$PWD/target/musl-link"
mkdir -p "$LINK"
ln -sf "$(gcc -print-file-name=libgcc_s.so.1)" "$LINK/libgcc_s.so"
printf '#!/bin/sh\nexec musl-gcc -L"%s" "$@"\n' "$LINK" >"$LINK/cc"
chmod +x "$LINK/cc"
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER="$LINK/cc"
# --no-js: binding.js (written by the gnu build) already chooses between the two at run time.
npx napi build --platform --target "$TARGET" --no-js --dts binding.d.ts "$@"
