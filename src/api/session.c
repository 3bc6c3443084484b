/* Sessions and login. */
#include "api/api.h"
#include "core/module.h"
#include "core/session.h"
#include "core/slot.h"
#include "util/pinentry.h"
#include "util/secmem.h"

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
		    CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	struct kz_slot *slot;
	CK_RV rv = kz_enter();

	(void)pApplication; (void)Notify;   /* no callbacks are ever made */
	if (rv != CKR_OK)
		KZ_RETURN(rv);
	slot = kz_slot_get(slotID);
	if (!slot)
		rv = CKR_SLOT_ID_INVALID;
	else if (!phSession)
		rv = CKR_ARGUMENTS_BAD;
	else if (!(flags & CKF_SERIAL_SESSION))
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	else if (!kz_slot_token_present(slot))
		rv = CKR_TOKEN_NOT_PRESENT;
	else
		rv = kz_session_open(slot, flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION), phSession);
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	rv = kz_session_close(hSession);
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct kz_slot *slot;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	slot = kz_slot_get(slotID);
	if (!slot)
		rv = CKR_SLOT_ID_INVALID;
	else
		kz_session_close_slot(slot);
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct kz_session *s;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		return rv;   /* polled often by NSS: not logged */
	s = kz_session_find(hSession);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
	} else if (!pInfo) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		pInfo->slotID = s->slot->id;
		pInfo->state = kz_session_state(s);
		pInfo->flags = s->flags;
		pInfo->ulDeviceError = 0;
	}
	kz_leave();
	return rv;
}

/* C_Login with a NULL PIN on a token with a protected authentication path:
 * the pinentry program asks.  Entered with the module lock held; the lock
 * is let go while the user types, so other threads go on, and *locked
 * says whether it is held again on return. */
static CK_RV login_with_pinentry(CK_SESSION_HANDLE h, struct kz_slot *slot, int *locked)
{
	struct kz_pinentry req = { 0 };
	enum kz_pinentry_status st;
	struct kz_session *s;
	CK_SLOT_ID slot_id = slot->id;
	char *pin = NULL;
	size_t len = 0;
	CK_RV rv;

	if (!slot->backend->pin_prompt || slot->backend->pin_prompt(slot, &req) < 0)
		return CKR_PIN_INCORRECT;   /* no protected authentication path */
	kz_leave();
	st = kz_pinentry_ask(&req, &pin, &len);
	kz_pinentry_clear(&req);
	if (kz_enter() != CKR_OK) {
		*locked = 0;
		kz_secmem_free(pin);
		return CKR_CRYPTOKI_NOT_INITIALIZED;   /* finalised meanwhile */
	}
	/* The world may have changed while the lock was free. */
	s = kz_session_find(h);
	slot = s ? s->slot : NULL;
	if (st != KZ_PINENTRY_OK)
		rv = st == KZ_PINENTRY_CANCELED ? CKR_FUNCTION_CANCELED : CKR_FUNCTION_FAILED;
	else if (!slot || slot->id != slot_id)
		rv = CKR_SESSION_CLOSED;
	else if (slot->logged_in)
		rv = CKR_USER_ALREADY_LOGGED_IN;
	else if ((rv = slot->backend->login(slot, (const CK_UTF8CHAR *)pin, (CK_ULONG)len)) ==
		 CKR_OK)
		slot->logged_in = 1;
	else
		kz_slot_withdraw_private(slot);
	kz_secmem_free(pin);   /* wipes */
	return rv;
}

static CK_RV login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
		   CK_ULONG ulPinLen)
{
	struct kz_session *s;
	struct kz_slot *slot;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		return rv;
	s = kz_session_find(hSession);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	slot = s->slot;
	if (userType == CKU_CONTEXT_SPECIFIC) {
		/* No key here needs CKA_ALWAYS_AUTHENTICATE. */
		rv = slot->logged_in ? CKR_OPERATION_NOT_INITIALIZED : CKR_USER_NOT_LOGGED_IN;
	} else if (userType == CKU_SO) {
		rv = CKR_USER_TYPE_INVALID;   /* containers have only the owner's password */
	} else if (userType != CKU_USER) {
		rv = CKR_USER_TYPE_INVALID;
	} else if (slot->logged_in) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
	} else if (!pPin && ulPinLen) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (!pPin) {
		int locked = 1;
		rv = login_with_pinentry(hSession, slot, &locked);
		if (!locked)
			return rv;
	} else {
		rv = slot->backend->login(slot, pPin, ulPinLen);
		if (rv == CKR_OK)
			slot->logged_in = 1;
		else
			kz_slot_withdraw_private(slot);
	}
out:
	kz_leave();
	return rv;
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
	      CK_ULONG ulPinLen)
{
	KZ_RETURN(login(hSession, userType, pPin, ulPinLen));
}

CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
		  CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen)
{
	(void)pUsername; (void)ulUsernameLen;   /* containers have one user */
	KZ_RETURN(login(hSession, userType, pPin, ulPinLen));
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	struct kz_session *s;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	s = kz_session_find(hSession);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
	} else if (!s->slot->logged_in) {
		rv = CKR_USER_NOT_LOGGED_IN;
	} else {
		kz_slot_withdraw_private(s->slot);
		s->slot->logged_in = 0;
		if (s->slot->backend->logout)
			s->slot->backend->logout(s->slot);
	}
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
			  CK_ULONG_PTR pulOperationStateLen)
{
	(void)hSession; (void)pOperationState; (void)pulOperationStateLen;
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
			  CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
			  CK_OBJECT_HANDLE hAuthenticationKey)
{
	(void)hSession; (void)pOperationState; (void)ulOperationStateLen;
	(void)hEncryptionKey; (void)hAuthenticationKey;
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
	struct kz_session *s;
	static const struct { CK_FLAGS flag; enum kz_op_kind kind; } map[] = {
		{ CKF_SIGN, KZ_OP_SIGN }, { CKF_VERIFY, KZ_OP_VERIFY },
		{ CKF_ENCRYPT, KZ_OP_ENCRYPT }, { CKF_DECRYPT, KZ_OP_DECRYPT },
		{ CKF_DIGEST, KZ_OP_DIGEST },
	};
	CK_RV rv = kz_session_acquire(hSession, &s);

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (flags & map[i].flag)
			kz_session_end_op(s, map[i].kind);
	kz_session_release(s);
	KZ_RETURN(CKR_OK);
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	(void)hSession;
	KZ_RETURN(kz_module_ready() ? CKR_FUNCTION_NOT_PARALLEL : CKR_CRYPTOKI_NOT_INITIALIZED);
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	(void)hSession;
	KZ_RETURN(kz_module_ready() ? CKR_FUNCTION_NOT_PARALLEL : CKR_CRYPTOKI_NOT_INITIALIZED);
}
