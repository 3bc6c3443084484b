#!/bin/bash
# Real key containers that NCA issued for testing ($KZP11_TESTKEYS/rsa/,
# password Qwerty12): each opens as a slot, logs in and signs with
# SHA256-RSA-PKCS, checked by openssl against the certificate inside the
# container and the .cer beside it; the GOST containers beside them do not
# disturb any of that.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd pkcs11-tool cmp

[ -n "$KZP11_TESTKEYS" ] && [ -d "$KZP11_TESTKEYS/rsa" ] ||
	skip "no real NCA test containers (set KZP11_TESTKEYS to the nca-testkeys folder with rsa/ in it)"
rsa=$KZP11_TESTKEYS/rsa
set -- "$rsa"/*.p12
[ "$#" -eq 4 ] && [ -f "$1" ] || fail "expected 4 RSA containers in $rsa, found $#"

msg=$KZ_TMP/message.txt
printf 'Қазақстан: a document to sign, %s\n' "$(date +%s)" >"$msg"
sig=$KZ_TMP/sig

# Everything NCA issued: RSA, GOST 34.310-2004 and GOST 34.10-2015 side by side.
KZP11_KEYS=$rsa
for d in gost-2004 gost-2015; do
	[ -d "$KZP11_TESTKEYS/$d" ] && KZP11_KEYS=$KZP11_KEYS:$KZP11_TESTKEYS/$d
done
export KZP11_KEYS

must "pkcs11-tool -L" p11 -L
p11_tokens >"$KZ_TMP/tokens"
for p12 in "$rsa"/*.p12; do
	id=$(ski_of "$p12")
	[ -n "$(token_line "${id:0:8}")" ] ||
		fail "no token for $(basename "$p12")" "$KZ_TMP/tokens"
done
n=$(wc -l <"$KZ_TMP/tokens")
ok "-L with the RSA and GOST containers: $n tokens, every RSA container among them"

for p12 in "$rsa"/*.p12; do
	name=$(basename "$p12")
	id=$(ski_of "$p12")
	slot=$(slot_of "${id:0:8}")
	cer=${p12%.p12}.cer

	cert_of_p12 "$p12" "$KZ_TMP/inside.pem"
	pubkey_of_cert "$KZ_TMP/inside.pem" "$KZ_TMP/inside.pub"
	if [ -f "$cer" ]; then
		openssl x509 -in "$cer" -outform DER -out "$KZ_TMP/cer.der"
		openssl x509 -in "$KZ_TMP/inside.pem" -outform DER -out "$KZ_TMP/inside.der"
		cmp -s "$KZ_TMP/cer.der" "$KZ_TMP/inside.der" ||
			fail "$name: the .cer beside it is not the certificate inside"
	fi

	must "$name: login" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" -O
	has "$KZ_OUT" "Private Key Object; RSA" || fail "$name: no private key after login" "$KZ_OUT"
	n=$(grep -c "^  ID: *$id\$" "$KZ_OUT" || true)
	[ "$n" -eq 3 ] || fail "$name: $n objects with ID $id, expected certificate, public and private key" "$KZ_OUT"

	must "$name: --read-object cert" p11 --slot "$slot" --read-object --type cert --id "$id" \
		-o "$KZ_TMP/token.der"
	openssl x509 -in "$KZ_TMP/inside.pem" -outform DER | cmp -s - "$KZ_TMP/token.der" ||
		fail "$name: the token's certificate is not the one inside the container"

	must "$name: sign" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" --id "$id" \
		--sign -m SHA256-RSA-PKCS -i "$msg" -o "$sig"
	must "$name: verify with the certificate inside" \
		openssl dgst -sha256 -verify "$KZ_TMP/inside.pub" -signature "$sig" "$msg"
	if [ -f "$cer" ]; then
		pubkey_of_cert "$cer" "$KZ_TMP/cer.pub"
		must "$name: verify with the .cer" \
			openssl dgst -sha256 -verify "$KZ_TMP/cer.pub" -signature "$sig" "$msg"
		against="the certificate inside and $(basename "$cer")"
	else
		against="the certificate inside"
	fi

	label=$(label_of "${id:0:8}")
	case $name:$label in
	AUTH_*:"Тестов Т. AUTH "* | RSA256_*:"Тестов Т. SIGN "*) ;;
	*) fail "$name: token label after login '$label'" ;;
	esac
	ok "$name: '$label', login, ID $id on 3 objects, SHA256-RSA-PKCS verified with $against"
done

# Containers with no .cer beside them are named from the file until the first login.
for p12 in "$rsa"/*.p12; do
	[ ! -f "${p12%.p12}.cer" ] || continue
	id=$(ski_of "$p12")
	rm -rf "$XDG_CACHE_HOME/kzp11"
	label=$(label_of "${id:0:8}")
	[ "$label" = "NCA SIGN ${id:0:8}" ] ||
		fail "$(basename "$p12"): before any login the token is '$label', expected 'NCA SIGN ${id:0:8}'"
	ok "$(basename "$p12") (no .cer beside it): 'NCA SIGN ${id:0:8}' until a login"
done

must_not "login with a wrong password" p11 --slot "$(slot_of "$(ski_of "$1" | cut -c1-8)")" \
	--login --pin Wrong1234 -O
has "$KZ_ERR" CKR_PIN_INCORRECT || fail "wrong password: not CKR_PIN_INCORRECT" "$KZ_ERR"
ok "a real container with a wrong password: CKR_PIN_INCORRECT"

finish
