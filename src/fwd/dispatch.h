/* The dispatch layer's entry points (fwd/dispatch.c): one per PKCS#11
 * function taking a slot ID or a session handle, same signature. */
#ifndef KZP11_FWD_DISPATCH_H
#define KZP11_FWD_DISPATCH_H

#include "pkcs11.h"

#define KZ_FWD_DECLARE(fn) extern __typeof__(fn) kz_fwd_##fn

KZ_FWD_DECLARE(C_GetSlotList);
KZ_FWD_DECLARE(C_GetSlotInfo);
KZ_FWD_DECLARE(C_GetTokenInfo);
KZ_FWD_DECLARE(C_GetMechanismList);
KZ_FWD_DECLARE(C_GetMechanismInfo);
KZ_FWD_DECLARE(C_InitToken);
KZ_FWD_DECLARE(C_InitPIN);
KZ_FWD_DECLARE(C_SetPIN);
KZ_FWD_DECLARE(C_OpenSession);
KZ_FWD_DECLARE(C_CloseSession);
KZ_FWD_DECLARE(C_CloseAllSessions);
KZ_FWD_DECLARE(C_GetSessionInfo);
KZ_FWD_DECLARE(C_GetOperationState);
KZ_FWD_DECLARE(C_SetOperationState);
KZ_FWD_DECLARE(C_Login);
KZ_FWD_DECLARE(C_Logout);
KZ_FWD_DECLARE(C_CreateObject);
KZ_FWD_DECLARE(C_CopyObject);
KZ_FWD_DECLARE(C_DestroyObject);
KZ_FWD_DECLARE(C_GetObjectSize);
KZ_FWD_DECLARE(C_GetAttributeValue);
KZ_FWD_DECLARE(C_SetAttributeValue);
KZ_FWD_DECLARE(C_FindObjectsInit);
KZ_FWD_DECLARE(C_FindObjects);
KZ_FWD_DECLARE(C_FindObjectsFinal);
KZ_FWD_DECLARE(C_EncryptInit);
KZ_FWD_DECLARE(C_Encrypt);
KZ_FWD_DECLARE(C_EncryptUpdate);
KZ_FWD_DECLARE(C_EncryptFinal);
KZ_FWD_DECLARE(C_DecryptInit);
KZ_FWD_DECLARE(C_Decrypt);
KZ_FWD_DECLARE(C_DecryptUpdate);
KZ_FWD_DECLARE(C_DecryptFinal);
KZ_FWD_DECLARE(C_DigestInit);
KZ_FWD_DECLARE(C_Digest);
KZ_FWD_DECLARE(C_DigestUpdate);
KZ_FWD_DECLARE(C_DigestKey);
KZ_FWD_DECLARE(C_DigestFinal);
KZ_FWD_DECLARE(C_SignInit);
KZ_FWD_DECLARE(C_Sign);
KZ_FWD_DECLARE(C_SignUpdate);
KZ_FWD_DECLARE(C_SignFinal);
KZ_FWD_DECLARE(C_SignRecoverInit);
KZ_FWD_DECLARE(C_SignRecover);
KZ_FWD_DECLARE(C_VerifyInit);
KZ_FWD_DECLARE(C_Verify);
KZ_FWD_DECLARE(C_VerifyUpdate);
KZ_FWD_DECLARE(C_VerifyFinal);
KZ_FWD_DECLARE(C_VerifyRecoverInit);
KZ_FWD_DECLARE(C_VerifyRecover);
KZ_FWD_DECLARE(C_DigestEncryptUpdate);
KZ_FWD_DECLARE(C_DecryptDigestUpdate);
KZ_FWD_DECLARE(C_SignEncryptUpdate);
KZ_FWD_DECLARE(C_DecryptVerifyUpdate);
KZ_FWD_DECLARE(C_GenerateKey);
KZ_FWD_DECLARE(C_GenerateKeyPair);
KZ_FWD_DECLARE(C_WrapKey);
KZ_FWD_DECLARE(C_UnwrapKey);
KZ_FWD_DECLARE(C_DeriveKey);
KZ_FWD_DECLARE(C_SeedRandom);
KZ_FWD_DECLARE(C_GenerateRandom);
KZ_FWD_DECLARE(C_GetFunctionStatus);
KZ_FWD_DECLARE(C_CancelFunction);
KZ_FWD_DECLARE(C_LoginUser);
KZ_FWD_DECLARE(C_SessionCancel);
KZ_FWD_DECLARE(C_MessageEncryptInit);
KZ_FWD_DECLARE(C_EncryptMessage);
KZ_FWD_DECLARE(C_EncryptMessageBegin);
KZ_FWD_DECLARE(C_EncryptMessageNext);
KZ_FWD_DECLARE(C_MessageEncryptFinal);
KZ_FWD_DECLARE(C_MessageDecryptInit);
KZ_FWD_DECLARE(C_DecryptMessage);
KZ_FWD_DECLARE(C_DecryptMessageBegin);
KZ_FWD_DECLARE(C_DecryptMessageNext);
KZ_FWD_DECLARE(C_MessageDecryptFinal);
KZ_FWD_DECLARE(C_MessageSignInit);
KZ_FWD_DECLARE(C_SignMessage);
KZ_FWD_DECLARE(C_SignMessageBegin);
KZ_FWD_DECLARE(C_SignMessageNext);
KZ_FWD_DECLARE(C_MessageSignFinal);
KZ_FWD_DECLARE(C_MessageVerifyInit);
KZ_FWD_DECLARE(C_VerifyMessage);
KZ_FWD_DECLARE(C_VerifyMessageBegin);
KZ_FWD_DECLARE(C_VerifyMessageNext);
KZ_FWD_DECLARE(C_MessageVerifyFinal);

#endif
