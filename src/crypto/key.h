/*
 * A key the module computes with.  Reference counted and immutable once
 * made, so an operation in progress keeps its key alive across a logout.
 * RSA keys live in an OpenSSL EVP_PKEY from the module's library context;
 * other key kinds (GOST) add their own `kind` and fields here.
 */
#ifndef KZP11_KEY_H
#define KZP11_KEY_H

#include "pkcs11.h"
#include "crypto/gost_hash.h"
#include "crypto/gost/ec.h"

#include <openssl/types.h>
#include <openssl/x509.h>

enum kz_key_kind {
	KZ_KEY_RSA,
	KZ_KEY_GOST,
	KZ_KEY_SECRET,   /* an HMAC key given with C_CreateObject */
};

#define KZ_OID_MAX 32

/* A GOST 34.10 key (Kazakh 34.310-2004, 34.10-2015; Russian 2001/2012). */
struct kz_gost_key {
	const kz_ec_group *curve;
	size_t size;                         /* 32 or 64: bytes of d, r, s, a coordinate */
	unsigned char *d;                    /* private: big-endian, wiped on free */
	unsigned char pub[128];              /* X little-endian || Y little-endian */
	unsigned char params[KZ_OID_MAX];    /* CKA_GOSTR3410_PARAMS: curve OID, DER */
	size_t params_len;
	unsigned char hash_params[KZ_OID_MAX];  /* CKA_GOSTR3411_PARAMS: hash OID, DER */
	size_t hash_params_len;
	enum kz_gost_hash hash;              /* the hash those parameters name */
};

struct kz_key {
	int refs;
	enum kz_key_kind kind;
	CK_KEY_TYPE key_type;   /* CKK_RSA, CKK_GOSTR3410, CKK_GOSTR3410_512 */
	int is_private;
	CK_ULONG bits;          /* modulus or field size; secret keys: bytes, as PKCS#11 counts them */
	EVP_PKEY *pkey;         /* RSA */
	struct kz_gost_key gost;
	unsigned char *secret;  /* secret keys: the value, wiped on free */
	size_t secret_len;
};

/* A private key from a decrypted PKCS#8 structure; NULL with *why set. */
struct kz_key *kz_key_from_pkcs8(const PKCS8_PRIV_KEY_INFO *p8, const char **why);
/* The public key of a certificate. */
struct kz_key *kz_key_from_cert(X509 *cert, const char **why);
/* 1 when the private key belongs to the certificate's public key. */
int kz_key_matches_cert(const struct kz_key *key, X509 *cert);
struct kz_key *kz_key_ref(struct kz_key *key);

/* Keys from C_CreateObject's template (crypto/key_import.c). */
CK_RV kz_key_import_public(CK_KEY_TYPE type, const CK_ATTRIBUTE *templ, CK_ULONG n,
			   struct kz_key **out);
/* CKK_GENERIC_SECRET or CKK_GOSTR3411 with CKA_VALUE (for HMAC). */
CK_RV kz_key_import_secret(CK_KEY_TYPE type, const CK_ATTRIBUTE *templ, CK_ULONG n,
			   struct kz_key **out);

/* GOST keys (crypto/gost_key.c); NULL with *why set when not GOST or bad. */
struct kz_key *kz_gost_key_from_pkcs8(const PKCS8_PRIV_KEY_INFO *p8, const char **why);
struct kz_key *kz_gost_key_from_cert(X509 *cert, const char **why);
int kz_gost_key_matches_cert(const struct kz_key *key, X509 *cert);
void kz_gost_key_clear(struct kz_gost_key *g);
void kz_key_unref(struct kz_key *key);
/* Bytes of a signature or ciphertext made with this key. */
CK_ULONG kz_key_size_bytes(const struct kz_key *key);

#endif
