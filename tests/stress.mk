# Sanitizer builds, valgrind, and the thread, process and fork tests;
# included from Makefile.am.
#
#   make check-sanitizers  the whole suite again in build-asan/, built from a
#                          copy of the distribution with --enable-sanitizers
#                          (ASan + UBSan; the interop scripts preload libasan)
#   make check-tsan        the thread test and the module suite in build-tsan/,
#                          built with --enable-tsan
#   make check-valgrind    the module suite under valgrind memcheck
#   make check-stress      the thread test at its full count (10,000 each)

# Sanitizer reports end the program with an error: a test cannot pass with one.
# die_after_fork=0: the fork tests fork while the PC/SC monitor thread runs,
# and the child's C_Initialize starts its own, which TSan refuses by default.
AM_TESTS_ENVIRONMENT += \
	KZP11_SAN_PRELOAD='$(SAN_PRELOAD)'; \
	UBSAN_OPTIONS="$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"; \
	TSAN_OPTIONS="$${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:die_after_fork=0}"; \
	export KZP11_SAN_PRELOAD UBSAN_OPTIONS TSAN_OPTIONS;

# The copies are built from `make distdir`: the source tree is configured in
# place, and automake refuses a second build of a configured tree.
SAN_CONFIGURE = --prefix=/usr --sysconfdir=/etc --quiet
san_testkeys = KZP11_TESTKEYS="$${KZP11_TESTKEYS:-$(abs_top_srcdir)/../shared/nca-testkeys}"

check-sanitizers:
	rm -rf build-asan
	$(MAKE) $(AM_MAKEFLAGS) distdir distdir=build-asan
	cd build-asan && ./configure $(SAN_CONFIGURE) --enable-sanitizers
	cd build-asan && $(san_testkeys) $(MAKE) $(AM_MAKEFLAGS) check

check-tsan:
	rm -rf build-tsan
	$(MAKE) $(AM_MAKEFLAGS) distdir distdir=build-tsan
	cd build-tsan && ./configure $(SAN_CONFIGURE) --enable-tsan
	cd build-tsan && $(san_testkeys) $(MAKE) $(AM_MAKEFLAGS) check \
		TESTS='tests/stress/test_threads tests/module/test_module'

.PHONY: check-sanitizers check-tsan check-valgrind check-stress

# The thread test: its own program, loading kzp11.so like an application.
check_PROGRAMS += tests/stress/test_threads
tests_stress_test_threads_SOURCES = tests/stress/test_threads.c
tests_stress_test_threads_LDADD = $(OPENSSL_LIBS) -ldl -lpthread

check-stress: all tests/stress/test_threads$(EXEEXT)
	$(AM_TESTS_ENVIRONMENT) KZP11_STRESS_OPS=$${KZP11_STRESS_OPS:-10000} tests/stress/test_threads

# Eight processes at once, directly and through p11-kit server; OpenSC's
# fork and thread tests.
TESTS += tests/interop/processes.sh
EXTRA_DIST += tests/interop/processes.sh

# valgrind memcheck over the module suite, one Check suite at a time
# (VALGRIND_SUITES; each test runs in a forked child, which valgrind follows:
# an error or a definite leak exits 99 there and fails the test), and over
# the GOST signing suite, whose constant-time case only works under memcheck.
VALGRIND_FLAGS = --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=40
VALGRIND_SUITES = init slots objects crypto threads nca create gost
check-valgrind: all tests/module/test_module$(EXEEXT) tests/unit/test_gost_sign$(EXEEXT)
	@set -e; $(AM_TESTS_ENVIRONMENT) for s in $(VALGRIND_SUITES); do \
		echo "valgrind: module suite '$$s' ($$(date +%T))"; \
		CK_RUN_SUITE=$$s CK_DEFAULT_TIMEOUT=600 CK_TIMEOUT_MULTIPLIER=10 \
			valgrind $(VALGRIND_FLAGS) tests/module/test_module; \
	done
	CK_TIMEOUT_MULTIPLIER=10 valgrind $(VALGRIND_FLAGS) tests/unit/test_gost_sign
