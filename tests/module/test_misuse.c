/*
 * The API-misuse table: every function of the PKCS#11 2.40 and 3.0 lists,
 * called the wrong way, must answer with the return value the PKCS#11 3.0
 * specification (OASIS PKCS #11 Specification Version 3.0, "the spec"
 * below; section numbers are its) names for the mistake:
 *
 *  - before C_Initialize and after C_Finalize: CKR_CRYPTOKI_NOT_INITIALIZED,
 *    except C_GetFunctionList, C_GetInterfaceList and C_GetInterface, which
 *    exist to be called first (5.2, 5.4: "the only Cryptoki functions which
 *    an application may call before calling C_Initialize");
 *  - a NULL output (or required input) pointer: CKR_ARGUMENTS_BAD;
 *  - a session handle that was never issued or is closed:
 *    CKR_SESSION_HANDLE_INVALID;
 *  - an object handle that is not valid: CKR_OBJECT_HANDLE_INVALID, for
 *    the key of an operation CKR_KEY_HANDLE_INVALID (5.1 and the functions'
 *    return lists);
 *  - a slot that does not exist: CKR_SLOT_ID_INVALID;
 *  - the wrong session state, and short output buffers (rows below).
 *
 * Functions kzp11 does not offer answer CKR_FUNCTION_NOT_SUPPORTED once
 * initialised, whatever the arguments (5.1: "Even unsupported functions in
 * the Cryptoki API should have a 'stub' in the library; this stub should
 * simply return the value CKR_FUNCTION_NOT_SUPPORTED"), and the legacy
 * C_GetFunctionStatus and C_CancelFunction CKR_FUNCTION_NOT_PARALLEL
 * (5.20: they "should simply return" it).
 *
 * Every row is checked; mismatches are printed and fail the program, which
 * ends by printing how many rows it checked.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CKF_END_OF_MESSAGE
#define CKF_END_OF_MESSAGE 0x00000001UL
#endif

/* ---- what a call is made with ---- */

struct ctx {
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE obj;       /* for the object functions */
	CK_OBJECT_HANDLE key;       /* for the operation's init */
	int null;                   /* pass NULL for the pointer the row is about */
	CK_SESSION_HANDLE opened;   /* a session a call opened, to close */
};

static CK_SLOT_ID real_slot;
static CK_OBJECT_HANDLE priv_key, pub_key, cert_obj;

static unsigned char out[4096];
static CK_ULONG out_len;
static unsigned char data[32] = "misuse table input, 32 bytes...";
static unsigned char sig[256];
static CK_BYTE param[16];

static CK_MECHANISM mech_for(CK_MECHANISM_TYPE t)
{
	CK_MECHANISM m = { t, NULL, 0 };
	return m;
}

static CK_MECHANISM m_sign, m_crypt, m_digest;

#define OUTLEN() (out_len = sizeof out, c->null ? NULL : &out_len)

/* One wrapper per function: the arguments are valid but for the row's
 * deliberate mistake (the handles in ctx, or NULL where ctx->null says). */
#define W(name) static CK_RV w_##name(struct ctx *c)

W(Initialize) { (void)c; return p11_3->C_Initialize(NULL); }
W(Finalize) { (void)c; return p11_3->C_Finalize(NULL); }
W(GetInfo) { CK_INFO i; return p11_3->C_GetInfo(c->null ? NULL : &i); }
W(GetFunctionList) { CK_FUNCTION_LIST_PTR l; return p11_3->C_GetFunctionList(c->null ? NULL : &l); }
W(GetSlotList) { CK_SLOT_ID l[16]; CK_ULONG n = 16; return p11_3->C_GetSlotList(CK_FALSE, l, c->null ? NULL : &n); }
W(GetSlotInfo) { CK_SLOT_INFO i; return p11_3->C_GetSlotInfo(c->slot, c->null ? NULL : &i); }
W(GetTokenInfo) { CK_TOKEN_INFO i; return p11_3->C_GetTokenInfo(c->slot, c->null ? NULL : &i); }
W(GetMechanismList)
{
	CK_MECHANISM_TYPE l[128];
	CK_ULONG n = 128;
	return p11_3->C_GetMechanismList(c->slot, l, c->null ? NULL : &n);
}
W(GetMechanismInfo)
{
	CK_MECHANISM_INFO i;
	return p11_3->C_GetMechanismInfo(c->slot, CKM_SHA256_RSA_PKCS, c->null ? NULL : &i);
}
W(InitToken)
{
	CK_UTF8CHAR label[32];
	memset(label, ' ', sizeof label);
	return p11_3->C_InitToken(c->slot, (CK_UTF8CHAR_PTR)PIN, PIN_LEN, label);
}
W(InitPIN) { return p11_3->C_InitPIN(c->s, (CK_UTF8CHAR_PTR)PIN, PIN_LEN); }
W(SetPIN)
{
	return p11_3->C_SetPIN(c->s, (CK_UTF8CHAR_PTR)PIN, PIN_LEN, (CK_UTF8CHAR_PTR)PIN, PIN_LEN);
}
W(OpenSession)
{
	return p11_3->C_OpenSession(c->slot, CKF_SERIAL_SESSION, NULL, NULL,
				    c->null ? NULL : &c->opened);
}
W(CloseSession) { return p11_3->C_CloseSession(c->s); }
W(CloseAllSessions) { return p11_3->C_CloseAllSessions(c->slot); }
W(GetSessionInfo) { CK_SESSION_INFO i; return p11_3->C_GetSessionInfo(c->s, c->null ? NULL : &i); }
W(GetOperationState) { return p11_3->C_GetOperationState(c->s, out, OUTLEN()); }
W(SetOperationState) { return p11_3->C_SetOperationState(c->s, out, 16, 0, 0); }
W(Login) { return p11_3->C_Login(c->s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN); }
W(Logout) { return p11_3->C_Logout(c->s); }

/* A session HMAC key: creatable without a login. */
static CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
static CK_KEY_TYPE secret_type = CKK_GENERIC_SECRET;
static CK_BBOOL yes = CK_TRUE;
static unsigned char secret_value[32] = "0123456789abcdef0123456789abcdef";
static CK_ATTRIBUTE secret_tmpl[] = {
	{ CKA_CLASS, &secret_class, sizeof secret_class },
	{ CKA_KEY_TYPE, &secret_type, sizeof secret_type },
	{ CKA_SIGN, &yes, sizeof yes },
	{ CKA_VALUE, secret_value, sizeof secret_value },
};

