/*
 * Mechanisms and operations: the narrow interface between the PKCS#11 layer
 * and the algorithms.  Each algorithm family (RSA and SHA digests over
 * OpenSSL today; GOST later) supplies a table of `struct kz_mech`; an
 * operation is created from a mechanism and a key and then driven by the
 * core with update/final calls.
 */
#ifndef KZP11_MECH_H
#define KZP11_MECH_H

#include "pkcs11.h"
#include "crypto/key.h"

#include <stddef.h>

enum kz_op_kind {
	KZ_OP_SIGN,
	KZ_OP_VERIFY,
	KZ_OP_ENCRYPT,
	KZ_OP_DECRYPT,
	KZ_OP_DIGEST,
	KZ_OP_COUNT
};

struct kz_op;

struct kz_op_ops {
	/* Adds input; NULL for single-part-only mechanisms that buffer. */
	CK_RV (*update)(struct kz_op *op, const CK_BYTE *in, CK_ULONG len);
	/* Produces the output of a sign, encrypt, decrypt or digest operation.
	 * *outlen holds the buffer size; on CKR_BUFFER_TOO_SMALL it holds the
	 * needed size and the operation must stay usable. */
	CK_RV (*final)(struct kz_op *op, CK_BYTE *out, CK_ULONG *outlen);
	/* Checks a signature against everything passed to update. */
	CK_RV (*verify)(struct kz_op *op, const CK_BYTE *sig, CK_ULONG siglen);
	/* Forgets collected input, so a single-part call that reported
	 * CKR_BUFFER_TOO_SMALL can be repeated; NULL when never needed. */
	void (*reset)(struct kz_op *op);
	void (*free)(struct kz_op *op);
};

struct kz_op {
	enum kz_op_kind kind;
	CK_MECHANISM_TYPE mech;
	struct kz_key *key;             /* NULL for digests */
	const struct kz_op_ops *ops;
	CK_ULONG out_len;               /* output size (decrypt: the most it can be) */
	void *state;                    /* the family's own state */
};

struct kz_mech {
	CK_MECHANISM_TYPE type;
	CK_KEY_TYPE key_type;           /* CKK_RSA...; (CK_KEY_TYPE)-1 for digests */
	CK_MECHANISM_INFO info;
	/* Validates the parameter and sets op->ops, op->out_len, op->state. */
	CK_RV (*init)(struct kz_op *op, const CK_MECHANISM *m);
};

#define KZ_NO_KEY ((CK_KEY_TYPE)-1)

const struct kz_mech *kz_mech_find(CK_MECHANISM_TYPE type);
/* Copies up to max mechanism types into out (if not NULL); returns the count. */
CK_ULONG kz_mech_list(CK_MECHANISM_TYPE *out, CK_ULONG max);
/* The CKF_ flag an operation kind needs in the mechanism's info. */
CK_FLAGS kz_op_flag(enum kz_op_kind kind);

/*
 * Creates an operation.  Checks that the mechanism exists, allows this
 * kind of operation and fits the key; takes a reference on the key.
 */
CK_RV kz_op_new(enum kz_op_kind kind, const CK_MECHANISM *m, struct kz_key *key,
		struct kz_op **out);
void kz_op_free(struct kz_op *op);

/* Family tables. */
extern const struct kz_mech kz_rsa_mechs[];
extern const size_t kz_rsa_mech_count;
extern const struct kz_mech kz_digest_mechs[];
extern const size_t kz_digest_mech_count;
extern const struct kz_mech kz_gost_mechs[];
extern const size_t kz_gost_mech_count;
extern const struct kz_mech kz_gost_hmac_mechs[];
extern const size_t kz_gost_hmac_mech_count;

/* Helpers shared by the families. */
const char *kz_digest_name(CK_MECHANISM_TYPE hash_mech);
CK_ULONG kz_digest_size(CK_MECHANISM_TYPE hash_mech);

#endif
