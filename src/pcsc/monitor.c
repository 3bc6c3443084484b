/*
 * The PC/SC monitor.  One loop, run by the monitor thread (waiting in
 * SCardGetStatusChange) or, without a thread, one non-blocking step at a
 * time from kz_pcsc_poll().  pcscd may be missing, stopped or restarted at
 * any time: the context is then dropped, every reader counts as removed,
 * and a new context is tried after 1 s, doubling up to 10 s.
 */
#include "pcsc/monitor.h"
#include "core/events.h"
#include "pcsc/atr.h"
#include "pcsc/hint.h"
#include "util/conf.h"
#include "util/log.h"

#include <winscard.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PNP_READER "\\\\?PnP?\\Notification"
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 10000
/* Without PnP notifications the reader list is looked at this often. */
#define RELIST_MS 2000

struct reader {
	char *name;
	DWORD state;                   /* the last event state, for the next wait */
	unsigned char atr[KZ_ATR_MAX];
	size_t atr_len;                /* 0: no card (or a mute one) */
	const struct kz_atr_device *dev;
};

struct kz_pcsc {
	/* Guards ctx, have_ctx, stop and done: C_Finalize cancels the wait
	 * from another thread. */
	pthread_mutex_t mutex;
	pthread_cond_t wake;           /* stop requested, or the thread ended */
	pthread_t thread;
	int threaded, stop, done;
	int synced;                    /* the first look at PC/SC is over */
	SCARDCONTEXT ctx;
	int have_ctx;
	/* Serialises kz_pcsc_poll() callers when there is no thread. */
	pthread_mutex_t step_lock;

	/* Everything below belongs to the loop (thread or step_lock holder). */
	struct kz_events *ev;
	struct kz_atr_table atr;
	struct reader *readers;
	size_t n_readers;
	DWORD pnp_state;
	int no_pnp, relist;
	long backoff_ms;
	long retry_at;                 /* when a wait-less round is due (now_ms) */
	int outage_logged;
	char **told;                   /* devices already logged as not configured */
	size_t n_told;
};

static kz_pcsc_claim_fn registered_claim;

static int stopping(struct kz_pcsc *m);

void kz_pcsc_set_claim(kz_pcsc_claim_fn fn)
{
	__atomic_store_n(&registered_claim, fn, __ATOMIC_RELEASE);
}

/* The first look is over: what C_GetSlotList waits for, briefly, once. */
static void mark_synced(struct kz_pcsc *m)
{
	if (m->synced)
		return;
	pthread_mutex_lock(&m->mutex);
	m->synced = 1;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->mutex);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- what a card means ---- */

static int already_told(struct kz_pcsc *m, const char *device)
{
	char **grown;

	for (size_t i = 0; i < m->n_told; i++)
		if (!strcmp(m->told[i], device))
			return 1;
	grown = realloc(m->told, (m->n_told + 1) * sizeof *grown);
	if (grown) {
		m->told = grown;
		if ((m->told[m->n_told] = strdup(device)) != NULL)
			m->n_told++;
	}
	return 0;
}

/* Once per device: what it is and what to configure. */
static void tell_not_configured(struct kz_pcsc *m, const struct reader *r)
{
	char hex[3 * KZ_ATR_MAX + 1];

	if (already_told(m, r->dev->name))
		return;
	kz_atr_hex(r->atr, r->atr_len, hex, sizeof hex);
	kz_error("%s in reader '%s': no vendor PKCS#11 module is configured for it; "
		 "%s, then add to kzp11.conf the lines 'module = %s' and 'module_atr = %s'",
		 r->dev->name, r->name,
		 r->dev->module ? "install the vendor's module" :
		 "its module is not public: get it from the vendor",
		 r->dev->module ? r->dev->module : "/path/to/the/module.so", hex);
}

