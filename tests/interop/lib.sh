# shellcheck shell=bash
# Shared helpers for the interoperability tests; sourced by each script.
#
# Every script gets a private temporary directory ($KZ_TMP) holding HOME,
# XDG_CACHE_HOME, XDG_CONFIG_HOME, an empty KZP11_CONF and the key folders it
# makes, so nothing from the user's own keys, configuration or certificate
# cache is seen.  Exit status: 0 passed, 1 failed, 77 skipped.
#
# Paths (set by the Makefile; defaults suit a run by hand from the source tree):
#   KZP11_MODULE       the module to test             (.libs/kzp11.so)
#   KZP11_MKCONTAINER  the container generator        (tests/fixtures/kzp11-mkcontainer)
#   KZP11_TESTKEYS     real NCA test containers       (../shared/nca-testkeys, optional)
# Others:
#   KZP11_DEBUG=0..3   module log level (stderr, kept in the logs shown on failure)
#   KZP11_KEEP_TMP=1   keep the temporary directory for a look afterwards
#   KZP11_INTEROP_STRICT=1  a missing program fails the test instead of skipping it

set -eu

KZ_PASSWORD=Qwerty12
KZ_TIMEOUT=${KZ_TIMEOUT:-30}
KZ_PASSED=0
KZ_PIDS=
KZ_TMP=

KZ_INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KZ_TOP=$(cd "$KZ_INTEROP_DIR/../.." && pwd)
: "${KZP11_MODULE:=$KZ_TOP/.libs/kzp11.so}"
: "${KZP11_MKCONTAINER:=$KZ_TOP/tests/fixtures/kzp11-mkcontainer}"
if [ -z "${KZP11_TESTKEYS:-}" ] && [ -d "$KZ_TOP/../shared/nca-testkeys" ]; then
	KZP11_TESTKEYS=$(cd "$KZ_TOP/../shared/nca-testkeys" && pwd)
fi
: "${KZP11_TESTKEYS:=}"
export KZP11_MODULE KZP11_MKCONTAINER KZP11_TESTKEYS

KZ_NAME=$(basename "$0" .sh)

# ---- results ----

ok() {
	KZ_PASSED=$((KZ_PASSED + 1))
	echo "ok - $*"
}

# fail "what went wrong" [log files to show...]
fail() {
	local msg=$1 f
	shift
	# Inside $(...) stdout is captured: say it on stderr as well.
	[ "$BASH_SUBSHELL" -eq 0 ] || echo "not ok - $msg" >&2
	echo "not ok - $msg"
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "# --- $(basename "$f")"
		sed 's/^/# /' "$f" | head -n 60
	done
	echo "$KZ_PASSED passed, 1 failed"
	exit 1
}

skip() {
	echo "SKIP: $KZ_NAME: $*"
	exit 77
}

finish() {
	echo "$KZ_PASSED passed, 0 failed"
	exit 0
}

# require_cmd CMD...: skips when a program is missing (fails instead with
# KZP11_INTEROP_STRICT=1, for CI machines that are meant to have them all).
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "'$c' is not installed"
		skip "'$c' is not installed (needed for this test)"
	done
}

# ---- running things ----

# run CMD...: runs a command bounded by $KZ_TIMEOUT, output in $KZ_OUT / $KZ_ERR.
# (Shell functions such as p11 bound themselves.)
run() {
	if [ "$(type -t "$1")" = function ]; then
		"$@" >"$KZ_OUT" 2>"$KZ_ERR"
	else
		timeout "$KZ_TIMEOUT" "$@" >"$KZ_OUT" 2>"$KZ_ERR"
	fi
}

# must "check" CMD...: the command must succeed, else the check fails with its output.
must() {
	local what=$1
	shift
	if run "$@"; then
		return 0
	else
		fail "$what (exit $?: $*)" "$KZ_OUT" "$KZ_ERR"
	fi
}

