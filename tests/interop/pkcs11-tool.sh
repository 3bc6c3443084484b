#!/bin/bash
# OpenSC's pkcs11-tool against kzp11: slots and labels, objects before and
# after login, the certificate cache, wrong and right passwords, signatures
# (PKCS#1 v1.5 and PSS) and decryption checked by openssl, pkcs11-tool's own
# self test, a container in OpenSSL's export format, the same key in two
# folders, and broken files among good ones.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd pkcs11-tool cmp

first=$KZ_TMP/keys/first
second=$KZ_TMP/keys/second
mkdir -p "$first" "$second"

# auth: NCA format, nothing beside it: its certificate is known only after a login.
auth=$(mkcontainer --kind auth "$first")
# sign: NCA format, a holder whose name fits a token label, the .cer beside it.
sign=$(mkcontainer --kind sign --holder "АЛИ ОМАР" --cert-out "$first")
# modern: what "openssl pkcs12 -export" writes (PBES2/AES, localKeyID = SHA-1 of the cert).
modern=$(mkcontainer --kind auth --format modern --holder "MODERN USER" "$second")

# The same key again under another name, in the second folder.
cp "$auth" "$second/copy of my key.p12"
# Broken things named like containers.
head -c 700 "$auth" >"$second/truncated.p12"
printf 'this is not a key container\n' >"$second/notes.p12"
openssl x509 -in "$first/ca.crt" -outform DER -out "$second/certificate.p12"
KZP11_KEYS=$first:$second
export KZP11_KEYS

auth_id=$(ski_of "$auth")
sign_id=$(ski_of "$sign")
modern_id=$(ski_of "$modern")
cert_of_p12 "$auth" "$KZ_TMP/auth.pem"
cert_of_p12 "$modern" "$KZ_TMP/modern.pem"
pubkey_of_cert "$KZ_TMP/auth.pem" "$KZ_TMP/auth.pub"
pubkey_of_cert "${sign%.p12}.cer" "$KZ_TMP/sign.pub"
pubkey_of_cert "$KZ_TMP/modern.pem" "$KZ_TMP/modern.pub"
# NCA containers name the key by its SKI; OpenSSL's exports by the certificate's SHA-1.
modern_fp=$(fingerprint_of "$KZ_TMP/modern.pem")

msg=$KZ_TMP/message.txt
printf 'Қазақстан: a document to sign, %s\n' "$(date +%s)" >"$msg"
printf 'Қазақстан: a document to sign, but changed\n' >"$KZ_TMP/other.txt"

# ---- slots ----

must "pkcs11-tool -L with broken files among the containers" p11 -L
p11_tokens >"$KZ_TMP/tokens"
n=$(wc -l <"$KZ_TMP/tokens")
[ "$n" -eq 3 ] || fail "expected 3 tokens (3 containers, 1 copy, 3 broken files), got $n" \
	"$KZ_TMP/tokens"
ok "-L: one slot per container (3), the copy and the broken files add none"

label=$(label_of "${auth_id:0:8}")
[ "$label" = "NCA AUTH ${auth_id:0:8}" ] ||
	fail "label of a container whose certificate is unknown: '$label', expected 'NCA AUTH ${auth_id:0:8}'" "$KZ_TMP/tokens"
ok "-L: before any login the token is '$label' (from the file name and key ID)"

label=$(label_of "${sign_id:0:8}")
want="Али Омар SIGN $(expiry_of "${sign%.p12}.cer")"
[ "$label" = "$want" ] ||
	fail "label of a container with its .cer beside it: '$label', expected '$want'" "$KZ_TMP/tokens"
ok "-L: a container with its .cer beside it is '$label' (holder, purpose, key ID)"

label=$(label_of "${modern_fp:0:8}")
[ "$label" = "NCA AUTH ${modern_fp:0:8}" ] ||
	fail "label of the modern container: '$label', expected 'NCA AUTH ${modern_fp:0:8}'" "$KZ_TMP/tokens"
ok "-L: the OpenSSL-format container is listed as '$label'"

