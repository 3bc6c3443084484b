/*
 * The objects a container shows: a profile object (so NSS treats the token
 * as "friendly" and asks for the password only when a key is used), the
 * certificate and public key (public, once the certificate is known) and,
 * after login, the private key.  All three share one CKA_ID, which is how
 * NSS and libp11 pair a certificate with its key.
 */
#include "soft/container.h"
#include "core/object.h"
#include "core/slot.h"
#include "crypto/mech.h"
#include "crypto/ossl.h"
#include "kzp11/kzp11.h"
#include "trust/trust.h"
#include "util/conf.h"
#include "util/log.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

/* Sets an attribute to a freshly DER-encoded value; frees it. */
static int set_der(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, unsigned char *der, int len)
{
	int rc = len > 0 ? kz_object_set(obj, type, der, (CK_ULONG)len) : -1;
	OPENSSL_free(der);
	return rc;
}

static int set_bignum(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, EVP_PKEY *pkey,
		      const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char buf[2048];
	int n, rc = -1;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) && BN_num_bytes(bn) <= (int)sizeof buf) {
		n = BN_bn2bin(bn, buf);
		rc = kz_object_set(obj, type, buf, (CK_ULONG)n);
	}
	BN_free(bn);
	ERR_clear_error();
	return rc;
}

/* CK_DATE from an ASN1_TIME ("YYYYMMDD"); empty on failure. */
static int set_date(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, const ASN1_TIME *t)
{
	struct tm tm;
	char buf[9];

	if (!t || !ASN1_TIME_to_tm(t, &tm) ||
	    snprintf(buf, sizeof buf, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday) != 8)
		return kz_object_set(obj, type, "", 0);
	return kz_object_set(obj, type, buf, 8);
}

/* The mechanisms a key of this kind and size can be used with. */
static CK_ULONG allowed_mechanisms(const struct kz_key *key, CK_MECHANISM_TYPE *out, CK_ULONG max)
{
	const struct kz_mech *table = key->kind == KZ_KEY_RSA ? kz_rsa_mechs : kz_gost_mechs;
	size_t count = key->kind == KZ_KEY_RSA ? kz_rsa_mech_count : kz_gost_mech_count;
	CK_ULONG n = 0;

	for (size_t i = 0; i < count && n < max; i++)
		if (table[i].key_type == key->key_type)
			out[n++] = table[i].type;
	return n;
}

static int set_rsa_attrs(struct kz_object *obj, const struct kz_key *key)
{
	unsigned char *spki = NULL;
	int len = i2d_PUBKEY(key->pkey, &spki);

	return set_der(obj, CKA_PUBLIC_KEY_INFO, spki, len) |
	       set_bignum(obj, CKA_MODULUS, key->pkey, OSSL_PKEY_PARAM_RSA_N) |
	       set_bignum(obj, CKA_PUBLIC_EXPONENT, key->pkey, OSSL_PKEY_PARAM_RSA_E);
}

/* CKA_GOSTR3410_PARAMS and CKA_GOSTR3411_PARAMS as in the certificate;
 * public keys also carry CKA_VALUE = X_le || Y_le. */
static int set_gost_attrs(struct kz_object *obj, const struct kz_container *c,
			  const struct kz_key *key)
{
	const struct kz_gost_key *g = &key->gost;
	size_t hash_len = g->hash_params_len;
	const unsigned char *hash = g->hash_params;
	int rc = kz_object_set(obj, CKA_GOSTR3410_PARAMS, g->params, (CK_ULONG)g->params_len);

	if (!hash_len)
		hash = kz_gost_hash_default_der(g->hash, &hash_len);
	rc |= kz_object_set(obj, CKA_GOSTR3411_PARAMS, hash, (CK_ULONG)hash_len);
	if (obj->cls == CKO_PUBLIC_KEY)
		rc |= kz_object_set(obj, CKA_VALUE, g->pub, (CK_ULONG)(2 * g->size));
	if (c->cert) {
		unsigned char *spki = NULL;
		int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->cert), &spki);
		rc |= set_der(obj, CKA_PUBLIC_KEY_INFO, spki, len);
	}
	return rc;
}

