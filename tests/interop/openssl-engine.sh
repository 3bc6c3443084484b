#!/bin/bash
# OpenSSL with libp11's engine ("-engine pkcs11 -keyform engine") using kzp11:
# keys named by RFC 7512 URIs, the module given by PKCS11_MODULE_PATH or by
# the engine's MODULE_PATH control in an OpenSSL configuration file;
# signatures (PKCS#1 v1.5 and PSS) and decryption checked with openssl and
# the certificate.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd cmp

engine_dir=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
[ -n "$engine_dir" ] && [ -e "$engine_dir/pkcs11.so" ] ||
	skip "libp11's OpenSSL engine is not installed ($engine_dir/pkcs11.so; Debian: libengine-pkcs11-openssl)"

keys=$KZ_TMP/keys
auth=$(mkcontainer --kind auth --cert-out "$keys")
sign=$(mkcontainer --kind sign --cert-out "$keys")
auth_id=$(ski_of "$auth")
sign_id=$(ski_of "$sign")
pubkey_of_cert "${auth%.p12}.cer" "$KZ_TMP/auth.pub"
pubkey_of_cert "${sign%.p12}.cer" "$KZ_TMP/sign.pub"

# The names to put in URIs, as the module shows them.
PKCS11_MODULE_PATH=$KZP11_MODULE
export PKCS11_MODULE_PATH
must "pkcs11-tool -O" p11 --token-label "$(label_of "${auth_id:0:8}")" -O
auth_token=$(label_of "${auth_id:0:8}")
sign_token=$(label_of "${sign_id:0:8}")
auth_object=$(sed -n 's/^  label: *//p' "$KZ_OUT" | head -n 1)
[ -n "$auth_token" ] && [ -n "$sign_token" ] && [ -n "$auth_object" ] ||
	fail "cannot find the tokens' names" "$KZ_OUT"

# Two tokens: every URI names its token (libp11 logs in only when one slot matches).
key="pkcs11:token=$(pct "$auth_token");object=$(pct "$auth_object");type=private"
auth_uri="$key;pin-value=$KZ_PASSWORD"
auth_id_uri="pkcs11:token=$(pct "$auth_token");id=$(echo "$auth_id" | sed 's/../%&/g');type=private;pin-value=$KZ_PASSWORD"
sign_uri="pkcs11:token=$(pct "$sign_token");type=private;pin-value=$KZ_PASSWORD"

msg=$KZ_TMP/message.txt
printf 'Қазақстан: a document to sign, %s\n' "$(date +%s)" >"$msg"
printf 'Қазақстан: a document to sign, but changed\n' >"$KZ_TMP/other.txt"
openssl dgst -sha256 -binary -out "$KZ_TMP/hash" "$msg"
sig=$KZ_TMP/sig
engine=(-engine pkcs11 -keyform engine)

# ---- PKCS#1 v1.5 signatures ----

must "openssl dgst -engine pkcs11 -sign (PKCS11_MODULE_PATH)" \
	openssl dgst -sha256 "${engine[@]}" -sign "$auth_uri" -out "$sig" "$msg"
must "openssl verifies the engine's signature" \
	openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" -signature "$sig" "$msg"
must_not "a changed message must not verify" \
	openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" -signature "$sig" "$KZ_TMP/other.txt"
ok "openssl dgst -sha256 -engine pkcs11 -sign 'pkcs11:token=…;object=…' (PKCS11_MODULE_PATH): verifies with the certificate"

must "openssl pkeyutl -engine pkcs11 -sign" openssl pkeyutl "${engine[@]}" -inkey "$auth_uri" \
	-sign -pkeyopt digest:sha256 -in "$KZ_TMP/hash" -out "$sig"
must "openssl pkeyutl -verify" openssl pkeyutl -verify -pubin -inkey "$KZ_TMP/auth.pub" \
	-pkeyopt digest:sha256 -in "$KZ_TMP/hash" -sigfile "$sig"
ok "openssl pkeyutl -engine pkcs11 -sign (SHA-256 hash): openssl pkeyutl -verify accepts it"

must "the other token, chosen by its label" \
	openssl dgst -sha512 "${engine[@]}" -sign "$sign_uri" -out "$sig" "$msg"
must "verifies with the signing certificate" \
	openssl dgst -sha512 -verify "$KZ_TMP/sign.pub" -signature "$sig" "$msg"
must_not "must not verify with the other token's certificate" \
	openssl dgst -sha512 -verify "$KZ_TMP/auth.pub" -signature "$sig" "$msg"
ok "pkcs11:token='$sign_token': SHA-512 signature by that token's key, not the other's"

