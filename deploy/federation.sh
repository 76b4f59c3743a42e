#!/usr/bin/env bash
# A local 3-node udi-ledger federation on loopback ports (issue 4, deploy/README.md).
#
#   deploy/federation.sh start DIR            create (first time) and start 3 nodes
#   deploy/federation.sh stop DIR             SIGTERM every node, wait for it
#   deploy/federation.sh status DIR           per node: pid, URL, logs held, alarms
#   deploy/federation.sh start-node DIR I [ARG...]  (re)start node I (1..3) with its peers and
#                                             extra ledger-node arguments (e.g. --recover-from URL)
#   deploy/federation.sh stop-node DIR I [SIG]  stop node I (default TERM; KILL for a crash)
#
# Environment: UDI_BIN (directory of ledger-node and ledgerctl; default build/bin of this
# checkout), FEDERATION_BASE_PORT (first port tried; default 7811), FEDERATION_PREFIX (node
# names are PREFIX/node1..3; default federation.example).
#
# Layout of DIR (written on the first start, reused afterwards):
#   federation.env                 NODES, NAMEi, PORTi, URLi (source it from a shell)
#   nodeI/data/                    the node's data dir (node.key, witness.key, admin.token, log)
#   nodeI/participant.key          a manufacturer key registered in node I's log
#   nodeI/writer.token             a writer token of node I bound to that participant
#   nodeI/peers/nodeJ.token        the reader token node J issued to node I (for pulling)
#   nodeI/node.log, nodeI/pid      the running node's output and process id
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "federation.sh: $*" >&2; exit 1; }

CMD=${1:-}
DIR=${2:-}
[[ -n "$CMD" && -n "$DIR" ]] || usage
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${UDI_BIN:-$HERE/../build/bin}
NODES=3
GLN=0614141000005

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Loads or creates DIR/federation.env.
load_env() {
  if [[ -f "$DIR/federation.env" ]]; then
    # shellcheck disable=SC1091
    source "$DIR/federation.env"
    return
  fi
  local prefix=${FEDERATION_PREFIX:-federation.example} port=${FEDERATION_BASE_PORT:-7811}
  mkdir -p "$DIR"
  {
    echo "NODES=$NODES"
    for i in $(seq 1 $NODES); do
      while port_in_use "$port"; do port=$((port + 1)); done
      echo "NAME$i=$prefix/node$i"
      echo "PORT$i=$port"
      echo "URL$i=http://127.0.0.1:$port"
      port=$((port + 1))
    done
  } >"$DIR/federation.env"
  # shellcheck disable=SC1091
  source "$DIR/federation.env"
}

var() { local name="$1$2"; echo "${!name}"; }

