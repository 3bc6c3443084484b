#include "crypto/key.h"
#include "crypto/ossl.h"
#include "crypto/rsa_key.h"
#include "util/secmem.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <stdlib.h>

static struct kz_key *wrap_pkey(EVP_PKEY *pkey, int is_private, const char **why)
{
	struct kz_key *key;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
		*why = "not an RSA key";
		EVP_PKEY_free(pkey);
		return NULL;
	}
	key = calloc(1, sizeof *key);
	if (!key) {
		*why = "out of memory";
		EVP_PKEY_free(pkey);
		return NULL;
	}
	key->refs = 1;
	key->kind = KZ_KEY_RSA;
	key->key_type = CKK_RSA;
	key->is_private = is_private;
	key->bits = (CK_ULONG)EVP_PKEY_get_bits(pkey);
	key->pkey = pkey;
	return key;
}

struct kz_key *kz_key_from_pkcs8(const PKCS8_PRIV_KEY_INFO *p8, const char **why)
{
	const ASN1_OBJECT *alg = NULL;
	const unsigned char *der = NULL;
	int len = 0;
	EVP_PKEY *pkey;

	if (!PKCS8_pkey_get0(&alg, &der, &len, NULL, p8) || len <= 0) {
		*why = "malformed private key";
		return NULL;
	}
	if (OBJ_obj2nid(alg) != NID_rsaEncryption)
		return kz_gost_key_from_pkcs8(p8, why);
	/* Not EVP_PKCS82PKEY_ex: OpenSSL's decoder leaves an unwiped copy (rsa_key.c). */
	pkey = kz_rsa_private_from_der(der, (size_t)len, why);
	if (!pkey)
		return NULL;
	return wrap_pkey(pkey, 1, why);
}

struct kz_key *kz_key_from_cert(X509 *cert, const char **why)
{
	struct kz_key *gost = kz_gost_key_from_cert(cert, why);
	unsigned char *spki = NULL;
	const unsigned char *p;
	EVP_PKEY *pkey = NULL;
	int len;

	if (gost || *why)
		return gost;   /* a GOST key, good or bad */
	/* Decoded again so that the key belongs to the module's context. */
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
	p = spki;
	if (len > 0)
		pkey = d2i_PUBKEY_ex(NULL, &p, len, kz_ossl_ctx(), NULL);
	OPENSSL_free(spki);
	if (!pkey) {
		ERR_clear_error();
		*why = "certificate public key not supported";
		return NULL;
	}
	return wrap_pkey(pkey, 0, why);
}

int kz_key_matches_cert(const struct kz_key *key, X509 *cert)
{
	EVP_PKEY *pub;
	int eq;

	if (key->kind == KZ_KEY_GOST)
		return kz_gost_key_matches_cert(key, cert);
	pub = X509_get0_pubkey(cert);
	eq = pub && EVP_PKEY_eq(key->pkey, pub) == 1;
	ERR_clear_error();
	return eq;
}

struct kz_key *kz_key_ref(struct kz_key *key)
{
	__atomic_add_fetch(&key->refs, 1, __ATOMIC_RELAXED);
	return key;
}

void kz_key_unref(struct kz_key *key)
{
	if (!key || __atomic_sub_fetch(&key->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	EVP_PKEY_free(key->pkey);   /* OpenSSL clears RSA key material on free */
	kz_gost_key_clear(&key->gost);
	kz_secmem_free(key->secret);   /* wipes */
	free(key);
}

CK_ULONG kz_key_size_bytes(const struct kz_key *key)
{
	return (key->bits + 7) / 8;
}
