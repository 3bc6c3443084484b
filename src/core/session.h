/*
 * Sessions.  The module lock guards the session table, flags and search
 * state; each session's own lock guards its operations, so one thread can
 * sign while others use other sessions.  Lock order: module, then session.
 */
#ifndef KZP11_SESSION_H
#define KZP11_SESSION_H

#include "pkcs11.h"
#include "crypto/mech.h"

struct kz_slot;
struct kz_lock;

struct kz_session {
	CK_SESSION_HANDLE handle;
	struct kz_slot *slot;
	CK_FLAGS flags;                /* CKF_SERIAL_SESSION, CKF_RW_SESSION */
	struct kz_lock *lock;          /* held while an operation runs */
	int refs;                      /* callers between acquire and release */
	int closed;
	struct kz_op *ops[KZ_OP_COUNT];
	int finding;
	CK_OBJECT_HANDLE *found;
	CK_ULONG n_found, next_found;
};

/* Module lock held for all of these. */
CK_RV kz_session_open(struct kz_slot *slot, CK_FLAGS flags, CK_SESSION_HANDLE *out);
struct kz_session *kz_session_find(CK_SESSION_HANDLE handle);
CK_RV kz_session_close(CK_SESSION_HANDLE handle);
void kz_session_close_slot(struct kz_slot *slot);
CK_STATE kz_session_state(const struct kz_session *s);
/* Ends every operation of every session on the slot (logout). */
void kz_session_end_slot_ops(struct kz_slot *slot);

/*
 * For operations: finds the session under the module lock, then holds only
 * the session's lock.  kz_session_release undoes it.
 */
CK_RV kz_session_acquire(CK_SESSION_HANDLE handle, struct kz_session **out);
void kz_session_release(struct kz_session *s);
void kz_session_end_op(struct kz_session *s, enum kz_op_kind kind);

#endif
