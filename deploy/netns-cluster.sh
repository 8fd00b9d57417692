#!/usr/bin/env bash
# A real multi-host QLSTM cluster on one Linux machine: every worker and the coordinator run in
# their own network namespace (own IP stack, address, routes and firewall state), wired to one
# bridge like hosts on a switch, optionally with netem latency on every link. Nothing is added to
# the machine's own network namespace; everything is removed on exit, even after Ctrl-C.
#
#   sudo deploy/netns-cluster.sh [--workers N] [--slots S] [--delay-ms D] [--kill-one SECONDS]
#                                [--out DIR] [-- TRAIN-OPTIONS...]
#
# Default run: 3 workers of 1 slot, no added latency, the paper's distributed QLSTM
# (qlstm train --n-qubits 3 --partitions 2 --epochs 10). With --kill-one S the first worker is
# SIGKILLed S seconds into training: the run must finish on the others with the same weights.
# Every link is mutual TLS 1.3 (certificates made for the run by deploy/make-certificates.sh)
# with a shared secret bound to it.
# Needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN), iproute2, openssl, and a release build
# (swift build -c release --product qlstm), or QLSTM=/path/to/qlstm.
set -euo pipefail

workers=3
slots=1
delay_ms=0
kill_after=""
out=""
train_options=(--n-qubits 3 --partitions 2 --epochs 10)

die() { echo "netns-cluster: $*" >&2; exit 2; }

while (($#)); do
    case "$1" in
    --workers) workers="${2:?--workers needs a number}"; shift 2 ;;
    --slots) slots="${2:?--slots needs a number}"; shift 2 ;;
    --delay-ms) delay_ms="${2:?--delay-ms needs milliseconds}"; shift 2 ;;
    --kill-one) kill_after="${2:?--kill-one needs seconds}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --) shift; train_options=("$@"); break ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done
[[ "$workers" =~ ^[1-9][0-9]?$ ]] && ((workers <= 50)) || die "--workers must be 1 to 50, not '$workers'"
[[ "$slots" =~ ^[1-9][0-9]*$ ]] || die "--slots must be a positive whole number, not '$slots'"
[[ "$delay_ms" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--delay-ms must be a number of milliseconds, not '$delay_ms'"
[[ -z "$kill_after" || "$kill_after" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--kill-one must be seconds, not '$kill_after'"
((EUID == 0)) || die "network namespaces need root: run it with sudo"
command -v ip >/dev/null || die "'ip' (iproute2) is missing: install iproute2"
command -v openssl >/dev/null || die "'openssl' is missing: install openssl"
if [[ "$delay_ms" != 0 ]]; then command -v tc >/dev/null || die "--delay-ms needs 'tc' (iproute2)"; fi

here="$(cd "$(dirname "$0")/.." && pwd)"
qlstm="${QLSTM:-$here/.build/release/qlstm}"
[[ -x "$qlstm" ]] || die "no qlstm binary at $qlstm: run 'swift build -c release --product qlstm' (or set QLSTM)"

tag="q$$"                      # interface and namespace names must be unique and short
work="$(mktemp -d /tmp/qlstm-netns.XXXXXX)"
out="${out:-$work/run}"
switch="$tag-sw"
namespaces=("$switch")
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The switch: a namespace holding only a bridge.
ip netns add "$switch"
ip -n "$switch" link add br0 type bridge
ip -n "$switch" link set br0 up

# A "host": a namespace with lo and eth0 (10.77.0.X/24) plugged into the bridge.
add_host() {
    local ns="$1" address="$2" port="$3"
    ip netns add "$ns"
    namespaces+=("$ns")
    ip -n "$switch" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$switch" link set "$port" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
    if [[ "$delay_ms" != 0 ]]; then
        ip netns exec "$ns" tc qdisc add dev eth0 root netem delay "${delay_ms}ms" 2>/dev/null ||
            die "this kernel cannot add latency (no sch_netem module): run without --delay-ms"
    fi
}

add_host "$tag-co" 10.77.0.2 "$tag-p0"

# The shared secret: workers refuse coordinators that cannot prove they hold it (and without
# one a worker would not listen beyond loopback).
"$qlstm" secret generate "$work/secret" >/dev/null

# TLS: a CA, a certificate per worker for its address, the coordinator's client certificate.
hosts=()
for ((i = 1; i <= workers; i++)); do hosts+=("host-$i=IP:10.77.0.$((10 + i))"); done
"$here/deploy/make-certificates.sh" "$work/tls" "${hosts[@]}" --days 2 >/dev/null

entries=()
for ((i = 1; i <= workers; i++)); do
    ns="$tag-w$i"
    address="10.77.0.$((10 + i))"
    add_host "$ns" "$address" "$tag-p$i"
    ip netns exec "$ns" "$qlstm" worker --listen "$address:7301" --slots "$slots" --name "host-$i" \
        --secret-file "$work/secret" --tls-cert "$work/tls/host-$i.pem" --tls-key "$work/tls/host-$i.key" \
        --tls-ca "$work/tls/ca.pem" >"$work/worker-$i.out" 2>"$work/worker-$i.log" &
    pids+=($!)
    disown $! # a worker killed on purpose (--kill-one) is not a job for bash to report
    entries+=("    { \"name\": \"host-$i\", \"address\": \"$address:7301\" }")
done
for ((i = 1; i <= workers; i++)); do
    for _ in $(seq 100); do grep -q "listening on" "$work/worker-$i.out" && break; sleep 0.1; done
    grep -q "listening on" "$work/worker-$i.out" || die "worker $i did not start: $(cat "$work/worker-$i.log")"
done

{
    echo '{'
    echo '  "version": 1,'
    echo '  "workers": ['
    (IFS=$'\n'; echo "${entries[*]}" | sed '$!s/$/,/')
    echo '  ],'
    echo '  "secret_file": "secret",'
    echo '  "tls": { "ca": "tls/ca.pem", "cert": "tls/coordinator.pem", "key": "tls/coordinator.key" }'
    echo '}'
} >"$work/cluster.json"

coordinator=(ip netns exec "$tag-co")
echo "netns-cluster: $workers workers of $slots slot(s) on 10.77.0.11-$((10 + workers)), coordinator on 10.77.0.2, mutual TLS, latency ${delay_ms} ms each way per link"
"${coordinator[@]}" "$qlstm" cluster status --cluster "$work/cluster.json"

if [[ -n "$kill_after" ]]; then
    (sleep "$kill_after" && kill -KILL "${pids[0]}" && echo "netns-cluster: SIGKILLed worker host-1 after ${kill_after} s") &
    pids+=($!)
fi
"${coordinator[@]}" "$qlstm" train "${train_options[@]}" --cluster "$work/cluster.json" --out "$out"
echo "netns-cluster: run directory $out (worker logs in $work)"