/* Shows or hides the reader's hint slot to match its card. */
static void sync_hint(struct kz_pcsc *m, const struct reader *r)
{
	kz_pcsc_claim_fn claim = __atomic_load_n(&registered_claim, __ATOMIC_ACQUIRE);
	const struct kz_atr_device *show = r->dev;
	CK_SLOT_ID id;

	if (show && claim && claim(r->name, show->name, r->atr, r->atr_len))
		show = NULL;
	if (show)
		tell_not_configured(m, r);
	if (kz_pcsc_hint_update(r->name, show, &id)) {
		kz_info("PC/SC: event on slot %lu (%s)", (unsigned long)id,
			show ? "device shown" : "device gone");
		kz_events_post(m->ev, id);
	}
}

/* A reader's new state from SCardGetStatusChange. */
static void reader_changed(struct kz_pcsc *m, struct reader *r, const SCARD_READERSTATE *st)
{
	int card = (st->dwEventState & SCARD_STATE_PRESENT) &&
		   !(st->dwEventState & SCARD_STATE_MUTE) && st->cbAtr > 0;
	size_t len = card ? (st->cbAtr < KZ_ATR_MAX ? st->cbAtr : KZ_ATR_MAX) : 0;
	char hex[3 * KZ_ATR_MAX + 1];

	r->state = st->dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	if (len == r->atr_len && !memcmp(r->atr, st->rgbAtr, len))
		return;
	if (r->atr_len)
		kz_info("PC/SC: card removed from '%s'", r->name);
	memcpy(r->atr, st->rgbAtr, len);
	r->atr_len = len;
	r->dev = len ? kz_atr_match(&m->atr, r->atr, len) : NULL;
	if (len) {
		kz_atr_hex(r->atr, len, hex, sizeof hex);
		kz_info("PC/SC: card in '%s', ATR %s: %s", r->name, hex,
			r->dev ? r->dev->name : "not a known Kazakh device");
	}
	sync_hint(m, r);
}

static void reader_gone(struct kz_pcsc *m, struct reader *r)
{
	kz_info("PC/SC: reader '%s' removed", r->name);
	r->atr_len = 0;
	r->dev = NULL;
	sync_hint(m, r);
	free(r->name);
}

static void drop_readers(struct kz_pcsc *m)
{
	for (size_t i = 0; i < m->n_readers; i++)
		reader_gone(m, &m->readers[i]);
	free(m->readers);
	m->readers = NULL;
	m->n_readers = 0;
}

/* ---- the reader list ---- */

static int in_list(const char *list, const char *name)
{
	for (const char *p = list; p && *p; p += strlen(p) + 1)
		if (!strcmp(p, name))
			return 1;
	return 0;
}

/* Brings m->readers in line with SCardListReaders; returns its result. */
static LONG relist(struct kz_pcsc *m)
{
	DWORD len = 0;
	char *list = NULL;
	LONG rc;
	size_t i = 0;

	rc = SCardListReaders(m->ctx, NULL, NULL, &len);
	if (rc == SCARD_S_SUCCESS) {
		list = calloc(1, len + 1);
		if (!list)
			return SCARD_E_NO_MEMORY;
		rc = SCardListReaders(m->ctx, NULL, list, &len);
	}
	if (rc == SCARD_E_NO_READERS_AVAILABLE) {
		free(list);
		list = NULL;
		rc = SCARD_S_SUCCESS;
	}
	if (rc != SCARD_S_SUCCESS) {
		free(list);
		return rc;
	}
	while (i < m->n_readers) {
		if (in_list(list, m->readers[i].name)) {
			i++;
			continue;
		}
		reader_gone(m, &m->readers[i]);
		m->n_readers--;
		memmove(&m->readers[i], &m->readers[i + 1], (m->n_readers - i) * sizeof *m->readers);
	}
	for (const char *p = list; p && *p; p += strlen(p) + 1) {
		struct reader *grown;
		int known = 0;
		for (i = 0; i < m->n_readers; i++)
			known |= !strcmp(m->readers[i].name, p);
		if (known)
			continue;
		grown = realloc(m->readers, (m->n_readers + 1) * sizeof *grown);
		if (!grown)
			break;
		m->readers = grown;
		memset(&grown[m->n_readers], 0, sizeof *grown);
		grown[m->n_readers].name = strdup(p);
		grown[m->n_readers].state = SCARD_STATE_UNAWARE;
		if (!grown[m->n_readers].name)
			break;
		kz_info("PC/SC: reader '%s' present", p);
		m->n_readers++;
	}
	free(list);
	return SCARD_S_SUCCESS;
}

