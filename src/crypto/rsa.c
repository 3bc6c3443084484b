/*
 * RSA mechanisms over OpenSSL.  Hash-and-sign mechanisms stream through an
 * EVP_MD_CTX; raw ones (RSA_PKCS, RSA_X_509, RSA_PKCS_PSS, OAEP, decrypt)
 * collect their input, which PKCS#11 limits to about one modulus, and
 * compute at the end.
 */
#include "crypto/mech.h"
#include "crypto/ossl.h"
#include "crypto/rsa_params.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

struct rsa_state {
	struct kz_rsa_params params;
	unsigned char *label;          /* our copy of the OAEP label */
	EVP_MD_CTX *md;                /* hash-and-sign */
	unsigned char *buf;            /* raw: collected input */
	CK_ULONG len;
	int too_long;                  /* raw: more input than any key accepts */
};

static CK_MECHANISM_TYPE hash_of(CK_MECHANISM_TYPE mech)
{
	switch (mech) {
	case CKM_SHA1_RSA_PKCS: case CKM_SHA1_RSA_PKCS_PSS: return CKM_SHA_1;
	case CKM_SHA224_RSA_PKCS: case CKM_SHA224_RSA_PKCS_PSS: return CKM_SHA224;
	case CKM_SHA256_RSA_PKCS: case CKM_SHA256_RSA_PKCS_PSS: return CKM_SHA256;
	case CKM_SHA384_RSA_PKCS: case CKM_SHA384_RSA_PKCS_PSS: return CKM_SHA384;
	case CKM_SHA512_RSA_PKCS: case CKM_SHA512_RSA_PKCS_PSS: return CKM_SHA512;
	default: return 0;
	}
}

/*
 * Applies the mechanism's settings through OpenSSL's control API.  That API
 * reaches both a provider's implementation and the legacy method OpenSSL
 * substitutes when the host application made an ENGINE its default for RSA
 * (as `openssl -engine pkcs11` does); parameters passed to the _init_ex
 * functions would silently be dropped in the second case.
 */
static int apply_params(EVP_PKEY_CTX *ctx, const struct kz_rsa_params *p, int cipher,
			int with_digest)
{
	int pad = strcmp(p->pad, "pss") == 0 ? RSA_PKCS1_PSS_PADDING :
		  strcmp(p->pad, "oaep") == 0 ? RSA_PKCS1_OAEP_PADDING :
		  strcmp(p->pad, "none") == 0 ? RSA_NO_PADDING : RSA_PKCS1_PADDING;
	/* Built-in descriptions, valid for the process: the legacy method keeps
	 * the pointer, a provider takes only the name. */
	const EVP_MD *md = with_digest && p->digest ? EVP_get_digestbyname(p->digest) : NULL;
	const EVP_MD *mgf = p->mgf1 ? EVP_get_digestbyname(p->mgf1) : NULL;

	if (EVP_PKEY_CTX_set_rsa_padding(ctx, pad) <= 0)
		return 0;
	if ((with_digest && p->digest && !md) || (p->mgf1 && !mgf))
		return 0;
	if (md && (cipher ? EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md)
			  : EVP_PKEY_CTX_set_signature_md(ctx, md)) <= 0)
		return 0;
	if (mgf && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf) <= 0)
		return 0;
	if (!cipher && pad == RSA_PKCS1_PSS_PADDING &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, p->salt_len) <= 0)
		return 0;
	if (cipher && p->label_len) {
		unsigned char *label = OPENSSL_memdup(p->label, p->label_len);
		if (!label || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, (int)p->label_len) <= 0) {
			OPENSSL_free(label);
			return 0;
		}
	}
	return 1;
}

static void rsa_free(struct kz_op *op)
{
	struct rsa_state *s = op->state;

	if (!s)
		return;
	EVP_MD_CTX_free(s->md);
	if (s->buf)
		OPENSSL_clear_free(s->buf, kz_key_size_bytes(op->key));
	free(s->label);
	free(s);
}

