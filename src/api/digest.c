/* C_Digest*. */
#include "api/api.h"
#include "core/module.h"
#include "core/object.h"
#include "core/session.h"
#include "core/slot.h"

CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	KZ_RETURN(kz_api_op_init(hSession, KZ_OP_DIGEST, pMechanism, CK_INVALID_HANDLE));
}

CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
	       CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	KZ_RETURN(kz_api_op_oneshot(hSession, KZ_OP_DIGEST, pData, ulDataLen, pDigest,
				    pulDigestLen));
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	KZ_RETURN(kz_api_op_update(hSession, KZ_OP_DIGEST, pPart, ulPartLen));
}

CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	struct kz_session *s;
	struct kz_object *key;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	s = kz_session_find(hSession);
	key = s ? kz_slot_object(s->slot, hKey) : NULL;
	rv = !s ? CKR_SESSION_HANDLE_INVALID : !key || !key->key ? CKR_KEY_HANDLE_INVALID : CKR_OK;
	kz_leave();
	if (rv == CKR_OK)
		rv = kz_session_acquire(hSession, &s);
	if (rv != CKR_OK)
		KZ_RETURN(rv);
	/* kzp11 does not digest key values (CKR_KEY_INDIGESTIBLE allows that). */
	rv = s->ops[KZ_OP_DIGEST] ? CKR_KEY_INDIGESTIBLE : CKR_OPERATION_NOT_INITIALIZED;
	kz_session_release(s);
	KZ_RETURN(rv);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	KZ_RETURN(kz_api_op_final(hSession, KZ_OP_DIGEST, pDigest, pulDigestLen));
}
