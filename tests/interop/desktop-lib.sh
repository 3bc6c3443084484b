# shellcheck shell=bash
# Helpers for the browser tests (firefox.sh, chromium.sh); sourced after lib.sh.
#
# A browser runs non-headless on an Xvfb display of its own, with no window
# manager: dialogs are top-level X windows that xdotool finds by title.  An
# HTTPS server on 127.0.0.1 (https-server.py) requires a client certificate
# and logs the one it saw.  Everything started here is stopped by PID at exit,
# whatever happened.
#
# Screenshots go to $KZP11_ARTIFACTS (default: tests/artifacts under the
# current directory, which is the build tree under make check).
#   KZP11_BROWSER_WAIT   seconds a browser may take to show a window (default 60)

# A module built with sanitizers needs their runtime loaded first, which a
# browser's many processes do not do: browsers are tested with the plain
# build (make check), the module's code under sanitizers by the other tests.
[ -z "${KZP11_SAN_PRELOAD:-}" ] || skip "sanitizer build: the browser tests run in the plain build"

: "${KZP11_ARTIFACTS:=$PWD/tests/artifacts}"
KZ_WAIT=${KZP11_BROWSER_WAIT:-60}
KZ_XVFB_PID=
KZ_BROWSER_PID=
DISPLAY=
export DISPLAY

# The browser is a process group of its own (setsid): stopping it stops its
# content, GPU and network processes too.
stop_browser() {
	local pid=$KZ_BROWSER_PID _i
	[ -n "$pid" ] || return 0
	KZ_BROWSER_PID=
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	# Until the whole group is gone: a content process still writing its
	# profile would race the removal of the temporary directory.
	for _i in $(seq 50); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	for _i in $(seq 30); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$pid" 2>/dev/null || true
}

desktop_cleanup() {
	local rc=$?
	set +e # (exit "$rc") below must not end the shell before kz_cleanup runs
	stop_browser
	if [ -n "$KZ_XVFB_PID" ]; then
		kill "$KZ_XVFB_PID" 2>/dev/null || true
		wait "$KZ_XVFB_PID" 2>/dev/null || true
		KZ_XVFB_PID=
	fi
	(exit "$rc")
	kz_cleanup
}
trap desktop_cleanup EXIT

# now: seconds since the epoch, with decimals.
now() { date +%s.%N; }
# elapsed T0: seconds since T0, one decimal.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# before DEADLINE: is it still earlier than DEADLINE (epoch seconds)?
before() { awk -v d="$1" -v n="$(now)" 'BEGIN { exit !(n < d) }'; }
# deadline SECONDS: the epoch time SECONDS from now.
deadline() { awk -v s="$1" -v n="$(now)" 'BEGIN { printf "%.3f", n + s }'; }

# start_xvfb: an X server on a display number of its own, picked at random
# among :200-:899 (low numbers are what desktops and other tests use) and not
# locked by anyone.  Sets DISPLAY.  -noreset: by default the server resets when
# its last client leaves, and a browser started during the reset cannot
# connect ("cannot open display").
start_xvfb() {
	local n _try _i
	for _try in 1 2 3 4 5 6 7 8; do
		n=$((200 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 700))
		[ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ] || continue
		Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp -noreset >"$KZ_TMP/xvfb.log" 2>&1 </dev/null &
		KZ_XVFB_PID=$!
		for _i in $(seq 100); do
			kill -0 "$KZ_XVFB_PID" 2>/dev/null || break
			if DISPLAY=:$n timeout 5 xdotool getdisplaygeometry >/dev/null 2>&1; then
				DISPLAY=:$n
				return 0
			fi
			sleep 0.1
		done
		kill "$KZ_XVFB_PID" 2>/dev/null || true
		wait "$KZ_XVFB_PID" 2>/dev/null || true
		KZ_XVFB_PID=
	done
	fail "Xvfb did not start" "$KZ_TMP/xvfb.log"
}

# xvfb_alive: fails the test if the X server went away (with the reason).
xvfb_alive() {
	kill -0 "$KZ_XVFB_PID" 2>/dev/null || fail "Xvfb ($DISPLAY) is gone" "$KZ_TMP/xvfb.log"
}

# make_server_cert: a CA of its own ($KZ_TMP/srvca.crt) and a certificate for
# 127.0.0.1 ($KZ_TMP/srv.crt, srv.key) that the browsers are told to trust.
make_server_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kzp11 browser test server CA" \
		-keyout "$KZ_TMP/srvca.key" -out "$KZ_TMP/srvca.crt" 2>"$KZ_ERR" ||
		fail "cannot make the server CA" "$KZ_ERR"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$KZ_TMP/srv.key" -out "$KZ_TMP/srv.csr" 2>"$KZ_ERR" ||
		fail "cannot make the server key" "$KZ_ERR"
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
		>"$KZ_TMP/srv.ext"
	openssl x509 -req -in "$KZ_TMP/srv.csr" -CA "$KZ_TMP/srvca.crt" -CAkey "$KZ_TMP/srvca.key" \
		-CAcreateserial -days 2 -extfile "$KZ_TMP/srv.ext" -out "$KZ_TMP/srv.crt" 2>"$KZ_ERR" ||
		fail "cannot sign the server certificate" "$KZ_ERR"
}

