/*
 * An RSA private key from its PKCS#1 RSAPrivateKey encoding, built without
 * OpenSSL's decoder (see rsa_key.c for why).
 */
#ifndef KZP11_RSA_KEY_H
#define KZP11_RSA_KEY_H

#include <openssl/types.h>
#include <stddef.h>

/*
 * The name to fetch RSA key management by.  By OID, not "RSA": with a default
 * ENGINE for RSA in the process (openssl -engine pkcs11), OpenSSL 3.0 makes
 * an engine context for "RSA", which cannot import a key.
 */
#define KZ_RSA_KEYMGMT "1.2.840.113549.1.1.1"   /* rsaEncryption */

/* The key in the module's library context; NULL with *why set. */
EVP_PKEY *kz_rsa_private_from_der(const unsigned char *der, size_t len, const char **why);

#endif