/* ---- raw mechanisms: collect, then compute ---- */

static CK_RV raw_update(struct kz_op *op, const CK_BYTE *in, CK_ULONG len)
{
	struct rsa_state *s = op->state;
	CK_ULONG k = kz_key_size_bytes(op->key);

	if (len > k - s->len) {
		s->too_long = 1;
		return CKR_OK;   /* reported by final, as PKCS#11 expects */
	}
	memcpy(s->buf + s->len, in, len);
	s->len += len;
	return CKR_OK;
}

/* Checks the collected input length for the mechanism and operation. */
static CK_RV raw_input_ok(struct kz_op *op)
{
	struct rsa_state *s = op->state;
	CK_ULONG k = kz_key_size_bytes(op->key);
	CK_ULONG max = k;

	if (op->kind == KZ_OP_DECRYPT)
		return (s->too_long || s->len != k) ? CKR_ENCRYPTED_DATA_LEN_RANGE : CKR_OK;
	if (s->too_long)
		return CKR_DATA_LEN_RANGE;
	if (strcmp(s->params.pad, "pss") == 0)
		return s->len == s->params.digest_len ? CKR_OK : CKR_DATA_LEN_RANGE;
	if (strcmp(s->params.pad, "pkcs1") == 0)
		max = k - 11;
	else if (strcmp(s->params.pad, "oaep") == 0)
		max = k > 2 * s->params.digest_len + 2 ? k - 2 * s->params.digest_len - 2 : 0;
	return s->len <= max ? CKR_OK : CKR_DATA_LEN_RANGE;
}

/* RSA_X_509 works on a whole modulus: short input is padded with zeros. */
static void left_pad(struct rsa_state *s, CK_ULONG k)
{
	if (strcmp(s->params.pad, "none") != 0 || s->len >= k)
		return;
	memmove(s->buf + (k - s->len), s->buf, s->len);
	memset(s->buf, 0, k - s->len);
	s->len = k;
}

