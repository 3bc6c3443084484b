/*
 * The dispatch layer: the function tables (api/functions.c) point here for
 * every function that takes a slot ID or a session handle.  A tagged ID or
 * handle goes to its vendor module with the vendor's own slot ID or session
 * handle in its place and everything else (mechanisms, parameters, object
 * handles, templates) untouched; the vendor's CKR comes back unchanged
 * unless its answer is malformed.  Anything untagged goes to the native
 * C_* function.  No kzp11 lock is held while a vendor runs.
 */
#include "api/api.h"
#include "fwd/fwd_internal.h"

#include <stdlib.h>
#include <string.h>

#define OFF(fn) offsetof(CK_FUNCTION_LIST_3_0, fn)
#define CALL(name) ((CK_##name)c_.fn)

/* A function whose first argument is the session, answers passed through. */
#define FWD_SESSION(fn, params, args) \
	CK_RV kz_fwd_##fn params; \
	CK_RV kz_fwd_##fn params \
	{ \
		struct kz_fwd_call c_; \
		CK_RV rv_; \
		if (!kz_fwd_tagged(hSession)) \
			return fn args; \
		rv_ = kz_fwd_session_call(hSession, OFF(fn), &c_); \
		if (rv_ == CKR_OK) { \
			hSession = c_.vendor; \
			rv_ = CALL(fn) args; \
		} \
		KZ_RETURN(rv_); \
	}

/* The same for a function writing `*outlen` bytes to `out`: the length is
 * checked against the buffer the caller gave. */
#define FWD_SESSION_OUT(fn, params, args, out, outlen) \
	CK_RV kz_fwd_##fn params; \
	CK_RV kz_fwd_##fn params \
	{ \
		struct kz_fwd_call c_; \
		CK_RV rv_; \
		CK_ULONG given_; \
		if (!kz_fwd_tagged(hSession)) \
			return fn args; \
		rv_ = kz_fwd_session_call(hSession, OFF(fn), &c_); \
		if (rv_ == CKR_OK) { \
			given_ = (outlen) ? *(outlen) : 0; \
			hSession = c_.vendor; \
			rv_ = CALL(fn) args; \
			rv_ = kz_fwd_check_out(#fn, rv_, (out), given_, (outlen)); \
		} \
		KZ_RETURN(rv_); \
	}

/* A function whose first argument is the slot. */
#define FWD_SLOT(fn, params, args) \
	CK_RV kz_fwd_##fn params; \
	CK_RV kz_fwd_##fn params \
	{ \
		struct kz_fwd_call c_; \
		CK_RV rv_; \
		if (!kz_fwd_tagged(slotID)) \
			return fn args; \
		rv_ = kz_fwd_slot_call(slotID, OFF(fn), &c_); \
		if (rv_ == CKR_OK) { \
			slotID = c_.vendor; \
			rv_ = CALL(fn) args; \
		} \
		KZ_RETURN(rv_); \
	}

/* ---- slots ---- */

CK_RV kz_fwd_C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
			   CK_ULONG_PTR pulCount);
CK_RV kz_fwd_C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
			   CK_ULONG_PTR pulCount)
{
	CK_ULONG n_native = 0, n_fwd = 0;
	CK_SLOT_ID *fwd = NULL;
	CK_RV rv;

	if (!pulCount)
		return C_GetSlotList(tokenPresent, pSlotList, pulCount);
	/* Container slots first, as C_GetSlotList itself gives them. */
	rv = C_GetSlotList(tokenPresent, NULL, &n_native);
	if (rv != CKR_OK)
		return rv;
	rv = kz_fwd_slot_list(tokenPresent, &fwd, &n_fwd);
	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (pSlotList && *pulCount < n_native + n_fwd) {
		rv = CKR_BUFFER_TOO_SMALL;
	} else if (pSlotList) {
		CK_ULONG n = *pulCount;
		rv = C_GetSlotList(tokenPresent, pSlotList, &n);
		if (rv == CKR_OK && n + n_fwd > *pulCount)   /* a container arrived */
			rv = CKR_BUFFER_TOO_SMALL;
		else if (rv == CKR_OK && n_fwd)
			memcpy(pSlotList + n, fwd, n_fwd * sizeof *fwd);
		n_native = n;
	}
	if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
		*pulCount = n_native + n_fwd;
	free(fwd);
	KZ_RETURN(rv);
}

