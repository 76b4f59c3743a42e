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
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
