#!/bin/bash
# The installed, p11-kit-registered kzp11: "p11-kit list-modules" shows it
# with its tokens, p11-kit-proxy exposes them, and libp11's OpenSSL engine
# with no module configured (it then loads p11-kit-proxy) signs with a
# "pkcs11:token=..." URI.  Runs only after "make install".
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd pkg-config p11-kit pkcs11-tool

pkg-config --exists p11-kit-1 ||
	skip "pkg-config does not know p11-kit-1 (Debian: libp11-kit-dev), so the install paths are unknown"
module_dir=$(pkg-config --variable=p11_module_path p11-kit-1)
config_dir=$(pkg-config --variable=p11_module_configs p11-kit-1)
proxy=$(pkg-config --variable=proxy_module p11-kit-1)
installed=$module_dir/kzp11.so
registration=$config_dir/kzp11.module
[ -f "$installed" ] && [ -f "$registration" ] ||
	skip "kzp11 not installed ($installed, $registration); run make install"

grep -Eq '^module:[[:space:]]*([^[:space:]]*/)?kzp11\.so[[:space:]]*$' "$registration" ||
	fail "$registration does not name kzp11.so" "$registration"
ok "$registration registers kzp11.so"

# What is tested here is the installed module, as p11-kit loads it.
KZP11_MODULE=$installed
keys=$KZ_TMP/keys
auth=$(mkcontainer --kind auth --cert-out "$keys")
sign=$(mkcontainer --kind sign --cert-out "$keys")
auth_id=$(ski_of "$auth")
sign_id=$(ski_of "$sign")
auth_token=$(label_of "${auth_id:0:8}")
sign_token=$(label_of "${sign_id:0:8}")
[ -n "$auth_token" ] && [ -n "$sign_token" ] || fail "the installed module does not show the containers"

must "p11-kit list-modules" p11-kit list-modules
awk '/^[^ \t]/ { in_kz = ($1 == "kzp11:") } in_kz' "$KZ_OUT" >"$KZ_TMP/kzp11-block"
[ -s "$KZ_TMP/kzp11-block" ] || fail "p11-kit list-modules does not list kzp11" "$KZ_OUT" "$KZ_ERR"
for t in "$auth_token" "$sign_token"; do
	grep -qx "    token: $t" "$KZ_TMP/kzp11-block" ||
		fail "p11-kit list-modules: kzp11 has no token '$t'" "$KZ_TMP/kzp11-block"
done
ok "p11-kit list-modules: kzp11 with the tokens '$auth_token' and '$sign_token'"

if [ -n "$proxy" ] && [ -f "$proxy" ]; then
	must "pkcs11-tool through p11-kit-proxy" pkcs11-tool --module "$proxy" -L
	has "$KZ_OUT" "token label        : $auth_token" ||
		fail "p11-kit-proxy does not show '$auth_token'" "$KZ_OUT"
	ok "pkcs11-tool --module $(basename "$proxy"): the kzp11 tokens are there"
fi

engine_dir=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
[ -e "$engine_dir/pkcs11.so" ] ||
	skip "libp11's OpenSSL engine is not installed (Debian: libengine-pkcs11-openssl)"

pubkey_of_cert "${auth%.p12}.cer" "$KZ_TMP/auth.pub"
msg=$KZ_TMP/message.txt
printf 'Қазақстан: a document to sign, %s\n' "$(date +%s)" >"$msg"
# No PKCS11_MODULE_PATH and an OpenSSL configuration without any engine section.
: >"$KZ_TMP/openssl.cnf"
must "openssl dgst -engine pkcs11 with no module configured" \
	env -u PKCS11_MODULE_PATH OPENSSL_CONF="$KZ_TMP/openssl.cnf" \
	openssl dgst -sha256 -engine pkcs11 -keyform engine \
	-sign "pkcs11:token=$(pct "$auth_token");type=private;pin-value=$KZ_PASSWORD" \
	-out "$KZ_TMP/sig" "$msg"
must "openssl verifies" openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" -signature "$KZ_TMP/sig" "$msg"
printf 'changed\n' >"$KZ_TMP/other.txt"
must_not "a changed message must not verify" \
	openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" -signature "$KZ_TMP/sig" "$KZ_TMP/other.txt"
ok "libp11 engine with no module path (p11-kit-proxy): 'pkcs11:token=$auth_token' signs, openssl verifies"

finish
