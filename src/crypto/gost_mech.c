/*
 * GOST mechanisms: the standard PKCS#11 / TC26 ones (signature s||r
 * big-endian) and kzp11's Kazakh ones (r||s little-endian, as in Kazakh
 * certificates and CMS), hash-and-sign or sign-a-digest; and the GOST
 * digests.  Nonces come from OpenSSL's private DRBG in the module context.
 */
#include "crypto/mech.h"
#include "crypto/ossl.h"
#include "crypto/gost/gost3410.h"
#include "kzp11/kzp11.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#define HASH_FROM_KEY (-1)   /* the hash the key's CKA_GOSTR3411_PARAMS name */
#define NO_HASH (-2)         /* the input is the digest */

struct gost_state {
	int hash;                       /* enum kz_gost_hash, HASH_FROM_KEY or NO_HASH */
	int kz_layout;                  /* r_le || s_le instead of s_be || r_be */
	struct kz_gost_hash_ctx ctx;
	unsigned char digest[64];       /* sign-a-digest input */
	size_t digest_len;
	int too_long;
};

/* What each mechanism does. */
static const struct {
	CK_MECHANISM_TYPE type;
	int hash;            /* enum kz_gost_hash, HASH_FROM_KEY or NO_HASH */
	int kz_layout;
	size_t size;         /* key size it takes: 32, 64, or 0 for either */
} gost_sign_mechs[] = {
	{ CKM_GOSTR3410, NO_HASH, 0, 32 },
	{ CKM_GOSTR3410_512, NO_HASH, 0, 64 },
	{ CKM_GOSTR3410_WITH_GOSTR3411, HASH_FROM_KEY, 0, 32 },
	{ CKM_GOSTR3410_WITH_GOSTR3411_12_256, KZ_GOST_HASH_STREEBOG256, 0, 32 },
	{ CKM_GOSTR3410_WITH_GOSTR3411_12_512, KZ_GOST_HASH_STREEBOG512, 0, 64 },
	{ CKM_KZ_GOST34310_2004_WITH_GOST34311_95, KZ_GOST_HASH_94_TEST, 1, 32 },
	{ CKM_KZ_GOST34310_2004, NO_HASH, 1, 32 },
	{ CKM_KZ_GOST3410_2015_512_WITH_GOST3411_2015_512, KZ_GOST_HASH_STREEBOG512, 1, 64 },
	{ CKM_KZ_GOST3410_2015_512, NO_HASH, 1, 64 },
	{ CKM_KZ_GOST3410_2015_256_WITH_GOST3411_2015_256, KZ_GOST_HASH_STREEBOG256, 1, 32 },
	{ CKM_KZ_GOST3410_2015_256, NO_HASH, 1, 32 },
};
#define N_SIGN_MECHS (sizeof gost_sign_mechs / sizeof *gost_sign_mechs)

static CK_RV gost_update(struct kz_op *op, const CK_BYTE *in, CK_ULONG len)
{
	struct gost_state *s = op->state;

	if (s->hash != NO_HASH) {
		kz_gost_hash_update(&s->ctx, in, len);
	} else if (len > sizeof s->digest - s->digest_len) {
		s->too_long = 1;
	} else {
		memcpy(s->digest + s->digest_len, in, len);
		s->digest_len += len;
	}
	return CKR_OK;
}

static void gost_reset(struct kz_op *op)
{
	struct gost_state *s = op->state;

	s->digest_len = 0;
	s->too_long = 0;
}

/* The digest to sign or verify, or CKR_DATA_LEN_RANGE. */
static CK_RV take_digest(struct kz_op *op, unsigned char *out)
{
	struct gost_state *s = op->state;
	size_t size = op->key->gost.size;

	if (s->hash != NO_HASH) {
		struct kz_gost_hash_ctx copy = s->ctx;   /* final must stay repeatable */
		kz_gost_hash_final(&copy, out);
		return CKR_OK;
	}
	if (s->too_long || s->digest_len != size)
		return CKR_DATA_LEN_RANGE;
	memcpy(out, s->digest, size);
	return CKR_OK;
}

static int drbg(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	return RAND_priv_bytes_ex(kz_ossl_ctx(), buf, len, 0) == 1 ? 0 : -1;
}

