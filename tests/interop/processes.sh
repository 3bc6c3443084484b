#!/bin/bash
# Eight processes signing at once with the same two containers, each
# signature checked by openssl:
#   - directly: every process is an OpenSC pkcs11-tool loading kzp11.so;
#   - remotely: the same through `p11-kit server` (one server on a unix
#     socket in a private folder; it starts a module process per client)
#     and p11-kit-client.so;
#   - socket activation: a p11-kit-remote per connection, started by
#     systemd-socket-activate as the user units in docs/remote.md do.
# Then OpenSC's own fork and thread tests (pkcs11-tool --test-fork and
# --test-threads) against a container.
#
# KZP11_PROCESS_SIGNS signatures per process (default 6).
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd pkcs11-tool p11-kit pkg-config

N_PROC=8
SIGNS=${KZP11_PROCESS_SIGNS:-6}
client=$(pkg-config --variable=p11_module_path p11-kit-1)/p11-kit-client.so
[ -f "$client" ] || {
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "no $client (package p11-kit-modules)"
	skip "no $client (package p11-kit-modules)"
}

auth=$(mkcontainer --kind auth --holder "PROC AUTH" --cert-out "$KZ_TMP/keys")
sign=$(mkcontainer --kind sign --holder "PROC SIGN" --cert-out "$KZ_TMP/keys")
pubkey_of_cert "${auth%.p12}.cer" "$KZ_TMP/auth.pub"
pubkey_of_cert "${sign%.p12}.cer" "$KZ_TMP/sign.pub"
auth_label=$(label_of "$(ski_of "$auth" | cut -c1-8)")
sign_label=$(label_of "$(ski_of "$sign" | cut -c1-8)")
[ -n "$auth_label" ] && [ -n "$sign_label" ] || fail "the two containers are not both listed"

# signer MODULE DIR INDEX: one process's signatures, messages and status in DIR.
signer() {
	local module=$1 dir=$2 i=$3 j label mech
	while [ ! -e "$dir/go" ]; do sleep 0.01; done
	for j in $(seq "$SIGNS"); do
		if [ $((i % 2)) -eq 0 ]; then label=$auth_label; else label=$sign_label; fi
		if [ $(((i + j) % 2)) -eq 0 ]; then mech=SHA256-RSA-PKCS; else mech=$second_mech; fi
		printf 'process %d signature %d with %s, %s\n' "$i" "$j" "$mech" "$RANDOM" \
			>"$dir/$i.$j.msg"
		echo "$i $j $mech $((i % 2))" >>"$dir/list"
		timeout "$KZ_TIMEOUT" pkcs11-tool --module "$module" --token-label "$label" \
			--login --pin "$KZ_PASSWORD" --sign -m "$mech" \
			-i "$dir/$i.$j.msg" -o "$dir/$i.$j.sig" >>"$dir/$i.log" 2>&1 ||
			{ echo "signature $j ($mech, $label) failed" >>"$dir/$i.log"; return 1; }
	done
}

# round NAME MODULE: starts N_PROC signers together, waits, verifies everything.
round() {
	local name=$1 module=$2 dir=$KZ_TMP/$1 i pid pids="" failed=0 t0 t1 n=0 pub
	local _i _j mech kind
	mkdir -p "$dir"
	for i in $(seq "$N_PROC"); do
		signer "$module" "$dir" "$i" &
		pids="$pids $!"
		track_pid "$!"
	done
	t0=$(date +%s.%N)
	: >"$dir/go"
	i=0
	for pid in $pids; do
		i=$((i + 1))
		wait "$pid" || { failed=$((failed + 1)); cat "$dir/$i.log" >>"$dir/failures"; }
		KZ_PIDS=$(echo " $KZ_PIDS " | sed "s/ $pid / /")
	done
	t1=$(date +%s.%N)
	[ "$failed" -eq 0 ] || fail "$name: $failed of $N_PROC processes failed" "$dir/failures"
	while read -r _i _j mech kind; do
		if [ "$kind" -eq 0 ]; then pub=$KZ_TMP/auth.pub; else pub=$KZ_TMP/sign.pub; fi
		opts=(-sha256 -sigopt rsa_padding_mode:pkcs1)
		[ "$mech" != SHA384-RSA-PKCS ] || opts=(-sha384 -sigopt rsa_padding_mode:pkcs1)
		[ "$mech" != SHA256-RSA-PKCS-PSS ] || opts=(-sha256 -sigopt rsa_padding_mode:pss
			-sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256)
		openssl dgst -verify "$pub" "${opts[@]}" -signature "$dir/$_i.$_j.sig" \
			"$dir/$_i.$_j.msg" >"$KZ_OUT" 2>&1 ||
			fail "$name: process $_i signature $_j ($mech) does not verify" "$KZ_OUT"
		n=$((n + 1))
	done <"$dir/list"
	[ "$n" -eq $((N_PROC * SIGNS)) ] || fail "$name: $n signatures, expected $((N_PROC * SIGNS))"
	ok "$name: $N_PROC processes at once, $n signatures verified by openssl, no failure ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
}

second_mech=SHA256-RSA-PKCS-PSS
round direct "$KZP11_MODULE"

# ---- through p11-kit server ----

