#!/usr/bin/env bash
# Configures and builds udi-ledger into build/ (binaries in build/bin/). Extra args go to cmake --build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1  # ccache hits across checkouts in other folders
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
extra=()
[ "${CI:-}" = "true" ] && extra+=(-DUDI_WERROR=ON)
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${extra[@]}"
fi
cmake --build build "$@"
