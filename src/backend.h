/*
 * The one interface every kind of slot implements.  Container slots
 * (src/soft/) are the first; forwarded vendor slots plug in the same way.
 * The core owns sessions, handles and the object table; a backend
 * describes its token, checks a PIN and publishes objects through
 * kz_slot_publish().
 */
#ifndef KZP11_BACKEND_H
#define KZP11_BACKEND_H

#include "pkcs11.h"

struct kz_slot;
struct kz_pinentry;

struct kz_backend {
	const char *name;
	void (*slot_info)(struct kz_slot *slot, CK_SLOT_INFO *info);
	/* Fills label, manufacturer, model, serial and flags; the core fills counts. */
	void (*token_info)(struct kz_slot *slot, CK_TOKEN_INFO *info);
	/* Checks the PIN and publishes the private objects. */
	CK_RV (*login)(struct kz_slot *slot, const CK_UTF8CHAR *pin, CK_ULONG pin_len);
	/* Changes the user's PIN (C_SetPIN, session R/W); NULL: not supported.
	 * The login state stays as it is. */
	CK_RV (*set_pin)(struct kz_slot *slot, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
			 const CK_UTF8CHAR *new_pin, CK_ULONG new_len);
	/* Forgets secrets; the core has already withdrawn private objects. */
	void (*logout)(struct kz_slot *slot);
	/* Frees the backend's data at C_Finalize. */
	void (*release)(struct kz_slot *slot);
	/* Optional: for a protected authentication path (C_Login with a NULL
	 * PIN), fills the pinentry request and returns 0; -1 when there is none. */
	int (*pin_prompt)(struct kz_slot *slot, struct kz_pinentry *req);
};

#endif