cat >"$KZ_TMP/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
MODULE_PATH = $KZP11_MODULE
init = 0
EOF
must "engine MODULE_PATH from openssl.cnf" \
	env -u PKCS11_MODULE_PATH OPENSSL_CONF="$KZ_TMP/openssl.cnf" \
	openssl dgst -sha384 "${engine[@]}" -sign "$auth_id_uri" -out "$sig" "$msg"
must "openssl verifies" openssl dgst -sha384 -verify "$KZ_TMP/auth.pub" -signature "$sig" "$msg"
ok "engine control MODULE_PATH in openssl.cnf, key by 'pkcs11:token=…;id=…': SHA-384 signature verifies"

must_not "a wrong pin-value" openssl dgst -sha256 "${engine[@]}" \
	-sign "$key;pin-value=Wrong1234" -out "$sig" "$msg"
ok "a wrong pin-value in the URI: no signature"

# ---- public key and decryption ----

must "the public key through the engine" openssl pkey -engine pkcs11 -inform engine -pubin \
	-in "pkcs11:token=$(pct "$auth_token");object=$(pct "$auth_object");type=public" -pubout \
	-out "$KZ_TMP/engine.pub"
cmp -s "$KZ_TMP/engine.pub" "$KZ_TMP/auth.pub" ||
	fail "the engine's public key differs from the certificate's"
ok "openssl pkey -engine pkcs11 -pubin: the token's public key is the certificate's"

printf 'a session key: 0123456789abcdef' >"$KZ_TMP/secret"
openssl pkeyutl -encrypt -pubin -inkey "$KZ_TMP/auth.pub" -in "$KZ_TMP/secret" -out "$KZ_TMP/enc"
must "openssl pkeyutl -engine pkcs11 -decrypt" openssl pkeyutl "${engine[@]}" -inkey "$auth_uri" \
	-decrypt -in "$KZ_TMP/enc" -out "$KZ_TMP/dec"
cmp -s "$KZ_TMP/dec" "$KZ_TMP/secret" || fail "decryption through the engine gave other bytes"
ok "openssl pkeyutl -engine pkcs11 -decrypt (PKCS#1 v1.5): the plaintext comes back"

# ---- PSS and OAEP (libp11 asks for CKM_RSA_PKCS_PSS / CKM_RSA_PKCS_OAEP with parameters) ----

pss_sigopts=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256)
must "openssl dgst -engine pkcs11 -sign, PSS" openssl dgst -sha256 "${engine[@]}" \
	-sign "$auth_uri" "${pss_sigopts[@]}" -out "$sig" "$msg"
must "openssl verifies the PSS signature (salt 32, MGF1-SHA256)" openssl dgst -sha256 \
	-verify "$KZ_TMP/auth.pub" "${pss_sigopts[@]}" -signature "$sig" "$msg"
must_not "a changed message must not verify" openssl dgst -sha256 \
	-verify "$KZ_TMP/auth.pub" "${pss_sigopts[@]}" -signature "$sig" "$KZ_TMP/other.txt"
ok "openssl dgst -sha256 -sigopt rsa_padding_mode:pss through the engine: a valid RSA-PSS signature"

pss_pkeyopts=(-pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256 -pkeyopt rsa_pss_saltlen:32)
must "openssl pkeyutl -engine pkcs11 -sign, PSS" openssl pkeyutl "${engine[@]}" \
	-inkey "$auth_uri" -sign "${pss_pkeyopts[@]}" -in "$KZ_TMP/hash" -out "$sig"
must "openssl pkeyutl verifies the PSS signature" openssl pkeyutl -verify -pubin \
	-inkey "$KZ_TMP/auth.pub" "${pss_pkeyopts[@]}" -in "$KZ_TMP/hash" -sigfile "$sig"
ok "openssl pkeyutl -sign -pkeyopt rsa_padding_mode:pss through the engine: verifies"

oaep=(-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256)
openssl pkeyutl -encrypt -pubin -inkey "$KZ_TMP/auth.pub" "${oaep[@]}" -in "$KZ_TMP/secret" \
	-out "$KZ_TMP/enc"
must "openssl pkeyutl -engine pkcs11 -decrypt, OAEP" openssl pkeyutl "${engine[@]}" \
	-inkey "$auth_uri" -decrypt "${oaep[@]}" -in "$KZ_TMP/enc" -out "$KZ_TMP/dec"
cmp -s "$KZ_TMP/dec" "$KZ_TMP/secret" || fail "OAEP decryption through the engine gave other bytes"
ok "openssl pkeyutl -decrypt -pkeyopt rsa_padding_mode:oaep (SHA-256) through the engine"

finish
