/* CKM_SHA_1 and the SHA-2 digests, computed by OpenSSL in the module's context. */
#include "crypto/mech.h"
#include "crypto/ossl.h"

#include <openssl/err.h>
#include <openssl/evp.h>

const char *kz_digest_name(CK_MECHANISM_TYPE hash_mech)
{
	switch (hash_mech) {
	case CKM_SHA_1: return "SHA1";
	case CKM_SHA224: return "SHA224";
	case CKM_SHA256: return "SHA256";
	case CKM_SHA384: return "SHA384";
	case CKM_SHA512: return "SHA512";
	default: return NULL;
	}
}

CK_ULONG kz_digest_size(CK_MECHANISM_TYPE hash_mech)
{
	switch (hash_mech) {
	case CKM_SHA_1: return 20;
	case CKM_SHA224: return 28;
	case CKM_SHA256: return 32;
	case CKM_SHA384: return 48;
	case CKM_SHA512: return 64;
	default: return 0;
	}
}

static CK_RV digest_update(struct kz_op *op, const CK_BYTE *in, CK_ULONG len)
{
	if (!EVP_DigestUpdate(op->state, in, len)) {
		ERR_clear_error();
		return CKR_FUNCTION_FAILED;
	}
	return CKR_OK;
}

static CK_RV digest_final(struct kz_op *op, CK_BYTE *out, CK_ULONG *outlen)
{
	unsigned int n = 0;

	if (*outlen < op->out_len) {
		*outlen = op->out_len;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (!EVP_DigestFinal_ex(op->state, out, &n)) {
		ERR_clear_error();
		return CKR_FUNCTION_FAILED;
	}
	*outlen = n;
	return CKR_OK;
}

static void digest_free(struct kz_op *op)
{
	EVP_MD_CTX_free(op->state);
}

static const struct kz_op_ops digest_ops = {
	.update = digest_update,
	.final = digest_final,
	.free = digest_free,
};

static CK_RV digest_init(struct kz_op *op, const CK_MECHANISM *m)
{
	EVP_MD *md;
	EVP_MD_CTX *ctx;
	int ok;

	if (m->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	md = EVP_MD_fetch(kz_ossl_ctx(), kz_digest_name(m->mechanism), NULL);
	ctx = EVP_MD_CTX_new();
	ok = md && ctx && EVP_DigestInit_ex(ctx, md, NULL);
	EVP_MD_free(md);
	if (!ok) {
		ERR_clear_error();
		EVP_MD_CTX_free(ctx);
		return CKR_FUNCTION_FAILED;
	}
	op->state = ctx;
	op->ops = &digest_ops;
	op->out_len = kz_digest_size(m->mechanism);
	return CKR_OK;
}

#define DIGEST(mech) { mech, KZ_NO_KEY, { 0, 0, CKF_DIGEST }, digest_init }

const struct kz_mech kz_digest_mechs[] = {
	DIGEST(CKM_SHA_1),
	DIGEST(CKM_SHA224),
	DIGEST(CKM_SHA256),
	DIGEST(CKM_SHA384),
	DIGEST(CKM_SHA512),
};
const size_t kz_digest_mech_count = sizeof kz_digest_mechs / sizeof kz_digest_mechs[0];
