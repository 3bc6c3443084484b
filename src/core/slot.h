/* Slots: one per container (or, later, per forwarded vendor slot). */
#ifndef KZP11_SLOT_H
#define KZP11_SLOT_H

#include "pkcs11.h"
#include "backend.h"

#include <stddef.h>

struct kz_object;

struct kz_slot {
	CK_SLOT_ID id;
	const struct kz_backend *backend;
	void *data;                    /* the backend's own state */
	int logged_in;                 /* CKU_USER, shared by all sessions */
	CK_ULONG n_sessions, n_rw_sessions;
	struct kz_object **objects;    /* published token objects */
	size_t n_objects;
	/* Slots that come and go (PC/SC): `gone` while the device is absent;
	 * `listed` is what C_GetSlotList reports, refreshed from `gone` only when
	 * the application asks for the count (pSlotList NULL), as PKCS#11 allows. */
	int gone;
	int listed;
};

/* Adds a slot to the module: during C_Initialize, or later (PC/SC) with the
 * module lock held.  Slots are never removed before C_Finalize. */
struct kz_slot *kz_slot_add(const struct kz_backend *backend, void *data);
struct kz_slot *kz_slot_get(CK_SLOT_ID id);
/* CKF_TOKEN_PRESENT from the backend's slot info. */
int kz_slot_token_present(struct kz_slot *slot);

/* Gives the object a handle and makes it visible; takes ownership. */
CK_RV kz_slot_publish(struct kz_slot *slot, struct kz_object *obj);
/* Withdraws and frees every private object (logout). */
void kz_slot_withdraw_private(struct kz_slot *slot);
/* Withdraws and frees the session objects of one session. */
void kz_slot_withdraw_owned(struct kz_slot *slot, CK_SESSION_HANDLE owner);
/* Withdraws and frees one object. */
void kz_slot_withdraw(struct kz_slot *slot, struct kz_object *obj);
/* The object behind a handle, if it belongs to this slot and may be seen. */
struct kz_object *kz_slot_object(struct kz_slot *slot, CK_OBJECT_HANDLE handle);
void kz_slot_free(struct kz_slot *slot);

#endif
