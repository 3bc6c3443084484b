/*
 * Functions kzp11 does not offer: key generation and unwrapping (NCA issues
 * the keys; containers are not a key store; wrapping and derivation, which
 * must refuse per key, are in wrap.c), the dual-function
 * calls and the 3.0 message-based API.  Each answers
 * CKR_FUNCTION_NOT_SUPPORTED once the module is initialised.
 */
#include "api/api.h"

#define UNUSED(x) (void)(x)

CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey)
{
	UNUSED(hSession); UNUSED(pMechanism); UNUSED(pTemplate); UNUSED(ulCount); UNUSED(phKey);
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
			CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
			CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	UNUSED(hSession); UNUSED(pMechanism); UNUSED(pPublicKeyTemplate);
	UNUSED(ulPublicKeyAttributeCount); UNUSED(pPrivateKeyTemplate);
	UNUSED(ulPrivateKeyAttributeCount); UNUSED(phPublicKey); UNUSED(phPrivateKey);
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		  CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey, CK_ULONG ulWrappedKeyLen,
		  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	UNUSED(hSession); UNUSED(pMechanism); UNUSED(hUnwrappingKey); UNUSED(pWrappedKey);
	UNUSED(ulWrappedKeyLen); UNUSED(pTemplate); UNUSED(ulAttributeCount); UNUSED(phKey);
	KZ_RETURN(kz_api_not_supported());
}

/* Dual-function updates: all four share one shape. */
#define DUAL(name) \
CK_RV name(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pIn, CK_ULONG ulInLen, \
	   CK_BYTE_PTR pOut, CK_ULONG_PTR pulOutLen) \
{ \
	UNUSED(hSession); UNUSED(pIn); UNUSED(ulInLen); UNUSED(pOut); UNUSED(pulOutLen); \
	KZ_RETURN(kz_api_not_supported()); \
}
DUAL(C_DigestEncryptUpdate)
DUAL(C_DecryptDigestUpdate)
DUAL(C_SignEncryptUpdate)
DUAL(C_DecryptVerifyUpdate)

/* The PKCS#11 3.0 message-based functions. */
#define MESSAGE_INIT(name) \
CK_RV name(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey) \
{ \
	UNUSED(hSession); UNUSED(pMechanism); UNUSED(hKey); \
	KZ_RETURN(kz_api_not_supported()); \
}
#define MESSAGE_FINAL(name) \
CK_RV name(CK_SESSION_HANDLE hSession) \
{ \
	UNUSED(hSession); \
	KZ_RETURN(kz_api_not_supported()); \
}
MESSAGE_INIT(C_MessageEncryptInit)
MESSAGE_INIT(C_MessageDecryptInit)
MESSAGE_INIT(C_MessageSignInit)
MESSAGE_INIT(C_MessageVerifyInit)
MESSAGE_FINAL(C_MessageEncryptFinal)
MESSAGE_FINAL(C_MessageDecryptFinal)
MESSAGE_FINAL(C_MessageSignFinal)
MESSAGE_FINAL(C_MessageVerifyFinal)

CK_RV C_EncryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
		       CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen,
		       CK_BYTE_PTR pPlaintext, CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext,
		       CK_ULONG_PTR pulCiphertextLen)
{
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); UNUSED(pAssociatedData);
	UNUSED(ulAssociatedDataLen); UNUSED(pPlaintext); UNUSED(ulPlaintextLen);
	UNUSED(pCiphertext); UNUSED(pulCiphertextLen);
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_DecryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
		       CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen,
		       CK_BYTE_PTR pCiphertext, CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext,
		       CK_ULONG_PTR pulPlaintextLen)
{
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); UNUSED(pAssociatedData);
	UNUSED(ulAssociatedDataLen); UNUSED(pCiphertext); UNUSED(ulCiphertextLen);
	UNUSED(pPlaintext); UNUSED(pulPlaintextLen);
	KZ_RETURN(kz_api_not_supported());
}

#define MESSAGE_BEGIN(name) \
CK_RV name(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, \
	   CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen) \
{ \
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); \
	UNUSED(pAssociatedData); UNUSED(ulAssociatedDataLen); \
	KZ_RETURN(kz_api_not_supported()); \
}
MESSAGE_BEGIN(C_EncryptMessageBegin)
MESSAGE_BEGIN(C_DecryptMessageBegin)

#define MESSAGE_NEXT(name) \
CK_RV name(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, \
	   CK_BYTE_PTR pIn, CK_ULONG ulInLen, CK_BYTE_PTR pOut, CK_ULONG_PTR pulOutLen, \
	   CK_FLAGS flags) \
{ \
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); UNUSED(pIn); \
	UNUSED(ulInLen); UNUSED(pOut); UNUSED(pulOutLen); UNUSED(flags); \
	KZ_RETURN(kz_api_not_supported()); \
}
MESSAGE_NEXT(C_EncryptMessageNext)
MESSAGE_NEXT(C_DecryptMessageNext)

CK_RV C_SignMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
		    CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
		    CK_ULONG_PTR pulSignatureLen)
{
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); UNUSED(pData);
	UNUSED(ulDataLen); UNUSED(pSignature); UNUSED(pulSignatureLen);
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_SignMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
			CK_BYTE_PTR pDataPart, CK_ULONG ulDataPartLen, CK_BYTE_PTR pSignature,
			CK_ULONG_PTR pulSignatureLen)
{
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); UNUSED(pDataPart);
	UNUSED(ulDataPartLen); UNUSED(pSignature); UNUSED(pulSignatureLen);
	KZ_RETURN(kz_api_not_supported());
}

#define MESSAGE_PARAM(name) \
CK_RV name(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen) \
{ \
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); \
	KZ_RETURN(kz_api_not_supported()); \
}
MESSAGE_PARAM(C_SignMessageBegin)
MESSAGE_PARAM(C_VerifyMessageBegin)

#define VERIFY_MESSAGE(name) \
CK_RV name(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen, \
	   CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen) \
{ \
	UNUSED(hSession); UNUSED(pParameter); UNUSED(ulParameterLen); UNUSED(pData); \
	UNUSED(ulDataLen); UNUSED(pSignature); UNUSED(ulSignatureLen); \
	KZ_RETURN(kz_api_not_supported()); \
}
VERIFY_MESSAGE(C_VerifyMessage)
VERIFY_MESSAGE(C_VerifyMessageNext)
