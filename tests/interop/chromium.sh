#!/bin/bash
# A real Chromium (Debian's chromium, non-headless under Xvfb) logs in to an
# HTTPS site with the client certificate of an NCA-format AUTH container:
#   - kzp11-register (the built tools/kzp11-register, module from
#     $KZP11_MODULE) creates ~/.pki/nssdb in a fresh HOME and adds kzp11,
#     which is where Chromium on Linux looks for PKCS#11 modules; the test
#     server's CA is trusted there (certutil -t C,,);
#   - the server (https-server.py, 127.0.0.1, random port) requires a client
#     certificate issued by the containers' test CA and logs the one it gets;
#   - xdotool types the password into Chromium's "Unlock Security Device"
#     window and presses Return in its "Select a certificate" dialog.
# Chromium selects a client certificate by itself only through the
# AutoSelectCertificateForUrls policy, which Linux builds read from
# /etc/chromium/policies/managed only (no per-user place; Debian's build
# ignores --policy): the test answers the chooser instead.
# Cases, each with a user data directory of its own:
#   first    first use (nothing cached): password, chooser, page
#   wrongpw  a wrong password first: the module says CKR_PIN_INCORRECT,
#            Chromium asks again, the right one works
# Each passes only when the page titled with the SHA-1 fingerprint of the
# container's certificate (as openssl computes it) has loaded and the server
# saw that certificate and no other; the containers stay byte-identical.
# Screenshots: tests/artifacts/chromium-*.png in the build tree.
set -eu
. "$(dirname "$0")/lib.sh"
. "$KZ_INTEROP_DIR/desktop-lib.sh"
require_cmd chromium Xvfb xdotool import certutil modutil python3 setsid sha256sum

t_start=$(now)
keys=$KZ_TMP/keys
auth=$(mkcontainer --kind auth "$keys")
auth_id=$(ski_of "$auth")
sign=$(mkcontainer --kind sign "$keys")
sign_id=$(ski_of "$sign")
cert_of_p12 "$auth" "$KZ_TMP/auth.pem"
fpr=$(fingerprint_of "$KZ_TMP/auth.pem")
sums_before="$(sha256 "$auth") $(sha256 "$sign")"

make_server_cert
start_https_server "$keys/ca.crt"
url=https://127.0.0.1:$SERVER_PORT/

# ---- ~/.pki/nssdb by kzp11-register ----

nssdb=$HOME/.pki/nssdb
[ ! -e "$nssdb" ] || fail "$nssdb exists before the test"
if [ -n "${KZP11_REGISTER:-}" ]; then
	register=("$KZP11_REGISTER")
else
	register=(sh "$KZ_TOP/tools/kzp11-register.in")
fi
must "kzp11-register" "${register[@]}"
has "$KZ_OUT" "Chromium: $nssdb: added" ||
	fail "kzp11-register did not add the module to $nssdb" "$KZ_OUT" "$KZ_ERR"
grep -qxF "library=$KZP11_MODULE" "$nssdb/pkcs11.txt" ||
	fail "$nssdb/pkcs11.txt does not name $KZP11_MODULE" "$nssdb/pkcs11.txt"
must "trust the server CA" certutil -A -d "sql:$nssdb" -n "kzp11 test server CA" -t "C,," \
	-i "$KZ_TMP/srvca.crt"
ok "kzp11-register: created $nssdb and added $KZP11_MODULE"

start_xvfb

# Root cannot use Chromium's sandbox (it refuses to start without this).
sandbox=()
[ "$(id -u)" != 0 ] || sandbox=(--no-sandbox)

# run_chromium CASE PASSWORD...: Chromium on its own user data directory and
# the site, driven until the page shows (drive_browser).
run_chromium() {
	local c=$1
	shift
	: >"$SERVER_LOG"
	printf 'debug = 3\nlog = %s\n' "$KZ_TMP/module-chromium-$c.log" >"$KZ_TMP/kzp11-$c.conf"
	start_browser "chromium-$c" "$KZ_TMP/chromium-$c.log" \
		env KZP11_CONF="$KZ_TMP/kzp11-$c.conf" \
		chromium "${sandbox[@]}" --user-data-dir="$KZ_TMP/chromium-$c" \
		--no-first-run --no-default-browser-check --password-store=basic \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions --disable-gpu --disable-dev-shm-usage \
		--no-proxy-server --disable-features=Translate,OptimizationHints,MediaRouter \
		"$url"
	drive_browser "chromium-$c" '^Unlock Security Device' ' - Chromium$' '^kzp11 client ' 1 "$@"
}

# check_case CASE: the page is the one for our certificate, the server saw it
# and only it, the containers are unchanged.
check_case() {
	local c=$1
	case $TITLE in "kzp11 client $fpr"*) ;;
	*) fail "$c: the page is titled '$TITLE', expected the fingerprint $fpr" "$SERVER_LOG" ;;
	esac
	server_saw "$fpr" ||
		fail "$c: the server did not log the AUTH certificate $fpr" "$SERVER_LOG"
	! server_saw_other "$fpr" ||
		fail "$c: the server saw another client certificate" "$SERVER_LOG"
	[ "$CHOSEN" -ge 1 ] || fail "$c: the page loaded without the certificate chooser being answered"
	[ "$(sha256 "$auth") $(sha256 "$sign")" = "$sums_before" ] ||
		fail "$c: a container file changed"
	screenshot "chromium-$c"
	stop_browser
}

logins() { grep -c "C_Login = $1\$" "$KZ_TMP/module-chromium-$2.log" || true; }

[ -z "$(ls -A "$XDG_CACHE_HOME/kzp11" 2>/dev/null)" ] ||
	fail "the certificate cache is not empty before the first run"
run_chromium first "$KZ_PASSWORD"
check_case first
[ "$PROMPTS" -ge 1 ] || fail "first: the page loaded without a password"
[ "$(logins CKR_OK first)" -ge 1 ] ||
	fail "first: the module saw no successful C_Login" "$KZ_TMP/module-chromium-first.log"
ok "Chromium, first use: $PROMPTS password prompt(s), chooser answered, server saw AUTH ${auth_id:0:8} (SHA-1 $fpr), page in ${T_PAGE}s"

# The first run opened both containers (the browser asks for every token
# whose certificate it cannot see): both certificates are cached now, both
# tokens show them without a password, and the only prompt left is for the
# AUTH key itself.
for id in "$auth_id" "$sign_id"; do
	[ -f "$XDG_CACHE_HOME/kzp11/$id.der" ] ||
		fail "no cached certificate $XDG_CACHE_HOME/kzp11/$id.der after the first run"
done

run_chromium wrongpw Wrong1234 "$KZ_PASSWORD"
check_case wrongpw
[ "$PROMPTS" -eq 2 ] || fail "wrongpw: expected 2 password prompts (wrong, then right), saw $PROMPTS"
[ "$(logins CKR_PIN_INCORRECT wrongpw)" -ge 1 ] ||
	fail "wrongpw: the module saw no CKR_PIN_INCORRECT" "$KZ_TMP/module-chromium-wrongpw.log"
[ "$(logins CKR_OK wrongpw)" -ge 1 ] || fail "wrongpw: no successful C_Login"
ok "Chromium, wrong password first: CKR_PIN_INCORRECT, asked again ($PROMPTS prompts), right one logged in; page in ${T_PAGE}s; containers byte-identical"

echo "# chromium.sh took $(elapsed "$t_start")s"
finish