W(CreateObject)
{
	CK_OBJECT_HANDLE h;
	return p11_3->C_CreateObject(c->s, secret_tmpl, 4, c->null ? NULL : &h);
}
W(CopyObject)
{
	CK_OBJECT_HANDLE h;
	return p11_3->C_CopyObject(c->s, c->obj, NULL, 0, c->null ? NULL : &h);
}
W(DestroyObject) { return p11_3->C_DestroyObject(c->s, c->obj); }
W(GetObjectSize) { CK_ULONG n; return p11_3->C_GetObjectSize(c->s, c->obj, c->null ? NULL : &n); }
W(GetAttributeValue)
{
	CK_ATTRIBUTE t = { CKA_LABEL, out, sizeof out };
	return p11_3->C_GetAttributeValue(c->s, c->obj, c->null ? NULL : &t, 1);
}
W(SetAttributeValue)
{
	CK_ATTRIBUTE t = { CKA_LABEL, "x", 1 };
	return p11_3->C_SetAttributeValue(c->s, c->obj, c->null ? NULL : &t, 1);
}
W(FindObjectsInit)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_RV rv = p11_3->C_FindObjectsInit(c->s, c->null ? NULL : &t, 1);
	if (rv == CKR_OK)
		p11_3->C_FindObjectsFinal(c->s);
	return rv;
}
W(FindObjects)
{
	CK_OBJECT_HANDLE h[4];
	CK_ULONG n;
	return p11_3->C_FindObjects(c->s, h, 4, c->null ? NULL : &n);
}
W(FindObjectsFinal) { return p11_3->C_FindObjectsFinal(c->s); }
W(EncryptInit) { return p11_3->C_EncryptInit(c->s, &m_crypt, c->key); }
W(Encrypt) { return p11_3->C_Encrypt(c->s, data, sizeof data, out, OUTLEN()); }
W(EncryptUpdate) { return p11_3->C_EncryptUpdate(c->s, data, sizeof data, out, OUTLEN()); }
W(EncryptFinal) { return p11_3->C_EncryptFinal(c->s, out, OUTLEN()); }
W(DecryptInit) { return p11_3->C_DecryptInit(c->s, &m_crypt, c->key); }
W(Decrypt) { return p11_3->C_Decrypt(c->s, sig, sizeof sig, out, OUTLEN()); }
W(DecryptUpdate) { return p11_3->C_DecryptUpdate(c->s, sig, sizeof sig, out, OUTLEN()); }
W(DecryptFinal) { return p11_3->C_DecryptFinal(c->s, out, OUTLEN()); }
W(DigestInit) { return p11_3->C_DigestInit(c->s, &m_digest); }
W(Digest) { return p11_3->C_Digest(c->s, data, sizeof data, out, OUTLEN()); }
W(DigestUpdate) { return p11_3->C_DigestUpdate(c->s, c->null ? NULL : data, sizeof data); }
W(DigestKey) { return p11_3->C_DigestKey(c->s, c->key); }
W(DigestFinal) { return p11_3->C_DigestFinal(c->s, out, OUTLEN()); }
W(SignInit) { return p11_3->C_SignInit(c->s, &m_sign, c->key); }
W(Sign) { return p11_3->C_Sign(c->s, data, sizeof data, out, OUTLEN()); }
W(SignUpdate) { return p11_3->C_SignUpdate(c->s, c->null ? NULL : data, sizeof data); }
W(SignFinal) { return p11_3->C_SignFinal(c->s, out, OUTLEN()); }
W(SignRecoverInit) { return p11_3->C_SignRecoverInit(c->s, &m_crypt, c->key); }
W(SignRecover) { return p11_3->C_SignRecover(c->s, data, sizeof data, out, OUTLEN()); }
W(VerifyInit) { return p11_3->C_VerifyInit(c->s, &m_sign, c->key); }
W(Verify) { return p11_3->C_Verify(c->s, data, sizeof data, c->null ? NULL : sig, sizeof sig); }
W(VerifyUpdate) { return p11_3->C_VerifyUpdate(c->s, c->null ? NULL : data, sizeof data); }
W(VerifyFinal) { return p11_3->C_VerifyFinal(c->s, c->null ? NULL : sig, sizeof sig); }
W(VerifyRecoverInit) { return p11_3->C_VerifyRecoverInit(c->s, &m_crypt, c->key); }
W(VerifyRecover) { return p11_3->C_VerifyRecover(c->s, sig, sizeof sig, out, OUTLEN()); }
W(DigestEncryptUpdate) { return p11_3->C_DigestEncryptUpdate(c->s, data, sizeof data, out, OUTLEN()); }
W(DecryptDigestUpdate) { return p11_3->C_DecryptDigestUpdate(c->s, data, sizeof data, out, OUTLEN()); }
W(SignEncryptUpdate) { return p11_3->C_SignEncryptUpdate(c->s, data, sizeof data, out, OUTLEN()); }
W(DecryptVerifyUpdate) { return p11_3->C_DecryptVerifyUpdate(c->s, data, sizeof data, out, OUTLEN()); }
W(GenerateKey)
{
	CK_MECHANISM m = mech_for(CKM_GENERIC_SECRET_KEY_GEN);
	CK_OBJECT_HANDLE h;
	return p11_3->C_GenerateKey(c->s, &m, NULL, 0, &h);
}
W(GenerateKeyPair)
{
	CK_MECHANISM m = mech_for(CKM_RSA_PKCS_KEY_PAIR_GEN);
	CK_OBJECT_HANDLE a, b;
	return p11_3->C_GenerateKeyPair(c->s, &m, NULL, 0, NULL, 0, &a, &b);
}
W(WrapKey) { return p11_3->C_WrapKey(c->s, &m_crypt, c->key, c->obj, out, OUTLEN()); }
W(UnwrapKey)
{
	CK_OBJECT_HANDLE h;
	return p11_3->C_UnwrapKey(c->s, &m_crypt, c->key, sig, sizeof sig, NULL, 0, &h);
}
W(DeriveKey)
{
	CK_MECHANISM m = mech_for(CKM_ECDH1_DERIVE);
	CK_OBJECT_HANDLE h;
	return p11_3->C_DeriveKey(c->s, &m, c->key, NULL, 0, &h);
}
W(SeedRandom) { return p11_3->C_SeedRandom(c->s, c->null ? NULL : data, sizeof data); }
W(GenerateRandom) { return p11_3->C_GenerateRandom(c->s, c->null ? NULL : out, 16); }
W(GetFunctionStatus) { return p11_3->C_GetFunctionStatus(c->s); }
W(CancelFunction) { return p11_3->C_CancelFunction(c->s); }
W(WaitForSlotEvent)
{
	CK_SLOT_ID slot;
	return p11_3->C_WaitForSlotEvent(CKF_DONT_BLOCK, c->null ? NULL : &slot, NULL);
}
W(GetInterfaceList) { CK_ULONG n; return p11_3->C_GetInterfaceList(NULL, c->null ? NULL : &n); }
W(GetInterface)
{
	CK_INTERFACE_PTR i;
	return p11_3->C_GetInterface((CK_UTF8CHAR_PTR)"PKCS 11", NULL, c->null ? NULL : &i, 0);
}
W(LoginUser)
{
	return p11_3->C_LoginUser(c->s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN,
				  (CK_UTF8CHAR_PTR)"user", 4);
}
W(SessionCancel) { return p11_3->C_SessionCancel(c->s, CKF_SIGN); }
W(MessageEncryptInit) { return p11_3->C_MessageEncryptInit(c->s, &m_crypt, c->key); }
W(EncryptMessage)
{
	return p11_3->C_EncryptMessage(c->s, param, sizeof param, NULL, 0, data, sizeof data,
				       out, OUTLEN());
}
W(EncryptMessageBegin) { return p11_3->C_EncryptMessageBegin(c->s, param, sizeof param, NULL, 0); }
W(EncryptMessageNext)
{
	return p11_3->C_EncryptMessageNext(c->s, param, sizeof param, data, sizeof data, out,
					   OUTLEN(), CKF_END_OF_MESSAGE);
}
W(MessageEncryptFinal) { return p11_3->C_MessageEncryptFinal(c->s); }
W(MessageDecryptInit) { return p11_3->C_MessageDecryptInit(c->s, &m_crypt, c->key); }
W(DecryptMessage)
{
	return p11_3->C_DecryptMessage(c->s, param, sizeof param, NULL, 0, data, sizeof data,
				       out, OUTLEN());
}
W(DecryptMessageBegin) { return p11_3->C_DecryptMessageBegin(c->s, param, sizeof param, NULL, 0); }
W(DecryptMessageNext)
{
	return p11_3->C_DecryptMessageNext(c->s, param, sizeof param, data, sizeof data, out,
					   OUTLEN(), CKF_END_OF_MESSAGE);
}
W(MessageDecryptFinal) { return p11_3->C_MessageDecryptFinal(c->s); }
W(MessageSignInit) { return p11_3->C_MessageSignInit(c->s, &m_sign, c->key); }
W(SignMessage)
{
	return p11_3->C_SignMessage(c->s, param, sizeof param, data, sizeof data, out, OUTLEN());
}
W(SignMessageBegin) { return p11_3->C_SignMessageBegin(c->s, param, sizeof param); }
W(SignMessageNext)
{
	return p11_3->C_SignMessageNext(c->s, param, sizeof param, data, sizeof data, out, OUTLEN());
}
W(MessageSignFinal) { return p11_3->C_MessageSignFinal(c->s); }
W(MessageVerifyInit) { return p11_3->C_MessageVerifyInit(c->s, &m_sign, c->key); }
W(VerifyMessage)
{
	return p11_3->C_VerifyMessage(c->s, param, sizeof param, data, sizeof data, sig, sizeof sig);
}
W(VerifyMessageBegin) { return p11_3->C_VerifyMessageBegin(c->s, param, sizeof param); }
W(VerifyMessageNext)
{
	return p11_3->C_VerifyMessageNext(c->s, param, sizeof param, data, sizeof data, sig,
					  sizeof sig);
}
W(MessageVerifyFinal) { return p11_3->C_MessageVerifyFinal(c->s); }

