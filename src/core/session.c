#include "core/session.h"
#include "core/lock.h"
#include "core/module.h"
#include "core/slot.h"

#include <stdlib.h>

CK_RV kz_session_open(struct kz_slot *slot, CK_FLAGS flags, CK_SESSION_HANDLE *out)
{
	struct kz_session *s = calloc(1, sizeof *s);

	if (!s)
		return CKR_HOST_MEMORY;
	s->lock = kz_lock_new();
	s->handle = s->lock ? kz_handles_add(&kz_module.sessions, s) : 0;
	if (!s->handle) {
		kz_lock_free(s->lock);
		free(s);
		return CKR_HOST_MEMORY;
	}
	s->slot = slot;
	s->flags = flags;
	slot->n_sessions++;
	if (flags & CKF_RW_SESSION)
		slot->n_rw_sessions++;
	*out = s->handle;
	return CKR_OK;
}

struct kz_session *kz_session_find(CK_SESSION_HANDLE handle)
{
	return kz_handles_get(&kz_module.sessions, handle);
}

static void free_session(struct kz_session *s)
{
	for (int k = 0; k < KZ_OP_COUNT; k++)
		kz_op_free(s->ops[k]);
	free(s->found);
	kz_lock_free(s->lock);
	free(s);
}

static void detach(struct kz_session *s)
{
	struct kz_slot *slot = s->slot;

	kz_handles_remove(&kz_module.sessions, s->handle);
	kz_slot_withdraw_owned(slot, s->handle);
	slot->n_sessions--;
	if (s->flags & CKF_RW_SESSION)
		slot->n_rw_sessions--;
	/* Closing the last session of a slot logs the application out. */
	if (slot->n_sessions == 0 && slot->logged_in) {
		kz_slot_withdraw_private(slot);
		slot->logged_in = 0;
		if (slot->backend->logout)
			slot->backend->logout(slot);
	}
	s->closed = 1;
	if (s->refs == 0)
		free_session(s);
	/* else the last kz_session_release frees it */
}

CK_RV kz_session_close(CK_SESSION_HANDLE handle)
{
	struct kz_session *s = kz_session_find(handle);

	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	detach(s);
	return CKR_OK;
}

void kz_session_close_slot(struct kz_slot *slot)
{
	size_t i = 0;

	while (i < kz_module.sessions.n) {
		struct kz_session *s = kz_module.sessions.v[i].ptr;
		if (s->slot == slot)
			detach(s);   /* removes entry i */
		else
			i++;
	}
}

CK_STATE kz_session_state(const struct kz_session *s)
{
	int rw = (s->flags & CKF_RW_SESSION) != 0;

	if (s->slot->logged_in)
		return rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	return rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}

CK_RV kz_session_acquire(CK_SESSION_HANDLE handle, struct kz_session **out)
{
	struct kz_session *s;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		return rv;
	s = kz_session_find(handle);
	if (!s) {
		kz_leave();
		return CKR_SESSION_HANDLE_INVALID;
	}
	s->refs++;
	kz_leave();
	kz_lock_acquire(s->lock);
	*out = s;
	return CKR_OK;
}

void kz_session_release(struct kz_session *s)
{
	int gone;

	kz_lock_release(s->lock);
	/* The module lock may be gone only if the application broke the rules
	 * and finalized during a call; refs are otherwise always under it. */
	if (kz_enter() != CKR_OK) {
		return;
	}
	gone = --s->refs == 0 && s->closed;
	kz_leave();
	if (gone)
		free_session(s);
}

void kz_session_end_op(struct kz_session *s, enum kz_op_kind kind)
{
	kz_op_free(s->ops[kind]);
	s->ops[kind] = NULL;
}

void kz_session_end_slot_ops(struct kz_slot *slot)
{
	(void)slot;
	/* Operations keep a reference to their key, so a logout does not pull
	 * the key from under a running operation; PKCS#11 leaves finishing
	 * them to the application. */
}
