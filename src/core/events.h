/*
 * Slot events for C_WaitForSlotEvent: a set of slot IDs that had an event
 * since the application last asked.  Any thread may post (the PC/SC monitor,
 * the forwarded-module poller); the application's threads take them out,
 * without or with waiting.  Waiting never holds the module lock, and closing
 * the set (C_Finalize) wakes every waiter and waits until all have left.
 */
#ifndef KZP11_EVENTS_H
#define KZP11_EVENTS_H

#include "pkcs11.h"

#include <stddef.h>

struct kz_events;

struct kz_events *kz_events_new(void);
/* Wakes waiters with CKR_CRYPTOKI_NOT_INITIALIZED and returns once none is
 * left inside; later waits fail at once. */
void kz_events_close(struct kz_events *ev);
/* Frees a closed set.  `stale`: a copy inherited through fork, whose mutex
 * may be held by a thread that does not exist here; it is not touched. */
void kz_events_free(struct kz_events *ev, int stale);

/* Records an event on a slot; a slot already pending is not added twice.
 * Safe from any thread, never blocks for long. */
void kz_events_post(struct kz_events *ev, CK_SLOT_ID slot);
/* Number of slots pending (for tests and logs). */
size_t kz_events_pending(struct kz_events *ev);

/*
 * Registers a waiter; the caller holds the module lock, so a C_Finalize
 * cannot be between clearing `initialized` and closing the set.  Returns
 * CKR_CRYPTOKI_NOT_INITIALIZED once the set is closed.
 */
CK_RV kz_events_enter(struct kz_events *ev);
/*
 * Takes the oldest pending slot.  With `block` 0 returns CKR_NO_EVENT when
 * none is pending; else waits (up to `timeout_ms` when it is not negative,
 * then CKR_NO_EVENT) until one is posted or the set is closed
 * (CKR_CRYPTOKI_NOT_INITIALIZED).
 */
CK_RV kz_events_take(struct kz_events *ev, int block, long timeout_ms, CK_SLOT_ID *slot);
/* Unregisters a waiter that entered; C_Finalize may then free the set. */
void kz_events_leave(struct kz_events *ev);

/*
 * HOOK for forwarded vendor slots.  The forwarding backend (src/fwd/)
 * registers its non-blocking poller here, e.g.
 *     kz_events_set_poller(kz_fwd_poll_events);
 * It fills `ids` with up to `max` slot IDs that had an event and returns
 * how many.  NULL (the default) means no forwarded slots.  The poller is
 * called by kz_events_poll_hook(): from the PC/SC monitor thread every
 * KZ_EVENTS_POLL_MS while one is registered, and before a C_WaitForSlotEvent
 * with CKF_DONT_BLOCK answers.
 */
typedef size_t (*kz_events_poller)(CK_SLOT_ID *ids, size_t max);
void kz_events_set_poller(kz_events_poller poller);
int kz_events_have_poller(void);
/* Calls the registered poller (if any) and posts what it reports. */
void kz_events_poll_hook(struct kz_events *ev);

#define KZ_EVENTS_POLL_MS 500

#endif
