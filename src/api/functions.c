/*
 * The two function tables, in the order PKCS#11 fixes: 2.40 (68 entries)
 * and 3.0 (the same, then 24 more).  Functions taking a slot or a session
 * go through the dispatch layer (fwd/dispatch.c), which sends forwarded
 * slots and sessions to their vendor module and the rest to the C_* here.
 */
#include "api/functions.h"
#include "fwd/dispatch.h"

#define FUNCTIONS_240 \
	C_Initialize, C_Finalize, C_GetInfo, C_GetFunctionList, kz_fwd_C_GetSlotList, \
	kz_fwd_C_GetSlotInfo, kz_fwd_C_GetTokenInfo, kz_fwd_C_GetMechanismList, \
	kz_fwd_C_GetMechanismInfo, kz_fwd_C_InitToken, kz_fwd_C_InitPIN, kz_fwd_C_SetPIN, \
	kz_fwd_C_OpenSession, kz_fwd_C_CloseSession, kz_fwd_C_CloseAllSessions, \
	kz_fwd_C_GetSessionInfo, kz_fwd_C_GetOperationState, kz_fwd_C_SetOperationState, \
	kz_fwd_C_Login, kz_fwd_C_Logout, kz_fwd_C_CreateObject, kz_fwd_C_CopyObject, \
	kz_fwd_C_DestroyObject, kz_fwd_C_GetObjectSize, kz_fwd_C_GetAttributeValue, \
	kz_fwd_C_SetAttributeValue, kz_fwd_C_FindObjectsInit, kz_fwd_C_FindObjects, \
	kz_fwd_C_FindObjectsFinal, kz_fwd_C_EncryptInit, kz_fwd_C_Encrypt, \
	kz_fwd_C_EncryptUpdate, kz_fwd_C_EncryptFinal, kz_fwd_C_DecryptInit, kz_fwd_C_Decrypt, \
	kz_fwd_C_DecryptUpdate, kz_fwd_C_DecryptFinal, kz_fwd_C_DigestInit, kz_fwd_C_Digest, \
	kz_fwd_C_DigestUpdate, kz_fwd_C_DigestKey, kz_fwd_C_DigestFinal, kz_fwd_C_SignInit, \
	kz_fwd_C_Sign, kz_fwd_C_SignUpdate, kz_fwd_C_SignFinal, kz_fwd_C_SignRecoverInit, \
	kz_fwd_C_SignRecover, kz_fwd_C_VerifyInit, kz_fwd_C_Verify, kz_fwd_C_VerifyUpdate, \
	kz_fwd_C_VerifyFinal, kz_fwd_C_VerifyRecoverInit, kz_fwd_C_VerifyRecover, \
	kz_fwd_C_DigestEncryptUpdate, kz_fwd_C_DecryptDigestUpdate, kz_fwd_C_SignEncryptUpdate, \
	kz_fwd_C_DecryptVerifyUpdate, kz_fwd_C_GenerateKey, kz_fwd_C_GenerateKeyPair, \
	kz_fwd_C_WrapKey, kz_fwd_C_UnwrapKey, kz_fwd_C_DeriveKey, kz_fwd_C_SeedRandom, \
	kz_fwd_C_GenerateRandom, kz_fwd_C_GetFunctionStatus, kz_fwd_C_CancelFunction, \
	C_WaitForSlotEvent

const CK_FUNCTION_LIST kz_function_list_240 = {
	{ 2, 40 },
	FUNCTIONS_240
};

const CK_FUNCTION_LIST_3_0 kz_function_list_30 = {
	{ 3, 0 },
	FUNCTIONS_240,
	C_GetInterfaceList, C_GetInterface, kz_fwd_C_LoginUser, kz_fwd_C_SessionCancel,
	kz_fwd_C_MessageEncryptInit, kz_fwd_C_EncryptMessage, kz_fwd_C_EncryptMessageBegin,
	kz_fwd_C_EncryptMessageNext, kz_fwd_C_MessageEncryptFinal, kz_fwd_C_MessageDecryptInit,
	kz_fwd_C_DecryptMessage, kz_fwd_C_DecryptMessageBegin, kz_fwd_C_DecryptMessageNext,
	kz_fwd_C_MessageDecryptFinal, kz_fwd_C_MessageSignInit, kz_fwd_C_SignMessage,
	kz_fwd_C_SignMessageBegin, kz_fwd_C_SignMessageNext, kz_fwd_C_MessageSignFinal,
	kz_fwd_C_MessageVerifyInit, kz_fwd_C_VerifyMessage, kz_fwd_C_VerifyMessageBegin,
	kz_fwd_C_VerifyMessageNext, kz_fwd_C_MessageVerifyFinal,
};
