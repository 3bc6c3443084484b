#!/bin/bash
# Forwarding to a real vendor module: SoftHSM2 stands in for a hardware
# token's PKCS#11 module.  Its token and RSA key are made with pkcs11-tool on
# SoftHSM2 directly; then, through kzp11 (KZP11_MODULES), pkcs11-tool lists
# the container and the SoftHSM2 token together, signs with the SoftHSM2 key
# (checked by openssl against the public key read from SoftHSM2 directly)
# and sees the same objects and mechanisms as SoftHSM2 itself; libp11's
# engine signs through kzp11 by pkcs11: URI; a configured module that p11-kit
# already loads is not shown twice through p11-kit-proxy.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd pkcs11-tool cmp

softhsm=
for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
	/usr/local/lib/softhsm/libsofthsm2.so; do
	[ -e "$f" ] && softhsm=$f && break
done
if [ -z "$softhsm" ]; then
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "SoftHSM2 is not installed"
	skip "SoftHSM2 is not installed (Debian: softhsm2)"
fi

# SoftHSM2 with its own configuration and token folder.
mkdir -p "$KZ_TMP/softhsm"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$KZ_TMP/softhsm" >"$KZ_TMP/softhsm2.conf"
SOFTHSM2_CONF=$KZ_TMP/softhsm2.conf
export SOFTHSM2_CONF
unset KZP11_MODULES

PIN=123456
SO_PIN=87654321
sh11() { timeout "$KZ_TIMEOUT" pkcs11-tool --module "$softhsm" "$@"; }

must "init the SoftHSM2 token" sh11 --init-token --slot-index 0 --label fwd-token --so-pin "$SO_PIN"
must "set its user PIN" sh11 --token-label fwd-token --init-pin --so-pin "$SO_PIN" --pin "$PIN"
must "RSA-2048 key pair on SoftHSM2" sh11 --token-label fwd-token --login --pin "$PIN" \
	--keypairgen --key-type rsa:2048 --id 4b5a --label fwd-key
must "public key read from SoftHSM2" sh11 --token-label fwd-token --read-object --type pubkey \
	--id 4b5a -o "$KZ_TMP/pub.der"
must "openssl reads the public key" openssl pkey -pubin -inform DER -in "$KZ_TMP/pub.der" \
	-out "$KZ_TMP/pub.pem"
ok "SoftHSM2 token with an RSA-2048 key, made with pkcs11-tool on SoftHSM2 directly"

# A container too, so both kinds of slot show.
auth=$(mkcontainer --kind auth --cert-out "$KZ_TMP/keys")
auth_id=$(ski_of "$auth")

KZP11_MODULES=$softhsm
export KZP11_MODULES
must "pkcs11-tool -L through kzp11" p11 -L
has "$KZ_OUT" "fwd-token" || fail "the SoftHSM2 token is not listed" "$KZ_OUT" "$KZ_ERR"
[ -n "$(token_line "${auth_id:0:8}")" ] || fail "the container is not listed" "$KZ_OUT"
# Container slots first, then forwarded ones (their IDs have the top bit set).
# (SoftHSM2's spare uninitialised slot has an empty label: left out.)
p11_tokens | awk -F '\t' '$2 != ""' >"$KZ_TMP/tokens"
[ "$(tail -n 1 "$KZ_TMP/tokens" | cut -f2)" = fwd-token ] ||
	fail "the forwarded token is not after the container" "$KZ_TMP/tokens"
fwd_slot=$(tail -n 1 "$KZ_TMP/tokens" | cut -f1)
case $fwd_slot in
0x[89a-fA-F]???????????????) ;;
*) fail "forwarded slot $fwd_slot has no tag bit" "$KZ_TMP/tokens" ;;
esac
ok "pkcs11-tool -L: the container and the SoftHSM2 token (slot $fwd_slot) through one module"

msg=$KZ_TMP/message.txt
printf 'Қазақстан: signed on a forwarded token, %s\n' "$(date +%s)" >"$msg"
must "pkcs11-tool --sign through kzp11" p11 --token-label fwd-token --login --pin "$PIN" \
	--sign --mechanism SHA256-RSA-PKCS --id 4b5a -i "$msg" -o "$KZ_TMP/sig"
must "openssl verifies the forwarded signature" \
	openssl dgst -sha256 -verify "$KZ_TMP/pub.pem" -signature "$KZ_TMP/sig" "$msg"
printf 'changed\n' >"$KZ_TMP/other.txt"
must_not "a changed message must not verify" \
	openssl dgst -sha256 -verify "$KZ_TMP/pub.pem" -signature "$KZ_TMP/sig" "$KZ_TMP/other.txt"
ok "pkcs11-tool --sign SHA256-RSA-PKCS through kzp11: verifies with SoftHSM2's public key"

if p11 --token-label fwd-token --login --pin 000000 -O >"$KZ_OUT" 2>"$KZ_ERR"; then
	fail "a wrong PIN was accepted" "$KZ_OUT"
fi
has "$KZ_ERR" CKR_PIN_INCORRECT || fail "the vendor's CKR_PIN_INCORRECT did not come through" \
	"$KZ_ERR"
ok "a wrong PIN: SoftHSM2's CKR_PIN_INCORRECT passes through"

