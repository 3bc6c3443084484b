# Fuzz targets; included from Makefile.am.
#
# `make check` replays the committed corpus of each target (tests/fuzz/corpus/
# NAME/) through a normal build of it; `make fuzz` builds the targets with
# clang's libFuzzer and sanitizers and fuzzes each for FUZZ_SECONDS.

fuzz_targets = tests/fuzz/fuzz-p12 tests/fuzz/fuzz-conf tests/fuzz/fuzz-attrs \
	tests/fuzz/fuzz-mech
check_PROGRAMS += $(fuzz_targets)

fuzz_ldadd = libkzcore.la $(OPENSSL_LIBS) -lpthread
fuzz_module_sources = tests/fuzz/module_env.c tests/fuzz/module_env.h \
	tests/fuzz/template.c tests/fuzz/template.h $(kzp11_la_SOURCES)

tests_fuzz_fuzz_p12_SOURCES = tests/fuzz/fuzz_p12.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_p12_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/p12"'
tests_fuzz_fuzz_p12_LDADD = $(fuzz_ldadd)

tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_conf_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/conf"'
tests_fuzz_fuzz_conf_LDADD = $(fuzz_ldadd)

tests_fuzz_fuzz_attrs_SOURCES = tests/fuzz/fuzz_attrs.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
	$(fuzz_module_sources)
tests_fuzz_fuzz_attrs_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/attrs"'
tests_fuzz_fuzz_attrs_LDADD = $(fuzz_ldadd)

tests_fuzz_fuzz_mech_SOURCES = tests/fuzz/fuzz_mech.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
	$(fuzz_module_sources)
tests_fuzz_fuzz_mech_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/mech"'
tests_fuzz_fuzz_mech_LDADD = $(fuzz_ldadd)

# (TESTS is $(check_PROGRAMS) and the interop scripts, so these run in make check.)
EXTRA_DIST += tests/fuzz/README.md tests/fuzz/libfuzzer.c tests/fuzz/fuzz.sh \
	tests/fuzz/make-seeds.py tests/fuzz/corpus

# `make fuzz`: not part of `make check`.  FUZZ_SECONDS per target (60),
# FUZZ_TARGETS to choose (p12 conf attrs mech), FUZZ_CC (clang).
FUZZ_SECONDS = 60
FUZZ_TARGETS = p12 conf attrs mech
FUZZ_CC = clang
fuzz: tests/fixtures/kzp11-mkcontainer$(EXEEXT)
	FUZZ_CC='$(FUZZ_CC)' FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	FUZZ_SYSCONFDIR='$(sysconfdir)' \
	FUZZ_CFLAGS='-I$(srcdir)/src -I$(srcdir)/include $(KZ_CFLAGS) $(OPENSSL_CFLAGS) $(P11KIT_CFLAGS) -I$(top_builddir)' \
	FUZZ_LIBS='$(OPENSSL_LIBS) -lpthread' \
	KZP11_MKCONTAINER='$(abs_top_builddir)/tests/fixtures/kzp11-mkcontainer' \
	$(SHELL) $(srcdir)/tests/fuzz/fuzz.sh '$(srcdir)' 'tests/fuzz/build' '$(FUZZ_TARGETS)' \
		$(filter %.c,$(libkzcore_la_SOURCES) $(kzp11_la_SOURCES))
.PHONY: fuzz

# The API-misuse table (tests/module/test_misuse.c): every PKCS#11 2.40 and
# 3.0 function called the wrong ways, against the loaded kzp11.so.
check_PROGRAMS += tests/module/test_misuse
tests_module_test_misuse_SOURCES = tests/module/test_misuse.c tests/module/harness.h \
	tests/module/test_module_harness.c
tests_module_test_misuse_LDADD = $(CHECK_LIBS) $(OPENSSL_LIBS) -ldl -lpthread
