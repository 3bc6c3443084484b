#!/bin/bash
# Changing a container's password with OpenSC's `pkcs11-tool --change-pin`:
# refusals leave the file byte for byte, a change is then judged by openssl
# (opens with the new password only, same certificate and key) and by a
# signature made with the new password; also on a copy of a real NCA file.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd pkcs11-tool cmp

keys=$KZ_TMP/keys
auth=$(mkcontainer --kind auth "$keys")
rm -f "$keys/ca.key" "$keys/ca.crt"   # only the container in the folder
id=$(ski_of "$auth")
slot=$(slot_of "${id:0:8}")
[ -n "$slot" ] || fail "no slot for the container" "$KZ_TMP/mkcontainer.err"
new='Set#Pin.2026'
cert_of_p12 "$auth" "$KZ_TMP/before.pem"
pubkey_of_cert "$KZ_TMP/before.pem" "$KZ_TMP/before.pub"
cp "$auth" "$KZ_TMP/original.p12"
msg=$KZ_TMP/message.txt
printf 'signed after a password change, %s\n' "$(date +%s)" >"$msg"

# ---- refusals: the file stays as it was ----

must_not "--change-pin with a wrong old password" \
	p11 --slot "$slot" --change-pin --pin Qwerty13 --new-pin "$new"
grep -q CKR_PIN_INCORRECT "$KZ_OUT" "$KZ_ERR" ||
	fail "a wrong old password should give CKR_PIN_INCORRECT" "$KZ_OUT" "$KZ_ERR"
cmp -s "$auth" "$KZ_TMP/original.p12" || fail "the file changed after a wrong old password"
ok "--change-pin with a wrong old password: CKR_PIN_INCORRECT, file byte for byte the same"

must_not "--change-pin to a 5-character password" \
	p11 --slot "$slot" --change-pin --pin "$KZ_PASSWORD" --new-pin 'Ab1#5'
grep -q CKR_PIN_LEN_RANGE "$KZ_OUT" "$KZ_ERR" ||
	fail "a too short new password should give CKR_PIN_LEN_RANGE" "$KZ_OUT" "$KZ_ERR"
must_not "--change-pin to a password with a space" \
	p11 --slot "$slot" --change-pin --pin "$KZ_PASSWORD" --new-pin 'Qwerty 123'
grep -q CKR_PIN_INVALID "$KZ_OUT" "$KZ_ERR" ||
	fail "a space in the new password should give CKR_PIN_INVALID" "$KZ_OUT" "$KZ_ERR"
cmp -s "$auth" "$KZ_TMP/original.p12" || fail "the file changed after a refused new password"
ok "--change-pin to passwords NCA forbids: CKR_PIN_LEN_RANGE / CKR_PIN_INVALID, file unchanged"

# ---- the change ----

must "--change-pin" p11 --slot "$slot" --change-pin --pin "$KZ_PASSWORD" --new-pin "$new"
[ "$(find "$keys" -mindepth 1 | wc -l)" -eq 1 ] ||
	fail "files left beside the container: $(ls -A "$keys")"
ok "--change-pin: pkcs11-tool reports success, no temporary left beside the file"

must "openssl opens the changed file with the new password" \
	openssl pkcs12 -legacy -in "$auth" -passin "pass:$new" -nodes -out "$KZ_TMP/after.pem"
openssl x509 -in "$KZ_TMP/after.pem" -out "$KZ_TMP/after.crt" 2>/dev/null ||
	fail "no certificate in the changed file"
cmp -s <(openssl x509 -in "$KZ_TMP/before.pem" -outform DER) \
	<(openssl x509 -in "$KZ_TMP/after.crt" -outform DER) ||
	fail "the certificate in the changed file is another one"
openssl pkey -in "$KZ_TMP/after.pem" -pubout -out "$KZ_TMP/after.pub" 2>/dev/null ||
	fail "no private key in the changed file"
cmp -s "$KZ_TMP/before.pub" "$KZ_TMP/after.pub" || fail "the key in the changed file is another one"
must_not "openssl refuses the old password" \
	openssl pkcs12 -legacy -in "$auth" -passin "pass:$KZ_PASSWORD" -nokeys
ok "openssl pkcs12 -legacy: opens with the new password only; same certificate and key"

