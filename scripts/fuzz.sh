#!/usr/bin/env bash
# Builds every scanners/*_fuzz.cc as a libFuzzer target (clang, -fsanitize=fuzzer,address,
# undefined, UBSan made fatal) and runs each for a bounded time on a seed corpus made from
# scanners/testdata. Exits non-zero on any build failure, crash, property violation (the targets
# abort), leak or sanitizer report.
#
# usage: scripts/fuzz.sh [build-dir]     (default: build-fuzz at the repository root)
# env:   UDI_FUZZ_SECONDS  seconds per target (default 12)
#        UDI_FUZZ_JOBS     targets built/run at the same time (default 2)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/build-fuzz}" && cd "${1:-$ROOT/build-fuzz}" && pwd)"
SECONDS_PER_TARGET="${UDI_FUZZ_SECONDS:-12}"
JOBS="${UDI_FUZZ_JOBS:-2}"
CXX="${CXX_FUZZ:-clang++}"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="ccache"

CXXFLAGS=(-std=c++20 -O1 -gline-tables-only -fno-omit-frame-pointer -I"$ROOT" -I"$ROOT/ledger/include"
          -I"$ROOT/scanners/include" -fsanitize=address,undefined -fno-sanitize-recover=all)

# The library sources the targets need: scanners and the ledger parts it depends on.
mapfile -t SOURCES < <(ls "$ROOT"/scanners/*.cc "$ROOT"/ledger/gs1/*.cc "$ROOT"/ledger/base/*.cc |
                       grep -Ev '(_test|_main|_fuzz)\.cc$')
mkdir -p "$OUT/obj"
compile() {  # source -> object, with the fuzzer's coverage instrumentation
  local src="$1" obj="$OUT/obj/$(echo "$1" | sed "s|$ROOT/||; s|/|_|g").o"
  $LAUNCHER "$CXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
}
export -f compile
export OUT ROOT CXX LAUNCHER
export CXXFLAGS_STR="${CXXFLAGS[*]}"
echo "fuzz: compiling ${#SOURCES[@]} library sources into $OUT/obj"
printf '%s\n' "${SOURCES[@]}" |
  xargs -P "$JOBS" -I{} bash -c 'CXXFLAGS=($CXXFLAGS_STR); compile "$1"' _ {}

echo "fuzz: compiled in ${SECONDS}s"

# Seed corpora: the first column of the vector files, one file per line (\xHH decoded).
seed() {  # target vector-file...
  local dir="$OUT/corpus/$1" n=0
  shift
  rm -rf "$dir" && mkdir -p "$dir"
  for file in "$@"; do
    while IFS= read -r line; do
      case "$line" in '#'*|'') continue ;; esac
      line="${line%%|*}"
      line="$(echo -n "$line" | sed 's/[[:space:]]*$//')"
      printf '%b' "$line" > "$dir/seed$((n++))"
    done < "$ROOT/scanners/testdata/$file"
  done
}
seed gs1_element_string_fuzz scan_vectors.txt
seed hibc_fuzz hibc_valid.txt hibc_invalid.txt
seed epc_binary_fuzz epc_valid.txt epc_invalid.txt epc_encode_invalid.txt
seed scan_fuzz scan_vectors.txt hibc_valid.txt
# The element-string target sees data after the symbology identifier, so add stripped copies.
for f in "$OUT"/corpus/gs1_element_string_fuzz/seed*; do
  head -c 3 "$f" | grep -q '^\]' && tail -c +4 "$f" > "$f.stripped" || true
done
# The EPC target also encodes tag URIs.
n=0
grep -v '^#' "$ROOT/scanners/testdata/epc_valid.txt" | awk -F' [|] ' 'NF>4 {print $5}' |
  while IFS= read -r uri; do printf '%s' "$uri" > "$OUT/corpus/epc_binary_fuzz/uri$((n++))"; done

run_target() {  # target: link, then fuzz for SECONDS_PER_TARGET
  local name="$1" bin="$OUT/$1"
  CXXFLAGS=($CXXFLAGS_STR)
  $LAUNCHER "$CXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer -c "$ROOT/scanners/$name.cc" -o "$bin.o"
  "$CXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer "$bin.o" "$OUT"/obj/*.o -lsodium -o "$bin"
  mkdir -p "$OUT/artifacts/$name"
  echo "fuzz: running $name for ${SECONDS_PER_TARGET}s"
  if ! "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$name/" \
       "$OUT/corpus/$name" > "$OUT/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; last lines of $OUT/$name.log:" >&2
    tail -n 40 "$OUT/$name.log" >&2
    return 1
  fi
  if grep -qE 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$OUT/$name.log"; then
    echo "fuzz: $name reported a sanitizer error; see $OUT/$name.log" >&2
    return 1
  fi
  grep -E '^stat::number_of_executed_units' "$OUT/$name.log" | sed "s/^/fuzz: $name /"
}
export -f run_target
export SECONDS_PER_TARGET

mapfile -t TARGETS < <(cd "$ROOT/scanners" && ls *_fuzz.cc | sed 's/\.cc$//')
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_target "$1"' _ {}
echo "fuzz: all ${#TARGETS[@]} targets ran without a finding (${SECONDS}s in all)"