CK_RV kz_fwd_C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo);
CK_RV kz_fwd_C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct kz_fwd_call c_;
	CK_RV rv;

	if (!kz_fwd_tagged(slotID))
		return C_GetSlotInfo(slotID, pInfo);
	rv = kz_fwd_slot_call(slotID, OFF(C_GetSlotInfo), &c_);
	if (rv == CKR_OK)
		rv = CALL(C_GetSlotInfo)(c_.vendor, pInfo);
	/* The configured display name, when there is one. */
	if (rv == CKR_OK && pInfo && c_.mod->name) {
		size_t n = strlen(c_.mod->name);
		memset(pInfo->slotDescription, ' ', sizeof pInfo->slotDescription);
		memcpy(pInfo->slotDescription, c_.mod->name,
		       n < sizeof pInfo->slotDescription ? n : sizeof pInfo->slotDescription);
	}
	KZ_RETURN(rv);
}

FWD_SLOT(C_GetTokenInfo, (CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo), (slotID, pInfo))
FWD_SLOT(C_GetMechanismInfo, (CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo),
	 (slotID, type, pInfo))
FWD_SLOT(C_InitToken, (CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
		       CK_UTF8CHAR_PTR pLabel), (slotID, pPin, ulPinLen, pLabel))

CK_RV kz_fwd_C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
				CK_ULONG_PTR pulCount);
CK_RV kz_fwd_C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
				CK_ULONG_PTR pulCount)
{
	struct kz_fwd_call c_;
	CK_ULONG *list = NULL, n = 0;
	CK_RV rv;

	if (!kz_fwd_tagged(slotID))
		return C_GetMechanismList(slotID, pMechanismList, pulCount);
	rv = kz_fwd_slot_call(slotID, OFF(C_GetMechanismList), &c_);
	if (rv == CKR_OK && !pulCount)
		rv = CKR_ARGUMENTS_BAD;
	/* Into our own buffer first: the vendor's count is checked. */
	if (rv == CKR_OK)
		rv = kz_fwd_vendor_list(c_.mod, 1, c_.vendor, &list, &n);
	if (rv == CKR_OK) {
		if (pMechanismList && *pulCount < n)
			rv = CKR_BUFFER_TOO_SMALL;
		else if (pMechanismList)
			memcpy(pMechanismList, list, n * sizeof *list);
		*pulCount = n;
	}
	free(list);
	KZ_RETURN(rv);
}

CK_RV kz_fwd_C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
			   CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession);
CK_RV kz_fwd_C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
			   CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	struct kz_fwd_call c_;
	CK_SESSION_HANDLE vendor = CK_INVALID_HANDLE;
	CK_RV rv;

	if (!kz_fwd_tagged(slotID))
		return C_OpenSession(slotID, flags, pApplication, Notify, phSession);
	rv = kz_fwd_slot_call(slotID, OFF(C_OpenSession), &c_);
	if (rv == CKR_OK && !phSession)
		rv = CKR_ARGUMENTS_BAD;
	/* Notify callbacks would carry the vendor's handle: none are passed. */
	if (rv == CKR_OK)
		rv = CALL(C_OpenSession)(c_.vendor, flags, NULL, NULL, &vendor);
	if (rv == CKR_OK) {
		rv = kz_fwd_session_add(&c_, vendor, phSession);
		if (rv != CKR_OK)
			c_.mod->managed->C_CloseSession(vendor);
	}
	KZ_RETURN(rv);
}

