#!/bin/bash
# The PC/SC monitor and C_WaitForSlotEvent against a real pcscd: a virtual
# reader (vsmartcard's vpcd driver) and a virtual card (kzp11-vcard) that
# presents a Kaztoken ATR.  tests/interop/pcsc-events drives the module.
#
# Runs in private network and mount namespaces (unshare -n -m, or with -r as
# an unprivileged user where user namespaces are allowed): vpcd listens
# on all addresses, and pcscd 1.9.9 keeps its socket and PID file in
# /run/pcscd whatever PCSCLITE_CSOCK_NAME says (only the client library
# honours it), so /run is a fresh tmpfs here and no system pcscd is touched.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# As root directly; otherwise as root of a new user namespace, where allowed.
if [ -z "${KZ_PCSC_NAMESPACE:-}" ] && command -v unshare >/dev/null 2>&1; then
	if unshare -n -m true 2>/dev/null; then
		KZ_PCSC_NAMESPACE=1 exec unshare -n -m bash "$0" "$@"
	elif unshare -r -n -m true 2>/dev/null; then
		KZ_PCSC_NAMESPACE=1 exec unshare -r -n -m bash "$0" "$@"
	fi
fi

. "$here/lib.sh"

require_cmd unshare pcscd mount
[ -n "${KZ_PCSC_NAMESPACE:-}" ] ||
	skip "cannot make private network and mount namespaces here (unshare -n -m needs root, or unprivileged user namespaces for unshare -r)"

top=$(cd "$here/../.." && pwd)
bin=${KZ_PCSC_BIN:-$(pwd)/tests/interop}
[ -x "$bin/pcsc-events" ] || bin=$top/tests/interop
EVENTS=$bin/pcsc-events
VCARD=$bin/kzp11-vcard
[ -x "$EVENTS" ] && [ -x "$VCARD" ] || fail "build tests/interop/pcsc-events and kzp11-vcard first (make check builds them)"

vpcd_lib=$(sed -n 's/^LIBPATH[[:space:]]*//p' /etc/reader.conf.d/vpcd 2>/dev/null | head -n 1)
: "${vpcd_lib:=/usr/lib/pcsc/drivers/serial/libifdvpcd.so}"
if [ ! -f "$vpcd_lib" ]; then
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "vsmartcard-vpcd is not installed ($vpcd_lib)"
	skip "vsmartcard-vpcd is not installed ($vpcd_lib)"
fi

KAZTOKEN_ATR="3B 88 01 4B 41 5A 54 4F 4B 45 4E 82"
# A YubiKey 5 NFC, from pcsc-tools' smartcard_list.txt: not a Kazakh device.
OTHER_ATR="3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40"
READER0="Virtual PCD 00 00"   # vpcd: port 35963
READER1="Virtual PCD 00 01"   # vpcd: port 35964

mount -t tmpfs -o mode=0755 kzp11-pcsc /run || skip "cannot mount a private /run"
mkdir -p /run/pcscd
"$VCARD" lo-up || skip "cannot bring up the loopback interface in the private namespace"

mkdir -p "$KZ_TMP/reader.conf.d"
cat >"$KZ_TMP/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      $vpcd_lib
CHANNELID    0x8C7B
CONF
LOG=$KZ_TMP/kzp11.log
cat >"$KZP11_CONF" <<CONF
atr_table = $top/conf/atr.conf
log = $LOG
debug = 2
CONF
container=$(mkcontainer "$KZ_TMP/keys")

# ---- the driver program, as a coprocess ----