/* ---- the functions and what their arguments are ---- */

enum {
	F_EXEMPT = 1 << 0,    /* callable before C_Initialize */
	F_SLOT = 1 << 1,      /* takes a slot ID */
	F_SESSION = 1 << 2,   /* takes a session handle */
	F_OBJECT = 1 << 3,    /* takes an object handle */
	F_KEY = 1 << 4,       /* takes the key of an operation */
	F_NULL = 1 << 5,      /* has a pointer that must not be NULL (see prep) */
	F_UNSUP = 1 << 6,     /* kzp11 does not offer it */
	F_LEGACY = 1 << 7,    /* C_GetFunctionStatus, C_CancelFunction */
	F_SKIP_INIT = 1 << 8, /* C_Initialize itself */
	F_NEW = 1 << 9,       /* C_SetPIN: being added; not supported or the spec's code */
};

/* What must be active in the session before the NULL-pointer row. */
enum prep { P_NONE, P_FIND, P_SIGN, P_VERIFY, P_ENCRYPT, P_DIGEST, P_LOGIN };

struct fn {
	const char *name;
	CK_RV (*call)(struct ctx *c);
	unsigned flags;
	enum prep prep;
};

#define S F_SESSION
#define FN(name, flags, prep) { "C_" #name, w_##name, flags, prep }
static const struct fn fns[] = {
	/* PKCS#11 2.40, in the order of CK_FUNCTION_LIST */
	FN(Initialize, F_SKIP_INIT, P_NONE),
	FN(Finalize, 0, P_NONE),
	FN(GetInfo, F_NULL, P_NONE),
	FN(GetFunctionList, F_EXEMPT | F_NULL, P_NONE),
	FN(GetSlotList, F_NULL, P_NONE),
	FN(GetSlotInfo, F_SLOT | F_NULL, P_NONE),
	FN(GetTokenInfo, F_SLOT | F_NULL, P_NONE),
	FN(GetMechanismList, F_SLOT | F_NULL, P_NONE),
	FN(GetMechanismInfo, F_SLOT | F_NULL, P_NONE),
	FN(InitToken, F_SLOT | F_UNSUP, P_NONE),
	FN(InitPIN, S | F_UNSUP, P_NONE),
	FN(SetPIN, S | F_NEW, P_NONE),
	FN(OpenSession, F_SLOT | F_NULL, P_NONE),
	FN(CloseSession, S, P_NONE),
	FN(CloseAllSessions, F_SLOT, P_NONE),
	FN(GetSessionInfo, S | F_NULL, P_NONE),
	FN(GetOperationState, S | F_UNSUP, P_NONE),
	FN(SetOperationState, S | F_UNSUP, P_NONE),
	FN(Login, S, P_NONE),
	FN(Logout, S, P_NONE),
	FN(CreateObject, S | F_NULL, P_NONE),
	FN(CopyObject, S | F_OBJECT | F_NULL, P_NONE),
	FN(DestroyObject, S | F_OBJECT, P_NONE),
	FN(GetObjectSize, S | F_OBJECT | F_NULL, P_NONE),
	FN(GetAttributeValue, S | F_OBJECT | F_NULL, P_NONE),
	FN(SetAttributeValue, S | F_OBJECT | F_NULL, P_NONE),
	FN(FindObjectsInit, S | F_NULL, P_NONE),
	FN(FindObjects, S | F_NULL, P_FIND),
	FN(FindObjectsFinal, S, P_NONE),
	FN(EncryptInit, S | F_KEY, P_NONE),
	FN(Encrypt, S | F_NULL, P_ENCRYPT),
	FN(EncryptUpdate, S, P_NONE),
	FN(EncryptFinal, S, P_NONE),
	FN(DecryptInit, S | F_KEY, P_NONE),
	FN(Decrypt, S, P_NONE),
	FN(DecryptUpdate, S, P_NONE),
	FN(DecryptFinal, S, P_NONE),
	FN(DigestInit, S, P_NONE),
	FN(Digest, S | F_NULL, P_DIGEST),
	FN(DigestUpdate, S | F_NULL, P_DIGEST),
	FN(DigestKey, S | F_KEY, P_NONE),
	FN(DigestFinal, S | F_NULL, P_DIGEST),
	FN(SignInit, S | F_KEY, P_NONE),
	FN(Sign, S | F_NULL, P_SIGN),
	FN(SignUpdate, S | F_NULL, P_SIGN),
	FN(SignFinal, S | F_NULL, P_SIGN),
	FN(SignRecoverInit, S | F_UNSUP, P_NONE),
	FN(SignRecover, S | F_UNSUP, P_NONE),
	FN(VerifyInit, S | F_KEY, P_NONE),
	FN(Verify, S | F_NULL, P_VERIFY),
	FN(VerifyUpdate, S | F_NULL, P_VERIFY),
	FN(VerifyFinal, S | F_NULL, P_VERIFY),
	FN(VerifyRecoverInit, S | F_UNSUP, P_NONE),
	FN(VerifyRecover, S | F_UNSUP, P_NONE),
	FN(DigestEncryptUpdate, S | F_UNSUP, P_NONE),
	FN(DecryptDigestUpdate, S | F_UNSUP, P_NONE),
	FN(SignEncryptUpdate, S | F_UNSUP, P_NONE),
	FN(DecryptVerifyUpdate, S | F_UNSUP, P_NONE),
	FN(GenerateKey, S | F_UNSUP, P_NONE),
	FN(GenerateKeyPair, S | F_UNSUP, P_NONE),
	FN(WrapKey, S, P_NONE),
	FN(UnwrapKey, S | F_UNSUP, P_NONE),
	FN(DeriveKey, S, P_NONE),
	FN(SeedRandom, S, P_NONE),
	FN(GenerateRandom, S | F_NULL, P_NONE),
	FN(GetFunctionStatus, S | F_LEGACY, P_NONE),
	FN(CancelFunction, S | F_LEGACY, P_NONE),
	FN(WaitForSlotEvent, F_NULL, P_NONE),
	/* PKCS#11 3.0 additions, in the order of CK_FUNCTION_LIST_3_0 */
	FN(GetInterfaceList, F_EXEMPT | F_NULL, P_NONE),
	FN(GetInterface, F_EXEMPT | F_NULL, P_NONE),
	FN(LoginUser, S, P_NONE),
	FN(SessionCancel, S, P_NONE),
	FN(MessageEncryptInit, S | F_UNSUP, P_NONE),
	FN(EncryptMessage, S | F_UNSUP, P_NONE),
	FN(EncryptMessageBegin, S | F_UNSUP, P_NONE),
	FN(EncryptMessageNext, S | F_UNSUP, P_NONE),
	FN(MessageEncryptFinal, S | F_UNSUP, P_NONE),
	FN(MessageDecryptInit, S | F_UNSUP, P_NONE),
	FN(DecryptMessage, S | F_UNSUP, P_NONE),
	FN(DecryptMessageBegin, S | F_UNSUP, P_NONE),
	FN(DecryptMessageNext, S | F_UNSUP, P_NONE),
	FN(MessageDecryptFinal, S | F_UNSUP, P_NONE),
	FN(MessageSignInit, S | F_UNSUP, P_NONE),
	FN(SignMessage, S | F_UNSUP, P_NONE),
	FN(SignMessageBegin, S | F_UNSUP, P_NONE),
	FN(SignMessageNext, S | F_UNSUP, P_NONE),
	FN(MessageSignFinal, S | F_UNSUP, P_NONE),
	FN(MessageVerifyInit, S | F_UNSUP, P_NONE),
	FN(VerifyMessage, S | F_UNSUP, P_NONE),
	FN(VerifyMessageBegin, S | F_UNSUP, P_NONE),
	FN(VerifyMessageNext, S | F_UNSUP, P_NONE),
	FN(MessageVerifyFinal, S | F_UNSUP, P_NONE),
};
#undef S
#define N_FNS (sizeof fns / sizeof *fns)

