#include "crypto/mech.h"

#include <stdlib.h>

struct family {
	const struct kz_mech *mechs;
	const size_t *count;
};

static const struct family families[] = {
	{ kz_rsa_mechs, &kz_rsa_mech_count },
	{ kz_digest_mechs, &kz_digest_mech_count },
	{ kz_gost_mechs, &kz_gost_mech_count },
	{ kz_gost_hmac_mechs, &kz_gost_hmac_mech_count },
};

#define N_FAMILIES (sizeof families / sizeof families[0])

const struct kz_mech *kz_mech_find(CK_MECHANISM_TYPE type)
{
	for (size_t f = 0; f < N_FAMILIES; f++)
		for (size_t i = 0; i < *families[f].count; i++)
			if (families[f].mechs[i].type == type)
				return &families[f].mechs[i];
	return NULL;
}

CK_ULONG kz_mech_list(CK_MECHANISM_TYPE *out, CK_ULONG max)
{
	CK_ULONG n = 0;

	for (size_t f = 0; f < N_FAMILIES; f++)
		for (size_t i = 0; i < *families[f].count; i++, n++)
			if (out && n < max)
				out[n] = families[f].mechs[i].type;
	return n;
}

CK_FLAGS kz_op_flag(enum kz_op_kind kind)
{
	switch (kind) {
	case KZ_OP_SIGN: return CKF_SIGN;
	case KZ_OP_VERIFY: return CKF_VERIFY;
	case KZ_OP_ENCRYPT: return CKF_ENCRYPT;
	case KZ_OP_DECRYPT: return CKF_DECRYPT;
	case KZ_OP_DIGEST: return CKF_DIGEST;
	default: return 0;
	}
}

CK_RV kz_op_new(enum kz_op_kind kind, const CK_MECHANISM *m, struct kz_key *key,
		struct kz_op **out)
{
	const struct kz_mech *mech = kz_mech_find(m->mechanism);
	struct kz_op *op;
	CK_RV rv;

	if (!mech || !(mech->info.flags & kz_op_flag(kind)))
		return CKR_MECHANISM_INVALID;
	if (mech->key_type != KZ_NO_KEY) {
		if (!key || key->key_type != mech->key_type)
			return CKR_KEY_TYPE_INCONSISTENT;
		if (key->bits < mech->info.ulMinKeySize || key->bits > mech->info.ulMaxKeySize)
			return CKR_KEY_SIZE_RANGE;
	}
	if (m->ulParameterLen && !m->pParameter)
		return CKR_MECHANISM_PARAM_INVALID;
	op = calloc(1, sizeof *op);
	if (!op)
		return CKR_HOST_MEMORY;
	op->kind = kind;
	op->mech = m->mechanism;
	op->key = key && mech->key_type != KZ_NO_KEY ? kz_key_ref(key) : NULL;
	rv = mech->init(op, m);
	if (rv != CKR_OK) {
		kz_key_unref(op->key);
		free(op);
		return rv;
	}
	*out = op;
	return CKR_OK;
}

void kz_op_free(struct kz_op *op)
{
	if (!op)
		return;
	if (op->ops && op->ops->free)
		op->ops->free(op);
	kz_key_unref(op->key);
	free(op);
}
