#!/usr/bin/env bash
# Certificates for a QLSTM cluster with TLS, made with the openssl command: a CA, one certificate
# per worker naming the addresses coordinators use for it, and a client certificate for the
# coordinator (mutual TLS).
#
#   deploy/make-certificates.sh DIR WORKER=NAMES... [--days N]
#   deploy/make-certificates.sh /etc/qlstm/tls qpu-a=DNS:qpu-a.lab,IP:10.0.0.11 qpu-b=DNS:qpu-b.lab
#
# NAMES is a subjectAltName list (DNS:host, IP:address, DNS:*.domain); a worker's certificate must
# name the host or IP that cluster.json gives for it. Writes DIR/ca.pem and DIR/ca.key (kept and
# reused when they exist), DIR/WORKER.pem and DIR/WORKER.key per worker, and
# DIR/coordinator.pem and DIR/coordinator.key. Keys are EC P-256, mode 600. Keep ca.key off the
# workers; ca.pem goes to every coordinator (tls.ca) and, for mutual TLS, to workers (--tls-ca).
set -euo pipefail

die() { echo "make-certificates: $*" >&2; exit 2; }

days=365
args=()
while (($#)); do
    case "$1" in
    --days) days="${2:?--days needs a number}"; shift 2 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
    esac
done
((${#args[@]} >= 2)) || die "give a directory and at least one WORKER=NAMES (see --help)"
[[ "$days" =~ ^[1-9][0-9]*$ ]] || die "--days must be a positive whole number, not '$days'"
command -v openssl >/dev/null || die "the openssl command is missing: install openssl"
dir="${args[0]}"
mkdir -p "$dir"
umask 077
key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)

if [[ ! -f "$dir/ca.pem" || ! -f "$dir/ca.key" ]]; then
    openssl req -x509 "${key[@]}" -days 3650 -subj "/CN=qlstm cluster CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
fi

# issue NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
issue() {
    openssl req -new "${key[@]}" -subj "$2" -keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
    printf '%b' "$3" >"$dir/$1.ext"
    openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
        -days "$days" -extfile "$dir/$1.ext" -out "$dir/$1.pem" 2>/dev/null
    rm -f "$dir/$1.csr" "$dir/$1.ext"
    echo "make-certificates: $dir/$1.pem ($2${3:+, $(head -n1 <<<"$(printf '%b' "$3")")})"
}

for entry in "${args[@]:1}"; do
    [[ "$entry" == *=* ]] || die "'$entry' is not WORKER=NAMES, such as qpu-a=DNS:qpu-a.lab,IP:10.0.0.11"
    name="${entry%%=*}"
    names="${entry#*=}"
    [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || die "worker name '$name' may hold only letters, digits, '.', '_' and '-'"
    [[ "$name" != coordinator && "$name" != ca ]] || die "'$name' is taken by the CA or the coordinator's files"
    issue "$name" "/CN=$name" "subjectAltName=$names\nextendedKeyUsage=serverAuth\n"
done
issue coordinator "/CN=qlstm coordinator" "extendedKeyUsage=clientAuth\n"
# Certificates and the CA certificate are public; keys stay private (mode 600 from the umask).
chmod 644 "$dir"/*.pem
