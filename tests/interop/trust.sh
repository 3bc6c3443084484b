#!/bin/bash
# The trust token (kzp11.conf: trust_ca_dir) with the real NSS: tstclnt, in an
# NSS database that has kzp11 added by modutil and no CA imported, accepts an
# "openssl s_server" on 127.0.0.1 whose certificate chains to a CA in the
# folder, and rejects it (SEC_ERROR_UNKNOWN_ISSUER) when the token is off,
# when the CA is taken out of the folder, when the folder may be written by
# others, and when the certificate in the folder is not a CA certificate.
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd certutil modutil tstclnt

# ---- certificates: a CA, a server certificate it issued, a non-CA ----

cadir=$KZ_TMP/ca
mkdir -p "$cadir" "$KZ_TMP/pki"
chmod 755 "$cadir"
pki=$KZ_TMP/pki
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' \
	>"$pki/ca.ext"
openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/C=KZ/CN=kzp11 trust test root" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-keyout "$pki/ca.key" -out "$pki/ca.pem" 2>"$KZ_ERR" || fail "cannot make the CA" "$KZ_ERR"
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$pki/srv.key" -out "$pki/srv.csr" 2>"$KZ_ERR" || fail "cannot make the server key" "$KZ_ERR"
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
	>"$pki/srv.ext"
openssl x509 -req -in "$pki/srv.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
	-days 2 -extfile "$pki/srv.ext" -out "$pki/srv.crt" 2>"$KZ_ERR" ||
	fail "cannot sign the server certificate" "$KZ_ERR"
# A self-signed server certificate that is not a CA (basicConstraints CA:FALSE).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "basicConstraints=critical,CA:FALSE" -addext "subjectAltName=IP:127.0.0.1" \
	-addext "extendedKeyUsage=serverAuth" \
	-keyout "$pki/leaf.key" -out "$pki/leaf.pem" 2>"$KZ_ERR" || fail "cannot make the non-CA" "$KZ_ERR"
# OpenSSL itself says the chain holds.
must "openssl verify" openssl verify -CAfile "$pki/ca.pem" "$pki/srv.crt"

# ---- the NSS database: kzp11 added, no CA imported ----

db=sql:$KZ_TMP/nssdb
mkdir -p "$KZ_TMP/nssdb"
must "certutil -N" certutil -N -d "$db" --empty-password
must "modutil -add" modutil -dbdir "$db" -add kzp11 -libfile "$KZP11_MODULE" -force

set_conf() {
	printf '%s\n' "$@" >"$KZP11_CONF"
}

start_s_server "$KZ_TMP/server.log" -cert "$pki/srv.crt" -key "$pki/srv.key" -www
srv_port=$SERVER_PORT

# connect PORT: tstclnt to 127.0.0.1:PORT, server certificate checked by NSS.
connect() {
	printf 'GET / HTTP/1.0\r\n\r\n' |
		timeout "$KZ_TIMEOUT" tstclnt -h 127.0.0.1 -p "$1" -d "$db" -V tls1.2:tls1.3 \
			>"$KZ_OUT" 2>"$KZ_ERR"
}
# tstclnt's exit status says little (it may end by the timeout): judge by
# the page it received.
accepted() {
	connect "$1" || true
	has "$KZ_OUT" "HTTP/1.0 200 ok" && has_not "$KZ_ERR" "SEC_ERROR" ||
		fail "$2: tstclnt did not accept the server" "$KZ_OUT" "$KZ_ERR" "$KZ_TMP/module.log"
}
rejected() {
	connect "$1" || true
	has_not "$KZ_OUT" "HTTP/1.0 200 ok" && has "$KZ_ERR" "$2" ||
		fail "$3: tstclnt did not reject the server with $2" "$KZ_OUT" "$KZ_ERR" \
			"$KZ_TMP/module.log"
}

# ---- off: nothing configured ----

set_conf "log = $KZ_TMP/module.log" "debug = 2"
rejected "$srv_port" SEC_ERROR_UNKNOWN_ISSUER "no trust_ca_dir"
must "modutil -list" modutil -dbdir "$db" -list kzp11
has_not "$KZ_OUT" "kzp11 trusted CAs" || fail "a trust token without trust_ca_dir" "$KZ_OUT"
ok "trust_ca_dir unset: no trust token, tstclnt rejects the server (SEC_ERROR_UNKNOWN_ISSUER)"

# ---- on ----

cp "$pki/ca.pem" "$cadir/root.pem"
# A broken file and a certificate file that is not a CA beside it: both skipped.
printf -- '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n' \
	>"$cadir/broken.pem"