# must_not "check" CMD...: the command must fail (a timeout counts as a failure of the check).
must_not() {
	local what=$1 rc
	shift
	if run "$@"; then
		fail "$what: succeeded but should not have ($*)" "$KZ_OUT" "$KZ_ERR"
	else
		rc=$?
		[ "$rc" -ne 124 ] || fail "$what: timed out ($*)" "$KZ_OUT" "$KZ_ERR"
	fi
}

# has FILE PATTERN / has_not FILE PATTERN: fixed-string search in a file.
has() { grep -qF -- "$2" "$1"; }
has_not() { ! grep -qF -- "$2" "$1"; }

p11() {
	timeout "$KZ_TIMEOUT" pkcs11-tool --module "$KZP11_MODULE" "$@"
}

# Lists the module's tokens, one per line:
# "slot-id<TAB>token label<TAB>slot description<TAB>serial number".
p11_tokens() {
	timeout "$KZ_TIMEOUT" pkcs11-tool --module "$KZP11_MODULE" -L 2>/dev/null | awk '
		function flush() { if (slot != "") print slot "\t" label "\t" desc "\t" serial }
		/^Slot [0-9]+ \(0x[0-9a-fA-F]+\): / {
			flush()
			slot = $3; gsub(/[():]/, "", slot)
			desc = $0; sub(/^[^:]*: /, "", desc)
			label = ""; serial = ""
		}
		/^  token label *: / { label = $0; sub(/^  token label *: /, "", label) }
		/^  serial num *: / { serial = $0; sub(/^  serial num *: /, "", serial) }
		END { flush() }'
}

# The line of p11_tokens for the key whose ID starts with ID8 (a container's
# token serial number is its key ID's first 8 bytes in hex; the label reads
# like the key, "Тестов Т. AUTH 2026-11-30", and does not contain the ID).
token_line() {
	p11_tokens | awk -F '\t' -v id="$1" 'substr($4, 1, length(id)) == id && $2 != ""'
}
slot_of() { token_line "$1" | cut -f1; }
label_of() { token_line "$1" | cut -f2; }

# Percent-encodes every byte, for RFC 7512 URIs.
pct() {
	printf %s "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g'
}

# ---- containers and certificates ----

# mkcontainer [generator options] OUTDIR: prints the path of the new container.
mkcontainer() {
	"$KZP11_MKCONTAINER" "$@" 2>"$KZ_TMP/mkcontainer.err" ||
		fail "kzp11-mkcontainer $* did not work" "$KZ_TMP/mkcontainer.err"
}

# The key ID an NCA container is named after (AUTH_RSA256_<ski>.p12).
ski_of() {
	local b
	b=$(basename "$1")
	b=${b%.*}
	echo "${b##*_}"
}

# cert_of_p12 P12 OUT.pem: the certificate inside a container, read by openssl.
cert_of_p12() {
	openssl pkcs12 -legacy -in "$1" -passin "pass:$KZ_PASSWORD" -nokeys -clcerts 2>/dev/null |
		openssl x509 -out "$2" 2>/dev/null ||
		fail "openssl cannot read the certificate in $1"
}

# pubkey_of_cert CERT(PEM or DER) OUT.pem
pubkey_of_cert() {
	local form=PEM
	has "$1" "-----BEGIN" || form=DER
	openssl x509 -inform "$form" -in "$1" -noout -pubkey >"$2" ||
		fail "openssl cannot read the public key of $1"
}

# The day a certificate (PEM) expires, YYYY-MM-DD in UTC, as labels show it.
expiry_of() {
	date -u -d "$(openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//')" +%F ||
		fail "cannot read the expiry date of $1"
}

# The SHA-1 fingerprint of a certificate, lowercase hex.
fingerprint_of() {
	openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# ---- servers ----

# A TCP port on 127.0.0.1 nobody listens on now.
free_port() {
	local used port hex
	used=" $(awk 'FNR > 1 { split($2, a, ":"); printf "%s ", a[2] }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null || true)"
	while :; do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		hex=$(printf '%04X' "$port")
		case $used in *" $hex "*) continue ;; esac
		echo "$port"
		return
	done
}

