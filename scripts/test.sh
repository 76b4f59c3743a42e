#!/usr/bin/env bash
# One command: installs what is missing, builds everything and runs every test (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1  # ccache hits across checkouts in other folders
scripts/install-deps.sh
if [ ! -f build/build.ninja ] || ! grep -q 'UDI_WERROR:BOOL=ON' build/CMakeCache.txt 2>/dev/null; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUDI_WERROR=ON
fi
cmake --build build
cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600
