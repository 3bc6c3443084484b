# Secrets: locked memory, wiping, sensitive attributes, the log, pinentry.
# Included from Makefile.am.

# Unit: the locked pool itself, and the module's secrets in it.
check_PROGRAMS += tests/unit/test_secmem
EXTRA_DIST += tests/secrets/README.md

# The process searches its own memory for the password and the key after
# C_Logout and C_Finalize, and the debug log for the password.
check_PROGRAMS += tests/secrets/test_secrets_memory
tests_secrets_test_secrets_memory_SOURCES = tests/secrets/test_secrets_memory.c
tests_secrets_test_secrets_memory_LDADD = -ldl
