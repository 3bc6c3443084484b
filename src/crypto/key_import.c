/*
 * Public keys given by an application (C_CreateObject): RSA from CKA_MODULUS
 * and CKA_PUBLIC_EXPONENT, GOST from CKA_GOSTR3410_PARAMS, optional
 * CKA_GOSTR3411_PARAMS and CKA_VALUE (X_le || Y_le).  Used to verify
 * signatures made elsewhere, e.g. NCA's own on certificates and CMS.
 */
#include "crypto/key.h"
#include "crypto/ossl.h"
#include "crypto/rsa_key.h"
#include "crypto/gost/curves.h"
#include "crypto/gost/gost3410.h"
#include "kzp11/kzp11.h"
#include "util/secmem.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

static const CK_ATTRIBUTE *find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	for (CK_ULONG i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

static CK_RV rsa_public(const CK_ATTRIBUTE *t, CK_ULONG n, struct kz_key **out)
{
	const CK_ATTRIBUTE *mod = find(t, n, CKA_MODULUS), *exp = find(t, n, CKA_PUBLIC_EXPONENT);
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn_n, *bn_e;
	struct kz_key *key;

	if (!mod || !exp)
		return CKR_TEMPLATE_INCOMPLETE;
	if (!mod->pValue || !exp->pValue || mod->ulValueLen == 0 || mod->ulValueLen > 2048 ||
	    exp->ulValueLen == 0 || exp->ulValueLen > 16)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	bn_n = BN_bin2bn(mod->pValue, (int)mod->ulValueLen, NULL);
	bn_e = BN_bin2bn(exp->pValue, (int)exp->ulValueLen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bld && bn_n && bn_e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		params = OSSL_PARAM_BLD_to_param(bld);
	ctx = params ? EVP_PKEY_CTX_new_from_name(kz_ossl_ctx(), KZ_RSA_KEYMGMT, NULL) : NULL;
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	ERR_clear_error();
	if (!pkey)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	key = calloc(1, sizeof *key);
	if (!key) {
		EVP_PKEY_free(pkey);
		return CKR_HOST_MEMORY;
	}
	key->refs = 1;
	key->kind = KZ_KEY_RSA;
	key->key_type = CKK_RSA;
	key->bits = (CK_ULONG)EVP_PKEY_get_bits(pkey);
	key->pkey = pkey;
	*out = key;
	return CKR_OK;
}

static CK_RV gost_public(CK_KEY_TYPE type, const CK_ATTRIBUTE *t, CK_ULONG n, struct kz_key **out)
{
	const CK_ATTRIBUTE *params = find(t, n, CKA_GOSTR3410_PARAMS);
	const CK_ATTRIBUTE *hash = find(t, n, CKA_GOSTR3411_PARAMS);
	const CK_ATTRIBUTE *value = find(t, n, CKA_VALUE);
	struct kz_key *key;
	struct kz_gost_key *g;
	int hash_kind;

	if (!params || !value)
		return CKR_TEMPLATE_INCOMPLETE;
	if (!params->pValue || params->ulValueLen > KZ_OID_MAX || !value->pValue)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	key = calloc(1, sizeof *key);
	if (!key)
		return CKR_HOST_MEMORY;
	key->refs = 1;
	key->kind = KZ_KEY_GOST;
	g = &key->gost;
	g->curve = kz_gost_curve_by_der(params->pValue, params->ulValueLen);
	g->size = g->curve ? kz_gost3410_size(g->curve) : 0;
	if (!g->curve || (type == CKK_GOSTR3410_512) != (g->size == 64) ||
	    value->ulValueLen != 2 * g->size)
		goto invalid;
	memcpy(g->params, params->pValue, params->ulValueLen);
	g->params_len = params->ulValueLen;
	memcpy(g->pub, value->pValue, value->ulValueLen);
	if (kz_gost3410_check_public_key(g->curve, g->pub, 2 * g->size) != KZ_GOST3410_OK)
		goto invalid;
	g->hash = g->size == 64 ? KZ_GOST_HASH_STREEBOG512 : KZ_GOST_HASH_STREEBOG256;
	if (hash && hash->ulValueLen) {
		if (!hash->pValue || hash->ulValueLen > KZ_OID_MAX)
			goto invalid;
		hash_kind = kz_gost_hash_by_der(hash->pValue, hash->ulValueLen);
		if (hash_kind < 0 || kz_gost_hash_size((enum kz_gost_hash)hash_kind) != g->size)
			goto invalid;
		g->hash = (enum kz_gost_hash)hash_kind;
		memcpy(g->hash_params, hash->pValue, hash->ulValueLen);
		g->hash_params_len = hash->ulValueLen;
	}
	key->key_type = type;
	key->bits = (CK_ULONG)g->size * 8;
	*out = key;
	return CKR_OK;
invalid:
	free(key);
	return CKR_ATTRIBUTE_VALUE_INVALID;
}

CK_RV kz_key_import_public(CK_KEY_TYPE type, const CK_ATTRIBUTE *templ, CK_ULONG n,
			   struct kz_key **out)
{
	switch (type) {
	case CKK_RSA:
		return rsa_public(templ, n, out);
	case CKK_GOSTR3410:
	case CKK_GOSTR3410_512:
		return gost_public(type, templ, n, out);
	default:
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
}

#define SECRET_MAX 1024

CK_RV kz_key_import_secret(CK_KEY_TYPE type, const CK_ATTRIBUTE *templ, CK_ULONG n,
			   struct kz_key **out)
{
	const CK_ATTRIBUTE *value = find(templ, n, CKA_VALUE);
	struct kz_key *key;

	if (type != CKK_GENERIC_SECRET && type != CKK_GOSTR3411)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!value)
		return CKR_TEMPLATE_INCOMPLETE;
	if (!value->pValue || value->ulValueLen == 0 || value->ulValueLen > SECRET_MAX)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	key = calloc(1, sizeof *key);
	if (!key)
		return CKR_HOST_MEMORY;
	key->secret = kz_secmem_alloc(value->ulValueLen);
	if (!key->secret) {
		free(key);
		return CKR_HOST_MEMORY;
	}
	memcpy(key->secret, value->pValue, value->ulValueLen);
	key->secret_len = value->ulValueLen;
	key->refs = 1;
	key->kind = KZ_KEY_SECRET;
	key->key_type = CKK_GENERIC_SECRET;   /* both types work the same */
	key->is_private = 1;                  /* it signs */
	key->bits = (CK_ULONG)value->ulValueLen;
	*out = key;
	return CKR_OK;
}
