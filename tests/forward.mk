# Forwarding to vendor modules: a misbehaving stand-in vendor module for
# error injection, the module test that drives kzp11 with it, the SoftHSM2
# interop script and the forwarding benchmark.  Included from Makefile.am.

# Loadable test modules, never installed (-rpath only makes libtool build
# a shared object).  The second exports no entry point: a load failure.
check_LTLIBRARIES = tests/module/mock-vendor.la tests/module/mock-vendor-noentry.la
mock_vendor_flags = -module -avoid-version -shared -rpath /nowhere
tests_module_mock_vendor_la_SOURCES = tests/module/mock_vendor.c
tests_module_mock_vendor_la_LDFLAGS = $(mock_vendor_flags)
tests_module_mock_vendor_la_LIBADD = -lpthread
tests_module_mock_vendor_noentry_la_SOURCES = tests/module/mock_vendor.c
tests_module_mock_vendor_noentry_la_CPPFLAGS = $(AM_CPPFLAGS) -DMOCK_NO_ENTRY
tests_module_mock_vendor_noentry_la_LDFLAGS = $(mock_vendor_flags)
tests_module_mock_vendor_noentry_la_LIBADD = -lpthread

tests_module_test_forward_SOURCES = tests/module/harness.h tests/module/test_forward.c \
	tests/module/test_module_harness.c
tests_module_test_forward_LDADD = $(CHECK_LIBS) $(OPENSSL_LIBS) -ldl -lpthread
check_PROGRAMS += tests/module/test_forward tests/unit/test_fwd

AM_TESTS_ENVIRONMENT += \
	KZP11_MOCK_VENDOR='$(abs_top_builddir)/tests/module/.libs/mock-vendor.so'; \
	KZP11_MOCK_VENDOR_NOENTRY='$(abs_top_builddir)/tests/module/.libs/mock-vendor-noentry.so'; \
	export KZP11_MOCK_VENDOR KZP11_MOCK_VENDOR_NOENTRY;

TESTS += tests/interop/forward.sh
EXTRA_DIST += tests/interop/forward.sh

# `make bench` also compares RSA-2048 C_Sign forwarded through kzp11 with
# SoftHSM2 called directly.
EXTRA_PROGRAMS += tests/bench/kzp11-bench-forward
tests_bench_kzp11_bench_forward_SOURCES = tests/bench/bench_forward.c
tests_bench_kzp11_bench_forward_CPPFLAGS = -D_GNU_SOURCE
tests_bench_kzp11_bench_forward_CFLAGS = -std=c11 -O2 -Wall -Wextra $(P11KIT_CFLAGS)
tests_bench_kzp11_bench_forward_LDADD = -ldl
bench: bench-forward
bench-forward: all tests/bench/kzp11-bench-forward$(EXEEXT)
	KZP11_MODULE='$(abs_top_builddir)/.libs/kzp11.so' \
	$(SHELL) $(srcdir)/tests/bench/forward.sh tests/bench/kzp11-bench-forward$(EXEEXT)
EXTRA_DIST += tests/bench/forward.sh
.PHONY: bench-forward