running() {
  local pidfile="$DIR/node$1/pid"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# Waits (bounded: 30 s) until node I answers /healthz.
wait_healthy() {
  local url; url=$(var URL "$1")
  for _ in $(seq 1 600); do
    curl -sf --max-time 1 "$url/healthz" >/dev/null 2>&1 && return 0
    running "$1" || die "node$1 exited; see $DIR/node$1/node.log"
    sleep 0.05
  done
  die "node$1 did not answer $url/healthz within 30 s"
}

# Starts node I; with "alone", without peers (used while provisioning); further arguments go
# to ledger-node.
launch() {
  local i=$1 mode=${2:-} args=()
  shift 2 || shift $#
  running "$i" && die "node$i already runs (pid $(cat "$DIR/node$i/pid"))"
  args=(--data "$DIR/node$i/data" --listen "127.0.0.1:$(var PORT "$i")" --name "$(var NAME "$i")")
  if [[ "$mode" != alone ]]; then
    for j in $(seq 1 $NODES); do
      [[ $j == "$i" ]] && continue
      args+=(--peer "$(var URL "$j")" --peer-token-file "$DIR/node$i/peers/node$j.token")
    done
  fi
  args+=("$@")
  "$BIN/ledger-node" "${args[@]}" >>"$DIR/node$i/node.log" 2>&1 &
  echo $! >"$DIR/node$i/pid"
  wait_healthy "$i"
}

halt() {
  local i=$1 sig=${2:-TERM} pid
  running "$i" || { rm -f "$DIR/node$i/pid"; return 0; }
  pid=$(cat "$DIR/node$i/pid")
  kill "-$sig" "$pid"
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$DIR/node$i/pid"; return 0; }
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$DIR/node$i/pid"
}

ctl() { "$BIN/ledgerctl" "$@"; }
token_of() { sed -n 's/.*"token": *"\([^"]*\)".*/\1/p'; }

# First start: keys, participants and tokens, with every node running alone.
provision() {
  for i in $(seq 1 $NODES); do
    mkdir -p "$DIR/node$i/data" "$DIR/node$i/peers"
    launch "$i" alone
  done
  for i in $(seq 1 $NODES); do
    local url admin vkey keyid
    url=$(var URL "$i")
    admin=$(cat "$DIR/node$i/data/admin.token")
    vkey=$(ctl keygen "$(var NAME "$i")-maker" --out "$DIR/node$i/participant.key")
    ctl participant add --node "$url" --token "$admin" --gln "$GLN" \
      --name "$(var NAME "$i")-maker" --role manufacturer --verifier-key "$vkey" >/dev/null
    keyid=$(echo "$vkey" | cut -d+ -f1-2)
    ctl token create --node "$url" --token "$admin" --role writer --participant "$keyid" |
      token_of >"$DIR/node$i/writer.token"
    for j in $(seq 1 $NODES); do
      [[ $j == "$i" ]] && continue
      ctl token create --node "$url" --token "$admin" --role reader | token_of >"$DIR/node$j/peers/node$i.token"
    done
  done
  chmod 600 "$DIR"/node*/writer.token "$DIR"/node*/peers/*.token
  for i in $(seq 1 $NODES); do halt "$i"; done
}

case "$CMD" in
  start)
    load_env
    [[ -x "$BIN/ledger-node" && -x "$BIN/ledgerctl" ]] || die "no ledger-node/ledgerctl in $BIN (set UDI_BIN)"
    [[ -f "$DIR/node1/writer.token" ]] || provision
    for i in $(seq 1 $NODES); do launch "$i" peers; done
    for i in $(seq 1 $NODES); do echo "node$i $(var NAME "$i") $(var URL "$i") pid $(cat "$DIR/node$i/pid")"; done
    ;;
  stop)
    [[ -f "$DIR/federation.env" ]] || die "$DIR: no federation here"
    load_env
    for i in $(seq 1 $NODES); do halt "$i"; done
    ;;
  start-node)
    load_env
    [[ ${3:-} =~ ^[1-3]$ ]] || usage
    mkdir -p "$DIR/node$3/data"
    launch "$3" peers "${@:4}"
    ;;
  stop-node)
    load_env
    [[ ${3:-} =~ ^[1-3]$ ]] || usage
    halt "$3" "${4:-TERM}"
    ;;
  status)
    [[ -f "$DIR/federation.env" ]] || die "$DIR: no federation here"
    load_env
    for i in $(seq 1 $NODES); do
      url=$(var URL "$i")
      if running "$i"; then
        logs=$(curl -sf --max-time 2 "$url/v1/logs" | tr -d '\n' |
          grep -o '"origin":"[^"]*"[^}]*"size":[0-9]*' | sed 's/"origin":"\([^"]*\)".*"size":\([0-9]*\)/\1=\2/' | tr '\n' ' ' || true)
        alarms=$(curl -sf --max-time 2 "$url/v1/alarms" | grep -o '"origin"' | wc -l || true)
        echo "node$i $(var NAME "$i") $url pid $(cat "$DIR/node$i/pid") logs: ${logs:-?} alarms: $alarms"
      else
        echo "node$i $(var NAME "$i") $url stopped"
      fi
    done
    ;;
  *) usage ;;
esac
