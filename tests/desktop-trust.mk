# The trust token, friendly names and GOST keys in NSS hosts; included from
# Makefile.am.  The interop scripts drive the real NSS tools.
trust_interop_tests = tests/interop/trust.sh tests/interop/nss-gost.sh
TESTS += $(trust_interop_tests)

# The trust folder's rules (Check, linked against the module's internals).
check_PROGRAMS += tests/unit/test_trust_folder
EXTRA_DIST += $(trust_interop_tests) tests/interop/nss-usercerts.c

# What NSS itself offers as the user's certificates (needs NSS's headers; a
# helper, not a test, so not in check_PROGRAMS, which local.mk runs).
if HAVE_NSS
noinst_PROGRAMS += tests/interop/kzp11-nss-usercerts
tests_interop_kzp11_nss_usercerts_SOURCES = tests/interop/nss-usercerts.c
tests_interop_kzp11_nss_usercerts_CFLAGS = -std=c11 -Wall -Wextra $(NSS_CFLAGS)
tests_interop_kzp11_nss_usercerts_LDADD = $(NSS_LIBS)
endif
AM_TESTS_ENVIRONMENT += \
	KZP11_NSS_USERCERTS='$(abs_top_builddir)/tests/interop/kzp11-nss-usercerts'; \
	export KZP11_NSS_USERCERTS;
