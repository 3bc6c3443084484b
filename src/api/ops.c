/*
 * Sign, verify, encrypt, decrypt and digest share one life cycle: init
 * (find the key, check it may be used so, create the operation), then
 * update/final or a single-part call, with PKCS#11's length-query rules:
 * a NULL output buffer or CKR_BUFFER_TOO_SMALL leaves the operation
 * active; any other result ends it.
 */
#include "api/api.h"
#include "core/module.h"
#include "core/object.h"
#include "core/session.h"
#include "core/slot.h"

static CK_ATTRIBUTE_TYPE usage_attr(enum kz_op_kind kind)
{
	switch (kind) {
	case KZ_OP_SIGN: return CKA_SIGN;
	case KZ_OP_VERIFY: return CKA_VERIFY;
	case KZ_OP_ENCRYPT: return CKA_ENCRYPT;
	case KZ_OP_DECRYPT: return CKA_DECRYPT;
	default: return 0;
	}
}

/* Under the module lock: the key behind a handle, if it may do `kind`. */
static CK_RV find_key(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_OBJECT_HANDLE hkey,
		      struct kz_key **key)
{
	struct kz_session *s = kz_session_find(h);
	struct kz_object *obj;

	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	*key = NULL;
	if (kind == KZ_OP_DIGEST)
		return CKR_OK;
	obj = kz_slot_object(s->slot, hkey);
	if (!obj || !obj->key)
		return CKR_KEY_HANDLE_INVALID;
	if (!kz_object_bool(obj, usage_attr(kind)))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	*key = kz_key_ref(obj->key);
	return CKR_OK;
}

CK_RV kz_api_op_init(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_MECHANISM_PTR m,
		     CK_OBJECT_HANDLE hkey)
{
	struct kz_session *s;
	struct kz_key *key = NULL;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		return rv;
	rv = find_key(h, kind, hkey, &key);
	kz_leave();
	if (rv != CKR_OK)
		return rv;
	if (!m) {
		kz_key_unref(key);
		return CKR_ARGUMENTS_BAD;
	}
	rv = kz_session_acquire(h, &s);
	if (rv == CKR_OK) {
		if (s->ops[kind])
			rv = CKR_OPERATION_ACTIVE;
		else
			rv = kz_op_new(kind, m, key, &s->ops[kind]);
		kz_session_release(s);
	}
	kz_key_unref(key);
	return rv;
}

/* Acquires the session and its active operation of this kind. */
static CK_RV acquire_op(CK_SESSION_HANDLE h, enum kz_op_kind kind, struct kz_session **s,
			struct kz_op **op)
{
	CK_RV rv = kz_session_acquire(h, s);

	if (rv != CKR_OK)
		return rv;
	*op = (*s)->ops[kind];
	if (!*op) {
		kz_session_release(*s);
		return CKR_OPERATION_NOT_INITIALIZED;
	}
	return CKR_OK;
}

/* Ends the operation unless the result leaves it active. */
static CK_RV finish(struct kz_session *s, enum kz_op_kind kind, CK_RV rv, int keep)
{
	if (!keep && rv != CKR_BUFFER_TOO_SMALL)
		kz_session_end_op(s, kind);
	kz_session_release(s);
	return rv;
}

CK_RV kz_api_op_update(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_BYTE_PTR in, CK_ULONG len)
{
	struct kz_session *s;
	struct kz_op *op;
	CK_RV rv = acquire_op(h, kind, &s, &op);

	if (rv != CKR_OK)
		return rv;
	if (!in && len)
		return finish(s, kind, CKR_ARGUMENTS_BAD, 0);
	rv = op->ops->update(op, in, len);
	return finish(s, kind, rv, rv == CKR_OK);
}

CK_RV kz_api_op_final(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_BYTE_PTR out,
		      CK_ULONG_PTR out_len)
{
	struct kz_session *s;
	struct kz_op *op;
	CK_RV rv = acquire_op(h, kind, &s, &op);

	if (rv != CKR_OK)
		return rv;
	if (!out_len)
		return finish(s, kind, CKR_ARGUMENTS_BAD, 0);
	if (!out) {
		*out_len = op->out_len;
		return finish(s, kind, CKR_OK, 1);
	}
	return finish(s, kind, op->ops->final(op, out, out_len), 0);
}

CK_RV kz_api_op_oneshot(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_BYTE_PTR in,
			CK_ULONG in_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	struct kz_session *s;
	struct kz_op *op;
	CK_RV rv = acquire_op(h, kind, &s, &op);

	if (rv != CKR_OK)
		return rv;
	if (!out_len || (!in && in_len))
		return finish(s, kind, CKR_ARGUMENTS_BAD, 0);
	if (!out) {
		*out_len = op->out_len;
		return finish(s, kind, CKR_OK, 1);
	}
	/* A short buffer is reported before any input is consumed, except for
	 * decryption, whose output length is known only afterwards. */
	if (*out_len < op->out_len && kind != KZ_OP_DECRYPT) {
		*out_len = op->out_len;
		return finish(s, kind, CKR_BUFFER_TOO_SMALL, 1);
	}
	if (op->ops->reset)
		op->ops->reset(op);
	rv = op->ops->update(op, in, in_len);
	if (rv == CKR_OK)
		rv = op->ops->final(op, out, out_len);
	return finish(s, kind, rv, 0);
}

CK_RV kz_api_verify_final(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	struct kz_session *s;
	struct kz_op *op;
	CK_RV rv = acquire_op(h, KZ_OP_VERIFY, &s, &op);

	if (rv != CKR_OK)
		return rv;
	if (!sig)
		return finish(s, KZ_OP_VERIFY, CKR_ARGUMENTS_BAD, 0);
	return finish(s, KZ_OP_VERIFY, op->ops->verify(op, sig, sig_len), 0);
}

CK_RV kz_api_verify_oneshot(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
			    CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	struct kz_session *s;
	struct kz_op *op;
	CK_RV rv = acquire_op(h, KZ_OP_VERIFY, &s, &op);

	if (rv != CKR_OK)
		return rv;
	if (!sig || (!in && in_len))
		return finish(s, KZ_OP_VERIFY, CKR_ARGUMENTS_BAD, 0);
	if (op->ops->reset)
		op->ops->reset(op);
	rv = op->ops->update(op, in, in_len);
	if (rv == CKR_OK)
		rv = op->ops->verify(op, sig, sig_len);
	return finish(s, KZ_OP_VERIFY, rv, 0);
}

CK_RV kz_api_not_supported(void)
{
	return kz_module_ready() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_CRYPTOKI_NOT_INITIALIZED;
}
