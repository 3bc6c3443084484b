/*
 * An RSA private key from its PKCS#1 RSAPrivateKey encoding, built without
 * OpenSSL's decoder (see rsa_key.c for why).
 */
#ifndef KZP11_RSA_KEY_H
#define KZP11_RSA_KEY_H

#include <openssl/types.h>
#include <stddef.h>

/* The key in the module's library context; NULL with *why set. */
EVP_PKEY *kz_rsa_private_from_der(const unsigned char *der, size_t len, const char **why);

#endif
