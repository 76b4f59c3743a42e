#!/usr/bin/env bash
# Installs the Debian 12 packages udi-ledger needs to build and test, and only those missing.
# Idempotent. Runs as root directly, or as a user through sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git
  libboost-dev libboost-system-dev
  libleveldb-dev libsnappy-dev libsodium-dev nlohmann-json3-dev libzstd-dev zstd libgtest-dev
  clang libclang-rt-14-dev
  python3 curl procps
  dpkg-dev file systemd  # the package test (tests/ops): dpkg-shlibdeps, systemd-analyze verify
  chromium fonts-dejavu-core  # the regulator console's end-to-end tests (tests/console)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm drive Chromium in tests/console; a Node.js that is already there (e.g. one that
# bundles npm) is kept.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The console tests' npm packages, exactly as pinned in package-lock.json; again only when the lock
# file changed since the last install. Without them only the console tests fail (ctest -L console).
console_tests="$(cd "$(dirname "$0")/.." && pwd)/tests/console"
stamp="$console_tests/node_modules/.udi-installed-package-lock.json"
if [ -f "$console_tests/package-lock.json" ] && ! cmp -s "$console_tests/package-lock.json" "$stamp"; then
  if (cd "$console_tests" && npm ci --no-audit --no-fund --loglevel=error); then
    cp "$console_tests/package-lock.json" "$stamp"
  else
    echo "install-deps: npm ci in tests/console failed; the console tests will fail" >&2
  fi
fi