/* Attributes every key object carries, and those of its kind. */
static int set_key_common(struct kz_object *obj, struct kz_container *c,
			  const struct kz_key *key)
{
	unsigned char id[KZ_KEY_ID_MAX];
	size_t id_len;
	CK_MECHANISM_TYPE mechs[32];
	CK_ULONG n = allowed_mechanisms(key, mechs, 32);
	const char *label = kz_soft_name_objects(c);
	int rc;

	kz_soft_object_id(c, id, &id_len);
	rc = (label ? kz_object_set(obj, CKA_LABEL, label, (CK_ULONG)strlen(label)) : -1) |
	     kz_object_set(obj, CKA_ID, id, (CK_ULONG)id_len) |
	     kz_object_set_ulong(obj, CKA_KEY_TYPE, key->key_type) |
	     kz_object_set_bool(obj, CKA_DERIVE, 0) |
	     kz_object_set_bool(obj, CKA_LOCAL, 0) |
	     kz_object_set_ulong(obj, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION) |
	     kz_object_set(obj, CKA_ALLOWED_MECHANISMS, mechs, n * sizeof *mechs);
	if (rc)
		return -1;
	if (c->cert) {
		unsigned char *der = NULL;
		int len = i2d_X509_NAME(X509_get_subject_name(c->cert), &der);
		if (set_der(obj, CKA_SUBJECT, der, len) < 0 ||
		    set_date(obj, CKA_START_DATE, X509_get0_notBefore(c->cert)) < 0 ||
		    set_date(obj, CKA_END_DATE, X509_get0_notAfter(c->cert)) < 0)
			return -1;
	}
	return key->kind == KZ_KEY_RSA ? set_rsa_attrs(obj, key) : set_gost_attrs(obj, c, key);
}

static CK_RV publish(struct kz_slot *slot, struct kz_object *obj, int rc)
{
	if (rc != 0) {
		kz_object_free(obj);
		return CKR_HOST_MEMORY;
	}
	return kz_slot_publish(slot, obj);
}

CK_RV kz_soft_publish_profile(struct kz_slot *slot)
{
	struct kz_object *obj = kz_object_new(CKO_PROFILE, 0);

	if (!obj)
		return CKR_HOST_MEMORY;
	return publish(slot, obj, kz_object_set_ulong(obj, CKA_PROFILE_ID,
						       CKP_PUBLIC_CERTIFICATES_TOKEN));
}

static int set_cert_attrs(struct kz_object *obj, struct kz_container *c)
{
	X509 *cert = c->cert;
	unsigned char id[KZ_KEY_ID_MAX], md[20];
	size_t id_len;
	unsigned char *der = NULL, *subject = NULL, *issuer = NULL, *serial = NULL;
	int der_len = i2d_X509(cert, &der);
	int subject_len = i2d_X509_NAME(X509_get_subject_name(cert), &subject);
	int issuer_len = i2d_X509_NAME(X509_get_issuer_name(cert), &issuer);
	int serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &serial);
	const char *label = kz_soft_name_objects(c);
	int rc;

	kz_soft_object_id(c, id, &id_len);
	rc = (der_len > 0 && kz_sha1(der, (size_t)der_len, md) == 0) ? 0 : -1;
	rc |= kz_object_set(obj, CKA_CHECK_VALUE, md, 3);
	rc |= set_der(obj, CKA_VALUE, der, der_len);
	rc |= set_der(obj, CKA_SUBJECT, subject, subject_len);
	rc |= set_der(obj, CKA_ISSUER, issuer, issuer_len);
	rc |= set_der(obj, CKA_SERIAL_NUMBER, serial, serial_len);
	rc |= label ? kz_object_set(obj, CKA_LABEL, label, (CK_ULONG)strlen(label)) : -1;
	rc |= kz_object_set(obj, CKA_ID, id, (CK_ULONG)id_len);
	rc |= kz_object_set_ulong(obj, CKA_CERTIFICATE_TYPE, CKC_X_509);
	rc |= kz_object_set_ulong(obj, CKA_CERTIFICATE_CATEGORY, 1);  /* token user */
	rc |= kz_object_set_bool(obj, CKA_TRUSTED, 0);
	rc |= kz_object_set_ulong(obj, CKA_JAVA_MIDP_SECURITY_DOMAIN, 0);
	rc |= kz_object_set(obj, CKA_URL, "", 0);
	rc |= kz_object_set(obj, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, "", 0);
	rc |= kz_object_set(obj, CKA_HASH_OF_ISSUER_PUBLIC_KEY, "", 0);
	rc |= kz_object_set_ulong(obj, CKA_NAME_HASH_ALGORITHM, CKM_SHA_1);
	rc |= set_date(obj, CKA_START_DATE, X509_get0_notBefore(cert));
	rc |= set_date(obj, CKA_END_DATE, X509_get0_notAfter(cert));
	ERR_clear_error();
	return rc;
}

