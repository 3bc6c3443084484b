#!/bin/bash
# A real Firefox (Debian's firefox-esr, non-headless under Xvfb) logs in to an
# HTTPS site with the client certificate of an NCA-format AUTH container, as
# a user would after installing kzp11 and running kzp11-register once:
#   - kzp11-register (the built tools/kzp11-register, module from
#     $KZP11_MODULE) adds kzp11 to the Firefox profiles in a fresh HOME;
#   - the server (https-server.py, 127.0.0.1, random port) requires a client
#     certificate issued by the containers' test CA and logs the one it gets;
#     its own certificate comes from a CA the profiles trust (certutil -t C,,);
#   - xdotool types the container's password into Firefox's
#     "Password Required" window.
# Cases, each in a profile of its own, in this order:
#   auto     first use (no certificate cached): security.default_personal_cert
#            = "Select Automatically"; Firefox asks for the password of each
#            container (AUTH and SIGN) to find the certificates
#   wrongpw  the same pref, certificates cached now: a wrong password first,
#            Firefox asks again (the module saw CKR_PIN_INCORRECT), then the
#            right one works
#   chooser  "Ask Every Time": the certificate chooser (drawn inside the main
#            window) waits for an answer; Return picks the AUTH certificate,
#            then the password
# Each passes only when the page titled with the SHA-1 fingerprint of the
# container's certificate (as openssl computes it) has loaded and the server
# saw that certificate and no other; the containers stay byte-identical.
# Screenshots: tests/artifacts/firefox-*.png in the build tree.
set -eu
. "$(dirname "$0")/lib.sh"
. "$KZ_INTEROP_DIR/desktop-lib.sh"
require_cmd firefox-esr Xvfb xdotool import certutil modutil python3 setsid sha256sum

t_start=$(now)
keys=$KZ_TMP/keys
auth=$(mkcontainer --kind auth "$keys")
auth_id=$(ski_of "$auth")
# A signing container next to it, as NCA issues them: not for TLS, never sent.
sign=$(mkcontainer --kind sign "$keys")
sign_id=$(ski_of "$sign")
cert_of_p12 "$auth" "$KZ_TMP/auth.pem"
fpr=$(fingerprint_of "$KZ_TMP/auth.pem")
sums_before=$(sha256 "$auth") && sums_before="$sums_before $(sha256 "$sign")"

make_server_cert
start_https_server "$keys/ca.crt"
url=https://127.0.0.1:$SERVER_PORT/

# ---- profiles, and kzp11-register ----

cases="auto wrongpw chooser"
ffdir=$HOME/.mozilla/firefox
mkdir -p "$ffdir"
{
	n=0
	for c in $cases; do
		printf '[Profile%d]\nName=%s\nIsRelative=1\nPath=%s\n\n' "$n" "$c" "$c.test"
		n=$((n + 1))
	done
	printf '[General]\nStartWithLastProfile=1\nVersion=2\n'
} >"$ffdir/profiles.ini"