EV_PID=
ev_start() {
	coproc EV { exec "$EVENTS" 2>"$KZ_TMP/events.err"; }
	EV_PID=$EV_PID
	track_pid "$EV_PID"
}
ev_send() { echo "$*" >&"${EV[1]}"; }
# ev_read [SECONDS]: the next line from the driver into $LINE ("" on timeout).
ev_read() {
	LINE=
	read -r -t "${1:-10}" LINE <&"${EV[0]}" || LINE=
}
# ev CMD...: sends a command and reads its one-line answer.
ev() {
	ev_send "$@"
	ev_read 10
	[ -n "$LINE" ] || fail "no answer from pcsc-events to '$*'" "$KZ_TMP/events.err" "$LOG"
}
ev_stop() {
	ev_send quit
	stop_pid "$EV_PID"
}
# The slot list, one "slot ..." line each, into $KZ_TMP/slots.
slots() {
	: >"$KZ_TMP/slots"
	ev_send slots
	while ev_read 10 && [ -n "$LINE" ] && [ "$LINE" != END ]; do
		echo "$LINE" >>"$KZ_TMP/slots"
	done
	[ "$LINE" = END ] || fail "slot list did not end" "$KZ_TMP/slots" "$KZ_TMP/events.err"
}
# poll_event SECONDS: CKF_DONT_BLOCK until an event; sets EVENT ("" if none came).
poll_event() {
	local i
	EVENT=
	for i in $(seq $(($1 * 10))); do
		ev poll
		case $LINE in
		"event "*) EVENT=${LINE#event }; return ;;
		"poll CKR_NO_EVENT") sleep 0.1 ;;
		*) fail "C_WaitForSlotEvent(CKF_DONT_BLOCK) answered '$LINE'" "$LOG" ;;
		esac
	done
}
# Threads the module has added to the driver process.
tasks() { echo $(($(ls "/proc/$EV_PID/task" | wc -l) - BASE_THREADS + 1)); }

# ---- pcscd and cards ----