/*
 * GOST key objects are left out in NSS-based applications (unless
 * hide_gost_from_nss = no): NSS cannot use them, and a certificate with a
 * key of the same CKA_ID counts as the user's own, so Firefox would offer
 * GOST certificates for TLS client login.  The certificate itself stays.
 */
static int hidden_from_host(const struct kz_container *c, const struct kz_key *key)
{
	static int logged;

	if (key->kind != KZ_KEY_GOST || !c->conf || !c->conf->hide_gost_from_nss ||
	    !kz_host_is_nss())
		return 0;
	if (!logged) {
		logged = 1;
		kz_info("NSS-based application: GOST keys are not shown (hide_gost_from_nss)");
	}
	return 1;
}

CK_RV kz_soft_publish_public(struct kz_slot *slot, struct kz_container *c)
{
	struct kz_object *cert_obj, *pub;
	struct kz_key *key;
	const char *why = NULL;
	CK_RV rv;

	if (!c->cert || c->cert_published)
		return CKR_OK;
	cert_obj = kz_object_new(CKO_CERTIFICATE, 0);
	if (!cert_obj)
		return CKR_HOST_MEMORY;
	rv = publish(slot, cert_obj, set_cert_attrs(cert_obj, c));
	if (rv != CKR_OK)
		return rv;
	c->cert_published = 1;
	key = kz_key_from_cert(c->cert, &why);
	if (!key)
		return CKR_OK;   /* a certificate with a key type we do not handle */
	if (hidden_from_host(c, key)) {
		kz_key_unref(key);
		return CKR_OK;
	}
	pub = kz_object_new(CKO_PUBLIC_KEY, 0);
	if (!pub) {
		kz_key_unref(key);
		return CKR_HOST_MEMORY;
	}
	pub->key = key;
	return publish(slot, pub,
		       set_key_common(pub, c, key) |
		       kz_object_set_bool(pub, CKA_ENCRYPT, key->kind == KZ_KEY_RSA) |
		       kz_object_set_bool(pub, CKA_VERIFY, 1) |
		       kz_object_set_bool(pub, CKA_VERIFY_RECOVER, 0) |
		       kz_object_set_bool(pub, CKA_WRAP, 0) |
		       kz_object_set_bool(pub, CKA_TRUSTED, 0) |
		       (key->kind == KZ_KEY_RSA
				? kz_object_set_ulong(pub, CKA_MODULUS_BITS, key->bits) : 0));
}

CK_RV kz_soft_publish_private(struct kz_slot *slot, struct kz_container *c, struct kz_key *key)
{
	struct kz_object *priv;

	if (hidden_from_host(c, key))
		return CKR_OK;
	priv = kz_object_new(CKO_PRIVATE_KEY, 1);
	if (!priv)
		return CKR_HOST_MEMORY;
	priv->key = kz_key_ref(key);
	return publish(slot, priv,
		       set_key_common(priv, c, key) |
		       kz_object_set_bool(priv, CKA_SENSITIVE, 1) |
		       kz_object_set_bool(priv, CKA_ALWAYS_SENSITIVE, 0) |
		       kz_object_set_bool(priv, CKA_EXTRACTABLE, 0) |
		       kz_object_set_bool(priv, CKA_NEVER_EXTRACTABLE, 0) |
		       kz_object_set_bool(priv, CKA_DECRYPT, key->kind == KZ_KEY_RSA) |
		       kz_object_set_bool(priv, CKA_SIGN, 1) |
		       kz_object_set_bool(priv, CKA_SIGN_RECOVER, 0) |
		       kz_object_set_bool(priv, CKA_UNWRAP, 0) |
		       kz_object_set_bool(priv, CKA_WRAP_WITH_TRUSTED, 0) |
		       kz_object_set_bool(priv, CKA_ALWAYS_AUTHENTICATE, 0));
}
