#!/usr/bin/env bash
# Installs what the deployment tests need, idempotently (each step is skipped when its tool is already there):
#   promtool + prometheus  Debian package `prometheus`  (/metrics exposition check, a real scrape)
#   podman                 Debian package `podman`      (builds the `forst build --container` image)
#   kubeconform            `go install`                 (validates deploy/kubernetes/ in strict mode)
#   Kubernetes JSON schemas  PyPI `kubernetes-validate`, data only, installed with --no-deps into the tools directory:
#                          kubeconform's default schema host is not a package registry, so the schemas come from
#                          there (__test__/deploy.test.mjs makes them self-contained for kubeconform).
#   chromium               Debian package `chromium` (headless: the docs page test, driven by playwright-core)
#   schemathesis           PyPI, in a virtual environment of its own (fuzzes the sidecar from its OpenAPI document)
# Tools land in $FORST_TEST_TOOLS (default ~/.cache/forst-test-tools). A tool that cannot be installed makes its tests
# fail loudly; only podman may be missing (the image build is then skipped with the reason printed).
set -euo pipefail
TOOLS="${FORST_TEST_TOOLS:-$HOME/.cache/forst-test-tools}"
mkdir -p "$TOOLS/bin"
KUBECONFORM_VERSION=v0.7.0
KUBERNETES_VALIDATE_VERSION=1.37.0
SCHEMATHESIS_VERSION=4.32.5

apt_updated=
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-tools: not root, cannot apt-get install $1" >&2
    return 1
  fi
  if [ -z "$apt_updated" ]; then
    apt-get update -qq || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  echo "install-test-tools: apt-get install prometheus"
  apt_install prometheus || echo "install-test-tools: FAILED to install prometheus: the metrics tests will fail" >&2
fi
if ! command -v podman >/dev/null; then
  echo "install-test-tools: apt-get install podman"
  apt_install podman || echo "install-test-tools: could not install podman: the image build test will be skipped" >&2
fi
if [ ! -x "$TOOLS/bin/kubeconform" ]; then
  echo "install-test-tools: go install kubeconform@$KUBECONFORM_VERSION"
  GOBIN="$TOOLS/bin" GOFLAGS= go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" ||
    echo "install-test-tools: FAILED to install kubeconform: the manifest tests will fail" >&2
fi
schemas="$TOOLS/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
if [ ! -d "$schemas/kubernetes_validate/kubernetes-json-schema" ]; then
  echo "install-test-tools: pip install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION (schemas only)"
  rm -rf "$schemas.tmp"
  if python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$schemas.tmp" \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"; then
    mv "$schemas.tmp" "$schemas"
  else
    echo "install-test-tools: FAILED to install the Kubernetes schemas: the manifest tests will fail" >&2
  fi
fi
if ! command -v chromium >/dev/null; then
  echo "install-test-tools: apt-get install chromium"
  apt_install chromium || echo "install-test-tools: FAILED to install chromium: the docs page test will fail" >&2
fi
venv="$TOOLS/schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "install-test-tools: pip install schemathesis==$SCHEMATHESIS_VERSION (virtual environment)"
  rm -rf "$venv.tmp"
  if python3 -m venv "$venv.tmp" &&
    "$venv.tmp/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; then
    rm -rf "$venv"
    mv "$venv.tmp" "$venv"
    # The venv's scripts name their interpreter by path: make them follow the move.
    sed -i "1s|$venv.tmp|$venv|" "$venv"/bin/*
  else
    echo "install-test-tools: FAILED to install schemathesis: the OpenAPI fuzz test will fail" >&2
  fi
fi