PCSCD_PID=
pcscd_start() {
	local i
	pcscd --foreground -c "$KZ_TMP/reader.conf.d" >>"$KZ_TMP/pcscd.log" 2>&1 </dev/null &
	PCSCD_PID=$!
	track_pid "$PCSCD_PID"
	for i in $(seq 100); do
		[ -S /run/pcscd/pcscd.comm ] && return 0
		kill -0 "$PCSCD_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "pcscd did not start" "$KZ_TMP/pcscd.log"
}
pcscd_stop() {
	stop_pid "$PCSCD_PID"
	PCSCD_PID=
}
CARD_PID=
# insert PORT ATR: a virtual card in the vpcd reader on that port.
insert() {
	"$VCARD" "$1" "$2" >"$KZ_TMP/vcard.out" 2>>"$KZ_TMP/vcard.err" &
	CARD_PID=$!
	track_pid "$CARD_PID"
}
remove() {
	stop_pid "$CARD_PID"
	CARD_PID=
}
# wait_log TEXT COUNT SECONDS: until the module log has TEXT COUNT times.
wait_log() {
	local i
	for i in $(seq $(($3 * 10))); do
		[ "$(grep -cF -- "$1" "$LOG" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "the module log does not say '$1' ($2 times)" "$LOG" "$KZ_TMP/pcscd.log"
}
ms_below() { [ "$1" -lt "$2" ] || fail "$3 took $1 ms (limit $2 ms)" "$LOG"; }

# ==== 1. no pcscd: the module loads fast and serves its containers ====

ev_start
ev threads   # the module is loaded: threads of the process itself (sanitizers add some)
BASE_THREADS=${LINE#threads }
ev init
set -- $LINE
[ "$2" = CKR_OK ] || fail "C_Initialize without pcscd: $LINE" "$LOG"
ms_below "$3" 1000 "C_Initialize without pcscd"
init_ms=$3
ev count
set -- $LINE
[ "$2 $3" = "CKR_OK 1" ] || fail "no pcscd: C_GetSlotList count: $LINE" "$LOG"
ms_below "$4" 100 "the first C_GetSlotList without pcscd"
ok "no pcscd: C_Initialize returns CKR_OK in $init_ms ms, the first C_GetSlotList in $4 ms"
slots
[ "$(grep -c 'token=1' "$KZ_TMP/slots")" -eq 1 ] && [ "$(wc -l <"$KZ_TMP/slots")" -eq 1 ] ||
	fail "no pcscd: expected exactly the container slot" "$KZ_TMP/slots"
cslot=$(sed -n 's/^slot \([0-9]*\) token=1.*/\1/p' "$KZ_TMP/slots")
ev login "$cslot" "$KZ_PASSWORD"
[ "$LINE" = "login CKR_OK" ] || fail "no pcscd: login to $(basename "$container"): $LINE" "$LOG"
ok "no pcscd: the container slot is listed and its password opens it"
ev poll
[ "$LINE" = "poll CKR_NO_EVENT" ] || fail "no pcscd: CKF_DONT_BLOCK gave '$LINE'"
ev badargs
[ "$LINE" = "badargs CKR_ARGUMENTS_BAD" ] || fail "pReserved not NULL: '$LINE'"
ok "CKF_DONT_BLOCK without events: CKR_NO_EVENT; pReserved set: CKR_ARGUMENTS_BAD"
wait_log "PC/SC: no pcscd" 1 5
ev finwait
set -- $LINE
[ "$2" = CKR_CRYPTOKI_NOT_INITIALIZED ] || fail "blocked wait at C_Finalize: $LINE" "$LOG"
ms_below "$3" 1000 "waking the blocked wait at C_Finalize"
ms_below "$4" 1000 "C_Finalize"
ok "no pcscd: C_Finalize from another thread ends a blocked wait in $3 ms (CKR_CRYPTOKI_NOT_INITIALIZED)"

# ==== 2. pcscd with a virtual reader ====

pcscd_start
ev init
[ "${LINE% *}" = "init CKR_OK" ] || fail "C_Initialize: $LINE" "$LOG"
wait_log "PC/SC: reader '$READER0' present" 1 10
[ "$(tasks)" -eq 2 ] || fail "expected the monitor thread beside the main thread, found $(tasks) threads"
ok "the reader '$READER0' is seen, by a monitor thread"

ev_send wait
sleep 0.3
insert 35963 "$KAZTOKEN_ATR"
ev_read 10
case $LINE in
"event "*) hslot=${LINE#event } ;;
*) fail "blocking C_WaitForSlotEvent after inserting a Kaztoken: '$LINE'" "$LOG" "$KZ_TMP/pcscd.log" "$KZ_TMP/vcard.err" ;;
esac
[ "$hslot" != "$cslot" ] || fail "the event names the container slot $cslot"
ok "inserting a Kaztoken ends a blocking C_WaitForSlotEvent with slot $hslot"
ev final
ev init
[ "${LINE% *}" = "init CKR_OK" ] || fail "C_Initialize with the card in: $LINE" "$LOG"
init_ms=${LINE##* }
ev count
set -- $LINE
[ "$2 $3" = "CKR_OK 2" ] || fail "C_GetSlotList right after C_Initialize does not count the card's slot: $LINE" "$LOG"
ms_below "$4" 300 "the first C_GetSlotList with pcscd"
# The monitor's first look reports the card it found, like an insertion.
ev poll
[ "$LINE" = "event $hslot" ] || fail "after C_Initialize with the card in: '$LINE', expected event $hslot" "$LOG"
ok "with the card in: C_Initialize $init_ms ms; the first C_GetSlotList waits $4 ms for the monitor's first look and counts the card's slot, reported as an event"
slots
has "$KZ_TMP/slots" "slot $hslot token=0 desc=Kaztoken in $READER0|manuf=kzp11: vendor module not set" ||
	fail "no hint slot for the Kaztoken" "$KZ_TMP/slots"
ev session "$hslot"
[ "$LINE" = "session CKR_TOKEN_NOT_PRESENT" ] || fail "C_OpenSession on the hint slot: $LINE"
ev tokeninfo "$hslot"
[ "$LINE" = "tokeninfo CKR_TOKEN_NOT_PRESENT" ] || fail "C_GetTokenInfo on the hint slot: $LINE"
ev tokens
[ "$LINE" = "tokens 1 CKR_OK" ] || fail "C_GetSlotList(CK_TRUE) should list only the container: $LINE"
ok "the card is seen: slot $hslot 'Kaztoken in $READER0', no token (CKR_TOKEN_NOT_PRESENT)"
# A program that lists slots right after C_Initialize sees the card too.
require_cmd pkcs11-tool
must "pkcs11-tool -L" p11 -L
has "$KZ_OUT" "Kaztoken in $READER0" || fail "pkcs11-tool -L does not show the Kaztoken" "$KZ_OUT" "$LOG"
ok "pkcs11-tool -L, a new process, shows 'Kaztoken in $READER0'"
wait_log "Kaztoken in reader '$READER0': no vendor PKCS#11 module is configured for it" 1 5
wait_log "ATR $KAZTOKEN_ATR: Kaztoken" 1 5
wait_log "then add to kzp11.conf the lines 'module = " 1 5
ok "the log names the Kaztoken and says to configure its vendor module"

told() { grep -c "^kzp11\[$EV_PID\]: .*no vendor PKCS#11 module is configured" "$LOG"; }
told_before=$(told)
remove
poll_event 5
[ "$EVENT" = "$hslot" ] || fail "removing the card: CKF_DONT_BLOCK event '$EVENT', expected $hslot" "$LOG"
slots
has_not "$KZ_TMP/slots" "slot $hslot " || fail "the hint slot is still listed after removal" "$KZ_TMP/slots"
ok "removing it is reported by CKF_DONT_BLOCK (slot $hslot) and the slot leaves the list"

insert 35964 "$OTHER_ATR"
wait_log "PC/SC: card in '$READER1', ATR $OTHER_ATR: not a known Kazakh device" 1 10
poll_event 1
[ -z "$EVENT" ] || fail "a card that is not a Kazakh device gave an event on slot $EVENT"
remove
ok "a card of another kind is logged as unknown and makes no slot or event"

insert 35963 "$KAZTOKEN_ATR"
poll_event 5
[ "$EVENT" = "$hslot" ] || fail "re-inserting: event '$EVENT', expected $hslot" "$LOG"
[ "$(told)" -eq "$told_before" ] ||
	fail "the missing module should be logged once per C_Initialize" "$LOG"
ok "re-inserted: the same slot $hslot again; the missing module is not logged again"

# ==== 3. pcscd stops and comes back ====

pcscd_stop
poll_event 5
[ "$EVENT" = "$hslot" ] || fail "pcscd stopped: event '$EVENT', expected $hslot" "$LOG"
wait_log "PC/SC: lost pcscd" 1 5
slots
has_not "$KZ_TMP/slots" "slot $hslot " || fail "the hint slot is listed while pcscd is down" "$KZ_TMP/slots"
has "$KZ_TMP/slots" "slot $cslot token=1" || fail "the container slot is gone with pcscd" "$KZ_TMP/slots"
ok "pcscd stopped: the card's slot is reported gone, containers stay"
stop_pid "$CARD_PID"

ev_send wait
pcscd_start
insert 35963 "$KAZTOKEN_ATR"
ev_read 20
[ "$LINE" = "event $hslot" ] || fail "pcscd restarted: blocking wait gave '$LINE'" "$LOG" "$KZ_TMP/pcscd.log"
wait_log "PC/SC: reader '$READER0' present" 2 5
slots
has "$KZ_TMP/slots" "slot $hslot token=0 desc=Kaztoken in $READER0" ||
	fail "the hint slot did not come back" "$KZ_TMP/slots"
ok "pcscd restarted: the reader reappears and the Kaztoken is back on slot $hslot"

ev fork
case $LINE in
"fork CKR_OK threads=2 slots="*"Kaztoken in $READER0;"*" CKR_OK") ;;
*) fail "in a forked child (expected a new monitor thread that sees the card): '$LINE'" "$LOG" ;;
esac
ok "a forked child's C_Initialize starts its own monitor, which sees the card"
ev poll
[ "$LINE" = "poll CKR_NO_EVENT" ] || fail "the parent after the child's run: '$LINE'" "$LOG"

