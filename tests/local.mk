# Test programs and scripts; included from the top Makefile.am.
noinst_PROGRAMS = tests/fixtures/kzp11-mkcontainer
tests_fixtures_kzp11_mkcontainer_SOURCES = tests/fixtures/mkcontainer.c
tests_fixtures_kzp11_mkcontainer_CFLAGS = -std=c11 -Wall -Wextra $(OPENSSL_CFLAGS)
tests_fixtures_kzp11_mkcontainer_LDADD = $(OPENSSL_LIBS)
