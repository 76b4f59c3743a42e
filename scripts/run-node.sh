#!/usr/bin/env bash
# One command: installs what is missing, builds, and starts ledger-node on its embedded LevelDB
# default (data in ./data, listening on 127.0.0.1:7800). Extra arguments go to ledger-node.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1  # ccache hits across checkouts in other folders
scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build build --target ledger-node ledgerctl
exec build/bin/ledger-node --data ./data --listen 127.0.0.1:7800 "$@"