# start_https_server CAFILE: the client-certificate server; sets SERVER_PORT,
# SERVER_PID and SERVER_LOG.
start_https_server() {
	local pf=$KZ_TMP/server.port _i
	SERVER_LOG=$KZ_TMP/server.log
	rm -f "$pf"
	: >"$SERVER_LOG"
	python3 "$KZ_INTEROP_DIR/https-server.py" "$pf" "$SERVER_LOG" \
		"$KZ_TMP/srv.crt" "$KZ_TMP/srv.key" "$1" >"$KZ_TMP/server.err" 2>&1 </dev/null &
	SERVER_PID=$!
	track_pid "$SERVER_PID"
	for _i in $(seq 100); do
		[ -s "$pf" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$pf" ] || fail "the HTTPS server did not start" "$KZ_TMP/server.err"
	read -r SERVER_PORT SERVER_PID <"$pf"
	track_pid "$SERVER_PID"
}

# visible_windows REGEX: ids of the mapped windows whose title matches, one a line.
visible_windows() {
	timeout 10 xdotool search --onlyvisible --name "$1" 2>/dev/null || true
}

# screenshot NAME: the whole screen as $KZP11_ARTIFACTS/NAME.png (never fails
# the test: it is evidence, not a check).
screenshot() {
	mkdir -p "$KZP11_ARTIFACTS" 2>/dev/null || return 0
	if timeout 20 import -display "$DISPLAY" -window root "$KZP11_ARTIFACTS/$1.png" 2>/dev/null; then
		echo "# screenshot: $KZP11_ARTIFACTS/$1.png"
	else
		echo "# (no screenshot $1)"
	fi
}

# server_saw FPR: the server logged a request for "/" with that certificate.
server_saw() { grep -q "^CLIENT $1 / " "$SERVER_LOG"; }
# server_saw_other FPR: a request with any other certificate.
server_saw_other() { grep '^CLIENT ' "$SERVER_LOG" | grep -qv "^CLIENT $1 "; }

# sha256 FILE
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# start_browser NAME LOG CMD...: runs CMD (the browser) in a process group of
# its own; BROWSER_T0 is when it started.
start_browser() {
	local log=$2
	shift 2
	BROWSER_T0=$(now)
	setsid "$@" >"$log" 2>&1 </dev/null &
	KZ_BROWSER_PID=$!
}

# drive_browser NAME PASSWORD_RE MAIN_RE PAGE_RE CHOOSER PASSWORD...
# Watches the screen until a window titled PAGE_RE shows (the page loaded):
#   - each new window titled PASSWORD_RE gets the next PASSWORD and Return
#     (the last PASSWORD again if the browser keeps asking);
#   - with CHOOSER=1, once the server has a connection waiting and nothing
#     has happened for 3 s (no page, no password window), Return is pressed
#     in the main window (MAIN_RE): the certificate chooser is drawn inside
#     it, with the first matching certificate selected and OK the default.
# Sets PROMPTS (passwords typed), CHOSEN (Returns pressed in the chooser),
# TITLE (of the page's window), T_PAGE (seconds from start to page).
# Fails after $KZ_WAIT seconds, or if the browser exits.
drive_browser() {
	local name=$1 pw_re=$2 main_re=$3 page_re=$4 chooser=$5
	shift 5
	local pws=("$@") dl seen=" " w pw page quiet_since=0 last_action=0 tries=0
	PROMPTS=0 CHOSEN=0 T_PAGE= TITLE=
	dl=$(deadline "$KZ_WAIT")
	while before "$dl"; do
		xvfb_alive
		kill -0 "$KZ_BROWSER_PID" 2>/dev/null || fail "$name: the browser exited" "$KZ_TMP/$name.log"
		page=$(visible_windows "$page_re" | head -n 1)
		if [ -n "$page" ]; then
			T_PAGE=$(elapsed "$BROWSER_T0")
			TITLE=$(xdotool getwindowname "$page" 2>/dev/null || true)
			return 0
		fi
		for w in $(visible_windows "$pw_re"); do
			case $seen in *" $w "*) continue ;; esac
			# The dialog maps before its text field takes keys; a busy
			# machine needs a moment more (a lost key is a wrong password).
			sleep 0.8
			if ! timeout 10 xdotool windowfocus --sync "$w" >/dev/null 2>&1; then
				# Gone, or not focusable yet: look again next round.
				tries=$((tries + 1))
				[ "$tries" -lt 10 ] || fail "$name: cannot focus the password window $w"
				continue
			fi
			seen="$seen$w "
			pw=${pws[$PROMPTS]:-${pws[${#pws[@]} - 1]}}
			PROMPTS=$((PROMPTS + 1))
			[ "$PROMPTS" -gt 1 ] || screenshot "$name-password"
			# To the focused window: no window manager here, and events sent
			# with --window are synthetic, which browsers ignore.
			timeout 20 xdotool type --delay 30 -- "$pw" && timeout 10 xdotool key Return ||
				fail "$name: xdotool could not type into the password window $w"
			last_action=$(now)
		done
		if [ "$chooser" = 1 ] && [ "$CHOSEN" -lt 3 ] && grep -q '^ACCEPT ' "$SERVER_LOG" &&
			[ -z "$(visible_windows "$pw_re")" ]; then
			[ "$quiet_since" != 0 ] || quiet_since=$(now)
			if ! before "$(awk -v t="$quiet_since" -v u="$last_action" \
				'BEGIN { if (u > t) t = u; printf "%.3f", t + 3 }')"; then
				w=$(visible_windows "$main_re" | head -n 1)
				[ -n "$w" ] || fail "$name: no main window ($main_re)"
				[ "$CHOSEN" -gt 0 ] || screenshot "$name-chooser"
				timeout 10 xdotool windowfocus --sync "$w" >/dev/null 2>&1 || true
				timeout 10 xdotool key Return
				CHOSEN=$((CHOSEN + 1))
				last_action=$(now)
			fi
		fi
		sleep 0.3
	done
	screenshot "$name-timeout"
	fail "$name: no page after ${KZ_WAIT}s ($PROMPTS passwords typed, chooser answered $CHOSEN times)" \
		"$SERVER_LOG" "$KZ_TMP/$name.log" "$KZ_TMP/module-$name.log"
}
