#!/bin/bash
# kzp11-register with the real modutil/certutil, in a private HOME holding two
# Firefox profiles (one relative, one absolute path), a Firefox profile with
# only a legacy cert8.db, a Thunderbird profile and no ~/.pki/nssdb:
#   - a run adds the module to every cert9.db database (and creates Chromium's),
#     skips the legacy one; --list says so;
#   - a second run has nothing to do and leaves the databases as they were;
#   - --dry-run --remove changes nothing; --remove removes it everywhere;
#   - a running Firefox (its "lock" symlink naming a live PID) makes the tool
#     leave that profile alone, --force overrides, a stale lock does not count;
#     so does a process with the profile's path on its command line;
#   - with the module registered, certutil -L -h all lists the certificate of
#     a key whose certificate is in the warm cache.
# KZP11_REGISTER: the installed script to test (default: tools/kzp11-register.in, run with sh).
set -eu
. "$(dirname "$0")/lib.sh"
require_cmd certutil modutil pkcs11-tool pgrep

NAME="NCA keys (kzp11)"

reg() {
	if [ -n "${KZP11_REGISTER:-}" ]; then
		timeout "$KZ_TIMEOUT" "$KZP11_REGISTER" "$@"
	else
		timeout "$KZ_TIMEOUT" sh "$KZ_TOP/tools/kzp11-register.in" "$@"
	fi
}

# ---- the fake HOME ----

ff=$HOME/.mozilla/firefox
rel=$ff/ab12cd34.default-release
abs=$KZ_TMP/elsewhere/firefox-work
legacy=$ff/old00000.default
tb=$HOME/.thunderbird/tb123456.default
chr=$HOME/.pki/nssdb
mkdir -p "$rel" "$abs" "$legacy" "$tb"
cat >"$ff/profiles.ini" <<EOF
[Install4F96D1932A9F858E]
Default=ab12cd34.default-release
Locked=1

[Profile0]
Name=default-release
IsRelative=1
Path=ab12cd34.default-release
Default=1

[Profile1]
Name=work
IsRelative=0
Path=$abs

[Profile2]
Name=old
IsRelative=1
Path=old00000.default

[General]
StartWithLastProfile=1
Version=2
EOF
cat >"$HOME/.thunderbird/profiles.ini" <<EOF
[Profile0]
Name=default
IsRelative=1
Path=tb123456.default
Default=1
EOF
: >"$legacy/cert8.db"
for d in "$rel" "$abs" "$tb"; do
	must "certutil -N in $d" certutil -N -d "sql:$d" --empty-password
done
[ ! -e "$chr" ] || fail "$chr exists before the test"
dbs="$rel $abs $tb $chr"

# has_module DIR: modutil -list shows the module in that database.
has_module() {
	timeout "$KZ_TIMEOUT" modutil -dbdir "sql:$1" -list >"$KZ_TMP/list.out" 2>&1 ||
		fail "modutil -list in $1" "$KZ_TMP/list.out"
	grep -qE "^ *[0-9]+\. NCA keys \(kzp11\)\$" "$KZ_TMP/list.out"
}
# snapshot FILE: modutil -list of every database, and their pkcs11.txt.
snapshot() {
	local d
	for d in $dbs; do
		echo "== $d"
		timeout "$KZ_TIMEOUT" modutil -dbdir "sql:$d" -list 2>&1 || echo "modutil failed"
		cat "$d/pkcs11.txt" 2>/dev/null || echo "no pkcs11.txt"
	done >"$1"
}
# line_of DIR: the tool's line about that database in $KZ_OUT.
line_of() { grep -F ": $1: " "$KZ_OUT" || true; }

# ---- add ----

must "kzp11-register" reg
for d in "$rel" "$abs" "$tb"; do
	case $(line_of "$d") in *": added") ;; *) fail "no 'added' line for $d" "$KZ_OUT" "$KZ_ERR" ;; esac
done
has "$KZ_OUT" "Chromium: $chr: created an empty database" ||
	fail "$chr was not reported created" "$KZ_OUT"
[ -f "$chr/cert9.db" ] || fail "$chr/cert9.db was not created" "$KZ_OUT"
case $(line_of "$legacy") in *"skipped: only a legacy cert8.db"*) ;;
*) fail "the cert8.db profile is not reported skipped" "$KZ_OUT" ;; esac
[ "$(grep -c . "$KZ_OUT")" -eq 7 ] || fail "expected 6 database lines and a summary" "$KZ_OUT"
for d in $dbs; do
	has_module "$d" || fail "modutil -list: no '$NAME' in $d" "$KZ_TMP/list.out" "$KZ_OUT"
done
[ ! -e "$legacy/cert9.db" ] || fail "a cert9.db was made in the legacy profile"
ok "add: '$NAME' in both Firefox profiles, Thunderbird and a new ~/.pki/nssdb; cert8.db profile skipped"

must "kzp11-register --list" reg --list
for d in $dbs; do
	case $(line_of "$d") in *": registered") ;; *) fail "--list does not say $d is registered" "$KZ_OUT" ;; esac
done
ok "--list: every database says 'registered'"

snapshot "$KZ_TMP/before"
must "kzp11-register (second run)" reg
has "$KZ_OUT" "nothing to do: every database is already as asked" ||
	fail "the second run does not say there is nothing to do" "$KZ_OUT"
