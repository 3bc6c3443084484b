#!/bin/bash
# NSS with kzp11 added to a database (modutil): the user certificate appears
# (from the certificate cache, or after a login in an earlier run), then TLS
# client authentication with tstclnt against "openssl s_server" over TLS 1.3
# (RSA-PSS) and TLS 1.2 (RSA-PSS and PKCS#1 v1.5).
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd certutil modutil tstclnt pkcs11-tool

keys=$KZ_TMP/keys
auth=$(mkcontainer --kind auth "$keys")
auth_id=$(ski_of "$auth")
# A second key whose certificate pkcs11-tool puts in the cache before NSS starts.
warm=$(mkcontainer --kind auth --holder "ОРАЗ АЙША" "$keys")
warm_id=$(ski_of "$warm")
cert_of_p12 "$auth" "$KZ_TMP/client.pem"
# As "openssl s_server -www" prints it (X509_print: the "compat" name format).
client_subject=$(openssl x509 -in "$KZ_TMP/client.pem" -noout -text -nameopt compat |
	sed -n 's/^ *Subject: //p')
[ -n "$client_subject" ] || fail "cannot read the client certificate's subject"

# A server certificate from a CA of its own.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kzp11 test server CA" \
	-keyout "$KZ_TMP/srvca.key" -out "$KZ_TMP/srvca.crt" 2>"$KZ_ERR" ||
	fail "cannot make the server CA" "$KZ_ERR"
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$KZ_TMP/srv.key" -out "$KZ_TMP/srv.csr" 2>"$KZ_ERR" ||
	fail "cannot make the server key" "$KZ_ERR"
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$KZ_TMP/srv.ext"
openssl x509 -req -in "$KZ_TMP/srv.csr" -CA "$KZ_TMP/srvca.crt" -CAkey "$KZ_TMP/srvca.key" \
	-CAcreateserial -days 2 -extfile "$KZ_TMP/srv.ext" -out "$KZ_TMP/srv.crt" 2>"$KZ_ERR" ||
	fail "cannot sign the server certificate" "$KZ_ERR"

db=sql:$KZ_TMP/nssdb
mkdir -p "$KZ_TMP/nssdb"
must "certutil -N" certutil -N -d "$db" --empty-password
must "import the client CA" certutil -A -d "$db" -n "kzp11 test CA" -t "CT,," -i "$keys/ca.crt"
must "import the server CA" certutil -A -d "$db" -n "server CA" -t "C,," -i "$KZ_TMP/srvca.crt"
must "modutil -add" modutil -dbdir "$db" -add kzp11 -libfile "$KZP11_MODULE" -force
must "modutil -list" modutil -dbdir "$db" -list kzp11
has "$KZ_OUT" "NCA AUTH ${auth_id:0:8}" || fail "modutil does not show the token" "$KZ_OUT"
ok "modutil -add: the module loads in NSS and shows the token 'NCA AUTH ${auth_id:0:8}'"

printf '%s\n' "$KZ_PASSWORD" >"$KZ_TMP/pw"
printf 'Wrong1234\n' >"$KZ_TMP/badpw"

# The user's certificates: "token label:object label" with trust u,u,u.
user_certs() { certutil -L -d "$db" -h all 2>/dev/null | grep ' u,u,u *$' || true; }
# nick_of ID8: the nickname of the user certificate on the token of that key.
nick_of() {
	local label
	label=$(label_of "$1")
	[ -n "$label" ] || return 0
	user_certs | sed 's/ *u,u,u *$//' | awk -F: -v t="$label" '$1 == t'
}

# ---- warm cache: a login in pkcs11-tool earlier ----

must "pkcs11-tool login" p11 --slot "$(slot_of "${warm_id:0:8}")" --login --pin "$KZ_PASSWORD" -O
certs=$(user_certs)
n=$(printf '%s\n' "$certs" | grep -c . || true)
warm_nick=$(nick_of "${warm_id:0:8}")
[ "$n" -eq 1 ] && [ -n "$warm_nick" ] ||
	fail "after a pkcs11-tool login, expected only that key's certificate; certutil lists: $certs"
cert_of_p12 "$warm" "$KZ_TMP/warm.pem"
warm_date=$(expiry_of "$KZ_TMP/warm.pem")
[ "$warm_nick" = "Ораз А. AUTH $warm_date:ОРАЗ АЙША — ИИН 123456789011 — AUTH — до $warm_date" ] ||
	fail "the cached certificate is listed as '$warm_nick'"
ok "warm cache (pkcs11-tool login earlier): certutil -L -h all lists '$warm_nick' u,u,u without a password"

# ---- cold cache: nothing to show until a login ----

[ -z "$(nick_of "${auth_id:0:8}")" ] ||
	fail "a certificate is listed before it can be known: $(nick_of "${auth_id:0:8}")"