must_not "login with the old password" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" -O
must "sign with the new password" p11 --slot "$slot" --login --pin "$new" \
	--sign -m SHA256-RSA-PKCS -i "$msg" -o "$KZ_TMP/sig"
must "openssl verifies the signature" \
	openssl dgst -sha256 -verify "$KZ_TMP/before.pub" -signature "$KZ_TMP/sig" "$msg"
ok "after the change: old password refused, a signature made with the new one verifies"

# Logged in first (--login with --change-pin), and back to the old password.
must "--change-pin back while logged in" \
	p11 --slot "$slot" --login --pin "$new" --change-pin --new-pin "$KZ_PASSWORD"
must "openssl opens it with the old password again" \
	openssl pkcs12 -legacy -in "$auth" -passin "pass:$KZ_PASSWORD" -nokeys
ok "--login --change-pin: changed back, openssl agrees"

# ---- NSS (the call Firefox's "Change Password" makes: PK11_ChangePW) ----

if command -v modutil >/dev/null 2>&1 && command -v certutil >/dev/null 2>&1; then
	db=$KZ_TMP/nssdb
	mkdir "$db"
	must "certutil -N" certutil -N -d "sql:$db" --empty-password
	must "modutil -add" modutil -dbdir "sql:$db" -add kzp11 -libfile "$KZP11_MODULE" -force
	token=$(label_of "${id:0:8}")
	printf '%s\n' "$KZ_PASSWORD" >"$KZ_TMP/old.pw"
	printf '%s\n' 'Nss#Changed.1' >"$KZ_TMP/new.pw"
	must "modutil -changepw" modutil -dbdir "sql:$db" -changepw "$token" \
		-pwfile "$KZ_TMP/old.pw" -newpwfile "$KZ_TMP/new.pw" -force
	must "openssl opens it with the password NSS set" \
		openssl pkcs12 -legacy -in "$auth" -passin 'pass:Nss#Changed.1' -nokeys
	ok "NSS modutil -changepw '$token': changed, openssl opens the file with the new password"
else
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "'modutil' is not installed"
	echo "# NSS tools (modutil) not installed: that part skipped"
fi

# ---- a real NCA file ----

real=${KZP11_TESTKEYS:+$KZP11_TESTKEYS/rsa/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12}
if [ -n "$real" ] && [ -r "$real" ]; then
	mkdir "$KZ_TMP/real"
	cp "$real" "$KZ_TMP/real/"
	chmod u+w "$KZ_TMP/real/"*
	copy=$KZ_TMP/real/$(basename "$real")
	rslot=$(KZP11_KEYS=$KZ_TMP/real slot_of 11c707bd)
	KZP11_KEYS=$KZ_TMP/real must "--change-pin on a real NCA file" \
		p11 --slot "$rslot" --change-pin --pin "$KZ_PASSWORD" --new-pin "$new"
	# The PFX, the AuthenticatedSafe and the unencrypted safes in it, offsets
	# and byte values dropped.
	layout() {
		local o
		{ openssl asn1parse -inform DER -in "$1" -i
		  openssl asn1parse -inform DER -in "$1" -i -strparse 26
		  for o in $(openssl asn1parse -inform DER -in "$1" -strparse 26 |
			awk -F: '/d=3 .*OCTET STRING/ { print $1 + 0 }'); do
			openssl asn1parse -inform DER -in "$1" -i -strparse 26 -strparse "$o"
		  done; } | sed -e 's/^ *[0-9]*://' -e 's/\[HEX DUMP\]:.*//'
	}
	diff <(layout "$real") <(layout "$copy") >"$KZ_TMP/layout.diff" ||
		fail "the real NCA file's layout changed" "$KZ_TMP/layout.diff"
	must "openssl opens the real file with the new password" \
		openssl pkcs12 -legacy -in "$copy" -passin "pass:$new" -nodes -out "$KZ_TMP/real.pem"
	cmp -s <(openssl pkcs12 -legacy -in "$real" -passin "pass:$KZ_PASSWORD" -nodes |
		openssl pkey -pubout) <(openssl pkey -in "$KZ_TMP/real.pem" -pubout) ||
		fail "the real file holds another key after the change"
	ok "real NCA file: same BER layout, OIDs and iteration counts; opens with the new password, same key"
else
	echo "# no real NCA containers (\$KZP11_TESTKEYS): that part skipped"
fi

finish
