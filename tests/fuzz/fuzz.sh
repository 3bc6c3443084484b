#!/bin/sh
# `make fuzz`: builds the fuzz targets with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer, then fuzzes each for FUZZ_SECONDS.
#
#   fuzz.sh SRCDIR BUILDDIR "TARGETS" MODULE-SOURCES...
#
# Environment: FUZZ_CC, FUZZ_CFLAGS, FUZZ_SYSCONFDIR, FUZZ_LIBS, FUZZ_SECONDS,
# KZP11_MKCONTAINER (the module targets make their container with it),
# FUZZ_JOBS (targets fuzzed at the same time, default 1).
#
# Each target starts from its committed corpus (tests/fuzz/corpus/NAME) and
# works in BUILDDIR/corpus-NAME; crashes land in BUILDDIR/crash-NAME/.  New
# inputs are not committed automatically: minimise them into the corpus with
#   BUILDDIR/fuzz-NAME -merge=1 SRCDIR/tests/fuzz/corpus/NAME BUILDDIR/corpus-NAME
set -eu

srcdir=$1
out=$2
targets=$3
shift 3

: "${FUZZ_CC:=clang}" "${FUZZ_SECONDS:=60}" "${FUZZ_JOBS:=1}"
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
	echo "fuzz.sh: $FUZZ_CC not found (Debian: apt-get install clang libfuzzer-14-dev)" >&2
	exit 1
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
mkdir -p "$out/obj"

# The module's code, instrumented for coverage.
objs=
for src in "$@"; do
	obj="$out/obj/$(echo "$src" | tr '/' '_' | sed 's/\.c$/.o/')"
	if [ ! -e "$obj" ] || [ "$srcdir/$src" -nt "$obj" ]; then
		echo "  CC (fuzz) $src"
		$FUZZ_CC -g -O1 $san -fsanitize=fuzzer-no-link $FUZZ_CFLAGS \
			-DKZP11_SYSCONFDIR="\"${FUZZ_SYSCONFDIR:-/etc}\"" -c "$srcdir/$src" -o "$obj"
	fi
	objs="$objs $obj"
done

build() {
	name=$1
	extra=
	case $name in
	attrs|mech) extra="$srcdir/tests/fuzz/module_env.c $srcdir/tests/fuzz/template.c" ;;
	esac
	echo "  CCLD (fuzz) fuzz-$name"
	$FUZZ_CC -g -O1 $san -fsanitize=fuzzer $FUZZ_CFLAGS -I"$srcdir/tests/fuzz" \
		"$srcdir/tests/fuzz/fuzz_$name.c" "$srcdir/tests/fuzz/libfuzzer.c" $extra $objs \
		$FUZZ_LIBS -o "$out/fuzz-$name"
}

run() {
	name=$1
	mkdir -p "$out/corpus-$name" "$out/crash-$name"
	echo "fuzzing $name for ${FUZZ_SECONDS}s (log: $out/fuzz-$name.log)"
	# The libFuzzer flags: the committed corpus is read, never written.
	if nice -n 10 "$out/fuzz-$name" -max_total_time="$FUZZ_SECONDS" -timeout=25 \
		-rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$out/crash-$name/" \
		"$out/corpus-$name" "$srcdir/tests/fuzz/corpus/$name" >"$out/fuzz-$name.log" 2>&1; then
		grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' \
			"$out/fuzz-$name.log" | sed "s/^/  $name: /"
	else
		echo "  $name: FAILED, see $out/fuzz-$name.log and $out/crash-$name/" >&2
		return 1
	fi
}

for t in $targets; do
	build "$t"
done
rc=0
running=0
pids=
for t in $targets; do
	run "$t" &
	pids="$pids $!"
	running=$((running + 1))
	if [ "$running" -ge "$FUZZ_JOBS" ]; then
		for p in $pids; do wait "$p" || rc=1; done
		pids=
		running=0
	fi
done
for p in $pids; do wait "$p" || rc=1; done
exit $rc