static CK_RV gost_sign_final(struct kz_op *op, CK_BYTE *out, CK_ULONG *outlen)
{
	struct gost_state *s = op->state;
	const struct kz_gost_key *g = &op->key->gost;
	unsigned char digest[64];
	CK_RV rv;

	if (*outlen < op->out_len) {
		*outlen = op->out_len;
		return CKR_BUFFER_TOO_SMALL;
	}
	rv = take_digest(op, digest);
	if (rv != CKR_OK)
		return rv;
	if (kz_gost3410_sign(g->curve, g->d, g->size, digest, g->size, drbg, NULL, out,
			     2 * g->size) != KZ_GOST3410_OK) {
		ERR_clear_error();
		return CKR_FUNCTION_FAILED;
	}
	if (s->kz_layout)
		kz_gost3410_sig_to_kz(out, out, 2 * g->size);
	*outlen = 2 * g->size;
	return CKR_OK;
}

static CK_RV gost_verify(struct kz_op *op, const CK_BYTE *sig, CK_ULONG siglen)
{
	struct gost_state *s = op->state;
	const struct kz_gost_key *g = &op->key->gost;
	unsigned char digest[64], std[128];
	CK_RV rv;

	if (siglen != 2 * g->size)
		return CKR_SIGNATURE_LEN_RANGE;
	rv = take_digest(op, digest);
	if (rv != CKR_OK)
		return rv;
	if (s->kz_layout)
		kz_gost3410_sig_from_kz(std, sig, siglen);
	else
		memcpy(std, sig, siglen);
	return kz_gost3410_verify(g->curve, g->pub, 2 * g->size, digest, g->size, std, siglen) ==
			       KZ_GOST3410_OK
		       ? CKR_OK
		       : CKR_SIGNATURE_INVALID;
}

static void gost_free(struct kz_op *op)
{
	if (op->state)
		OPENSSL_clear_free(op->state, sizeof(struct gost_state));
}

static const struct kz_op_ops gost_sign_ops = {
	.update = gost_update,
	.final = gost_sign_final,
	.verify = gost_verify,
	.reset = gost_reset,
	.free = gost_free,
};

/*
 * The optional parameter of the hash-and-sign mechanisms: the DER OID of
 * the hash parameters (as Rutoken-style applications pass it).  Kazakh and
 * Russian OIDs of the same hash are both accepted.
 */
