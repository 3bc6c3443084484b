/*
 * HMAC with the GOST hashes: CKM_GOSTR3411_HMAC (GOST R 34.11-94; the
 * parameter, a DER hash OID, picks the S-box: the Kazakh 34.311-95 OID or
 * the Russian test OID give the test S-box, none or the CryptoPro OID the
 * CryptoPro one) and the TC26 Streebog HMACs.  Keys are secret keys made
 * with C_CreateObject (CKK_GENERIC_SECRET or CKK_GOSTR3411).
 */
#include "crypto/mech.h"
#include "crypto/gost_hash.h"
#include "crypto/gost/gost_hmac.h"
#include "kzp11/kzp11.h"
#include "util/secmem.h"

#include <openssl/crypto.h>
#include <string.h>

static CK_RV hmac_update(struct kz_op *op, const CK_BYTE *in, CK_ULONG len)
{
	kz_hmac_update(op->state, in, len);
	return CKR_OK;
}

/* The MAC of everything so far, leaving the context usable. */
static void mac_of(struct kz_op *op, unsigned char *out)
{
	kz_hmac_ctx copy = *(kz_hmac_ctx *)op->state;

	kz_hmac_final(&copy, out);   /* wipes the copy */
}

static CK_RV hmac_final(struct kz_op *op, CK_BYTE *out, CK_ULONG *outlen)
{
	if (*outlen < op->out_len) {
		*outlen = op->out_len;
		return CKR_BUFFER_TOO_SMALL;
	}
	mac_of(op, out);
	*outlen = op->out_len;
	return CKR_OK;
}

static CK_RV hmac_verify(struct kz_op *op, const CK_BYTE *sig, CK_ULONG siglen)
{
	unsigned char mac[KZ_HMAC_MAX_SIZE];
	int ok;

	if (siglen != op->out_len)
		return CKR_SIGNATURE_LEN_RANGE;
	mac_of(op, mac);
	ok = CRYPTO_memcmp(mac, sig, siglen) == 0;
	OPENSSL_cleanse(mac, sizeof mac);
	return ok ? CKR_OK : CKR_SIGNATURE_INVALID;
}

static void hmac_free(struct kz_op *op)
{
	if (op->state) {
		kz_hmac_cleanse(op->state);
		kz_secmem_free(op->state);
	}
}

static const struct kz_op_ops hmac_ops = {
	.update = hmac_update,
	.final = hmac_final,
	.verify = hmac_verify,
	.free = hmac_free,
};

static CK_RV hmac_alg(const CK_MECHANISM *m, kz_hmac_alg *alg)
{
	int hash;

	if (m->mechanism != CKM_GOSTR3411_HMAC) {
		*alg = m->mechanism == CKM_GOSTR3411_12_256_HMAC ? KZ_HMAC_STREEBOG256
								  : KZ_HMAC_STREEBOG512;
		return m->ulParameterLen ? CKR_MECHANISM_PARAM_INVALID : CKR_OK;
	}
	*alg = KZ_HMAC_GOST94_CRYPTOPRO;
	if (!m->ulParameterLen)
		return CKR_OK;
	hash = kz_gost_hash_by_der(m->pParameter, m->ulParameterLen);
	if (hash == KZ_GOST_HASH_94_TEST)
		*alg = KZ_HMAC_GOST94_TEST;
	else if (hash != KZ_GOST_HASH_94_CRYPTOPRO)
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

static CK_RV hmac_init(struct kz_op *op, const CK_MECHANISM *m)
{
	kz_hmac_ctx *ctx;
	kz_hmac_alg alg;
	CK_RV rv = hmac_alg(m, &alg);

	if (rv != CKR_OK)
		return rv;
	if (op->kind != KZ_OP_SIGN && op->kind != KZ_OP_VERIFY)
		return CKR_MECHANISM_INVALID;
	/* The key-derived inner and outer states are as secret as the key. */
	ctx = kz_secmem_alloc(sizeof *ctx);
	if (!ctx)
		return CKR_HOST_MEMORY;
	kz_hmac_init(ctx, alg, op->key->secret, op->key->secret_len);
	op->state = ctx;
	op->ops = &hmac_ops;
	op->out_len = kz_hmac_size(alg);
	return CKR_OK;
}

/* Generic secret keys are measured in bytes. */
#define HMAC(mech) { mech, CKK_GENERIC_SECRET, { 1, 1024, CKF_SIGN | CKF_VERIFY }, hmac_init }

const struct kz_mech kz_gost_hmac_mechs[] = {
	HMAC(CKM_GOSTR3411_HMAC),
	HMAC(CKM_GOSTR3411_12_256_HMAC),
	HMAC(CKM_GOSTR3411_12_512_HMAC),
};
const size_t kz_gost_hmac_mech_count = sizeof kz_gost_hmac_mechs / sizeof kz_gost_hmac_mechs[0];
