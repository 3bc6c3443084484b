#!/bin/bash
# GOST keys in NSS-based applications.  NSS has no GOST; it counts a
# certificate as the user's own ("u,u,u", offered by Firefox's client
# certificate chooser and by NSS_GetClientAuthData) when its token holds a
# key with the same CKA_ID.  kzp11 leaves GOST key objects out when NSS is
# loaded (hide_gost_from_nss, on by default), so:
#   - NSS's own selection of TLS client certificates (CERT_FindUserCertsByUsage,
#     through tests/interop/nss-usercerts.c) offers the RSA AUTH certificate
#     and not a GOST certificate marked for client authentication; with
#     hide_gost_from_nss = no it offers both (the check can fail);
#   - certutil -L -h all shows the GOST certificate without "u";
#   - outside NSS (pkcs11-tool) the GOST key objects are all there.
# The GOST AUTH container is made with gost-engine (GOST R 34.10-2012 256,
# clientAuth) and certified by the RSA test CA; the real NCA GOST
# containers are checked too when $KZP11_TESTKEYS has them.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd certutil modutil pkcs11-tool
: "${KZP11_NSS_USERCERTS:=$KZ_TOP/tests/interop/kzp11-nss-usercerts}"
if [ ! -x "$KZP11_NSS_USERCERTS" ]; then
	[ -z "${KZP11_INTEROP_STRICT:-}" ] ||
		fail "no $KZP11_NSS_USERCERTS (configure found no NSS headers: install libnss3-dev)"
	skip "no $KZP11_NSS_USERCERTS (configure found no NSS headers: install libnss3-dev)"
fi
if ! openssl engine -t gost >"$KZ_OUT" 2>&1; then
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "gost-engine does not load (openssl engine -t gost)" "$KZ_OUT"
	skip "gost-engine is not installed (openssl engine -t gost fails)"
fi

keys=$KZ_TMP/keys
rsa=$(mkcontainer --kind auth --cert-out "$keys")
rsa_id=$(ski_of "$rsa")

# ---- a GOST key for TLS client login, as an OpenSSL-export container ----

g=$KZ_TMP/gost
mkdir -p "$g"
must "gost-engine: key" openssl genpkey -engine gost -algorithm gost2012_256 \
	-pkeyopt paramset:A -out "$g/key.pem"
must "gost-engine: request" openssl req -engine gost -new -key "$g/key.pem" \
	-subj "/C=KZ/CN=GOSTOV GOST/SN=GOSTOV/serialNumber=IIN123456789011" -out "$g/req.pem"
printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\n' \
	>"$g/ext"
must "gost-engine: certificate" openssl x509 -engine gost -req -in "$g/req.pem" \
	-CA "$keys/ca.crt" -CAkey "$keys/ca.key" -CAcreateserial -days 30 -extfile "$g/ext" \
	-out "$g/cert.pem"
must "gost-engine: container" openssl pkcs12 -engine gost -export -inkey "$g/key.pem" \
	-in "$g/cert.pem" -passout "pass:$KZ_PASSWORD" -keypbe AES-256-CBC -certpbe AES-256-CBC \
	-macalg sha256 -out "$keys/AUTH_GOST.p12"
# The certificate beside it names the token before any login.
cp "$g/cert.pem" "$keys/AUTH_GOST.cer"
gost_fp=$(fingerprint_of "$g/cert.pem")
gost_nick="Gostov Gost GOST AUTH $(expiry_of "$g/cert.pem"):GOSTOV GOST — ИИН 123456789011 — GOST AUTH — до $(expiry_of "$g/cert.pem")"
rsa_date=$(expiry_of "${rsa%.p12}.cer")
rsa_nick="Тестов Т. AUTH $rsa_date:ТЕСТОВ ТЕСТ — ИИН 123456789011 — AUTH — до $rsa_date"

# ---- outside NSS: the GOST key is there ----

must "pkcs11-tool -O" p11 --slot "$(slot_of "${gost_fp:0:8}")" -O
has "$KZ_OUT" "Public Key Object; GOSTR3410" ||
	fail "pkcs11-tool does not see the GOST public key" "$KZ_OUT"
ok "pkcs11-tool (no NSS in the process): the GOST certificate and its public key object"

# ---- NSS ----

db=$KZ_TMP/nssdb
mkdir -p "$db"
must "certutil -N" certutil -N -d "sql:$db" --empty-password
must "modutil -add" modutil -dbdir "sql:$db" -add kzp11 -libfile "$KZP11_MODULE" -force

# offered USAGE NICKNAME: NSS's selection for USAGE lists NICKNAME.
offered() {
	must "kzp11-nss-usercerts $1" "$KZP11_NSS_USERCERTS" "$db" "$1" "$KZ_PASSWORD"
	cut -f1 "$KZ_OUT" | grep -qxF -- "$2"
}
user_cert() {
	certutil -L -d "sql:$db" -h all 2>/dev/null | grep -F -- "$1" | grep -q ' u,u,u *$'
}
listed() {
	certutil -L -d "sql:$db" -h all 2>/dev/null | grep -qF -- "$1"
}