static CK_RV hash_param(const CK_MECHANISM *m, int *hash)
{
	int named;

	if (m->ulParameterLen == 0)
		return CKR_OK;
	named = kz_gost_hash_by_der(m->pParameter, m->ulParameterLen);
	if (named < 0)
		return CKR_MECHANISM_PARAM_INVALID;
	if (*hash == HASH_FROM_KEY)
		*hash = named;
	else if (named != *hash)
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

static CK_RV gost_sign_init(struct kz_op *op, const CK_MECHANISM *m)
{
	struct gost_state *s;
	size_t i;
	CK_RV rv;

	for (i = 0; i < N_SIGN_MECHS && gost_sign_mechs[i].type != m->mechanism; i++)
		;
	if (i == N_SIGN_MECHS || op->kind == KZ_OP_ENCRYPT || op->kind == KZ_OP_DECRYPT)
		return CKR_MECHANISM_INVALID;
	if (gost_sign_mechs[i].size && gost_sign_mechs[i].size != op->key->gost.size)
		return CKR_KEY_TYPE_INCONSISTENT;
	if ((op->kind == KZ_OP_SIGN) != op->key->is_private)
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	s = OPENSSL_zalloc(sizeof *s);
	if (!s)
		return CKR_HOST_MEMORY;
	s->hash = gost_sign_mechs[i].hash;
	s->kz_layout = gost_sign_mechs[i].kz_layout;
	rv = s->hash == NO_HASH ? (m->ulParameterLen ? CKR_MECHANISM_PARAM_INVALID : CKR_OK)
				: hash_param(m, &s->hash);
	if (rv != CKR_OK) {
		OPENSSL_free(s);
		return rv;
	}
	if (s->hash == HASH_FROM_KEY)
		s->hash = (int)op->key->gost.hash;
	/* The digest is the key's size: a 512-bit hash cannot feed a 256-bit key. */
	if (s->hash != NO_HASH &&
	    kz_gost_hash_size((enum kz_gost_hash)s->hash) != op->key->gost.size) {
		OPENSSL_free(s);
		return CKR_MECHANISM_PARAM_INVALID;
	}
	if (s->hash != NO_HASH)
		kz_gost_hash_init(&s->ctx, (enum kz_gost_hash)s->hash);
	op->state = s;
	op->ops = &gost_sign_ops;
	op->out_len = 2 * op->key->gost.size;
	return CKR_OK;
}

/* ---- digests ---- */

static CK_RV digest_update(struct kz_op *op, const CK_BYTE *in, CK_ULONG len)
{
	kz_gost_hash_update(op->state, in, len);
	return CKR_OK;
}

static CK_RV digest_final(struct kz_op *op, CK_BYTE *out, CK_ULONG *outlen)
{
	if (*outlen < op->out_len) {
		*outlen = op->out_len;
		return CKR_BUFFER_TOO_SMALL;
	}
	kz_gost_hash_final(op->state, out);
	*outlen = op->out_len;
	return CKR_OK;
}

static void digest_free(struct kz_op *op)
{
	free(op->state);
}

static const struct kz_op_ops gost_digest_ops = {
	.update = digest_update,
	.final = digest_final,
	.free = digest_free,
};

static CK_RV gost_digest_init(struct kz_op *op, const CK_MECHANISM *m)
{
	struct kz_gost_hash_ctx *ctx;
	int hash;

	switch (m->mechanism) {
	case CKM_GOSTR3411:
		/* PKCS#11's default parameter set is CryptoPro's. */
		hash = KZ_GOST_HASH_94_CRYPTOPRO;
		if (m->ulParameterLen) {
			hash = kz_gost_hash_by_der(m->pParameter, m->ulParameterLen);
			if (hash != KZ_GOST_HASH_94_TEST && hash != KZ_GOST_HASH_94_CRYPTOPRO)
				return CKR_MECHANISM_PARAM_INVALID;
		}
		break;
	case CKM_GOSTR3411_12_256:
		hash = KZ_GOST_HASH_STREEBOG256;
		break;
	default:
		hash = KZ_GOST_HASH_STREEBOG512;
		break;
	}
	if (m->mechanism != CKM_GOSTR3411 && m->ulParameterLen)
		return CKR_MECHANISM_PARAM_INVALID;
	ctx = malloc(sizeof *ctx);
	if (!ctx)
		return CKR_HOST_MEMORY;
	kz_gost_hash_init(ctx, (enum kz_gost_hash)hash);
	op->state = ctx;
	op->ops = &gost_digest_ops;
	op->out_len = kz_gost_hash_size((enum kz_gost_hash)hash);
	return CKR_OK;
}

#define SV (CKF_SIGN | CKF_VERIFY)
#define GOST256(mech) { mech, CKK_GOSTR3410, { 256, 256, SV }, gost_sign_init }
#define GOST512(mech) { mech, CKK_GOSTR3410_512, { 512, 512, SV }, gost_sign_init }
#define DIGEST(mech) { mech, KZ_NO_KEY, { 0, 0, CKF_DIGEST }, gost_digest_init }

const struct kz_mech kz_gost_mechs[] = {
	GOST256(CKM_GOSTR3410),
	GOST256(CKM_GOSTR3410_WITH_GOSTR3411),
	GOST256(CKM_GOSTR3410_WITH_GOSTR3411_12_256),
	GOST512(CKM_GOSTR3410_512),
	GOST512(CKM_GOSTR3410_WITH_GOSTR3411_12_512),
	GOST256(CKM_KZ_GOST34310_2004_WITH_GOST34311_95),
	GOST256(CKM_KZ_GOST34310_2004),
	GOST512(CKM_KZ_GOST3410_2015_512_WITH_GOST3411_2015_512),
	GOST512(CKM_KZ_GOST3410_2015_512),
	GOST256(CKM_KZ_GOST3410_2015_256_WITH_GOST3411_2015_256),
	GOST256(CKM_KZ_GOST3410_2015_256),
	DIGEST(CKM_GOSTR3411),
	DIGEST(CKM_GOSTR3411_12_256),
	DIGEST(CKM_GOSTR3411_12_512),
};
const size_t kz_gost_mech_count = sizeof kz_gost_mechs / sizeof kz_gost_mechs[0];