# Remembers a background process to stop (by PID) at exit.
track_pid() { KZ_PIDS="$KZ_PIDS $1"; }

# A process that does not end within 10 s of SIGTERM (p11-kit server can hang
# in its exit handlers under the ASan runtime) is killed with its children.
stop_pid() {
	local _i
	kill "$1" 2>/dev/null || true
	for _i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		pkill -KILL -P "$1" 2>/dev/null || true
		kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
	KZ_PIDS=$(echo " $KZ_PIDS " | sed "s/ $1 / /")
}

# start_s_server LOG [s_server options...]: an "openssl s_server" on 127.0.0.1 and a
# free port; sets SERVER_PORT and SERVER_PID once it accepts connections.
start_s_server() {
	local log=$1 _try _i
	shift
	for _try in 1 2 3 4 5; do
		SERVER_PORT=$(free_port)
		timeout 120 openssl s_server -accept "127.0.0.1:$SERVER_PORT" "$@" \
			>"$log" 2>&1 </dev/null &
		SERVER_PID=$!
		track_pid "$SERVER_PID"
		for _i in $(seq 50); do
			if has "$log" ACCEPT; then
				return 0
			fi
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		stop_pid "$SERVER_PID"
		has "$log" "in use" || break
	done
	fail "openssl s_server did not start" "$log"
}

# ---- setup ----

kz_cleanup() {
	local rc=$? pid
	trap - EXIT
	for pid in $KZ_PIDS; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "$KZ_TMP" ] && [ -d "$KZ_TMP" ]; then
		if [ -n "${KZP11_KEEP_TMP:-}" ]; then
			echo "# kept $KZ_TMP" >&2
		else
			rm -rf "$KZ_TMP"
		fi
	fi
	exit "$rc"
}
trap kz_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

KZ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kzp11-$KZ_NAME.XXXXXX")
KZ_OUT=$KZ_TMP/cmd.out
KZ_ERR=$KZ_TMP/cmd.err
mkdir -p "$KZ_TMP/home" "$KZ_TMP/cache" "$KZ_TMP/config" "$KZ_TMP/keys"
: >"$KZ_TMP/kzp11.conf"
HOME=$KZ_TMP/home
XDG_CACHE_HOME=$KZ_TMP/cache
XDG_CONFIG_HOME=$KZ_TMP/config
KZP11_CONF=$KZ_TMP/kzp11.conf
KZP11_KEYS=$KZ_TMP/keys
export HOME XDG_CACHE_HOME XDG_CONFIG_HOME KZP11_CONF KZP11_KEYS
unset PKCS11_MODULE_PATH
# A module built with --enable-sanitizers needs the ASan runtime loaded
# first by every program that loads it: the programs below run through
# wrappers that preload it (not every program: pgrep, for one, hangs under
# ASan).  Leaks are looked for in our own programs only (the module suite).
if [ -n "${KZP11_SAN_PRELOAD:-}" ]; then
	mkdir -p "$KZ_TMP/sanbin"
	for _p in pkcs11-tool openssl certutil modutil pk12util tstclnt selfserv vfychain \
		p11-kit; do
		_real=$(command -v "$_p") || continue
		printf '#!/bin/sh\nLD_PRELOAD=%s${LD_PRELOAD:+:$LD_PRELOAD} ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} exec %s "$@"\n' \
			"$KZP11_SAN_PRELOAD" "$_real" >"$KZ_TMP/sanbin/$_p"
		chmod +x "$KZ_TMP/sanbin/$_p"
	done
	PATH=$KZ_TMP/sanbin:$PATH
fi
export LC_ALL=C.UTF-8

require_cmd timeout od awk openssl
[ -f "$KZP11_MODULE" ] || fail "no module at $KZP11_MODULE: build it first (make)"
[ -x "$KZP11_MKCONTAINER" ] ||
	fail "no container generator at $KZP11_MKCONTAINER: build it first (make)"
