/* Slots, tokens and mechanisms. */
#include "api/api.h"
#include "core/events.h"
#include "core/module.h"
#include "core/session.h"
#include "core/slot.h"
#include "pcsc/monitor.h"

#include <string.h>

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_RV rv;
	CK_ULONG n = 0, k = 0;

	/* Before counting: without a monitor thread, a look at the readers;
	 * with it, its first look (bounded, only right after C_Initialize). */
	if (!pSlotList && kz_module_ready()) {
		kz_pcsc_poll(kz_module.pcsc);
		kz_pcsc_wait_synced(kz_module.pcsc, KZ_PCSC_FIRST_LOOK_MS);
	}
	if ((rv = kz_enter()) != CKR_OK)
		KZ_RETURN(rv);
	for (size_t i = 0; i < kz_module.n_slots; i++) {
		struct kz_slot *slot = kz_module.slots[i];
		if (!pSlotList)
			slot->listed = !slot->gone;
		if (slot->listed && (!tokenPresent || kz_slot_token_present(slot)))
			n++;
	}
	if (!pulCount)
		rv = CKR_ARGUMENTS_BAD;
	else if (pSlotList && *pulCount < n)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (pSlotList)
		for (size_t i = 0; i < kz_module.n_slots; i++) {
			struct kz_slot *slot = kz_module.slots[i];
			if (slot->listed && (!tokenPresent || kz_slot_token_present(slot)))
				pSlotList[k++] = slot->id;
		}
	if (pulCount && rv != CKR_ARGUMENTS_BAD)
		*pulCount = n;
	kz_leave();
	KZ_RETURN(rv);
}

/*
 * Takes the module lock and finds the slot, checking the output pointer.
 * On success the caller holds the lock; on failure it does not.
 */
static CK_RV enter_slot(CK_SLOT_ID id, const void *out, struct kz_slot **slot)
{
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		return rv;
	*slot = kz_slot_get(id);
	rv = !*slot ? CKR_SLOT_ID_INVALID : !out ? CKR_ARGUMENTS_BAD : CKR_OK;
	if (rv == CKR_OK && !kz_slot_token_present(*slot))
		rv = CKR_TOKEN_NOT_PRESENT;
	if (rv != CKR_OK)
		kz_leave();
	return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct kz_slot *slot;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	slot = kz_slot_get(slotID);
	if (!slot || !pInfo) {
		kz_leave();
		KZ_RETURN(!slot ? CKR_SLOT_ID_INVALID : CKR_ARGUMENTS_BAD);
	}
	memset(pInfo, 0, sizeof *pInfo);
	slot->backend->slot_info(slot, pInfo);
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct kz_slot *slot;
	CK_RV rv = enter_slot(slotID, pInfo, &slot);

	if (rv == CKR_OK) {
		memset(pInfo, 0, sizeof *pInfo);
		memset(pInfo->utcTime, ' ', sizeof pInfo->utcTime);
		pInfo->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
		pInfo->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
		pInfo->ulSessionCount = slot->n_sessions;
		pInfo->ulRwSessionCount = slot->n_rw_sessions;
		pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
		pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
		pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
		pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
		slot->backend->token_info(slot, pInfo);
		kz_leave();
	}
	KZ_RETURN(rv);
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
			 CK_ULONG_PTR pulCount)
{
	struct kz_slot *slot;
	CK_ULONG n = kz_mech_list(NULL, 0);
	CK_RV rv = enter_slot(slotID, pulCount, &slot);

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (pMechanismList && *pulCount < n)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (pMechanismList)
		kz_mech_list(pMechanismList, n);
	*pulCount = n;
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	const struct kz_mech *mech = kz_mech_find(type);
	struct kz_slot *slot;
	CK_RV rv = enter_slot(slotID, pInfo, &slot);

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (mech)
		*pInfo = mech->info;
	else
		rv = CKR_MECHANISM_INVALID;
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
		  CK_UTF8CHAR_PTR pLabel)
{
	(void)slotID; (void)pPin; (void)ulPinLen; (void)pLabel;
	KZ_RETURN(kz_api_not_supported());
}

CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	(void)hSession; (void)pPin; (void)ulPinLen;
	KZ_RETURN(kz_api_not_supported());
}

/*
 * Changes the password of the session's token; for a container, re-encrypts
 * the file.  Works logged in or not, and leaves the login state as it was.
 * The module lock is held throughout (a change takes milliseconds).
 */
CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
	       CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct kz_session *s;
	struct kz_slot *slot;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	s = kz_session_find(hSession);
	if (!s)
		rv = CKR_SESSION_HANDLE_INVALID;
	else if (!(s->flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else if (!pOldPin || !pNewPin)
		rv = CKR_ARGUMENTS_BAD;   /* no protected authentication path */
	else if (!(slot = s->slot)->backend->set_pin)
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	else
		rv = slot->backend->set_pin(slot, pOldPin, ulOldLen, pNewPin, ulNewLen);
	kz_leave();
	KZ_RETURN(rv);
}

/*
 * Events come from the PC/SC monitor (a hint slot shown or hidden) and the
 * forwarded-module poller hook (core/events.h).  The wait holds no module
 * lock; C_Finalize from another thread ends it with
 * CKR_CRYPTOKI_NOT_INITIALIZED, as Firefox expects when it shuts down.
 */
CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	struct kz_events *ev;
	struct kz_pcsc *pcsc;
	int poll_here;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (!pSlot || pReserved) {
		kz_leave();
		KZ_RETURN(CKR_ARGUMENTS_BAD);
	}
	ev = kz_module.events;
	pcsc = kz_module.pcsc;
	/* Registered under the module lock: C_Finalize waits for us to leave. */
	rv = kz_events_enter(ev);
	kz_leave();
	if (rv != CKR_OK)
		KZ_RETURN(rv);
	/* Without the monitor thread nobody else looks at PC/SC or runs the
	 * forwarded-module poller: this call does, non-blocking. */
	poll_here = !kz_pcsc_threaded(pcsc);
	if (flags & CKF_DONT_BLOCK) {
		kz_pcsc_poll(pcsc);   /* does nothing while the thread runs */
		kz_events_poll_hook(ev);
		rv = kz_events_take(ev, 0, 0, pSlot);
	} else if (!poll_here || (!pcsc && !kz_events_have_poller())) {
		rv = kz_events_take(ev, 1, -1, pSlot);
	} else {
		do {
			kz_pcsc_poll(pcsc);
			kz_events_poll_hook(ev);
			rv = kz_events_take(ev, 1, KZ_EVENTS_POLL_MS, pSlot);
		} while (rv == CKR_NO_EVENT);
	}
	kz_events_leave(ev);
	KZ_RETURN(rv);
}