ok "cold cache: certutil -L -h all does not list the other key's certificate before a login"

must_not "certutil -K with a wrong password" \
	certutil -K -d "$db" -h "NCA AUTH ${auth_id:0:8}" -f "$KZ_TMP/badpw"
[ -z "$(nick_of "${auth_id:0:8}")" ] || fail "a failed login made the certificate known"
ok "certutil -K -f (wrong password) fails and shows nothing new"

must "certutil -K with the password" certutil -K -d "$db" -h "NCA AUTH ${auth_id:0:8}" -f "$KZ_TMP/pw"
has "$KZ_OUT" "$auth_id" || fail "certutil -K does not list the key $auth_id" "$KZ_OUT" "$KZ_ERR"
ok "certutil -K -f pwfile: logs in and lists the RSA key $auth_id"

# ---- warm cache: the certificate before login ----

certs=$(user_certs)
n=$(printf '%s\n' "$certs" | grep -c . || true)
nick=$(nick_of "${auth_id:0:8}")
[ "$n" -eq 2 ] && [ -n "$nick" ] ||
	fail "after the login, $n user certificates listed, expected 2: $certs"
token=${nick%%:*}
[ "$token" = "Тестов Т. AUTH $(expiry_of "$KZ_TMP/client.pem")" ] ||
	fail "user certificate listed as '$nick', token part '$token'"
ok "certutil -L -h all (next run, no password): '$nick' u,u,u"

must "certutil -L -n" certutil -L -d "$db" -n "$nick" -a
openssl x509 -in "$KZ_OUT" -outform DER -out "$KZ_TMP/nss.der" 2>/dev/null &&
	openssl x509 -in "$KZ_TMP/client.pem" -outform DER -out "$KZ_TMP/client.der" &&
	cmp -s "$KZ_TMP/nss.der" "$KZ_TMP/client.der" ||
	fail "the certificate NSS sees is not the container's" "$KZ_OUT"
ok "certutil -L -n '$nick': the container's certificate"

must "certutil -V" certutil -V -d "$db" -n "$nick" -u C
ok "certutil -V -u C: valid for SSL client use, chained to the test CA"

# ---- TLS client authentication ----

printf 'GET / HTTP/1.0\r\n\r\n' >"$KZ_TMP/request"
start_s_server "$KZ_TMP/s_server.log" -cert "$KZ_TMP/srv.crt" -key "$KZ_TMP/srv.key" \
	-CAfile "$keys/ca.crt" -Verify 1 -www

# tls VERSIONS [tstclnt options...]: one request with the client certificate; page in $KZ_OUT.
tls() {
	local versions=$1
	shift
	must "tstclnt -V $versions $*" tstclnt -h 127.0.0.1 -p "$SERVER_PORT" -d "$db" \
		-n "$nick" -w "$KZ_PASSWORD" -V "$versions" -A "$KZ_TMP/request" "$@"
}

# page_shows PROTOCOL SIGNATURE-TYPE: the server saw our certificate and signature.
page_shows() {
	has "$KZ_OUT" "Protocol  : $1" || fail "the server's page does not say $1" "$KZ_OUT" "$KZ_ERR"
	has "$KZ_OUT" "Client certificate" ||
		fail "the server got no client certificate" "$KZ_OUT" "$KZ_ERR"
	has "$KZ_OUT" "Subject: $client_subject" ||
		fail "the server's page does not show the subject '$client_subject'" "$KZ_OUT"
	grep -qx "Peer signature type: $2" "$KZ_OUT" ||
		fail "the client's signature is not $2" "$KZ_OUT"
}

tls tls1.3:tls1.3
page_shows TLSv1.3 RSA-PSS
ok "TLS 1.3 client authentication (CKM_RSA_PKCS_PSS): the server shows the client's subject"

tls tls1.2:tls1.2
page_shows TLSv1.2 RSA-PSS
ok "TLS 1.2 client authentication, RSA-PSS: the server shows the client's subject"

tls tls1.2:tls1.2 -J rsa_pkcs1_sha256
page_shows TLSv1.2 RSA
ok "TLS 1.2 client authentication, rsa_pkcs1_sha256 (CKM_RSA_PKCS): the server shows the client's subject"

# A wrong password: no client certificate, so the server ends the handshake.
if run tstclnt -h 127.0.0.1 -p "$SERVER_PORT" -d "$db" -n "$nick" -w Wrong1234 \
	-V tls1.3:tls1.3 -A "$KZ_TMP/request"; then
	:
fi
has_not "$KZ_OUT" "Client certificate" || fail "a page with a client certificate, wrong password" "$KZ_OUT"
ok "a wrong password: no client certificate reaches the server"

stop_pid "$SERVER_PID"
finish
