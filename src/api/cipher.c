/* C_Encrypt* and C_Decrypt* (RSA PKCS#1 v1.5, OAEP, raw). */
#include "api/api.h"

CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	KZ_RETURN(kz_api_op_init(hSession, KZ_OP_ENCRYPT, pMechanism, hKey));
}

CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
		CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	KZ_RETURN(kz_api_op_oneshot(hSession, KZ_OP_ENCRYPT, pData, ulDataLen, pEncryptedData,
				    pulEncryptedDataLen));
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
		      CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	CK_RV rv = kz_api_op_update(hSession, KZ_OP_ENCRYPT, pPart, ulPartLen);

	(void)pEncryptedPart;
	/* RSA produces its output only at the end. */
	if (rv == CKR_OK && pulEncryptedPartLen)
		*pulEncryptedPartLen = 0;
	KZ_RETURN(rv);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
		     CK_ULONG_PTR pulLastEncryptedPartLen)
{
	KZ_RETURN(kz_api_op_final(hSession, KZ_OP_ENCRYPT, pLastEncryptedPart,
				  pulLastEncryptedPartLen));
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	KZ_RETURN(kz_api_op_init(hSession, KZ_OP_DECRYPT, pMechanism, hKey));
}

CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData, CK_ULONG ulEncryptedDataLen,
		CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	KZ_RETURN(kz_api_op_oneshot(hSession, KZ_OP_DECRYPT, pEncryptedData, ulEncryptedDataLen,
				    pData, pulDataLen));
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
		      CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	CK_RV rv = kz_api_op_update(hSession, KZ_OP_DECRYPT, pEncryptedPart, ulEncryptedPartLen);

	(void)pPart;
	if (rv == CKR_OK && pulPartLen)
		*pulPartLen = 0;
	KZ_RETURN(rv);
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart, CK_ULONG_PTR pulLastPartLen)
{
	KZ_RETURN(kz_api_op_final(hSession, KZ_OP_DECRYPT, pLastPart, pulLastPartLen));
}