CK_RV kz_fwd_C_CloseAllSessions(CK_SLOT_ID slotID);
CK_RV kz_fwd_C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct kz_fwd_call c_;
	CK_RV rv;

	if (!kz_fwd_tagged(slotID))
		return C_CloseAllSessions(slotID);
	rv = kz_fwd_slot_call(slotID, OFF(C_CloseAllSessions), &c_);
	if (rv == CKR_OK)
		rv = CALL(C_CloseAllSessions)(c_.vendor);
	if (rv == CKR_OK || rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT)
		kz_fwd_session_forget_slot(c_.slot);
	KZ_RETURN(rv);
}

/* ---- sessions with a translation ---- */

CK_RV kz_fwd_C_CloseSession(CK_SESSION_HANDLE hSession);
CK_RV kz_fwd_C_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct kz_fwd_call c_;
	CK_RV rv;

	if (!kz_fwd_tagged(hSession))
		return C_CloseSession(hSession);
	rv = kz_fwd_session_call(hSession, OFF(C_CloseSession), &c_);
	if (rv != CKR_OK)
		KZ_RETURN(rv);
	rv = CALL(C_CloseSession)(c_.vendor);
	/* Gone at the vendor (also when the token was pulled): gone here. */
	if (rv == CKR_OK || rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
	    rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT)
		kz_fwd_session_forget(hSession);
	KZ_RETURN(rv);
}

CK_RV kz_fwd_C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo);
CK_RV kz_fwd_C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct kz_fwd_call c_;
	CK_RV rv;

	if (!kz_fwd_tagged(hSession))
		return C_GetSessionInfo(hSession, pInfo);
	rv = kz_fwd_session_call(hSession, OFF(C_GetSessionInfo), &c_);
	if (rv == CKR_OK)
		rv = CALL(C_GetSessionInfo)(c_.vendor, pInfo);
	if (rv == CKR_OK && pInfo)
		pInfo->slotID = c_.slot;
	return rv;   /* polled often: not logged */
}

CK_RV kz_fwd_C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
				 CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount);
CK_RV kz_fwd_C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
				 CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct kz_fwd_call c_;
	CK_ULONG *given = NULL;
	CK_RV rv;

	if (!kz_fwd_tagged(hSession))
		return C_GetAttributeValue(hSession, hObject, pTemplate, ulCount);
	rv = kz_fwd_session_call(hSession, OFF(C_GetAttributeValue), &c_);
	if (rv != CKR_OK || !pTemplate)
		goto call;
	given = malloc((ulCount ? ulCount : 1) * sizeof *given);
	if (!given)
		KZ_RETURN(CKR_HOST_MEMORY);
	for (CK_ULONG i = 0; i < ulCount; i++)
		given[i] = pTemplate[i].ulValueLen;
call:
	if (rv == CKR_OK)
		rv = CALL(C_GetAttributeValue)(c_.vendor, hObject, pTemplate, ulCount);
	/* Each value the vendor wrote must fit the buffer it was given. */
	for (CK_ULONG i = 0; given && i < ulCount; i++) {
		CK_ATTRIBUTE *a = &pTemplate[i];
		if (a->pValue && a->ulValueLen != CK_UNAVAILABLE_INFORMATION &&
		    a->ulValueLen > given[i] && rv != CKR_BUFFER_TOO_SMALL) {
			kz_error("C_GetAttributeValue: the vendor returned %lu bytes for "
				 "attribute %#lx in a buffer of %lu", (unsigned long)a->ulValueLen,
				 (unsigned long)a->type, (unsigned long)given[i]);
			for (CK_ULONG k = 0; k < ulCount; k++)
				if (pTemplate[k].pValue)
					memset(pTemplate[k].pValue, 0, given[k]);
			rv = CKR_DEVICE_ERROR;
			break;
		}
	}
	free(given);
	KZ_RETURN(rv);
}

CK_RV kz_fwd_C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
			   CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount);
