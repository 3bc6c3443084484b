#include "crypto/rsa_params.h"
#include "crypto/mech.h"

#include <string.h>

static const char *mgf1_name(CK_RSA_PKCS_MGF_TYPE mgf)
{
	switch (mgf) {
	case CKG_MGF1_SHA1: return "SHA1";
	case CKG_MGF1_SHA224: return "SHA224";
	case CKG_MGF1_SHA256: return "SHA256";
	case CKG_MGF1_SHA384: return "SHA384";
	case CKG_MGF1_SHA512: return "SHA512";
	default: return NULL;
	}
}

static CK_RV parse_pss(const CK_MECHANISM *m, CK_MECHANISM_TYPE hash_mech,
		       struct kz_rsa_params *out)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;

	if (!p || m->ulParameterLen != sizeof *p)
		return CKR_MECHANISM_PARAM_INVALID;
	out->pad = "pss";
	out->digest = kz_digest_name(p->hashAlg);
	out->mgf1 = mgf1_name(p->mgf);
	out->digest_len = kz_digest_size(p->hashAlg);
	if (!out->digest || !out->mgf1 || p->sLen > 1024)
		return CKR_MECHANISM_PARAM_INVALID;
	if (hash_mech && hash_mech != p->hashAlg)
		return CKR_MECHANISM_PARAM_INVALID;
	out->salt_len = (int)p->sLen;
	return CKR_OK;
}

static CK_RV parse_oaep(const CK_MECHANISM *m, struct kz_rsa_params *out)
{
	const CK_RSA_PKCS_OAEP_PARAMS *p = m->pParameter;

	if (!p || m->ulParameterLen != sizeof *p)
		return CKR_MECHANISM_PARAM_INVALID;
	out->pad = "oaep";
	out->digest = kz_digest_name(p->hashAlg);
	out->digest_len = kz_digest_size(p->hashAlg);
	out->mgf1 = mgf1_name(p->mgf);
	if (!out->digest || !out->mgf1)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->source != 0 && p->source != CKZ_DATA_SPECIFIED)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->ulSourceDataLen && !p->pSourceData)
		return CKR_MECHANISM_PARAM_INVALID;
	out->label = p->pSourceData;
	out->label_len = p->ulSourceDataLen;
	return CKR_OK;
}

CK_RV kz_rsa_params_parse(const CK_MECHANISM *m, CK_MECHANISM_TYPE hash_mech,
			  struct kz_rsa_params *out)
{
	memset(out, 0, sizeof *out);
	switch (m->mechanism) {
	case CKM_RSA_PKCS_PSS:
	case CKM_SHA1_RSA_PKCS_PSS:
	case CKM_SHA224_RSA_PKCS_PSS:
	case CKM_SHA256_RSA_PKCS_PSS:
	case CKM_SHA384_RSA_PKCS_PSS:
	case CKM_SHA512_RSA_PKCS_PSS:
		return parse_pss(m, hash_mech, out);
	case CKM_RSA_PKCS_OAEP:
		return parse_oaep(m, out);
	case CKM_RSA_X_509:
		out->pad = "none";
		break;
	default:
		out->pad = "pkcs1";
		out->digest = hash_mech ? kz_digest_name(hash_mech) : NULL;
		break;
	}
	/* Mechanisms without a parameter must not be given one. */
	return m->ulParameterLen == 0 ? CKR_OK : CKR_MECHANISM_PARAM_INVALID;
}