/* ---- the context ---- */

static int service_lost(LONG rc)
{
	return rc == SCARD_E_NO_SERVICE || rc == SCARD_E_SERVICE_STOPPED ||
	       rc == SCARD_E_INVALID_HANDLE || rc == SCARD_F_COMM_ERROR;
}

/* The next round is due in ms; until then step() returns at once. */
static void pause_for(struct kz_pcsc *m, long ms)
{
	m->retry_at = now_ms() + ms;
}

static void drop_context(struct kz_pcsc *m, LONG why)
{
	kz_info("PC/SC: lost pcscd (%s); trying again in the background",
		pcsc_stringify_error(why));
	drop_readers(m);
	pthread_mutex_lock(&m->mutex);
	if (m->have_ctx)
		SCardReleaseContext(m->ctx);
	m->have_ctx = 0;
	pthread_mutex_unlock(&m->mutex);
	m->backoff_ms = BACKOFF_FIRST_MS;
	pause_for(m, m->backoff_ms);
}

/* 1 with a context; 0 when pcscd is not there (next try scheduled). */
static int ensure_context(struct kz_pcsc *m)
{
	SCARDCONTEXT ctx;
	LONG rc;

	if (m->have_ctx)
		return 1;
	rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rc != SCARD_S_SUCCESS) {
		if (!m->outage_logged)
			kz_info("PC/SC: no pcscd (%s): hardware tokens are not watched until it runs",
				pcsc_stringify_error(rc));
		m->outage_logged = 1;
		m->backoff_ms = m->backoff_ms ? m->backoff_ms * 2 : BACKOFF_FIRST_MS;
		if (m->backoff_ms > BACKOFF_MAX_MS)
			m->backoff_ms = BACKOFF_MAX_MS;
		pause_for(m, m->backoff_ms);
		mark_synced(m);
		return 0;
	}
	pthread_mutex_lock(&m->mutex);
	m->ctx = ctx;
	m->have_ctx = 1;
	pthread_mutex_unlock(&m->mutex);
	kz_info("PC/SC: connected to pcscd");
	m->outage_logged = 0;
	m->backoff_ms = 0;
	m->relist = 1;
	m->pnp_state = SCARD_STATE_UNAWARE;
	return 1;
}

/*
 * One round: a context, the reader list when it may have changed, then one
 * SCardGetStatusChange with this timeout.  Returns 1 when the next round
 * must wait until m->retry_at (no pcscd, or nothing to wait on), else 0.
 */