/* ---- checking ---- */

static unsigned rows, failures;

static void check(const char *row, const char *what, CK_RV got, CK_RV want)
{
	rows++;
	if (got == want)
		return;
	failures++;
	printf("FAIL %s: %s returned %s, expected %s\n", row, what, h_rv_name(got),
	       h_rv_name(want));
}

/* Same, when the specification allows either of two results. */
static void check2(const char *row, const char *what, CK_RV got, CK_RV want, CK_RV also)
{
	check(row, what, got == also ? want : got, want);
}

static void check_true(const char *row, const char *what, int ok)
{
	rows++;
	if (!ok) {
		failures++;
		printf("FAIL %s: %s\n", row, what);
	}
}

/* The result for a function kzp11 offers in the given mistake. */
static CK_RV expected(const struct fn *f, CK_RV mistake)
{
	if (f->flags & F_UNSUP)
		return CKR_FUNCTION_NOT_SUPPORTED;
	if (f->flags & F_LEGACY)
		return CKR_FUNCTION_NOT_PARALLEL;
	return mistake;
}

static void run(const char *row, const struct fn *f, struct ctx *c, CK_RV want)
{
	CK_RV got;

	c->opened = CK_INVALID_HANDLE;
	got = f->call(c);
	if (f->flags & F_NEW)
		check2(row, f->name, got, want, CKR_FUNCTION_NOT_SUPPORTED);
	else
		check(row, f->name, got, want);
	if (c->opened != CK_INVALID_HANDLE && got == CKR_OK)
		p11_3->C_CloseSession(c->opened);
}