# Token names as NSS shows them (modutil -list): the holder, the kind of key
# and the expiry, no ':' (NSS nicknames are "token:certificate").
must "modutil -list" modutil -dbdir "sql:$db" -list kzp11
tokens=$(sed -n 's/^  Token Name: //p' "$KZ_OUT" | sed 's/ *$//')
printf '%s\n' "$tokens" | grep -qxF "Тестов Т. AUTH $rsa_date" &&
	printf '%s\n' "$tokens" | grep -qxF "${gost_nick%%:*}" ||
	fail "modutil -list does not show the expected token names" "$KZ_OUT"
case $tokens in *:*) fail "a token name with ':' in modutil -list: $tokens" ;; esac
ok "modutil -list: token names '$(printf '%s' "$tokens" | tr '\n' '|')'"

# Default: hidden.
listed "$gost_nick" || fail "certutil -L does not list the GOST certificate at all" "$KZ_OUT"
! user_cert "$gost_nick" || fail "the GOST certificate is a user certificate (u,u,u) in NSS"
user_cert "$rsa_nick" || fail "the RSA AUTH certificate is not a user certificate in NSS"
ok "certutil -L -h all: '$rsa_nick' u,u,u; the GOST certificate listed without u"

offered ssl-client "$rsa_nick" || fail "NSS does not offer the RSA AUTH certificate" "$KZ_OUT"
grep -qxF "$rsa_nick	key" "$KZ_OUT" || fail "NSS finds no private key for the RSA AUTH certificate" "$KZ_OUT"
! offered ssl-client "$gost_nick" || fail "NSS offers the GOST certificate for TLS client login" "$KZ_OUT"
n=$(grep -c . "$KZ_OUT" || true)
[ "$n" -eq 1 ] || fail "NSS offers $n certificates for TLS client login, expected 1" "$KZ_OUT"
ok "NSS's TLS client certificate selection (CERT_FindUserCertsByUsage): only '$rsa_nick', with its key"
! offered email-signer "$gost_nick" || fail "NSS offers the GOST certificate for e-mail signing" "$KZ_OUT"
ok "NSS's e-mail signing selection: no GOST certificate"

# hide_gost_from_nss = no: NSS would offer it (where it cannot work).
printf 'hide_gost_from_nss = no\n' >"$KZP11_CONF"
user_cert "$gost_nick" || fail "hide_gost_from_nss = no: the GOST certificate is not a user certificate"
offered ssl-client "$gost_nick" ||
	fail "hide_gost_from_nss = no: NSS does not offer the GOST certificate" "$KZ_OUT"
offered ssl-client "$rsa_nick" || fail "hide_gost_from_nss = no: the RSA one is gone" "$KZ_OUT"
ok "hide_gost_from_nss = no: NSS offers the GOST certificate for TLS client login as well (u,u,u)"
: >"$KZP11_CONF"

# ---- the real NCA GOST containers (certificates marked for e-mail protection) ----

if [ -n "$KZP11_TESTKEYS" ] && [ -d "$KZP11_TESTKEYS/gost-2015" ]; then
	export KZP11_KEYS=$keys:$KZP11_TESTKEYS/gost-2015
	# A login in pkcs11-tool puts each certificate in the cache.
	for slot in $(p11_tokens | cut -f1); do
		run p11 --slot "$slot" --login --pin "$KZ_PASSWORD" -O || true
	done
	n=$(certutil -L -d "sql:$db" -h all 2>/dev/null | grep -c ' — GOST — до ' || true)
	[ "$n" -ge 5 ] || fail "certutil lists $n real NCA GOST certificates, expected at least 5"
	certutil -L -d "sql:$db" -h all 2>/dev/null | grep ' — GOST — до ' | grep -q ' u,u,u *$' &&
		fail "a real NCA GOST certificate is a user certificate in NSS"
	offered email-signer "$rsa_nick" || true
	grep -qF ' — GOST — до ' "$KZ_OUT" && fail "NSS offers a real NCA GOST certificate for e-mail" "$KZ_OUT"
	printf 'hide_gost_from_nss = no\n' >"$KZP11_CONF"
	offered email-signer "$rsa_nick" || true
	grep -qF ' — GOST — до ' "$KZ_OUT" ||
		fail "hide_gost_from_nss = no: NSS does not offer the real NCA GOST certificates for e-mail" "$KZ_OUT"
	: >"$KZP11_CONF"
	ok "$n real NCA GOST 2015 certificates: not the user's in NSS; with hide_gost_from_nss = no NSS would offer them for e-mail signing"
else
	echo "# no real NCA GOST containers (KZP11_TESTKEYS): that part not run"
fi

finish
