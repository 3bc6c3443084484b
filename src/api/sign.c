/* C_Sign* and C_Verify*: thin shells over api/ops.c. */
#include "api/api.h"

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	KZ_RETURN(kz_api_op_init(hSession, KZ_OP_SIGN, pMechanism, hKey));
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
	     CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	KZ_RETURN(kz_api_op_oneshot(hSession, KZ_OP_SIGN, pData, ulDataLen, pSignature,
				    pulSignatureLen));
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	KZ_RETURN(kz_api_op_update(hSession, KZ_OP_SIGN, pPart, ulPartLen));
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	KZ_RETURN(kz_api_op_final(hSession, KZ_OP_SIGN, pSignature, pulSignatureLen));
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	KZ_RETURN(kz_api_op_init(hSession, KZ_OP_VERIFY, pMechanism, hKey));
}

CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
	       CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	KZ_RETURN(kz_api_verify_oneshot(hSession, pData, ulDataLen, pSignature, ulSignatureLen));
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	KZ_RETURN(kz_api_op_update(hSession, KZ_OP_VERIFY, pPart, ulPartLen));
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	KZ_RETURN(kz_api_verify_final(hSession, pSignature, ulSignatureLen));
}

/* Signatures with message recovery are not offered by any mechanism here. */
CK_RV C_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			CK_OBJECT_HANDLE hKey)
{
	(void)hSession; (void)pMechanism; (void)hKey;
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
		    CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	(void)hSession; (void)pData; (void)ulDataLen; (void)pSignature; (void)pulSignatureLen;
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			  CK_OBJECT_HANDLE hKey)
{
	(void)hSession; (void)pMechanism; (void)hKey;
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen,
		      CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	(void)hSession; (void)pSignature; (void)ulSignatureLen; (void)pData; (void)pulDataLen;
	KZ_RETURN(kz_api_not_supported());
}