desc=$(token_line "${auth_id:0:8}" | cut -f3)
case $desc in
"NCA key file $(basename "$auth" | cut -c1-30)"*) ;;
*) fail "the key in two folders should come from the first folder; slot says '$desc'" ;;
esac
KZP11_KEYS=$second:$first must "pkcs11-tool -L, folders in the other order" p11 -L
desc=$(KZP11_KEYS=$second:$first token_line "${auth_id:0:8}" | cut -f3)
n=$(KZP11_KEYS=$second:$first p11_tokens | wc -l)
[ "$n" -eq 3 ] && [ "$desc" = "NCA key file copy of my key.p12" ] ||
	fail "folders swapped: $n tokens, the key's slot says '$desc'"
ok "-L: a key found twice is shown once, from the folder listed first"

KZP11_DEBUG=1 must "pkcs11-tool -L" p11 -L
for f in truncated.p12 notes.p12 certificate.p12; do
	has "$KZ_ERR" "$f" || fail "the module says nothing about $f" "$KZ_ERR"
done
ok "the module names each broken .p12 file it skips (on stderr)"

# ---- objects before login; passwords; the certificate cache ----

slot=$(slot_of "${auth_id:0:8}")
must "-O before login" p11 --slot "$slot" -O
# Not even the "public certificates" profile: NSS would then take the token
# for one that shows its certificates without a password, never log in, and
# send no client certificate.
has_not "$KZ_OUT" "CKP_PUBLIC_CERTIFICATES_TOKEN" ||
	fail "a profile object before the certificate can be known" "$KZ_OUT"
has_not "$KZ_OUT" "Certificate Object" && has_not "$KZ_OUT" "Key Object" ||
	fail "objects shown before the certificate can be known" "$KZ_OUT"
ok "-O before the first login: no objects, no CKP_PUBLIC_CERTIFICATES_TOKEN profile"

must_not "login with a wrong password" p11 --slot "$slot" --login --pin Wrong1234 -O
has "$KZ_ERR" CKR_PIN_INCORRECT || fail "wrong password: not CKR_PIN_INCORRECT" "$KZ_ERR"
[ ! -e "$XDG_CACHE_HOME/kzp11/$auth_id.der" ] || fail "a failed login filled the certificate cache"
ok "--login with a wrong password fails with CKR_PIN_INCORRECT"

must "login with the right password" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" -O
for what in "Certificate Object" "Public Key Object; RSA 2048 bits" "Private Key Object; RSA"; do
	has "$KZ_OUT" "$what" || fail "after login: no '$what'" "$KZ_OUT"
done
n=$(grep -c "^  ID: *$auth_id\$" "$KZ_OUT" || true)
[ "$n" -eq 3 ] || fail "after login: $n objects with CKA_ID $auth_id, expected 3" "$KZ_OUT"
ok "--login after a wrong try: certificate, public and private key, all with ID $auth_id"

[ -f "$XDG_CACHE_HOME/kzp11/$auth_id.der" ] ||
	fail "no certificate in the cache ($XDG_CACHE_HOME/kzp11) after login"
must "-O in a new process, no login" p11 --slot "$slot" -O
has "$KZ_OUT" "Certificate Object" && has "$KZ_OUT" "Public Key Object" ||
	fail "the cached certificate is not shown before login" "$KZ_OUT"
has_not "$KZ_OUT" "Private Key Object" || fail "a private key shown without login" "$KZ_OUT"
n=$(grep -c "^  ID: *$auth_id\$" "$KZ_OUT" || true)
[ "$n" -eq 2 ] || fail "before login: $n objects with ID $auth_id, expected 2" "$KZ_OUT"
has "$KZ_OUT" "CKP_PUBLIC_CERTIFICATES_TOKEN" ||
	fail "no CKP_PUBLIC_CERTIFICATES_TOKEN profile once the certificate is known" "$KZ_OUT"
ok "-O in a later run, before login: certificate and public key from the cache, and the profile"

label=$(label_of "${auth_id:0:8}")
[ "$label" = "Тестов Т. AUTH $(expiry_of "$KZ_TMP/auth.pem")" ] ||
	fail "token label once the certificate is known: '$label'"
case $label in *:*) fail "':' in the token label '$label'" ;; esac
[ "$(printf %s "$label" | wc -c)" -le 32 ] || fail "token label longer than 32 bytes: '$label'"
ok "-L: with the certificate known the token is '$label'"