static int step(struct kz_pcsc *m, DWORD timeout)
{
	SCARD_READERSTATE *st;
	size_t n;
	LONG rc;

	if (now_ms() < m->retry_at)
		return 1;
	if (!ensure_context(m))
		return 1;
	if (m->relist) {
		rc = relist(m);
		if (service_lost(rc)) {
			drop_context(m, rc);
			return 1;
		}
		if (rc == SCARD_E_INSUFFICIENT_BUFFER)
			return 0;   /* a reader came between the two calls: again */
		if (rc != SCARD_S_SUCCESS) {
			kz_error("PC/SC: cannot list readers: %s", pcsc_stringify_error(rc));
			pause_for(m, BACKOFF_FIRST_MS);
			mark_synced(m);
			return 1;
		}
		m->relist = 0;
	}
	n = m->n_readers + (m->no_pnp ? 0 : 1);
	if (n == 0) {
		/* No notifications and no reader: look at the list again later. */
		m->relist = 1;
		pause_for(m, RELIST_MS);
		mark_synced(m);
		return 1;
	}
	st = calloc(n, sizeof *st);
	if (!st) {
		pause_for(m, BACKOFF_FIRST_MS);
		return 1;
	}
	for (size_t i = 0; i < m->n_readers; i++) {
		st[i].szReader = m->readers[i].name;
		st[i].dwCurrentState = m->readers[i].state;
	}
	if (!m->no_pnp) {
		st[m->n_readers].szReader = PNP_READER;
		st[m->n_readers].dwCurrentState = m->pnp_state;
	}
	if (m->no_pnp && timeout > RELIST_MS)
		timeout = RELIST_MS;
	/* Readers in the state UNAWARE answer at once; the PnP entry alone
	 * waits for a change, so with no reader the first look is over. */
	if (m->n_readers == 0)
		mark_synced(m);
	rc = SCardGetStatusChange(m->ctx, timeout, st, (DWORD)n);
	if (rc != SCARD_S_SUCCESS && m->threaded && stopping(m)) {
		/* C_Finalize cancelled the wait: nothing to report. */
		free(st);
		return 0;
	}
	if (rc == SCARD_S_SUCCESS) {
		for (size_t i = 0; i < m->n_readers; i++) {
			if (st[i].dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE))
				m->relist = 1;
			else if (st[i].dwEventState & SCARD_STATE_CHANGED)
				reader_changed(m, &m->readers[i], &st[i]);
		}
		if (!m->no_pnp) {
			const SCARD_READERSTATE *pnp = &st[m->n_readers];
			if (pnp->dwEventState & SCARD_STATE_UNKNOWN) {
				kz_info("PC/SC: no reader notifications; looking every %d ms", RELIST_MS);
				m->no_pnp = 1;
			} else if (pnp->dwEventState & SCARD_STATE_CHANGED) {
				m->relist = 1;
			}
			m->pnp_state = pnp->dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
		}
	} else if (rc == SCARD_E_TIMEOUT) {
		if (m->no_pnp)
			m->relist = 1;
	} else if (rc == SCARD_E_UNKNOWN_READER) {
		m->relist = 1;
	} else if (service_lost(rc)) {
		drop_context(m, rc);
	} else if (rc != SCARD_E_CANCELLED) {
		/* A pause rather than a busy loop on an error that persists. */
		kz_error("PC/SC: waiting for reader events: %s", pcsc_stringify_error(rc));
		pause_for(m, BACKOFF_FIRST_MS);
	}
	free(st);
	if (!m->relist)
		mark_synced(m);
	return now_ms() < m->retry_at;
}

/* ---- the thread ---- */

static int stopping(struct kz_pcsc *m)
{
	int stop;

	pthread_mutex_lock(&m->mutex);
	stop = m->stop;
	pthread_mutex_unlock(&m->mutex);
	return stop;
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

/* Sleeps up to ms, waking early for a stop. */
static void pause_ms(struct kz_pcsc *m, long ms)
{
	struct timespec ts;

	deadline_after(&ts, ms);
	pthread_mutex_lock(&m->mutex);
	while (!m->stop && pthread_cond_timedwait(&m->wake, &m->mutex, &ts) == 0)
		;
	pthread_mutex_unlock(&m->mutex);
}

static void *monitor_main(void *arg)
{
	struct kz_pcsc *m = arg;

	while (!stopping(m)) {
		/* With a forwarded-module poller registered, wake up regularly
		 * to run it; otherwise only PC/SC (or a stop) wakes us. */
		int poller = kz_events_have_poller();
		if (step(m, poller ? KZ_EVENTS_POLL_MS : INFINITE)) {
			long ms = m->retry_at - now_ms();
			if (poller && ms > KZ_EVENTS_POLL_MS)
				ms = KZ_EVENTS_POLL_MS;
			if (ms > 0)
				pause_ms(m, ms);
		}
		if (poller)
			kz_events_poll_hook(m->ev);
	}
	pthread_mutex_lock(&m->mutex);
	if (m->have_ctx)
		SCardReleaseContext(m->ctx);
	m->have_ctx = 0;
	m->done = 1;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->mutex);
	return NULL;
}