CK_RV kz_fwd_C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
			   CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct kz_fwd_call c_;
	CK_RV rv;

	if (!kz_fwd_tagged(hSession))
		return C_FindObjects(hSession, phObject, ulMaxObjectCount, pulObjectCount);
	rv = kz_fwd_session_call(hSession, OFF(C_FindObjects), &c_);
	if (rv == CKR_OK)
		rv = CALL(C_FindObjects)(c_.vendor, phObject, ulMaxObjectCount, pulObjectCount);
	if (rv == CKR_OK && pulObjectCount && *pulObjectCount > ulMaxObjectCount) {
		kz_error("C_FindObjects: the vendor found %lu objects for room for %lu",
			 (unsigned long)*pulObjectCount, (unsigned long)ulMaxObjectCount);
		*pulObjectCount = 0;
		rv = CKR_DEVICE_ERROR;
	}
	KZ_RETURN(rv);
}

/* ---- sessions passed straight through ---- */

FWD_SESSION(C_InitPIN, (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen),
	    (hSession, pPin, ulPinLen))
FWD_SESSION(C_SetPIN, (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
		       CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen),
	    (hSession, pOldPin, ulOldLen, pNewPin, ulNewLen))
FWD_SESSION_OUT(C_GetOperationState, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
				      CK_ULONG_PTR pulOperationStateLen),
		(hSession, pOperationState, pulOperationStateLen), pOperationState,
		pulOperationStateLen)
FWD_SESSION(C_SetOperationState, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
				  CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
				  CK_OBJECT_HANDLE hAuthenticationKey),
	    (hSession, pOperationState, ulOperationStateLen, hEncryptionKey, hAuthenticationKey))
FWD_SESSION(C_Login, (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
		      CK_ULONG ulPinLen), (hSession, userType, pPin, ulPinLen))
FWD_SESSION(C_Logout, (CK_SESSION_HANDLE hSession), (hSession))
FWD_SESSION(C_CreateObject, (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
			     CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject),
	    (hSession, pTemplate, ulCount, phObject))
FWD_SESSION(C_CopyObject, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			   CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
			   CK_OBJECT_HANDLE_PTR phNewObject),
	    (hSession, hObject, pTemplate, ulCount, phNewObject))
FWD_SESSION(C_DestroyObject, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject),
	    (hSession, hObject))
FWD_SESSION(C_GetObjectSize, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			      CK_ULONG_PTR pulSize), (hSession, hObject, pulSize))
FWD_SESSION(C_SetAttributeValue, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
				  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount),
	    (hSession, hObject, pTemplate, ulCount))
FWD_SESSION(C_FindObjectsInit, (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
				CK_ULONG ulCount), (hSession, pTemplate, ulCount))
FWD_SESSION(C_FindObjectsFinal, (CK_SESSION_HANDLE hSession), (hSession))

#define INIT(fn) \
	FWD_SESSION(fn, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, \
			 CK_OBJECT_HANDLE hKey), (hSession, pMechanism, hKey))
INIT(C_EncryptInit)
INIT(C_DecryptInit)
INIT(C_SignInit)
INIT(C_SignRecoverInit)
INIT(C_VerifyInit)
INIT(C_VerifyRecoverInit)
INIT(C_MessageEncryptInit)
INIT(C_MessageDecryptInit)
INIT(C_MessageSignInit)
INIT(C_MessageVerifyInit)
FWD_SESSION(C_DigestInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism),
	    (hSession, pMechanism))

/* in, in_len -> out, *out_len */
#define ONESHOT(fn, in, inlen, out, outlen) \
	FWD_SESSION_OUT(fn, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR in, CK_ULONG inlen, \
			     CK_BYTE_PTR out, CK_ULONG_PTR outlen), \
			(hSession, in, inlen, out, outlen), out, outlen)