run_dir=$KZ_TMP/run
mkdir -m 700 "$run_dir"
XDG_RUNTIME_DIR=$run_dir
export XDG_RUNTIME_DIR
timeout 300 p11-kit server --foreground --provider "$KZP11_MODULE" \
	--name "$run_dir/kzp11.sock" "pkcs11:" >"$KZ_TMP/server.out" 2>"$KZ_TMP/server.err" &
server=$!
track_pid "$server"
for _ in $(seq 100); do
	[ -S "$run_dir/kzp11.sock" ] && has "$KZ_TMP/server.out" P11_KIT_SERVER_ADDRESS && break
	kill -0 "$server" 2>/dev/null || fail "p11-kit server exited" "$KZ_TMP/server.out" "$KZ_TMP/server.err"
	sleep 0.1
done
P11_KIT_SERVER_ADDRESS=$(sed -n 's/^P11_KIT_SERVER_ADDRESS=\([^;]*\);.*/\1/p' "$KZ_TMP/server.out")
[ "$P11_KIT_SERVER_ADDRESS" = "unix:path=$run_dir/kzp11.sock" ] ||
	fail "p11-kit server did not print its address" "$KZ_TMP/server.out" "$KZ_TMP/server.err"
export P11_KIT_SERVER_ADDRESS
ok "p11-kit server serves kzp11.so at $P11_KIT_SERVER_ADDRESS"

must "pkcs11-tool -L through p11-kit-client.so" \
	timeout "$KZ_TIMEOUT" pkcs11-tool --module "$client" -L
has "$KZ_OUT" "$auth_label" && has "$KZ_OUT" "$sign_label" ||
	fail "the client does not see both tokens" "$KZ_OUT"
ok "the client lists both containers' tokens"

# p11-kit 0.24's protocol carries no PSS parameters (CKR_MECHANISM_INVALID
# from the client): PKCS#1 v1.5 with two hashes.
second_mech=SHA384-RSA-PKCS
round "p11-kit server" "$client"
stop_pid "$server"

# ---- socket activation: one p11-kit-remote per connection ----

# What the systemd user units in docs/remote.md do (a socket with Accept=yes
# starting p11-kit-remote on each connection), run by systemd's own helper.
remote=/usr/libexec/p11-kit/p11-kit-remote
if command -v systemd-socket-activate >/dev/null 2>&1 && [ -x "$remote" ]; then
	sock=$run_dir/activated.sock
	# It passes on only the environment it is told to (as systemd does).
	pass_env=()
	for v in HOME XDG_CACHE_HOME XDG_CONFIG_HOME KZP11_CONF KZP11_KEYS UBSAN_OPTIONS; do
		[ -z "${!v:-}" ] || pass_env+=(-E "$v=${!v}")
	done
	# A sanitizer build: p11-kit-remote needs the runtime like the wrapped programs.
	[ -z "${KZP11_SAN_PRELOAD:-}" ] ||
		pass_env+=(-E "LD_PRELOAD=$KZP11_SAN_PRELOAD" -E ASAN_OPTIONS=detect_leaks=0)
	timeout 300 systemd-socket-activate --listen="$sock" --accept --inetd "${pass_env[@]}" \
		"$remote" --provider "$KZP11_MODULE" "pkcs11:" >"$KZ_TMP/activate.log" 2>&1 &
	activator=$!
	track_pid "$activator"
	for _ in $(seq 100); do
		[ -S "$sock" ] && break
		kill -0 "$activator" 2>/dev/null || fail "systemd-socket-activate exited" "$KZ_TMP/activate.log"
		sleep 0.1
	done
	P11_KIT_SERVER_ADDRESS=unix:path=$sock
	export P11_KIT_SERVER_ADDRESS
	round "socket activation" "$client"
	stop_pid "$activator"
else
	[ -z "${KZP11_INTEROP_STRICT:-}" ] ||
		fail "systemd-socket-activate (package systemd) or $remote is missing"
	echo "# skipped the socket-activation round: no systemd-socket-activate or $remote"
fi
unset P11_KIT_SERVER_ADDRESS

# ---- OpenSC's fork and thread tests ----

slot=$(slot_of "$(ski_of "$auth" | cut -c1-8)")
must "pkcs11-tool --test-fork" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" --test-fork
has "$KZ_OUT" "C_Initialize in forked child" && has_not "$KZ_ERR" "error" ||
	fail "pkcs11-tool --test-fork reports a failure" "$KZ_OUT" "$KZ_ERR"
ok "pkcs11-tool --test-fork: the child initialises the module again and works"

# OpenSC 0.23's thread commands: IN C_Initialize(NULL), IL the same with
# CKF_OS_LOCKING_OK, GI C_GetInfo, SL C_GetSlotList, Tn C_GetTokenInfo of slot
# index n.  Meanwhile the main thread logs in and runs pkcs11-tool's self test
# (signatures, decryption, digests).  Threads still running when the main
# thread ends cost a 30-second wait in pkcs11-tool, hence the longer bound.
KZ_TIMEOUT=90 must "pkcs11-tool --test-threads" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" \
	--test-threads ILGISLT0 --test-threads INGISLT0GI --test-threads INSLT0GIT0 \
	--test-threads ILSLT0GI --test
has "$KZ_ERR" "all threads have ended with CKR_OK" && has_not "$KZ_ERR" "some errors" &&
	has "$KZ_OUT" "No errors" ||
	fail "pkcs11-tool --test-threads reports a failure" "$KZ_OUT" "$KZ_ERR"
ok "pkcs11-tool --test-threads: four threads initialise and read the token during --test"

finish