/* ---- start, stop, poll ---- */

static void free_monitor(struct kz_pcsc *m, int stale)
{
	for (size_t i = 0; i < m->n_readers; i++)
		free(m->readers[i].name);
	free(m->readers);
	for (size_t i = 0; i < m->n_told; i++)
		free(m->told[i]);
	free(m->told);
	kz_atr_free(&m->atr);
	if (!stale) {
		pthread_mutex_destroy(&m->step_lock);
		pthread_cond_destroy(&m->wake);
		pthread_mutex_destroy(&m->mutex);
	}
	free(m);
}

struct kz_pcsc *kz_pcsc_start(const struct kz_conf *conf, struct kz_events *ev, int use_thread)
{
	struct kz_pcsc *m = calloc(1, sizeof *m);
	pthread_condattr_t attr;
	sigset_t all, old;
	int rc;

	if (!m)
		return NULL;
	pthread_mutex_init(&m->mutex, NULL);
	pthread_mutex_init(&m->step_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	m->ev = ev;
	if (kz_atr_load(&m->atr, conf->atr_table) < 0) {
		free_monitor(m, 0);
		return NULL;
	}
	kz_info("PC/SC: %zu device ATR(s) from %s; readers watched %s", m->atr.n_entries,
		conf->atr_table, use_thread ? "by a thread" :
		"when asked (the application allows the module no threads)");
	if (!use_thread)
		return m;
	/* The application's signals are never delivered to our thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&m->thread, NULL, monitor_main, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		kz_error("PC/SC: cannot start the monitor thread");
		free_monitor(m, 0);
		return NULL;
	}
	m->threaded = 1;
	return m;
}

void kz_pcsc_stop(struct kz_pcsc *m, int stale)
{
	if (!m)
		return;
	if (stale || !m->threaded) {
		if (!stale && m->have_ctx)
			SCardReleaseContext(m->ctx);
		free_monitor(m, stale);
		return;
	}
	pthread_mutex_lock(&m->mutex);
	m->stop = 1;
	/* A cancel that arrives just before the thread starts waiting is
	 * lost, so it is repeated until the thread has ended. */
	while (!m->done) {
		struct timespec ts;
		if (m->have_ctx)
			SCardCancel(m->ctx);
		pthread_cond_broadcast(&m->wake);
		deadline_after(&ts, 50);
		pthread_cond_timedwait(&m->wake, &m->mutex, &ts);
	}
	pthread_mutex_unlock(&m->mutex);
	pthread_join(m->thread, NULL);
	free_monitor(m, 0);
}

void kz_pcsc_poll(struct kz_pcsc *m)
{
	if (!m || m->threaded || pthread_mutex_trylock(&m->step_lock) != 0)
		return;
	/* A second round picks up the cards of readers the first one listed. */
	if (step(m, 0) == 0 && m->relist)
		step(m, 0);
	pthread_mutex_unlock(&m->step_lock);
}

void kz_pcsc_wait_synced(struct kz_pcsc *m, long ms)
{
	struct timespec ts;

	if (!m || !m->threaded)
		return;
	deadline_after(&ts, ms);
	pthread_mutex_lock(&m->mutex);
	while (!m->synced && !m->stop && pthread_cond_timedwait(&m->wake, &m->mutex, &ts) == 0)
		;
	pthread_mutex_unlock(&m->mutex);
}

int kz_pcsc_threaded(const struct kz_pcsc *m)
{
	return m && m->threaded;
}