must "--read-object cert" p11 --slot "$slot" --read-object --type cert --id "$auth_id" \
	-o "$KZ_TMP/auth.der"
openssl x509 -in "$KZ_TMP/auth.pem" -outform DER -out "$KZ_TMP/auth.ref.der"
cmp -s "$KZ_TMP/auth.der" "$KZ_TMP/auth.ref.der" ||
	fail "the token's certificate differs from the one in the container"
cmp -s "$XDG_CACHE_HOME/kzp11/$auth_id.der" "$KZ_TMP/auth.ref.der" ||
	fail "the cached certificate differs from the one in the container"
ok "--read-object: the certificate is the container's (and so is the cached copy)"

must "--read-object pubkey" p11 --slot "$slot" --read-object --type pubkey --id "$auth_id" \
	-o "$KZ_TMP/pub.der"
openssl pkey -pubin -inform DER -in "$KZ_TMP/pub.der" -out "$KZ_TMP/pub.pem" 2>"$KZ_ERR" ||
	fail "openssl cannot read the public key object" "$KZ_ERR"
cmp -s "$KZ_TMP/pub.pem" "$KZ_TMP/auth.pub" ||
	fail "the public key object differs from the certificate's key"
ok "--read-object: the public key object is the certificate's key"

# ---- signatures ----

sig=$KZ_TMP/sig
login=(--slot "$slot" --login --pin "$KZ_PASSWORD" --id "$auth_id")

must "sign SHA256-RSA-PKCS" p11 "${login[@]}" --sign -m SHA256-RSA-PKCS -i "$msg" -o "$sig"
must "openssl verifies SHA256-RSA-PKCS" \
	openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" -signature "$sig" "$msg"
must_not "a changed message must not verify" \
	openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" -signature "$sig" "$KZ_TMP/other.txt"
ok "--sign -m SHA256-RSA-PKCS: openssl verifies it with the certificate's key (and rejects a changed message)"

openssl dgst -sha256 -binary -out "$KZ_TMP/hash" "$msg"
must "sign RSA-PKCS-PSS" p11 "${login[@]}" --sign -m RSA-PKCS-PSS \
	--hash-algorithm SHA256 --mgf MGF1-SHA256 -i "$KZ_TMP/hash" -o "$sig"
pss_opts=(-pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256 -pkeyopt rsa_mgf1_md:sha256
	-pkeyopt rsa_pss_saltlen:32)
must "openssl verifies RSA-PKCS-PSS" openssl pkeyutl -verify -pubin -inkey "$KZ_TMP/auth.pub" \
	"${pss_opts[@]}" -in "$KZ_TMP/hash" -sigfile "$sig"
openssl dgst -sha256 -binary -out "$KZ_TMP/hash2" "$KZ_TMP/other.txt"
must_not "a PSS signature of another hash must not verify" openssl pkeyutl -verify -pubin \
	-inkey "$KZ_TMP/auth.pub" "${pss_opts[@]}" -in "$KZ_TMP/hash2" -sigfile "$sig"
ok "--sign -m RSA-PKCS-PSS (SHA-256 hash, MGF1-SHA256, salt 32): openssl pkeyutl verifies it"

must "sign SHA256-RSA-PKCS-PSS" p11 "${login[@]}" --sign -m SHA256-RSA-PKCS-PSS \
	--mgf MGF1-SHA256 -i "$msg" -o "$sig"
must "openssl verifies SHA256-RSA-PKCS-PSS" openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" \
	-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -signature "$sig" "$msg"
must_not "a changed message must not verify" openssl dgst -sha256 -verify "$KZ_TMP/auth.pub" \
	-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -signature "$sig" "$KZ_TMP/other.txt"
ok "--sign -m SHA256-RSA-PKCS-PSS: openssl dgst verifies it"

# ---- decryption ----

printf 'a session key: 0123456789abcdef' >"$KZ_TMP/secret"
openssl pkeyutl -encrypt -pubin -inkey "$KZ_TMP/auth.pub" -in "$KZ_TMP/secret" \
	-out "$KZ_TMP/enc"
must "decrypt RSA-PKCS" p11 "${login[@]}" --decrypt -m RSA-PKCS -i "$KZ_TMP/enc" \
	-o "$KZ_TMP/dec"
