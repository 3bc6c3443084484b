/*
 * The PC/SC monitor: which readers exist and which cards are in them,
 * watched through PCSC-lite (the reader list, SCardGetStatusChange and
 * the \\?PnP?\Notification pseudo-reader).  Normally a thread of its own,
 * started at C_Initialize and joined at C_Finalize; when the application
 * forbids threads (CKF_LIBRARY_CANT_CREATE_OS_THREADS), kz_pcsc_poll() takes
 * a non-blocking look instead.  C_Initialize never waits on PC/SC.
 *
 * A card recognised by the ATR table (atr.conf) that no forwarded slot
 * serves gets a hint slot (src/pcsc/hint.c) naming the reader, the device
 * and what to configure, and one log line; its insertion and removal are
 * events on that slot.
 */
#ifndef KZP11_PCSC_MONITOR_H
#define KZP11_PCSC_MONITOR_H

#include <stddef.h>

struct kz_pcsc;
struct kz_conf;
struct kz_events;

/* Never fails for lack of PC/SC (no pcscd, no readers): the monitor keeps
 * trying in the background.  NULL only when out of memory or the thread
 * cannot be created. */
struct kz_pcsc *kz_pcsc_start(const struct kz_conf *conf, struct kz_events *ev, int use_thread);
/* Stops and joins the thread and frees everything.  `stale`: a copy
 * inherited through fork, whose thread and PC/SC context belong to the
 * parent; only memory is freed. */
void kz_pcsc_stop(struct kz_pcsc *m, int stale);
/* Without a thread: one non-blocking look at PC/SC, posting what changed.
 * Does nothing when the thread runs.  The caller must not hold the module
 * lock. */
void kz_pcsc_poll(struct kz_pcsc *m);
int kz_pcsc_threaded(const struct kz_pcsc *m);
/*
 * With the thread: waits (at most ms) until its first look at PC/SC is
 * over, so that a program that lists slots right after C_Initialize sees
 * the cards already in the readers.  Returns at once afterwards, and when
 * pcscd is not there.  The caller must not hold the module lock.
 */
void kz_pcsc_wait_synced(struct kz_pcsc *m, long ms);
#define KZ_PCSC_FIRST_LOOK_MS 300

/*
 * HOOK for forwarded vendor slots: when a registered function says a
 * forwarded slot serves the card of this device in this reader (nonzero),
 * no hint slot is shown and nothing is logged; that slot's events come
 * through the poller hook in core/events.h.  NULL (the default): no vendor
 * module serves any card.
 */
typedef int (*kz_pcsc_claim_fn)(const char *reader, const char *device,
				const unsigned char *atr, size_t atr_len);
void kz_pcsc_set_claim(kz_pcsc_claim_fn fn);

#endif