static void init(void)
{
	CK_RV rv = p11_3->C_Initialize(NULL);

	if (rv != CKR_OK) {
		printf("C_Initialize failed: %s\n", h_rv_name(rv));
		exit(1);
	}
}

static CK_SESSION_HANDLE open_rw(void)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_RV rv = p11_3->C_OpenSession(real_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
					NULL, &s);
	if (rv != CKR_OK) {
		printf("C_OpenSession failed: %s\n", h_rv_name(rv));
		exit(1);
	}
	return s;
}

static void login(CK_SESSION_HANDLE s)
{
	CK_RV rv = p11_3->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN);

	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		printf("C_Login failed: %s\n", h_rv_name(rv));
		exit(1);
	}
	/* Private objects get new handles at each login. */
	priv_key = h_try_find_class(s, CKO_PRIVATE_KEY);
}

/* The token's keys and certificate (found logged in). */
static void find_objects(void)
{
	CK_SESSION_HANDLE s = open_rw();

	login(s);
	pub_key = h_try_find_class(s, CKO_PUBLIC_KEY);
	cert_obj = h_try_find_class(s, CKO_CERTIFICATE);
	p11_3->C_CloseSession(s);
	if (priv_key == CK_INVALID_HANDLE || pub_key == CK_INVALID_HANDLE ||
	    cert_obj == CK_INVALID_HANDLE) {
		printf("the test token lacks a key or its certificate\n");
		exit(1);
	}
}

/* ---- the rows ---- */

static void rows_not_initialized(const char *row)
{
	struct ctx c = { .slot = 1, .s = 1, .obj = 1, .key = 1 };

	for (size_t i = 0; i < N_FNS; i++) {
		if (fns[i].flags & F_SKIP_INIT)
			continue;
		run(row, &fns[i], &c, fns[i].flags & F_EXEMPT ? CKR_OK : CKR_CRYPTOKI_NOT_INITIALIZED);
	}
}

/* Puts the session in the state the function's NULL row needs. */
static void prepare(CK_SESSION_HANDLE s, enum prep p)
{
	CK_RV rv = CKR_OK;
	CK_ULONG n = sizeof out;

	switch (p) {
	case P_NONE: case P_LOGIN: break;
	case P_FIND: rv = p11_3->C_FindObjectsInit(s, NULL, 0); break;
	case P_SIGN: rv = p11_3->C_SignInit(s, &m_sign, priv_key); break;
	case P_VERIFY: rv = p11_3->C_VerifyInit(s, &m_sign, pub_key); break;
	case P_ENCRYPT: rv = p11_3->C_EncryptInit(s, &m_crypt, pub_key); break;
	case P_DIGEST: rv = p11_3->C_DigestInit(s, &m_digest); break;
	}
	(void)n;
	if (rv != CKR_OK) {
		printf("preparing a NULL-pointer row failed: %s\n", h_rv_name(rv));
		exit(1);
	}
}

static void rows_null_pointers(void)
{
	for (size_t i = 0; i < N_FNS; i++) {
		struct ctx c = { .slot = real_slot, .null = 1, .obj = cert_obj };
		if (!(fns[i].flags & F_NULL))
			continue;
		c.s = open_rw();
		login(c.s);
		prepare(c.s, fns[i].prep);
		run("NULL pointer", &fns[i], &c, CKR_ARGUMENTS_BAD);
		p11_3->C_CloseSession(c.s);
	}
}

static void rows_bad_session(void)
{
	CK_SESSION_HANDLE closed = open_rw();
	const CK_SESSION_HANDLE bad[] = { CK_INVALID_HANDLE, closed, 0x7fffffff };

	p11_3->C_CloseSession(closed);
	for (size_t b = 0; b < sizeof bad / sizeof *bad; b++)
		for (size_t i = 0; i < N_FNS; i++) {
			struct ctx c = { .slot = real_slot, .s = bad[b], .obj = cert_obj,
					 .key = pub_key };
			if (fns[i].flags & F_SESSION)
				run(b == 1 ? "closed session" : "invalid session", &fns[i], &c,
				    expected(&fns[i], CKR_SESSION_HANDLE_INVALID));
		}
}

static void rows_bad_object(void)
{
	CK_SESSION_HANDLE s = open_rw();
	CK_OBJECT_HANDLE gone = CK_INVALID_HANDLE;
	CK_RV rv;

	login(s);
	/* a destroyed session object's handle, and one never issued */
	rv = p11_3->C_CreateObject(s, secret_tmpl, 4, &gone);
	if (rv != CKR_OK || p11_3->C_DestroyObject(s, gone) != CKR_OK) {
		printf("cannot create and destroy a session key: %s\n", h_rv_name(rv));
		exit(1);
	}
	const CK_OBJECT_HANDLE bad[] = { CK_INVALID_HANDLE, gone, 0x7ffffff0 };
	for (size_t b = 0; b < sizeof bad / sizeof *bad; b++)
		for (size_t i = 0; i < N_FNS; i++) {
			struct ctx c = { .slot = real_slot, .s = s, .obj = bad[b], .key = bad[b] };
			if (fns[i].flags & F_OBJECT)
				run("invalid object", &fns[i], &c,
				    expected(&fns[i], CKR_OBJECT_HANDLE_INVALID));
			else if (fns[i].flags & F_KEY) {
				/* DigestKey needs an active digest (5.12). */
				if (fns[i].call == w_DigestKey)
					prepare(s, P_DIGEST);
				run("invalid key", &fns[i], &c,
				    expected(&fns[i], CKR_KEY_HANDLE_INVALID));
				p11_3->C_SessionCancel(s, CKF_DIGEST);
			}
		}
	p11_3->C_CloseSession(s);
}

