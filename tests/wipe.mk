# RSA private keys read without OpenSSL's decoder (src/crypto/rsa_key.c):
# known answers and signatures checked against OpenSSL, damaged encodings.
# Included from Makefile.am.
check_PROGRAMS += tests/unit/test_rsa_key
