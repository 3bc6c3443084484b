# Tests, benchmark and the container generator; included from Makefile.am.

# The generator of NCA-format containers (tests, demo and benchmark use it).
noinst_PROGRAMS = tests/fixtures/kzp11-mkcontainer
tests_fixtures_kzp11_mkcontainer_SOURCES = tests/fixtures/mkcontainer.c
tests_fixtures_kzp11_mkcontainer_CFLAGS = -std=c11 -Wall -Wextra $(OPENSSL_CFLAGS)
tests_fixtures_kzp11_mkcontainer_LDADD = $(OPENSSL_LIBS)

# Where the tests find the module, the generator and the public NCA samples
# (the samples are optional: those cases skip with a message without them).
AM_TESTS_ENVIRONMENT = \
	KZP11_MODULE='$(abs_top_builddir)/.libs/kzp11.so'; \
	KZP11_MKCONTAINER='$(abs_top_builddir)/tests/fixtures/kzp11-mkcontainer'; \
	KZP11_TESTKEYS="$${KZP11_TESTKEYS:-$(abs_top_srcdir)/../shared/nca-testkeys}"; \
	KZP11_REGISTER='$(abs_top_builddir)/tools/kzp11-register'; \
	export KZP11_MODULE KZP11_MKCONTAINER KZP11_TESTKEYS KZP11_REGISTER;

unit_libs = libkzcore.la $(CHECK_LIBS) $(OPENSSL_LIBS) -lpthread
AM_CFLAGS += $(CHECK_CFLAGS)

# Unit suites (Check), one per room, linked against the module's internals;
# each is built from the .c file of its name with the default LDADD.
unit_tests = tests/unit/test_der tests/unit/test_conf tests/unit/test_p12 \
	tests/unit/test_label tests/unit/test_handles tests/unit/test_gost_hash \
	tests/unit/test_gost_sign
LDADD = $(unit_libs)
EXTRA_DIST += tests/unit/hex.h tests/bench/timing.h

# The module suite: loads the built kzp11.so and drives the PKCS#11 API.
tests_module_test_module_SOURCES = tests/module/harness.h tests/module/test_module.c \
	tests/module/test_module_harness.c tests/module/test_module_init.c \
	tests/module/test_module_slots.c tests/module/test_module_objects.c \
	tests/module/test_module_crypto.c tests/module/test_module_threads.c \
	tests/module/test_module_nca.c tests/module/test_module_create.c \
	tests/module/test_module_gost.c
tests_module_test_module_LDADD = $(CHECK_LIBS) $(OPENSSL_LIBS) -ldl -lpthread

check_PROGRAMS = $(unit_tests) tests/module/test_module

# The real programs, as users run them.
interop_tests = tests/interop/pkcs11-tool.sh tests/interop/openssl-engine.sh \
	tests/interop/nss-tls.sh tests/interop/nca-real.sh tests/interop/gost.sh \
	tests/interop/register.sh

TESTS = $(check_PROGRAMS) $(interop_tests)

# Registration needs the installed module: `make install && make installcheck`.
# It skips (77) where kzp11 is not installed system-wide, as inside `make
# distcheck`; KZP11_REQUIRE_INSTALLED=1 (./quickstart check) makes that a failure.
installcheck-local:
	@$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/tests/interop/p11-kit.sh; rc=$$?; \
	if [ $$rc -eq 77 ] && [ -z "$${KZP11_REQUIRE_INSTALLED:-}" ]; then rc=0; fi; exit $$rc
EXTRA_DIST += tests/demo.sh tests/fixtures/README.md tests/interop/lib.sh \
	$(interop_tests) tests/interop/p11-kit.sh

# `make bench`: RSA signing through kzp11 against OpenSSL itself, start-up
# time and memory with 1,000 containers, and GOST signing against
# gost-engine.  Not a test.
EXTRA_PROGRAMS = tests/bench/kzp11-bench tests/bench/kzp11-bench-gost
tests_bench_kzp11_bench_gost_SOURCES = tests/bench/bench_gost.c
tests_bench_kzp11_bench_gost_CPPFLAGS = -D_GNU_SOURCE -I$(top_srcdir)/include
tests_bench_kzp11_bench_gost_CFLAGS = -std=c11 -O2 -Wall -Wextra $(P11KIT_CFLAGS) $(OPENSSL_CFLAGS)
tests_bench_kzp11_bench_gost_LDADD = $(OPENSSL_LIBS) -ldl
tests_bench_kzp11_bench_SOURCES = tests/bench/bench.c
tests_bench_kzp11_bench_CFLAGS = -std=c11 -O2 -Wall -Wextra $(P11KIT_CFLAGS) $(OPENSSL_CFLAGS)
tests_bench_kzp11_bench_CPPFLAGS = -D_GNU_SOURCE
tests_bench_kzp11_bench_LDADD = $(OPENSSL_LIBS) -ldl
CLEANFILES = $(EXTRA_PROGRAMS) tools/kzp11-register conf/firefox-policies.json

bench: all tests/bench/kzp11-bench$(EXEEXT) tests/bench/kzp11-bench-gost$(EXEEXT)
	KZP11_MODULE='$(abs_top_builddir)/.libs/kzp11.so' \
	KZP11_MKCONTAINER='$(abs_top_builddir)/tests/fixtures/kzp11-mkcontainer' \
	tests/bench/kzp11-bench $(BENCH_ARGS)
	KZP11_MODULE='$(abs_top_builddir)/.libs/kzp11.so' \
	KZP11_MKCONTAINER='$(abs_top_builddir)/tests/fixtures/kzp11-mkcontainer' \
	KZP11_TESTKEYS="$${KZP11_TESTKEYS:-$(abs_top_srcdir)/../shared/nca-testkeys}" \
	tests/bench/kzp11-bench-gost
.PHONY: bench