static void rows_bad_slot(void)
{
	const CK_SLOT_ID bad[] = { 0x7fff0000UL, (CK_SLOT_ID)-1 };

	for (size_t b = 0; b < sizeof bad / sizeof *bad; b++)
		for (size_t i = 0; i < N_FNS; i++) {
			struct ctx c = { .slot = bad[b] };
			if (!(fns[i].flags & F_SLOT))
				continue;
			/* (CK_SLOT_ID)-1 carries the tag of forwarded slots: a slot no
			 * vendor module has is invalid before any function is chosen. */
			if ((fns[i].flags & F_UNSUP) && bad[b] == (CK_SLOT_ID)-1)
				check2("invalid slot", fns[i].name, fns[i].call(&c),
				       CKR_SLOT_ID_INVALID, CKR_FUNCTION_NOT_SUPPORTED);
			else
				run("invalid slot", &fns[i], &c, expected(&fns[i], CKR_SLOT_ID_INVALID));
		}
}

/* ---- session states (5.6 sessions, 5.7 login, 5.10 ff. operations) ---- */

static void rows_state(void)
{
	const char *row = "session state";
	CK_SESSION_HANDLE s = open_rw(), s2;
	CK_ULONG n;
	CK_OBJECT_HANDLE h[2];
	CK_SESSION_INFO si;

	/* Not logged in. */
	check(row, "C_Logout when not logged in", p11_3->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	/* 5.6: a private key object is not visible in a public session, so its
	 * handle is not valid there, or the key cannot be used without login. */
	check2(row, "C_SignInit with the private key, not logged in",
	       p11_3->C_SignInit(s, &m_sign, priv_key), CKR_KEY_HANDLE_INVALID,
	       CKR_USER_NOT_LOGGED_IN);
	check2(row, "C_DecryptInit with the private key, not logged in",
	       p11_3->C_DecryptInit(s, &m_crypt, priv_key), CKR_KEY_HANDLE_INVALID,
	       CKR_USER_NOT_LOGGED_IN);
	check2(row, "C_GetAttributeValue of the private key, not logged in",
	       p11_3->C_GetAttributeValue(s, priv_key, &(CK_ATTRIBUTE){ CKA_LABEL, NULL, 0 }, 1),
	       CKR_OBJECT_HANDLE_INVALID, CKR_USER_NOT_LOGGED_IN);
	check(row, "C_Login with an unknown user type",
	      p11_3->C_Login(s, 77, (CK_UTF8CHAR_PTR)PIN, PIN_LEN), CKR_USER_TYPE_INVALID);
	check(row, "C_Login with a wrong PIN",
	      p11_3->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)WRONG_PIN, WRONG_PIN_LEN),
	      CKR_PIN_INCORRECT);
	check(row, "C_Login", p11_3->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN), CKR_OK);
	priv_key = h_try_find_class(s, CKO_PRIVATE_KEY);
	check(row, "C_Login twice",
	      p11_3->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN),
	      CKR_USER_ALREADY_LOGGED_IN);
	/* 5.6: opening a session while logged in gives the logged-in state. */
	s2 = open_rw();
	check(row, "C_GetSessionInfo of a new session while logged in",
	      p11_3->C_GetSessionInfo(s2, &si), CKR_OK);
	check_true(row, "a new session while logged in is CKS_RW_USER_FUNCTIONS",
		   si.state == CKS_RW_USER_FUNCTIONS);
	check(row, "C_Login twice, from another session",
	      p11_3->C_Login(s2, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN),
	      CKR_USER_ALREADY_LOGGED_IN);
	p11_3->C_CloseSession(s2);

	/* Operations not started. */
	n = sizeof out;
	check(row, "C_Sign without C_SignInit", p11_3->C_Sign(s, data, sizeof data, out, &n),
	      CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_SignUpdate without C_SignInit", p11_3->C_SignUpdate(s, data, sizeof data),
	      CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_SignFinal without C_SignInit", p11_3->C_SignFinal(s, out, &n),
	      CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_Verify without C_VerifyInit",
	      p11_3->C_Verify(s, data, sizeof data, sig, sizeof sig), CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_VerifyUpdate without C_VerifyInit",
	      p11_3->C_VerifyUpdate(s, data, sizeof data), CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_VerifyFinal without C_VerifyInit",
	      p11_3->C_VerifyFinal(s, sig, sizeof sig), CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_Encrypt without C_EncryptInit",
	      p11_3->C_Encrypt(s, data, sizeof data, out, &n), CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_EncryptUpdate without C_EncryptInit",
	      p11_3->C_EncryptUpdate(s, data, sizeof data, out, &n), CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_EncryptFinal without C_EncryptInit", p11_3->C_EncryptFinal(s, out, &n),
	      CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_Decrypt without C_DecryptInit",
	      p11_3->C_Decrypt(s, sig, sizeof sig, out, &n), CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_DecryptUpdate without C_DecryptInit",
	      p11_3->C_DecryptUpdate(s, sig, sizeof sig, out, &n), CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_DecryptFinal without C_DecryptInit", p11_3->C_DecryptFinal(s, out, &n),
	      CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_Digest without C_DigestInit",
	      p11_3->C_Digest(s, data, sizeof data, out, &n), CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_DigestUpdate without C_DigestInit",
	      p11_3->C_DigestUpdate(s, data, sizeof data), CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_DigestKey without C_DigestInit", p11_3->C_DigestKey(s, pub_key),
	      CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof out;
	check(row, "C_DigestFinal without C_DigestInit", p11_3->C_DigestFinal(s, out, &n),
	      CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_FindObjects without C_FindObjectsInit", p11_3->C_FindObjects(s, h, 2, &n),
	      CKR_OPERATION_NOT_INITIALIZED);
	check(row, "C_FindObjectsFinal without C_FindObjectsInit", p11_3->C_FindObjectsFinal(s),
	      CKR_OPERATION_NOT_INITIALIZED);

	/* Operations started twice. */
	check(row, "C_SignInit", p11_3->C_SignInit(s, &m_sign, priv_key), CKR_OK);
	check(row, "C_SignInit twice", p11_3->C_SignInit(s, &m_sign, priv_key),
	      CKR_OPERATION_ACTIVE);
	check(row, "C_VerifyInit", p11_3->C_VerifyInit(s, &m_sign, pub_key), CKR_OK);
	check(row, "C_VerifyInit twice", p11_3->C_VerifyInit(s, &m_sign, pub_key),
	      CKR_OPERATION_ACTIVE);
	check(row, "C_EncryptInit", p11_3->C_EncryptInit(s, &m_crypt, pub_key), CKR_OK);
	check(row, "C_EncryptInit twice", p11_3->C_EncryptInit(s, &m_crypt, pub_key),
	      CKR_OPERATION_ACTIVE);
	check(row, "C_DecryptInit", p11_3->C_DecryptInit(s, &m_crypt, priv_key), CKR_OK);
	check(row, "C_DecryptInit twice", p11_3->C_DecryptInit(s, &m_crypt, priv_key),
	      CKR_OPERATION_ACTIVE);
	check(row, "C_DigestInit", p11_3->C_DigestInit(s, &m_digest), CKR_OK);
	check(row, "C_DigestInit twice", p11_3->C_DigestInit(s, &m_digest), CKR_OPERATION_ACTIVE);
	check(row, "C_FindObjectsInit", p11_3->C_FindObjectsInit(s, NULL, 0), CKR_OK);
	check(row, "C_FindObjectsInit twice", p11_3->C_FindObjectsInit(s, NULL, 0),
	      CKR_OPERATION_ACTIVE);
	check(row, "C_FindObjectsFinal", p11_3->C_FindObjectsFinal(s), CKR_OK);
	/* 5.10 (3.0): C_SignUpdate after a single-part C_Sign has begun, etc.,
	 * are not tested; C_SessionCancel ends what is active. */
	check(row, "C_SessionCancel",
	      p11_3->C_SessionCancel(s, CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_DECRYPT |
					 CKF_DIGEST), CKR_OK);
	n = sizeof out;
	check(row, "C_Sign after C_SessionCancel", p11_3->C_Sign(s, data, sizeof data, out, &n),
	      CKR_OPERATION_NOT_INITIALIZED);

	/* A failed single-part call ends the operation (5.11 C_Sign: "always
	 * terminates the active signing operation unless it returns
	 * CKR_BUFFER_TOO_SMALL or is a successful call ... to determine the
	 * length"). */
	check(row, "C_SignInit", p11_3->C_SignInit(s, &m_sign, priv_key), CKR_OK);
	check(row, "C_Sign with a NULL length pointer", p11_3->C_Sign(s, data, sizeof data, out, NULL),
	      CKR_ARGUMENTS_BAD);
	n = sizeof out;
	check(row, "C_Sign after a failed C_Sign", p11_3->C_Sign(s, data, sizeof data, out, &n),
	      CKR_OPERATION_NOT_INITIALIZED);
	/* 5.13: a verification that fails ends the operation too. */
	check(row, "C_VerifyInit", p11_3->C_VerifyInit(s, &m_sign, pub_key), CKR_OK);
	check(row, "C_Verify with a wrong signature",
	      p11_3->C_Verify(s, data, sizeof data, sig, sizeof sig), CKR_SIGNATURE_INVALID);
	check(row, "C_Verify after C_Verify",
	      p11_3->C_Verify(s, data, sizeof data, sig, sizeof sig), CKR_OPERATION_NOT_INITIALIZED);

	/* After a logout the private key is out of reach again. */
	check(row, "C_Logout", p11_3->C_Logout(s), CKR_OK);
	check(row, "C_Logout twice", p11_3->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	check2(row, "C_SignInit with the private key after C_Logout",
	       p11_3->C_SignInit(s, &m_sign, priv_key), CKR_KEY_HANDLE_INVALID,
	       CKR_USER_NOT_LOGGED_IN);

	/* 5.4: C_Initialize twice. */
	check(row, "C_Initialize twice", p11_3->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	/* 5.4: C_Finalize's argument is reserved and must be NULL. */
	check(row, "C_Finalize with a non-NULL argument", p11_3->C_Finalize(&n), CKR_ARGUMENTS_BAD);
	/* 5.6: a session must be serial. */
	check(row, "C_OpenSession without CKF_SERIAL_SESSION",
	      p11_3->C_OpenSession(real_slot, 0, NULL, NULL, &s2), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	p11_3->C_CloseSession(s);
	/* The closed session's handle is gone. */
	check(row, "C_CloseSession twice", p11_3->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
}

/* ---- short buffers (5.2 "Conventions for functions returning output in a
 * variable-length buffer") ---- */

/* NULL buffer: CKR_OK with the length; too small: CKR_BUFFER_TOO_SMALL with
 * the length; both leave the operation active, so the call then succeeds. */
typedef CK_RV (*out_fn)(CK_SESSION_HANDLE s, CK_BYTE_PTR buf, CK_ULONG_PTR len);

static CK_RV sign_1(CK_SESSION_HANDLE s, CK_BYTE_PTR b, CK_ULONG_PTR l)
{
	return p11_3->C_Sign(s, data, sizeof data, b, l);
}
static CK_RV sign_final(CK_SESSION_HANDLE s, CK_BYTE_PTR b, CK_ULONG_PTR l)
{
	return p11_3->C_SignFinal(s, b, l);
}
static CK_RV encrypt_1(CK_SESSION_HANDLE s, CK_BYTE_PTR b, CK_ULONG_PTR l)
{
	return p11_3->C_Encrypt(s, data, sizeof data, b, l);
}
static CK_RV digest_1(CK_SESSION_HANDLE s, CK_BYTE_PTR b, CK_ULONG_PTR l)
{
	return p11_3->C_Digest(s, data, sizeof data, b, l);
}
static CK_RV digest_final(CK_SESSION_HANDLE s, CK_BYTE_PTR b, CK_ULONG_PTR l)
{
	return p11_3->C_DigestFinal(s, b, l);
}

static unsigned char ciphertext[512];
static CK_ULONG ciphertext_len;

static CK_RV decrypt_1(CK_SESSION_HANDLE s, CK_BYTE_PTR b, CK_ULONG_PTR l)
{
	return p11_3->C_Decrypt(s, ciphertext, ciphertext_len, b, l);
}

static void short_buffer(CK_SESSION_HANDLE s, const char *what, out_fn call, CK_ULONG expect_len)
{
	const char *row = "short buffer";
	CK_ULONG n = 0, needed;
	char label[160];
	CK_RV rv;

	snprintf(label, sizeof label, "%s with a NULL buffer", what);
	check(row, label, call(s, NULL, &n), CKR_OK);
	needed = n;
	snprintf(label, sizeof label, "%s: the length from a NULL buffer is %lu", what,
		 (unsigned long)expect_len);
	check_true(row, label, expect_len ? needed == expect_len : needed > 0);
	n = 1;
	snprintf(label, sizeof label, "%s with a 1-byte buffer", what);
	check(row, label, call(s, out, &n), CKR_BUFFER_TOO_SMALL);
	/* Decryption may overestimate before it has run (5.2). */
	snprintf(label, sizeof label, "%s: CKR_BUFFER_TOO_SMALL sets the needed length", what);
	check_true(row, label, n > 1 && n <= needed);
	n = sizeof out;
	rv = call(s, out, &n);
	snprintf(label, sizeof label, "%s afterwards (the operation stayed active)", what);
	check(row, label, rv, CKR_OK);
	if (expect_len) {
		snprintf(label, sizeof label, "%s: the output has the announced length", what);
		check_true(row, label, n == expect_len);
	}
	snprintf(label, sizeof label, "%s once more (the operation has ended)", what);
	n = sizeof out;
	check(row, label, call(s, out, &n), CKR_OPERATION_NOT_INITIALIZED);
}

static void rows_short_buffers(void)
{
	const char *row = "short buffer";
	CK_SESSION_HANDLE s = open_rw();
	CK_ULONG n, count;
	CK_SLOT_ID slots[64];
	CK_MECHANISM_TYPE mechs[128];
	CK_ATTRIBUTE a[2];
	CK_RV rv;

	login(s);
	check(row, "C_SignInit", p11_3->C_SignInit(s, &m_sign, priv_key), CKR_OK);
	short_buffer(s, "C_Sign", sign_1, 256);
	check(row, "C_SignInit", p11_3->C_SignInit(s, &m_sign, priv_key), CKR_OK);
	check(row, "C_SignUpdate", p11_3->C_SignUpdate(s, data, sizeof data), CKR_OK);
	short_buffer(s, "C_SignFinal", sign_final, 256);
	check(row, "C_EncryptInit", p11_3->C_EncryptInit(s, &m_crypt, pub_key), CKR_OK);
	short_buffer(s, "C_Encrypt", encrypt_1, 256);
	/* a real ciphertext to decrypt */
	check(row, "C_EncryptInit", p11_3->C_EncryptInit(s, &m_crypt, pub_key), CKR_OK);
	ciphertext_len = sizeof ciphertext;
	check(row, "C_Encrypt", p11_3->C_Encrypt(s, data, sizeof data, ciphertext, &ciphertext_len),
	      CKR_OK);
	check(row, "C_DecryptInit", p11_3->C_DecryptInit(s, &m_crypt, priv_key), CKR_OK);
	short_buffer(s, "C_Decrypt", decrypt_1, 0);
	check(row, "C_DigestInit", p11_3->C_DigestInit(s, &m_digest), CKR_OK);
	short_buffer(s, "C_Digest", digest_1, 32);
	check(row, "C_DigestInit", p11_3->C_DigestInit(s, &m_digest), CKR_OK);
	check(row, "C_DigestUpdate", p11_3->C_DigestUpdate(s, data, sizeof data), CKR_OK);
	short_buffer(s, "C_DigestFinal", digest_final, 32);

	/* Lists: too short a list is CKR_BUFFER_TOO_SMALL with the count set. */
	check(row, "C_GetSlotList count", p11_3->C_GetSlotList(CK_FALSE, NULL, &count), CKR_OK);
	n = count - 1;
	check(row, "C_GetSlotList with a short list", p11_3->C_GetSlotList(CK_FALSE, slots, &n),
	      count > 0 ? CKR_BUFFER_TOO_SMALL : CKR_OK);
	check_true(row, "C_GetSlotList sets the needed count", n == count);
	check(row, "C_GetMechanismList count",
	      p11_3->C_GetMechanismList(real_slot, NULL, &count), CKR_OK);
	n = 1;
	check(row, "C_GetMechanismList with a short list",
	      p11_3->C_GetMechanismList(real_slot, mechs, &n), CKR_BUFFER_TOO_SMALL);
	check_true(row, "C_GetMechanismList sets the needed count", n == count);
	check(row, "C_GetInterfaceList count", p11_3->C_GetInterfaceList(NULL, &count), CKR_OK);
	{
		CK_INTERFACE ifs[8];
		n = 0;
		check(row, "C_GetInterfaceList with a short list",
		      p11_3->C_GetInterfaceList(ifs, &n), CKR_BUFFER_TOO_SMALL);
		check_true(row, "C_GetInterfaceList sets the needed count", n == count);
	}

	/* 5.7 C_GetAttributeValue: a too-small value gets
	 * CK_UNAVAILABLE_INFORMATION, the others are still filled in, and the
	 * call returns CKR_BUFFER_TOO_SMALL. */
	{
		CK_OBJECT_CLASS cls = 0;
		a[0] = (CK_ATTRIBUTE){ CKA_VALUE, out, 1 };
		a[1] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof cls };
		rv = p11_3->C_GetAttributeValue(s, cert_obj, a, 2);
		check(row, "C_GetAttributeValue with a 1-byte CKA_VALUE", rv, CKR_BUFFER_TOO_SMALL);
		check_true(row, "the short attribute's length is CK_UNAVAILABLE_INFORMATION",
			   a[0].ulValueLen == CK_UNAVAILABLE_INFORMATION);
		check_true(row, "the other attribute is still returned",
			   cls == CKO_CERTIFICATE && a[1].ulValueLen == sizeof cls);
	}
	p11_3->C_CloseSession(s);
}

/* The whole table as one checked test (the harness asserts with Check). */
START_TEST(misuse_table)
{
	setvbuf(stdout, NULL, _IOLBF, 0);   /* Check ends the test process with _exit */
	h_env_default();
	m_sign = mech_for(CKM_SHA256_RSA_PKCS);
	m_crypt = mech_for(CKM_RSA_PKCS);
	m_digest = mech_for(CKM_SHA256);
	memset(sig, 0x5a, sizeof sig);

	rows_not_initialized("before C_Initialize");
	init();
	ck_assert_msg(h_try_slot(FX_AUTH, &real_slot) == 0, "no slot shows the test container");
	find_objects();
	rows_null_pointers();
	rows_bad_session();
	rows_bad_object();
	rows_bad_slot();
	rows_state();
	rows_short_buffers();
	check("after C_Finalize", "C_Finalize", p11_3->C_Finalize(NULL), CKR_OK);
	rows_not_initialized("after C_Finalize");

	printf("%u rows checked, %u failed (%zu functions)\n", rows, failures, N_FNS);
	ck_assert_msg(failures == 0, "%u of %u rows failed", failures, rows);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("misuse");
	TCase *tc = tcase_create("table");
	SRunner *sr;
	int rc = h_load_module(), failed;

	if (rc == 0)
		rc = h_make_fixtures();
	if (rc != 0) {
		h_cleanup();
		return rc;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, misuse_table);
	suite_add_tcase(suite, tc);
	sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed ? 1 : 0;
}
