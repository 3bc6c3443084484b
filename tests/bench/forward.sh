#!/bin/bash
# `make bench` part: a SoftHSM2 token with an RSA-2048 key in a temporary
# folder, then kzp11-bench-forward (forwarded C_Sign ÷ SoftHSM2 direct).
# Usage: forward.sh BENCH_PROGRAM (KZP11_MODULE names kzp11.so).
set -eu
bench=$1
softhsm=
for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
	[ -e "$f" ] && softhsm=$f && break
done
if [ -z "$softhsm" ] || ! command -v pkcs11-tool >/dev/null; then
	echo "forwarding benchmark skipped: needs SoftHSM2 and pkcs11-tool (Debian: softhsm2, opensc)"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kzp11-bench-fwd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$tmp" \
	>"$tmp/softhsm2.conf"
export SOFTHSM2_CONF=$tmp/softhsm2.conf
p() { pkcs11-tool --module "$softhsm" "$@" >/dev/null 2>&1; }
p --init-token --slot-index 0 --label bench --so-pin 87654321
p --token-label bench --init-pin --so-pin 87654321 --pin 123456
p --token-label bench --login --pin 123456 --keypairgen --key-type rsa:2048 --id 01
KZP11_MODULES=$softhsm KZP11_KEYS=$tmp/none KZP11_CONF=/dev/null \
	"$bench" "$KZP11_MODULE" "$softhsm" bench 123456 01
