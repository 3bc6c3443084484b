# Changing a container's password (C_SetPIN); included from Makefile.am.

# Module cases: rules, refusals that leave the file byte for byte, the
# change itself judged by openssl, the layout next to a real NCA file.
tests_module_test_setpin_SOURCES = tests/module/harness.h tests/module/test_module_harness.c \
	tests/module/test_setpin.c
tests_module_test_setpin_LDADD = $(CHECK_LIBS) $(OPENSSL_LIBS) -ldl -lpthread

# The writer killed with SIGKILL at random moments: the file must always
# open with the old or the new password.
tests_module_test_setpin_crash_SOURCES = tests/module/test_setpin_crash.c
tests_module_test_setpin_crash_LDADD = $(OPENSSL_LIBS) -ldl

# (TESTS in tests/local.mk already runs every check program.)
check_PROGRAMS += tests/module/test_setpin tests/module/test_setpin_crash
TESTS += tests/interop/setpin.sh
EXTRA_DIST += tests/interop/setpin.sh