ev finwait
set -- $LINE
[ "$2" = CKR_CRYPTOKI_NOT_INITIALIZED ] || fail "blocked wait at C_Finalize: $LINE" "$LOG"
ms_below "$3" 1000 "waking the blocked wait at C_Finalize"
ms_below "$4" 1000 "C_Finalize"
[ "$(tasks)" -eq 1 ] || fail "the monitor thread is still there after C_Finalize ($(tasks) threads)"
ok "C_Finalize from another thread ends a blocked wait in $3 ms and joins the monitor (C_Finalize $4 ms)"

# ==== 4. the application allows no threads ====

ev init nothreads
[ "${LINE% *}" = "init CKR_OK" ] || fail "C_Initialize (CKF_LIBRARY_CANT_CREATE_OS_THREADS): $LINE" "$LOG"
[ "$(tasks)" -eq 1 ] || fail "CKF_LIBRARY_CANT_CREATE_OS_THREADS: the module made a thread"
slots
has "$KZ_TMP/slots" "slot $hslot token=0 desc=Kaztoken in $READER0" ||
	fail "no threads: the card is not seen by C_GetSlotList" "$KZ_TMP/slots"
poll_event 1
[ "$EVENT" = "$hslot" ] || fail "no threads: the card's event: '$EVENT'"
remove
poll_event 5
[ "$EVENT" = "$hslot" ] || fail "no threads: removal: event '$EVENT', expected $hslot" "$LOG"
ev_send wait
sleep 0.3
insert 35963 "$KAZTOKEN_ATR"
ev_read 10
[ "$LINE" = "event $hslot" ] || fail "no threads: blocking wait gave '$LINE'" "$LOG"
[ "$(tasks)" -eq 1 ] || fail "no threads: the module made a thread"
ev final
[ "$LINE" = "final CKR_OK" ] || fail "C_Finalize: $LINE"
ok "CKF_LIBRARY_CANT_CREATE_OS_THREADS: no thread; the card, its removal and a blocking wait work by polling"