ONESHOT(C_Encrypt, pData, ulDataLen, pEncryptedData, pulEncryptedDataLen)
ONESHOT(C_EncryptUpdate, pPart, ulPartLen, pEncryptedPart, pulEncryptedPartLen)
ONESHOT(C_Decrypt, pEncryptedData, ulEncryptedDataLen, pData, pulDataLen)
ONESHOT(C_DecryptUpdate, pEncryptedPart, ulEncryptedPartLen, pPart, pulPartLen)
ONESHOT(C_Digest, pData, ulDataLen, pDigest, pulDigestLen)
ONESHOT(C_Sign, pData, ulDataLen, pSignature, pulSignatureLen)
ONESHOT(C_SignRecover, pData, ulDataLen, pSignature, pulSignatureLen)
ONESHOT(C_VerifyRecover, pSignature, ulSignatureLen, pData, pulDataLen)
ONESHOT(C_DigestEncryptUpdate, pPart, ulPartLen, pEncryptedPart, pulEncryptedPartLen)
ONESHOT(C_DecryptDigestUpdate, pEncryptedPart, ulEncryptedPartLen, pPart, pulPartLen)
ONESHOT(C_SignEncryptUpdate, pPart, ulPartLen, pEncryptedPart, pulEncryptedPartLen)
ONESHOT(C_DecryptVerifyUpdate, pEncryptedPart, ulEncryptedPartLen, pPart, pulPartLen)

/* -> out, *out_len */
#define FINAL(fn, out, outlen) \
	FWD_SESSION_OUT(fn, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR out, CK_ULONG_PTR outlen), \
			(hSession, out, outlen), out, outlen)
FINAL(C_EncryptFinal, pLastEncryptedPart, pulLastEncryptedPartLen)
FINAL(C_DecryptFinal, pLastPart, pulLastPartLen)
FINAL(C_DigestFinal, pDigest, pulDigestLen)
FINAL(C_SignFinal, pSignature, pulSignatureLen)

#define UPDATE(fn) \
	FWD_SESSION(fn, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen), \
		    (hSession, pPart, ulPartLen))
UPDATE(C_DigestUpdate)
UPDATE(C_SignUpdate)
UPDATE(C_VerifyUpdate)
FWD_SESSION(C_DigestKey, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey), (hSession, hKey))
FWD_SESSION(C_Verify, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
		       CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen),
	    (hSession, pData, ulDataLen, pSignature, ulSignatureLen))
FWD_SESSION(C_VerifyFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
			    CK_ULONG ulSignatureLen), (hSession, pSignature, ulSignatureLen))

FWD_SESSION(C_GenerateKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey),
	    (hSession, pMechanism, pTemplate, ulCount, phKey))
FWD_SESSION(C_GenerateKeyPair, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
				CK_ATTRIBUTE_PTR pPrivateKeyTemplate,
				CK_ULONG ulPrivateKeyAttributeCount, CK_OBJECT_HANDLE_PTR phPublicKey,
				CK_OBJECT_HANDLE_PTR phPrivateKey),
	    (hSession, pMechanism, pPublicKeyTemplate, ulPublicKeyAttributeCount,
	     pPrivateKeyTemplate, ulPrivateKeyAttributeCount, phPublicKey, phPrivateKey))
FWD_SESSION_OUT(C_WrapKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			    CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
			    CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen),
		(hSession, pMechanism, hWrappingKey, hKey, pWrappedKey, pulWrappedKeyLen),
		pWrappedKey, pulWrappedKeyLen)
FWD_SESSION(C_UnwrapKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			  CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
			  CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
			  CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey),
	    (hSession, pMechanism, hUnwrappingKey, pWrappedKey, ulWrappedKeyLen, pTemplate,
	     ulAttributeCount, phKey))
FWD_SESSION(C_DeriveKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			  CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
			  CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey),
	    (hSession, pMechanism, hBaseKey, pTemplate, ulAttributeCount, phKey))
FWD_SESSION(C_SeedRandom, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen),
	    (hSession, pSeed, ulSeedLen))
FWD_SESSION(C_GenerateRandom, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData,
			       CK_ULONG ulRandomLen), (hSession, RandomData, ulRandomLen))
FWD_SESSION(C_GetFunctionStatus, (CK_SESSION_HANDLE hSession), (hSession))
FWD_SESSION(C_CancelFunction, (CK_SESSION_HANDLE hSession), (hSession))

/* ---- PKCS#11 3.0: CKR_FUNCTION_NOT_SUPPORTED from a 2.x vendor ---- */

FWD_SESSION(C_LoginUser, (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
			  CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen),
	    (hSession, userType, pPin, ulPinLen, pUsername, ulUsernameLen))