[ "$(grep -c ': already registered, nothing to do$' "$KZ_OUT")" -eq 4 ] ||
	fail "the second run does not say 'already registered' for 4 databases" "$KZ_OUT"
has_not "$KZ_OUT" ": added" || fail "the second run added something" "$KZ_OUT"
snapshot "$KZ_TMP/after"
cmp -s "$KZ_TMP/before" "$KZ_TMP/after" || {
	diff "$KZ_TMP/before" "$KZ_TMP/after" >"$KZ_TMP/diff" || true
	fail "the second run changed the databases" "$KZ_TMP/diff"
}
ok "second run: 'already registered, nothing to do' for each, modutil -list and pkcs11.txt unchanged"

# ---- remove ----

must "kzp11-register --dry-run --remove" reg --dry-run --remove
[ "$(grep -c ': would remove the module' "$KZ_OUT")" -eq 4 ] ||
	fail "--dry-run --remove does not say it would remove from 4 databases" "$KZ_OUT"
snapshot "$KZ_TMP/after"
cmp -s "$KZ_TMP/before" "$KZ_TMP/after" || fail "--dry-run --remove changed the databases"
ok "--dry-run --remove: says what it would do, changes nothing"

must "kzp11-register --remove" reg --remove
for d in $dbs; do
	case $(line_of "$d") in *": removed") ;; *) fail "no 'removed' line for $d" "$KZ_OUT" ;; esac
	! has_module "$d" || fail "'$NAME' is still in $d after --remove" "$KZ_TMP/list.out"
done
must "kzp11-register --list" reg --list
[ "$(grep -c ': not registered$' "$KZ_OUT")" -eq 4 ] || fail "--list after --remove" "$KZ_OUT"
ok "--remove: gone from every database; --list says 'not registered'"

# ---- a running Firefox ----

sleep 300 &
ff_pid=$!
track_pid "$ff_pid"
ln -s "127.0.0.1:+$ff_pid" "$rel/lock"
must_not "kzp11-register with Firefox running" reg
case $(line_of "$rel") in *"close Firefox first"*) ;;
*) fail "no 'close Firefox first' for the locked profile" "$KZ_OUT" "$KZ_ERR" ;; esac
! has_module "$rel" || fail "the running Firefox's profile was changed"
has_module "$abs" || fail "the other profile was not registered"
ok "running Firefox (lock -> 127.0.0.1:+$ff_pid): profile left alone, 'close Firefox first', exit non-zero"

must "kzp11-register --force" reg --force
case $(line_of "$rel") in *": added") ;; *) fail "--force did not add to the locked profile" "$KZ_OUT" ;; esac
has_module "$rel" || fail "--force: '$NAME' not in $rel" "$KZ_TMP/list.out"
ok "--force: registered in the running Firefox's profile"

# ---- the certificate through NSS (warm cache) ----

keys=$KZ_TMP/keys
warm=$(mkcontainer --kind auth "$keys")
warm_id=$(ski_of "$warm")
must "pkcs11-tool login" p11 --slot "$(slot_of "${warm_id:0:8}")" --login --pin "$KZ_PASSWORD" -O
must "certutil -L -h all" certutil -L -d "sql:$rel" -h all
grep -F "$(label_of "${warm_id:0:8}"):" "$KZ_OUT" | grep -q " u,u,u *\$" ||
	fail "certutil -L -h all does not list the kzp11 token's certificate" "$KZ_OUT" "$KZ_ERR"
ok "certutil -L -h all -d sql:<profile>: the kzp11 token's certificate ($(label_of "${warm_id:0:8}")) u,u,u"

# ---- a stale lock does not count ----

stop_pid "$ff_pid"
must "kzp11-register --remove with a stale lock" reg --remove
! has_module "$rel" || fail "a stale lock (dead PID) kept the tool from removing the module"
ok "stale lock (dead PID): not taken for a running Firefox"

# A program started with the profile's path on its command line (firefox -profile DIR).
bash -c 'sleep 300; :' firefox -profile "$abs" &
ff_pid=$!
track_pid "$ff_pid"
must_not "kzp11-register with 'firefox -profile DIR' running" reg
case $(line_of "$abs") in *"Firefox is running"*"close Firefox first"*) ;;
*) fail "no 'close Firefox first' for the profile open in a process" "$KZ_OUT" ;; esac
! has_module "$abs" || fail "the profile open in a process was changed"
has_module "$rel" || fail "the other profile was not registered"
stop_pid "$ff_pid"
ok "a process with the profile's path on its command line: profile left alone (pgrep -f)"

# The system-wide Firefox policy: valid JSON naming the module where
# `make install` puts it (p11-kit's module folder).
policy=$(dirname "$KZP11_REGISTER")/../conf/firefox-policies.json
[ -f "$policy" ] || fail "conf/firefox-policies.json was not built"
# (the same folder kzp11-register was built with; inside distcheck a prefix of its own)
want=$(sed -n 's|^MODULE=\${KZP11_MODULE:-\(.*\)}$|\1|p' "$KZP11_REGISTER")
[ -n "$want" ] || fail "cannot read the module path kzp11-register was built with" "$KZP11_REGISTER"
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["policies"]["SecurityDevices"]["Add"]["NCA keys (kzp11)"])' "$policy") ||
	fail "conf/firefox-policies.json is not a SecurityDevices policy" "$policy"
[ "$got" = "$want" ] || fail "the Firefox policy names '$got', not '$want'" "$policy"
ok "the Firefox policy file adds $want as a security device"

finish