# ==== 5. pcsc = no ====

echo "pcsc = no" >>"$KZP11_CONF"
: >"$LOG"
ev init
[ "${LINE% *}" = "init CKR_OK" ] || fail "C_Initialize with pcsc = no: $LINE" "$LOG"
slots
has_not "$KZ_TMP/slots" "Kaztoken" || fail "pcsc = no: the card is shown" "$KZ_TMP/slots"
[ "$(tasks)" -eq 1 ] || fail "pcsc = no: the module made a thread"
ev final
has_not "$LOG" "PC/SC" || fail "pcsc = no: PC/SC was used" "$LOG"
ok "pcsc = no: no thread, no PC/SC, the containers only"

# ==== 6. a forwarded vendor module that serves the card ====
# SoftHSM2 stands in for the Kaztoken's vendor module: with module_atr
# naming the card's ATR the card is the module's, so no hint slot, no advice.
softhsm=/usr/lib/softhsm/libsofthsm2.so
if [ -f "$softhsm" ]; then
	mkdir -p "$KZ_TMP/softhsm"
	printf 'directories.tokendir = %s\n' "$KZ_TMP/softhsm" >"$KZ_TMP/softhsm2.conf"
	export SOFTHSM2_CONF=$KZ_TMP/softhsm2.conf
	sed -i '/^pcsc = no$/d' "$KZP11_CONF"
	printf 'forward_registered = yes\nmodule = %s\nmodule_name = Kaztoken\nmodule_atr = %s\n' "$softhsm" "$KAZTOKEN_ATR" >>"$KZP11_CONF"
	: >"$LOG"
	ev init
	[ "${LINE% *}" = "init CKR_OK" ] || fail "C_Initialize with a forwarded module: $LINE" "$LOG"
	sleep 1
	slots
	has_not "$KZ_TMP/slots" "Kaztoken in" || fail "a served card still has a hint slot" "$KZ_TMP/slots" "$LOG"
	has "$KZ_TMP/slots" "desc=Kaztoken" || fail "the forwarded module's slot is not listed" "$KZ_TMP/slots" "$LOG"
	ev final
	has_not "$LOG" "no vendor PKCS#11 module is configured" || fail "advice logged for a served card" "$LOG"
	ok "a card whose ATR a forwarded module serves: no hint slot, no advice, the module's slot listed"
else
	[ -z "${KZP11_INTEROP_STRICT:-}" ] || fail "SoftHSM2 is not installed ($softhsm)"
	echo "# SoftHSM2 is not installed: the forwarded-module case is not run"
fi

ev_stop
has_not "$LOG" "$KZ_PASSWORD" || fail "the password reached the log" "$LOG"
finish