static EVP_PKEY_CTX *raw_ctx(struct kz_op *op)
{
	struct rsa_state *s = op->state;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(kz_ossl_ctx(), op->key->pkey, NULL);
	int ok = 0;

	if (!ctx)
		return NULL;
	switch (op->kind) {
	case KZ_OP_SIGN:
		ok = EVP_PKEY_sign_init(ctx) > 0 && apply_params(ctx, &s->params, 0, 1);
		break;
	case KZ_OP_VERIFY:
		ok = EVP_PKEY_verify_init(ctx) > 0 && apply_params(ctx, &s->params, 0, 1);
		break;
	case KZ_OP_ENCRYPT:
		ok = EVP_PKEY_encrypt_init(ctx) > 0 && apply_params(ctx, &s->params, 1, 1);
		break;
	case KZ_OP_DECRYPT:
		ok = EVP_PKEY_decrypt_init(ctx) > 0 && apply_params(ctx, &s->params, 1, 1);
		break;
	default:
		break;
	}
	if (!ok) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static CK_RV raw_final(struct kz_op *op, CK_BYTE *out, CK_ULONG *outlen)
{
	struct rsa_state *s = op->state;
	CK_ULONG k = kz_key_size_bytes(op->key);
	EVP_PKEY_CTX *ctx;
	unsigned char *tmp = NULL;
	size_t n = k;
	int ok;
	CK_RV rv = raw_input_ok(op);

	if (rv != CKR_OK)
		return rv;
	if (op->kind != KZ_OP_DECRYPT && *outlen < k) {
		*outlen = k;
		return CKR_BUFFER_TOO_SMALL;
	}
	left_pad(s, k);
	ctx = raw_ctx(op);
	if (!ctx) {
		kz_ossl_log_errors("setting up an RSA operation");
		return CKR_FUNCTION_FAILED;
	}
	if (op->kind == KZ_OP_SIGN) {
		ok = EVP_PKEY_sign(ctx, out, &n, s->buf, s->len) > 0;
	} else if (op->kind == KZ_OP_ENCRYPT) {
		ok = EVP_PKEY_encrypt(ctx, out, &n, s->buf, s->len) > 0;
	} else {
		/* The plaintext length is known only after decrypting. */
		tmp = OPENSSL_malloc(k);
		ok = tmp && EVP_PKEY_decrypt(ctx, tmp, &n, s->buf, s->len) > 0;
		if (ok && n > *outlen) {
			*outlen = n;
			rv = CKR_BUFFER_TOO_SMALL;
		} else if (ok) {
			memcpy(out, tmp, n);
		}
		OPENSSL_clear_free(tmp, k);
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return op->kind == KZ_OP_DECRYPT ? CKR_ENCRYPTED_DATA_INVALID : CKR_DATA_INVALID;
	if (rv == CKR_OK)
		*outlen = n;
	return rv;
}

static CK_RV raw_verify(struct kz_op *op, const CK_BYTE *sig, CK_ULONG siglen)
{
	struct rsa_state *s = op->state;
	CK_ULONG k = kz_key_size_bytes(op->key);
	EVP_PKEY_CTX *ctx;
	int ok;
	CK_RV rv = raw_input_ok(op);

	if (rv != CKR_OK)
		return rv;
	if (siglen != k)
		return CKR_SIGNATURE_LEN_RANGE;
	left_pad(s, k);
	ctx = raw_ctx(op);
	if (!ctx) {
		kz_ossl_log_errors("setting up an RSA verification");
		return CKR_FUNCTION_FAILED;
	}
	ok = EVP_PKEY_verify(ctx, sig, siglen, s->buf, s->len) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok ? CKR_OK : CKR_SIGNATURE_INVALID;
}

static void raw_reset(struct kz_op *op)
{
	struct rsa_state *s = op->state;

	OPENSSL_cleanse(s->buf, kz_key_size_bytes(op->key));
	s->len = 0;
	s->too_long = 0;
}

static const struct kz_op_ops raw_ops = {
	.update = raw_update,
	.reset = raw_reset,
	.final = raw_final,
	.verify = raw_verify,
	.free = rsa_free,
};

/* ---- hash-and-sign mechanisms ---- */

static CK_RV hashed_update(struct kz_op *op, const CK_BYTE *in, CK_ULONG len)
{
	struct rsa_state *s = op->state;
	int ok = op->kind == KZ_OP_SIGN ? EVP_DigestSignUpdate(s->md, in, len)
					: EVP_DigestVerifyUpdate(s->md, in, len);
	if (!ok) {
		ERR_clear_error();
		return CKR_FUNCTION_FAILED;
	}
	return CKR_OK;
}

static CK_RV hashed_final(struct kz_op *op, CK_BYTE *out, CK_ULONG *outlen)
{
	struct rsa_state *s = op->state;
	size_t n = kz_key_size_bytes(op->key);

	if (*outlen < n) {
		*outlen = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (EVP_DigestSignFinal(s->md, out, &n) != 1) {
		kz_ossl_log_errors("RSA signing");
		return CKR_FUNCTION_FAILED;
	}
	*outlen = n;
	return CKR_OK;
}

static CK_RV hashed_verify(struct kz_op *op, const CK_BYTE *sig, CK_ULONG siglen)
{
	struct rsa_state *s = op->state;
	int ok;

	if (siglen != kz_key_size_bytes(op->key))
		return CKR_SIGNATURE_LEN_RANGE;
	ok = EVP_DigestVerifyFinal(s->md, sig, siglen) == 1;
	ERR_clear_error();
	return ok ? CKR_OK : CKR_SIGNATURE_INVALID;
}

static const struct kz_op_ops hashed_ops = {
	.update = hashed_update,
	.final = hashed_final,
	.verify = hashed_verify,
	.free = rsa_free,
};

static CK_RV hashed_start(struct kz_op *op, struct rsa_state *s)
{
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	s->md = EVP_MD_CTX_new();
	if (!s->md)
		return CKR_HOST_MEMORY;
	if (op->kind == KZ_OP_SIGN)
		ok = EVP_DigestSignInit_ex(s->md, &pctx, s->params.digest, kz_ossl_ctx(), NULL,
					   op->key->pkey, NULL);
	else
		ok = EVP_DigestVerifyInit_ex(s->md, &pctx, s->params.digest, kz_ossl_ctx(), NULL,
					     op->key->pkey, NULL);
	if (ok != 1 || !apply_params(pctx, &s->params, 0, 0)) {
		kz_ossl_log_errors("setting up RSA hash-and-sign");
		return CKR_FUNCTION_FAILED;
	}
	return CKR_OK;
}

static CK_RV rsa_init(struct kz_op *op, const CK_MECHANISM *m)
{
	struct rsa_state *s;
	CK_MECHANISM_TYPE hash = hash_of(m->mechanism);
	CK_ULONG k = kz_key_size_bytes(op->key);
	CK_RV rv;

	if ((op->kind == KZ_OP_SIGN || op->kind == KZ_OP_DECRYPT) != op->key->is_private)
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	s = calloc(1, sizeof *s);
	if (!s)
		return CKR_HOST_MEMORY;
	op->state = s;
	op->out_len = k;
	rv = kz_rsa_params_parse(m, hash, &s->params);
	if (rv == CKR_OK && s->params.label_len) {
		s->label = malloc(s->params.label_len);
		if (!s->label)
			rv = CKR_HOST_MEMORY;
		else
			memcpy(s->label, s->params.label, s->params.label_len);
		s->params.label = s->label;
	}
	if (rv == CKR_OK && hash) {
		op->ops = &hashed_ops;
		rv = hashed_start(op, s);
	} else if (rv == CKR_OK) {
		op->ops = &raw_ops;
		s->buf = OPENSSL_zalloc(k);
		if (!s->buf)
			rv = CKR_HOST_MEMORY;
	}
	if (rv != CKR_OK) {
		rsa_free(op);
		op->state = NULL;
		op->ops = NULL;
	}
	return rv;
}

#define RSA_MIN_BITS 1024
#define RSA_MAX_BITS 16384
#define RSA_MECH(mech, flags) \
	{ mech, CKK_RSA, { RSA_MIN_BITS, RSA_MAX_BITS, flags }, rsa_init }
#define SV (CKF_SIGN | CKF_VERIFY)
#define ED (CKF_ENCRYPT | CKF_DECRYPT)

const struct kz_mech kz_rsa_mechs[] = {
	RSA_MECH(CKM_RSA_PKCS, SV | ED),
	RSA_MECH(CKM_RSA_X_509, SV | ED),
	RSA_MECH(CKM_RSA_PKCS_PSS, SV),
	RSA_MECH(CKM_RSA_PKCS_OAEP, ED),
	RSA_MECH(CKM_SHA1_RSA_PKCS, SV),
	RSA_MECH(CKM_SHA224_RSA_PKCS, SV),
	RSA_MECH(CKM_SHA256_RSA_PKCS, SV),
	RSA_MECH(CKM_SHA384_RSA_PKCS, SV),
	RSA_MECH(CKM_SHA512_RSA_PKCS, SV),
	RSA_MECH(CKM_SHA1_RSA_PKCS_PSS, SV),
	RSA_MECH(CKM_SHA224_RSA_PKCS_PSS, SV),
	RSA_MECH(CKM_SHA256_RSA_PKCS_PSS, SV),
	RSA_MECH(CKM_SHA384_RSA_PKCS_PSS, SV),
	RSA_MECH(CKM_SHA512_RSA_PKCS_PSS, SV),
};
const size_t kz_rsa_mech_count = sizeof kz_rsa_mechs / sizeof kz_rsa_mechs[0];