# user_js PERSONAL_CERT: the profile's prefs: no first-run pages, nothing that
# talks to the network beyond 127.0.0.1, no speculative connections (each
# would be a handshake asking for the certificate).
user_js() {
	cat <<EOF
user_pref("security.default_personal_cert", "$1");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.startup.page", 0);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("browser.tabs.warnOnClose", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("services.settings.server", "http://127.0.0.1:9/");
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("network.prefetch-next", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("browser.urlbar.speculativeConnect.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("security.OCSP.enabled", 0);
user_pref("security.remote_settings.crlite_filters.enabled", false);
user_pref("security.remote_settings.intermediates.enabled", false);
EOF
}

for c in $cases; do
	p=$ffdir/$c.test
	mkdir -p "$p"
	must "certutil -N ($c)" certutil -N -d "sql:$p" --empty-password
	must "trust the server CA ($c)" certutil -A -d "sql:$p" -n "kzp11 test server CA" -t "C,," \
		-i "$KZ_TMP/srvca.crt"
	if [ "$c" = chooser ]; then
		user_js "Ask Every Time" >"$p/user.js"
	else
		user_js "Select Automatically" >"$p/user.js"
	fi
done

if [ -n "${KZP11_REGISTER:-}" ]; then
	register=("$KZP11_REGISTER")
else
	register=(sh "$KZ_TOP/tools/kzp11-register.in")
fi
# The module comes from $KZP11_MODULE (exported by lib.sh), the tool's own
# way to name a module other than the installed one.
must "kzp11-register" "${register[@]}"
for c in $cases; do
	has "$KZ_OUT" "Firefox: $ffdir/$c.test: added" ||
		fail "kzp11-register did not add the module to the profile '$c'" "$KZ_OUT" "$KZ_ERR"
	grep -qxF "library=$KZP11_MODULE" "$ffdir/$c.test/pkcs11.txt" ||
		fail "profile '$c': pkcs11.txt does not name $KZP11_MODULE" "$ffdir/$c.test/pkcs11.txt"
done
ok "kzp11-register: module $KZP11_MODULE added to the 3 Firefox profiles"

start_xvfb

# ---- one Firefox run ----

# run_firefox CASE PASSWORD...: Firefox on the case's profile and the site,
# driven until the page shows (drive_browser); the module logs every call.
run_firefox() {
	local c=$1 chooser=0
	shift
	[ "$c" != chooser ] || chooser=1
	: >"$SERVER_LOG"
	printf 'debug = 3\nlog = %s\n' "$KZ_TMP/module-firefox-$c.log" >"$KZ_TMP/kzp11-$c.conf"
	start_browser "firefox-$c" "$KZ_TMP/firefox-$c.log" \
		env -u MOZ_HEADLESS KZP11_CONF="$KZ_TMP/kzp11-$c.conf" MOZ_CRASHREPORTER_DISABLE=1 \
		firefox-esr --no-remote --profile "$ffdir/$c.test" "$url"
	drive_browser "firefox-$c" '^Password Required' 'Mozilla Firefox$' "^kzp11 client " \
		"$chooser" "$@"
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
	[ "$(sha256 "$auth") $(sha256 "$sign")" = "$sums_before" ] ||
		fail "$c: a container file changed"
	screenshot "firefox-$c"
	stop_browser
}

logins() { grep -c "C_Login = $1\$" "$KZ_TMP/module-firefox-$2.log" || true; }

# First use: nothing known about the containers before this run.
[ -z "$(ls -A "$XDG_CACHE_HOME/kzp11" 2>/dev/null)" ] ||
	fail "the certificate cache is not empty before the first run"
run_firefox auto "$KZ_PASSWORD"
check_case auto
[ "$PROMPTS" -ge 1 ] || fail "auto: the page loaded without a password"
[ "$(logins CKR_OK auto)" -ge 1 ] || fail "auto: the module saw no successful C_Login" \
	"$KZ_TMP/module-firefox-auto.log"
ok "Firefox, first use, 'Select Automatically': $PROMPTS password prompt(s), server saw AUTH ${auth_id:0:8} (SHA-1 $fpr), page loaded in ${T_PAGE}s"

# The first run opened both containers (the browser asks for every token
# whose certificate it cannot see): both certificates are cached now, both
# tokens show them without a password, and the only prompt left is for the
# AUTH key itself.
for id in "$auth_id" "$sign_id"; do
	[ -f "$XDG_CACHE_HOME/kzp11/$id.der" ] ||
		fail "no cached certificate $XDG_CACHE_HOME/kzp11/$id.der after the first run"
done

run_firefox wrongpw Wrong1234 "$KZ_PASSWORD"
check_case wrongpw
[ "$PROMPTS" -eq 2 ] || fail "wrongpw: expected 2 password prompts (wrong, then right), saw $PROMPTS"
[ "$(logins CKR_PIN_INCORRECT wrongpw)" -ge 1 ] ||
	fail "wrongpw: the module saw no CKR_PIN_INCORRECT" "$KZ_TMP/module-firefox-wrongpw.log"
[ "$(logins CKR_OK wrongpw)" -ge 1 ] || fail "wrongpw: no successful C_Login"
ok "Firefox, certificate cached, wrong password first: CKR_PIN_INCORRECT, asked again ($PROMPTS prompts), right one logged in; page in ${T_PAGE}s; containers byte-identical"

run_firefox chooser "$KZ_PASSWORD"
[ "$CHOSEN" -ge 1 ] || fail "chooser: the page loaded without the certificate chooser being answered"
check_case chooser
ok "Firefox, 'Ask Every Time': chooser answered with Return, AUTH certificate sent, page in ${T_PAGE}s"

echo "# firefox.sh took $(elapsed "$t_start")s"
finish
