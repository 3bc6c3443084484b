# Secrets: locked memory, wiping, sensitive attributes, the log, pinentry.
# Included from Makefile.am.

# Unit: the locked pool itself, and the module's secrets in it.
check_PROGRAMS += tests/unit/test_secmem tests/unit/test_pinentry
EXTRA_DIST += tests/secrets/README.md

# The process searches its own memory for the password and the key after
# C_Logout and C_Finalize, and the debug log for the password.
check_PROGRAMS += tests/secrets/test_secrets_memory
tests_secrets_test_secrets_memory_SOURCES = tests/secrets/test_secrets_memory.c
tests_secrets_test_secrets_memory_LDADD = $(OPENSSL_LIBS) -ldl

# The PKCS#11 rules (sensitive attributes, no copy, wrap or derive) and
# pinentry with a scripted stand-in; shares the module suite's harness.
check_PROGRAMS += tests/secrets/test_secrets
tests_secrets_test_secrets_SOURCES = tests/secrets/test_secrets.c \
	tests/module/test_module_harness.c tests/module/harness.h
tests_secrets_test_secrets_LDADD = $(CHECK_LIBS) $(OPENSSL_LIBS) -ldl -lpthread

# The real pinentry-tty on a pseudo-terminal.
check_PROGRAMS += tests/secrets/test_pinentry_tty
tests_secrets_test_pinentry_tty_SOURCES = tests/secrets/test_pinentry_tty.c
tests_secrets_test_pinentry_tty_LDADD = -ldl -lutil
