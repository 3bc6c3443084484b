# PC/SC reader monitor and slot events; included from Makefile.am.

# Unit suites: the ATR table parser and matcher, the event set.
unit_tests += tests/unit/test_atr tests/unit/test_events

# The module against a private pcscd with a virtual reader (vsmartcard's
# vpcd) and a virtual card that answers with a chosen ATR.  The two helper
# programs are not tests themselves (check_PROGRAMS would make them tests):
# check_DATA builds them before the tests run.
EXTRA_PROGRAMS += tests/interop/pcsc-events tests/interop/kzp11-vcard
tests_interop_pcsc_events_SOURCES = tests/interop/pcsc-events.c
tests_interop_pcsc_events_LDADD = -ldl -lpthread
tests_interop_kzp11_vcard_SOURCES = tests/interop/vcard.c
tests_interop_kzp11_vcard_LDADD =
interop_tests += tests/interop/pcsc.sh
check_DATA = tests/interop/pcsc-events$(EXEEXT) tests/interop/kzp11-vcard$(EXEEXT)
EXTRA_DIST += tests/interop/pcsc.sh
