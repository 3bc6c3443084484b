/* C_Digest*. */
#include "api/api.h"
#include "core/module.h"
#include "core/session.h"

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
	CK_RV rv = kz_session_acquire(hSession, &s);

	(void)hKey;
	if (rv != CKR_OK)
		KZ_RETURN(rv);
	/* Only secret keys can be digested, and containers hold none. */
	rv = s->ops[KZ_OP_DIGEST] ? CKR_KEY_INDIGESTIBLE : CKR_OPERATION_NOT_INITIALIZED;
	kz_session_release(s);
	KZ_RETURN(rv);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	KZ_RETURN(kz_api_op_final(hSession, KZ_OP_DIGEST, pDigest, pulDigestLen));
}
