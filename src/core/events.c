/*
 * The slot event set.  Its mutex and condition variables are the
 * operating system's even when the application supplied its own mutex
 * callbacks: those offer no way to wait for a condition, and nothing here
 * is held across a call into the application or the rest of the module.
 */
#include "core/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* More distinct slots than any machine has readers and containers; past
 * this, further posts are dropped rather than growing without bound. */
#define EVENTS_MAX 1024

struct kz_events {
	pthread_mutex_t mutex;
	pthread_cond_t posted;         /* a slot was posted, or the set closed */
	pthread_cond_t left;           /* a waiter left a closed set */
	CK_SLOT_ID *pending;           /* oldest first, no duplicates */
	size_t n_pending, cap;
	unsigned waiters;              /* between kz_events_enter and _leave */
	int closed;
};

static kz_events_poller registered_poller;

struct kz_events *kz_events_new(void)
{
	struct kz_events *ev = calloc(1, sizeof *ev);
	pthread_condattr_t attr;

	if (!ev)
		return NULL;
	pthread_mutex_init(&ev->mutex, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ev->posted, &attr);
	pthread_cond_init(&ev->left, NULL);
	pthread_condattr_destroy(&attr);
	return ev;
}

void kz_events_close(struct kz_events *ev)
{
	if (!ev)
		return;
	pthread_mutex_lock(&ev->mutex);
	ev->closed = 1;
	pthread_cond_broadcast(&ev->posted);
	while (ev->waiters > 0)
		pthread_cond_wait(&ev->left, &ev->mutex);
	pthread_mutex_unlock(&ev->mutex);
}

void kz_events_free(struct kz_events *ev, int stale)
{
	if (!ev)
		return;
	if (!stale) {
		pthread_cond_destroy(&ev->posted);
		pthread_cond_destroy(&ev->left);
		pthread_mutex_destroy(&ev->mutex);
	}
	free(ev->pending);
	free(ev);
}

void kz_events_post(struct kz_events *ev, CK_SLOT_ID slot)
{
	pthread_mutex_lock(&ev->mutex);
	for (size_t i = 0; i < ev->n_pending; i++)
		if (ev->pending[i] == slot)
			goto out;
	if (ev->n_pending == ev->cap && ev->cap < EVENTS_MAX) {
		size_t cap = ev->cap ? ev->cap * 2 : 8;
		CK_SLOT_ID *grown = realloc(ev->pending, cap * sizeof *grown);
		if (grown) {
			ev->pending = grown;
			ev->cap = cap;
		}
	}
	if (ev->n_pending < ev->cap) {
		ev->pending[ev->n_pending++] = slot;
		pthread_cond_signal(&ev->posted);
	}
out:
	pthread_mutex_unlock(&ev->mutex);
}

size_t kz_events_pending(struct kz_events *ev)
{
	size_t n;

	pthread_mutex_lock(&ev->mutex);
	n = ev->n_pending;
	pthread_mutex_unlock(&ev->mutex);
	return n;
}

CK_RV kz_events_enter(struct kz_events *ev)
{
	CK_RV rv = CKR_OK;

	pthread_mutex_lock(&ev->mutex);
	if (ev->closed)
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;
	else
		ev->waiters++;
	pthread_mutex_unlock(&ev->mutex);
	return rv;
}

void kz_events_leave(struct kz_events *ev)
{
	pthread_mutex_lock(&ev->mutex);
	ev->waiters--;
	if (ev->closed)
		pthread_cond_broadcast(&ev->left);
	pthread_mutex_unlock(&ev->mutex);
}

static void deadline_after(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

CK_RV kz_events_take(struct kz_events *ev, int block, long timeout_ms, CK_SLOT_ID *slot)
{
	struct timespec deadline;
	CK_RV rv = CKR_NO_EVENT;

	if (block && timeout_ms >= 0)
		deadline_after(&deadline, timeout_ms);
	pthread_mutex_lock(&ev->mutex);
	for (;;) {
		if (ev->closed) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
		if (ev->n_pending > 0) {
			*slot = ev->pending[0];
			ev->n_pending--;
			memmove(ev->pending, ev->pending + 1, ev->n_pending * sizeof *ev->pending);
			rv = CKR_OK;
			break;
		}
		if (!block)
			break;
		if (timeout_ms < 0)
			pthread_cond_wait(&ev->posted, &ev->mutex);
		else if (pthread_cond_timedwait(&ev->posted, &ev->mutex, &deadline) == ETIMEDOUT)
			block = 0;   /* one last look, then CKR_NO_EVENT */
	}
	pthread_mutex_unlock(&ev->mutex);
	return rv;
}

void kz_events_set_poller(kz_events_poller poller)
{
	__atomic_store_n(&registered_poller, poller, __ATOMIC_RELEASE);
}

int kz_events_have_poller(void)
{
	return __atomic_load_n(&registered_poller, __ATOMIC_ACQUIRE) != NULL;
}

void kz_events_poll_hook(struct kz_events *ev)
{
	kz_events_poller poller = __atomic_load_n(&registered_poller, __ATOMIC_ACQUIRE);
	CK_SLOT_ID ids[32];
	size_t n;

	if (!poller)
		return;
	n = poller(ids, sizeof ids / sizeof *ids);
	for (size_t i = 0; i < n && i < sizeof ids / sizeof *ids; i++)
		kz_events_post(ev, ids[i]);
}
