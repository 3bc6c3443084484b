/*
 * GOST keys from NCA containers and certificates.  OpenSSL does not know
 * the Kazakh OIDs, so the PKCS#8 and SubjectPublicKeyInfo contents are read
 * here: algorithm parameters SEQUENCE { curve OID, hash OID }, the private
 * key as a big-endian INTEGER (2004 keys) or a little-endian OCTET STRING
 * (2015 keys), the public key as an OCTET STRING X_le || Y_le.
 */
#include "crypto/key.h"
#include "crypto/gost/curves.h"
#include "crypto/gost/gost3410.h"
#include "kzp11/kzp11.h"
#include "util/der.h"
#include "util/secmem.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

/* Key algorithm OIDs, DER with tag: Kazakh, then Russian. */
static const struct {
	const char *der;
	size_t len;
} key_oids[] = {
	{ "\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x01\x01", 11 },  /* 1.2.398.3.10.1.1.1.1 */
	{ "\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x02\x01", 11 },  /* 1.2.398.3.10.1.1.2.1 */
	{ "\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x02\x02", 11 },  /* 1.2.398.3.10.1.1.2.2 */
	{ "\x06\x06\x2a\x85\x03\x02\x02\x13", 8 },              /* 1.2.643.2.2.19 */
	{ "\x06\x08\x2a\x85\x03\x07\x01\x01\x01\x01", 10 },      /* 1.2.643.7.1.1.1.1 */
	{ "\x06\x08\x2a\x85\x03\x07\x01\x01\x01\x02", 10 },      /* 1.2.643.7.1.1.1.2 */
};

static int is_gost_algorithm(const ASN1_OBJECT *obj)
{
	unsigned char der[KZ_OID_MAX], *p = der;
	int len = i2d_ASN1_OBJECT(obj, NULL);

	if (len <= 0 || len > (int)sizeof der)
		return 0;
	i2d_ASN1_OBJECT(obj, &p);
	for (size_t i = 0; i < sizeof key_oids / sizeof *key_oids; i++)
		if ((size_t)len == key_oids[i].len && memcmp(der, key_oids[i].der, (size_t)len) == 0)
			return 1;
	return 0;
}

/* Reads SEQUENCE { curve OID, hash OID, ... } into the key. */
static const char *read_params(const X509_ALGOR *alg, struct kz_gost_key *g)
{
	const void *pval = NULL;
	int ptype = 0;
	const ASN1_STRING *seq;
	struct kz_der d, in;
	struct kz_der_item outer, curve, hash;
	int hash_kind;

	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE || !pval)
		return "GOST key without parameters";
	seq = pval;
	kz_der_init(&d, ASN1_STRING_get0_data(seq), (size_t)ASN1_STRING_length(seq));
	if (kz_der_expect(&d, KZ_DER_SEQUENCE, &outer) < 0)
		return "malformed GOST key parameters";
	kz_der_enter(&outer, &in);
	if (kz_der_expect(&in, KZ_DER_OID, &curve) < 0 || curve.total > KZ_OID_MAX)
		return "malformed GOST key parameters";
	g->curve = kz_gost_curve_by_der(curve.header, curve.total);
	if (!g->curve)
		return "unknown GOST curve";
	memcpy(g->params, curve.header, curve.total);
	g->params_len = curve.total;
	g->size = kz_gost3410_size(g->curve);
	/* Without a hash OID: Streebog of the key's size (RFC 7091 keys). */
	g->hash = g->size == 64 ? KZ_GOST_HASH_STREEBOG512 : KZ_GOST_HASH_STREEBOG256;
	if (in.p < in.end && kz_der_expect(&in, KZ_DER_OID, &hash) == 0 &&
	    hash.total <= KZ_OID_MAX) {
		hash_kind = kz_gost_hash_by_der(hash.header, hash.total);
		if (hash_kind < 0)
			return "unknown GOST hash parameters";
		g->hash = (enum kz_gost_hash)hash_kind;
		if (kz_gost_hash_size(g->hash) != g->size)
			return "GOST hash parameters do not fit the key size";
		memcpy(g->hash_params, hash.header, hash.total);
		g->hash_params_len = hash.total;
	}
	return NULL;
}

static struct kz_key *new_gost_key(int is_private)
{
	struct kz_key *key = calloc(1, sizeof *key);

	if (!key)
		return NULL;
	key->refs = 1;
	key->kind = KZ_KEY_GOST;
	key->is_private = is_private;
	return key;
}