FWD_SESSION(C_SessionCancel, (CK_SESSION_HANDLE hSession, CK_FLAGS flags), (hSession, flags))

#define MSG_FINAL(fn) FWD_SESSION(fn, (CK_SESSION_HANDLE hSession), (hSession))
MSG_FINAL(C_MessageEncryptFinal)
MSG_FINAL(C_MessageDecryptFinal)
MSG_FINAL(C_MessageSignFinal)
MSG_FINAL(C_MessageVerifyFinal)

#define MSG_BEGIN(fn, a, alen) \
	FWD_SESSION(fn, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
			 CK_ULONG ulParameterLen, CK_BYTE_PTR a, CK_ULONG alen), \
		    (hSession, pParameter, ulParameterLen, a, alen))
MSG_BEGIN(C_EncryptMessageBegin, pAssociatedData, ulAssociatedDataLen)
MSG_BEGIN(C_DecryptMessageBegin, pAssociatedData, ulAssociatedDataLen)
FWD_SESSION(C_SignMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				 CK_ULONG ulParameterLen), (hSession, pParameter, ulParameterLen))
FWD_SESSION(C_VerifyMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				   CK_ULONG ulParameterLen), (hSession, pParameter, ulParameterLen))

FWD_SESSION_OUT(C_EncryptMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				   CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
				   CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext,
				   CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext,
				   CK_ULONG_PTR pulCiphertextLen),
		(hSession, pParameter, ulParameterLen, pAssociatedData, ulAssociatedDataLen,
		 pPlaintext, ulPlaintextLen, pCiphertext, pulCiphertextLen),
		pCiphertext, pulCiphertextLen)
FWD_SESSION_OUT(C_DecryptMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				   CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
				   CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext,
				   CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext,
				   CK_ULONG_PTR pulPlaintextLen),
		(hSession, pParameter, ulParameterLen, pAssociatedData, ulAssociatedDataLen,
		 pCiphertext, ulCiphertextLen, pPlaintext, pulPlaintextLen),
		pPlaintext, pulPlaintextLen)
FWD_SESSION_OUT(C_EncryptMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				       CK_ULONG ulParameterLen, CK_BYTE_PTR pPlaintextPart,
				       CK_ULONG ulPlaintextPartLen, CK_BYTE_PTR pCiphertextPart,
				       CK_ULONG_PTR pulCiphertextPartLen, CK_FLAGS flags),
		(hSession, pParameter, ulParameterLen, pPlaintextPart, ulPlaintextPartLen,
		 pCiphertextPart, pulCiphertextPartLen, flags), pCiphertextPart,
		pulCiphertextPartLen)
FWD_SESSION_OUT(C_DecryptMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				       CK_ULONG ulParameterLen, CK_BYTE_PTR pCiphertextPart,
				       CK_ULONG ulCiphertextPartLen, CK_BYTE_PTR pPlaintextPart,
				       CK_ULONG_PTR pulPlaintextPartLen, CK_FLAGS flags),
		(hSession, pParameter, ulParameterLen, pCiphertextPart, ulCiphertextPartLen,
		 pPlaintextPart, pulPlaintextPartLen, flags), pPlaintextPart, pulPlaintextPartLen)
FWD_SESSION_OUT(C_SignMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen),
		(hSession, pParameter, ulParameterLen, pData, ulDataLen, pSignature,
		 pulSignatureLen), pSignature, pulSignatureLen)
FWD_SESSION_OUT(C_SignMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				    CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				    CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen),
		(hSession, pParameter, ulParameterLen, pData, ulDataLen, pSignature,
		 pulSignatureLen), pSignature, pulSignatureLen)
FWD_SESSION(C_VerifyMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			      CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			      CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen),
	    (hSession, pParameter, ulParameterLen, pData, ulDataLen, pSignature, ulSignatureLen))
FWD_SESSION(C_VerifyMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				  CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				  CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen),
	    (hSession, pParameter, ulParameterLen, pData, ulDataLen, pSignature, ulSignatureLen))
