/*
 * A key the module computes with.  Reference counted and immutable once
 * made, so an operation in progress keeps its key alive across a logout.
 * RSA keys live in an OpenSSL EVP_PKEY from the module's library context;
 * other key kinds (GOST) add their own `kind` and fields here.
 */
#ifndef KZP11_KEY_H
#define KZP11_KEY_H

#include "pkcs11.h"

#include <openssl/types.h>
#include <openssl/x509.h>

enum kz_key_kind {
	KZ_KEY_RSA,
};

struct kz_key {
	int refs;
	enum kz_key_kind kind;
	CK_KEY_TYPE key_type;   /* CKK_RSA, ... */
	int is_private;
	CK_ULONG bits;          /* modulus size */
	EVP_PKEY *pkey;
};

/* A private key from a decrypted PKCS#8 structure; NULL with *why set. */
struct kz_key *kz_key_from_pkcs8(const PKCS8_PRIV_KEY_INFO *p8, const char **why);
/* The public key of a certificate. */
struct kz_key *kz_key_from_cert(X509 *cert, const char **why);
/* 1 when the private key belongs to the certificate's public key. */
int kz_key_matches_cert(const struct kz_key *key, X509 *cert);
struct kz_key *kz_key_ref(struct kz_key *key);
void kz_key_unref(struct kz_key *key);
/* Bytes of a signature or ciphertext made with this key. */
CK_ULONG kz_key_size_bytes(const struct kz_key *key);

#endif