chmod 644 "$cadir"/*
set_conf "trust_ca_dir = $cadir" "log = $KZ_TMP/module.log" "debug = 2"
accepted "$srv_port" "trust_ca_dir with the CA"
ok "trust_ca_dir with the CA (PEM): tstclnt accepts the server, no CA in the NSS database"

must "modutil -list" modutil -dbdir "$db" -list kzp11
has "$KZ_OUT" "kzp11 trusted CAs" || fail "modutil does not show the trust token" "$KZ_OUT"
must "certutil -L -h all" certutil -L -d "$db" -h all
grep -qE '^kzp11 trusted CAs:kzp11 trust test root +CT?,C?,?C?' "$KZ_OUT" ||
	grep -qE '^kzp11 trusted CAs:kzp11 trust test root +C' "$KZ_OUT" ||
	fail "certutil -L does not list the CA as trusted" "$KZ_OUT"
ok "modutil -list shows 'kzp11 trusted CAs'; certutil -L -h all: $(grep 'trust test root' "$KZ_OUT" | tr -s ' ')"
has "$KZ_TMP/module.log" "broken.pem holds no readable certificate" ||
	fail "no log line for the broken file" "$KZ_TMP/module.log"
ok "a broken file in the folder is logged and skipped"

# DER works the same.
rm "$cadir/root.pem"
openssl x509 -in "$pki/ca.pem" -outform DER -out "$cadir/root.cer"
chmod 644 "$cadir/root.cer"
accepted "$srv_port" "trust_ca_dir with the CA in DER"
ok "trust_ca_dir with the CA (DER): tstclnt accepts the server"

# ---- the folder others may write: refused ----

chmod 775 "$cadir"
: >"$KZ_TMP/module.log"
rejected "$srv_port" SEC_ERROR_UNKNOWN_ISSUER "group-writable folder"
has "$KZ_TMP/module.log" "is writable by its group: refused" ||
	fail "no log line for the group-writable folder" "$KZ_TMP/module.log"
chmod 755 "$cadir"
chmod 666 "$cadir/root.cer"
: >"$KZ_TMP/module.log"
rejected "$srv_port" SEC_ERROR_UNKNOWN_ISSUER "world-writable file"
has "$KZ_TMP/module.log" "is writable by everyone: refused" ||
	fail "no log line for the world-writable file" "$KZ_TMP/module.log"
chmod 644 "$cadir/root.cer"
ok "a folder writable by its group, a file writable by everyone: refused with a log line, server rejected"

# A folder owned by another user (only root can arrange that here).
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody "$cadir"
	: >"$KZ_TMP/module.log"
	rejected "$srv_port" SEC_ERROR_UNKNOWN_ISSUER "folder owned by nobody"
	has "$KZ_TMP/module.log" "neither root nor this user: refused" ||
		fail "no log line for the folder owned by another user" "$KZ_TMP/module.log"
	chown 0 "$cadir"
	accepted "$srv_port" "folder owned by root again"
	ok "a folder owned by another user (nobody): refused with a log line, server rejected"
fi

# ---- the real NCA CA certificates, when the public samples are there ----

if [ -n "$KZP11_TESTKEYS" ] && [ -d "$KZP11_TESTKEYS/ca" ]; then
	ncadir=$KZ_TMP/nca-ca
	mkdir -p "$ncadir"
	cp "$KZP11_TESTKEYS"/ca/* "$ncadir/"
	chmod 755 "$ncadir"
	chmod 644 "$ncadir"/*
	set_conf "trust_ca_dir = $ncadir"
	must "certutil -L -h all (NCA CAs)" certutil -L -d "$db" -h all
	n=$(grep -c '^kzp11 trusted CAs:.* CT,C, *$' "$KZ_OUT" || true)
	[ "$n" -eq "$(ls "$ncadir" | wc -l)" ] ||
		fail "$n of $(ls "$ncadir" | wc -l) NCA CA certificates trusted" "$KZ_OUT"
	ok "the $n real NCA CA certificates (RSA and GOST, roots and intermediates): all listed as trusted CAs (CT,C,)"
	set_conf "trust_ca_dir = $cadir" "log = $KZ_TMP/module.log" "debug = 2"
fi

# ---- the CA taken out ----

rm "$cadir/root.cer"
rejected "$srv_port" SEC_ERROR_UNKNOWN_ISSUER "CA removed from the folder"
ok "CA removed from the folder: tstclnt rejects the server (SEC_ERROR_UNKNOWN_ISSUER)"

# ---- a non-CA certificate in the folder is not trusted ----

stop_pid "$SERVER_PID"
start_s_server "$KZ_TMP/server2.log" -cert "$pki/leaf.pem" -key "$pki/leaf.key" -www
cp "$pki/leaf.pem" "$cadir/leaf.pem"
chmod 644 "$cadir/leaf.pem"
: >"$KZ_TMP/module.log"
connect "$SERVER_PORT" || true
has_not "$KZ_OUT" "HTTP/1.0 200 ok" ||
	fail "a server whose non-CA certificate is in the folder was accepted" "$KZ_OUT" "$KZ_ERR"
why=$(grep -oE 'SEC_ERROR_(UNKNOWN_ISSUER|UNTRUSTED_ISSUER|UNTRUSTED_CERT|CA_CERT_INVALID)' "$KZ_ERR" |
	head -n1) || fail "tstclnt failed for another reason" "$KZ_ERR"
has "$KZ_TMP/module.log" "is not a CA certificate" ||
	fail "no log line for the non-CA certificate" "$KZ_TMP/module.log"
must "certutil -L -h all" certutil -L -d "$db" -h all
has_not "$KZ_OUT" "kzp11 trusted CAs:" || fail "the non-CA certificate is on the trust token" "$KZ_OUT"
ok "a non-CA certificate in the folder: skipped with a log line, tstclnt rejects the server ($why)"

finish