static void finish_key(struct kz_key *key)
{
	key->key_type = key->gost.size == 64 ? CKK_GOSTR3410_512 : CKK_GOSTR3410;
	key->bits = (CK_ULONG)key->gost.size * 8;
}

static void free_key(struct kz_key *key)
{
	kz_gost_key_clear(&key->gost);
	free(key);
}

/* d from an INTEGER (big-endian) or OCTET STRING (little-endian). */
static const char *read_private(const unsigned char *pk, int pklen, struct kz_gost_key *g)
{
	struct kz_der d;
	struct kz_der_item it;
	const unsigned char *v;
	size_t n;

	kz_der_init(&d, pk, (size_t)pklen);
	if (kz_der_next(&d, &it) < 0 || it.constructed ||
	    (it.tag != KZ_DER_INTEGER && it.tag != KZ_DER_OCTETSTRING))
		return "malformed GOST private key";
	v = it.content;
	n = it.len;
	if (it.tag == KZ_DER_INTEGER)
		while (n > 0 && v[0] == 0) {
			v++;
			n--;
		}
	if (n == 0 || n > g->size)
		return "GOST private key of the wrong size";
	g->d = kz_secmem_alloc(g->size);
	if (!g->d)
		return "out of memory";
	if (it.tag == KZ_DER_INTEGER)
		memcpy(g->d + (g->size - n), v, n);
	else
		for (size_t i = 0; i < n; i++)
			g->d[g->size - 1 - i] = v[i];
	if (kz_gost3410_check_private_key(g->curve, g->d, g->size) != KZ_GOST3410_OK ||
	    kz_gost3410_public_key(g->curve, g->d, g->size, g->pub, 2 * g->size) != KZ_GOST3410_OK)
		return "invalid GOST private key";
	return NULL;
}

struct kz_key *kz_gost_key_from_pkcs8(const PKCS8_PRIV_KEY_INFO *p8, const char **why)
{
	const ASN1_OBJECT *obj = NULL;
	const unsigned char *pk = NULL;
	const X509_ALGOR *alg = NULL;
	int pklen = 0;
	struct kz_key *key;

	if (!PKCS8_pkey_get0(&obj, &pk, &pklen, &alg, p8) || !is_gost_algorithm(obj)) {
		*why = "unsupported private key algorithm";
		return NULL;
	}
	key = new_gost_key(1);
	if (!key) {
		*why = "out of memory";
		return NULL;
	}
	*why = read_params(alg, &key->gost);
	if (!*why)
		*why = read_private(pk, pklen, &key->gost);
	if (*why) {
		free_key(key);
		return NULL;
	}
	finish_key(key);
	return key;
}

struct kz_key *kz_gost_key_from_cert(X509 *cert, const char **why)
{
	const ASN1_OBJECT *obj = NULL;
	const unsigned char *pk = NULL;
	X509_ALGOR *alg = NULL;
	int pklen = 0;
	struct kz_der d;
	struct kz_der_item it;
	struct kz_key *key;

	*why = NULL;
	if (!X509_PUBKEY_get0_param((ASN1_OBJECT **)&obj, &pk, &pklen, &alg,
				    X509_get_X509_PUBKEY(cert)) || !is_gost_algorithm(obj))
		return NULL;   /* not GOST: not for this code */
	key = new_gost_key(0);
	if (!key) {
		*why = "out of memory";
		return NULL;
	}
	*why = read_params(alg, &key->gost);
	kz_der_init(&d, pk, (size_t)pklen);
	if (!*why && (kz_der_expect(&d, KZ_DER_OCTETSTRING, &it) < 0 ||
		      it.len != 2 * key->gost.size))
		*why = "malformed GOST public key";
	if (!*why) {
		memcpy(key->gost.pub, it.content, it.len);
		if (kz_gost3410_check_public_key(key->gost.curve, key->gost.pub, it.len) !=
		    KZ_GOST3410_OK)
			*why = "invalid GOST public key";
	}
	if (*why) {
		free_key(key);
		return NULL;
	}
	finish_key(key);
	return key;
}

int kz_gost_key_matches_cert(const struct kz_key *key, X509 *cert)
{
	const char *why = NULL;
	struct kz_key *pub = kz_gost_key_from_cert(cert, &why);
	int eq = pub && pub->gost.curve == key->gost.curve &&
		 memcmp(pub->gost.pub, key->gost.pub, 2 * key->gost.size) == 0;

	kz_key_unref(pub);
	return eq;
}

void kz_gost_key_clear(struct kz_gost_key *g)
{
	if (g->d)
		kz_secmem_free(g->d);   /* wipes */
	g->d = NULL;
}