cmp -s "$KZ_TMP/dec" "$KZ_TMP/secret" || fail "RSA-PKCS decryption gave other bytes"
ok "--decrypt -m RSA-PKCS: data encrypted by openssl comes back"

openssl pkeyutl -encrypt -pubin -inkey "$KZ_TMP/auth.pub" -in "$KZ_TMP/secret" \
	-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
	-out "$KZ_TMP/enc"
must "decrypt RSA-PKCS-OAEP" p11 "${login[@]}" --decrypt -m RSA-PKCS-OAEP \
	--hash-algorithm SHA256 --mgf MGF1-SHA256 -i "$KZ_TMP/enc" -o "$KZ_TMP/dec"
cmp -s "$KZ_TMP/dec" "$KZ_TMP/secret" || fail "RSA-PKCS-OAEP decryption gave other bytes"
ok "--decrypt -m RSA-PKCS-OAEP (SHA-256): data encrypted by openssl comes back"

# ---- pkcs11-tool's self test and the mechanism list ----

must "pkcs11-tool --test" p11 --slot "$slot" --login --pin "$KZ_PASSWORD" --test --allow-sw
has "$KZ_OUT" "No errors" || fail "pkcs11-tool --test reports errors" "$KZ_OUT"
has "$KZ_OUT" "all 4 signature functions seem to work" &&
	has "$KZ_OUT" "SHA256-RSA-PKCS: OK" ||
	fail "pkcs11-tool --test did not test signatures" "$KZ_OUT"
ok "pkcs11-tool --test --login: no errors (digests, signatures, verify, decryption)"

must "--list-mechanisms" p11 --slot "$slot" --list-mechanisms
for m in "RSA-PKCS,.*encrypt, decrypt, sign, verify" "RSA-PKCS-PSS,.*sign, verify" \
	"RSA-PKCS-OAEP,.*decrypt" "SHA256-RSA-PKCS,.*sign" "SHA256-RSA-PKCS-PSS,.*sign" \
	"SHA384-RSA-PKCS-PSS,.*sign" "SHA512-RSA-PKCS-PSS,.*sign"; do
	grep -q "^  $m" "$KZ_OUT" || fail "--list-mechanisms lacks '$m'" "$KZ_OUT"
done
ok "--list-mechanisms: RSA-PKCS, RSA-PKCS-PSS, RSA-PKCS-OAEP and SHA-2 hash-and-sign mechanisms"

# ---- the other containers ----

sign_label=$(label_of "${sign_id:0:8}")
must "sign with the token chosen by label" p11 --token-label "$sign_label" --login \
	--pin "$KZ_PASSWORD" --id "$sign_id" --sign -m SHA256-RSA-PKCS -i "$msg" -o "$sig"
must "openssl verifies with the .cer beside the container" \
	openssl dgst -sha256 -verify "$KZ_TMP/sign.pub" -signature "$sig" "$msg"
ok "--token-label '$sign_label': signs, verified with the .cer beside the container"

mslot=$(slot_of "${modern_fp:0:8}")
must "modern container: login" p11 --slot "$mslot" --login --pin "$KZ_PASSWORD" -O
has "$KZ_OUT" "Private Key Object; RSA" || fail "modern container: no private key" "$KZ_OUT"
n=$(grep -c "^  ID: *$modern_id\$" "$KZ_OUT" || true)
[ "$n" -eq 3 ] || fail "modern container: $n objects with ID $modern_id (SKI), expected 3" "$KZ_OUT"
must "modern container: sign" p11 --slot "$mslot" --login --pin "$KZ_PASSWORD" --id "$modern_id" \
	--sign -m SHA256-RSA-PKCS -i "$msg" -o "$sig"
must "openssl verifies the modern container's signature" \
	openssl dgst -sha256 -verify "$KZ_TMP/modern.pub" -signature "$sig" "$msg"
label=$(label_of "${modern_fp:0:8}")
[ "$label" = "Modern User AUTH $(expiry_of "$KZ_TMP/modern.pem")" ] ||
	fail "modern container after login: label '$label'"
ok "--format modern container: opens, objects have the SKI as ID, signs; now '$label'"

finish