# The same objects and mechanisms as SoftHSM2 itself shows.
for what in "-O" "-M"; do
	must "$what on SoftHSM2" sh11 --token-label fwd-token --login --pin "$PIN" $what
	mv "$KZ_OUT" "$KZ_TMP/direct$what"
	must "$what through kzp11" p11 --token-label fwd-token --login --pin "$PIN" $what
	grep -v "^Using slot" "$KZ_TMP/direct$what" >"$KZ_TMP/direct.txt"
	grep -v "^Using slot" "$KZ_OUT" >"$KZ_TMP/forwarded.txt"
	cmp -s "$KZ_TMP/direct.txt" "$KZ_TMP/forwarded.txt" ||
		fail "pkcs11-tool $what differs between SoftHSM2 and kzp11" \
			"$KZ_TMP/direct.txt" "$KZ_TMP/forwarded.txt"
	[ -s "$KZ_TMP/direct.txt" ] || fail "pkcs11-tool $what printed nothing"
done
ok "pkcs11-tool -O and -M: the same through kzp11 as on SoftHSM2 directly"

# libp11's engine, the module given by PKCS11_MODULE_PATH.
engine_dir=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
if [ -n "$engine_dir" ] && [ -e "$engine_dir/pkcs11.so" ]; then
	openssl dgst -sha256 -binary -out "$KZ_TMP/hash" "$msg"
	must "openssl pkeyutl -engine pkcs11 through kzp11" env PKCS11_MODULE_PATH="$KZP11_MODULE" \
		openssl pkeyutl -engine pkcs11 -keyform engine \
		-inkey "pkcs11:token=fwd-token;id=%4b%5a;type=private;pin-value=$PIN" \
		-sign -pkeyopt digest:sha256 -in "$KZ_TMP/hash" -out "$KZ_TMP/sig2"
	must "openssl pkeyutl -verify" openssl pkeyutl -verify -pubin -inkey "$KZ_TMP/pub.pem" \
		-pkeyopt digest:sha256 -in "$KZ_TMP/hash" -sigfile "$KZ_TMP/sig2"
	ok "openssl pkeyutl -engine pkcs11 'pkcs11:token=fwd-token;id=%4b%5a' through kzp11: verifies"
else
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "libp11's OpenSSL engine is not installed"
	echo "# libp11's engine is not installed: that part skipped"
fi

# Configured (not KZP11_MODULES): SoftHSM2 is registered with p11-kit, so
# by default kzp11 leaves it to p11-kit; forward_registered = yes overrides.
unset KZP11_MODULES
# (Read from p11-kit's module files: `p11-kit list-modules` would load every
# registered module, and p11-kit-trust's constructor deadlocks in newlocale
# under the AddressSanitizer runtime of the sanitizer build.)
p11_configs=$(pkg-config --variable=p11_module_configs p11-kit-1 2>/dev/null || echo /usr/share/p11-kit/modules)
if grep -qs 'softhsm' "$p11_configs"/*.module; then
	printf 'module = %s\nmodule_name = SoftHSM via kzp11\n' "$softhsm" >"$KZP11_CONF"
	must "pkcs11-tool -L, SoftHSM2 configured" p11 -L
	has_not "$KZ_OUT" fwd-token || fail "a p11-kit-registered module was forwarded" "$KZ_OUT"
	printf 'forward_registered = yes\n' >>"$KZP11_CONF"
	must "pkcs11-tool -L, forward_registered = yes" p11 -L
	has "$KZ_OUT" fwd-token || fail "forward_registered = yes did not forward" "$KZ_OUT" "$KZ_ERR"
	has "$KZ_OUT" "SoftHSM via kzp11" || fail "module_name is not the slot description" "$KZ_OUT"
	ok "a configured module p11-kit already loads is forwarded only with forward_registered = yes"

	# Through p11-kit-proxy, with kzp11 registered for this user: one fwd-token.
	proxy=
	for f in /usr/lib/x86_64-linux-gnu/p11-kit-proxy.so /usr/lib/p11-kit-proxy.so \
		/usr/lib64/p11-kit-proxy.so; do
		[ -e "$f" ] && proxy=$f && break
	done
	if [ -n "$proxy" ]; then
		printf 'module = %s\n' "$softhsm" >"$KZP11_CONF"
		for d in "$HOME/.config/pkcs11/modules" "$XDG_CONFIG_HOME/pkcs11/modules"; do
			mkdir -p "$d"
			printf 'module: %s\n' "$KZP11_MODULE" >"$d/kzp11-test.module"
		done
		# p11-kit reads no per-user configuration for root: then the
		# proxy runs as nobody, on files handed over to it.
		as_user=()
		if [ "$(id -u)" -eq 0 ]; then
			require_cmd setpriv
			chown -R 65534:65534 "$KZ_TMP"
			as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		fi
		must "pkcs11-tool -L through p11-kit-proxy" "${as_user[@]}" \
			timeout "$KZ_TIMEOUT" pkcs11-tool --module "$proxy" -L
		[ "$(grep -c 'token label *: fwd-token' "$KZ_OUT")" -eq 1 ] ||
			fail "p11-kit-proxy does not show fwd-token exactly once" "$KZ_OUT" "$KZ_ERR"
		[ -n "$(grep "${auth_id:0:8}" "$KZ_OUT")" ] ||
			fail "p11-kit-proxy does not show kzp11's container" "$KZ_OUT" "$KZ_ERR"
		ok "p11-kit-proxy with kzp11 registered: the SoftHSM2 token once, the container too"
	fi
else
	echo "# SoftHSM2 is not registered with p11-kit here: the duplicate check is skipped"
fi

finish
