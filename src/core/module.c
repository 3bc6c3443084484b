/*
 * C_Initialize / C_Finalize and the state they bracket.  A forked child
 * inherits a copy of this state that it must not use: a pthread_atfork
 * handler bumps a generation counter, state from an older generation counts
 * as not initialised, and the child's own C_Initialize starts afresh.
 */
#include "core/module.h"
#include "core/events.h"
#include "core/lock.h"
#include "core/session.h"
#include "core/slot.h"
#include "crypto/ossl.h"
#include "fwd/fwd.h"
#include "pcsc/monitor.h"
#include "soft/soft.h"
#include "trust/trust.h"
#include "util/log.h"
#include "util/secmem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct kz_module kz_module;

static volatile unsigned fork_generation;
/* Serialises C_Initialize and C_Finalize against each other. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Fork never happens halfway through C_Initialize or C_Finalize. */
static void on_fork_prepare(void)
{
	pthread_mutex_lock(&init_lock);
}

static void on_fork_parent(void)
{
	pthread_mutex_unlock(&init_lock);
}

static void on_fork_child(void)
{
	fork_generation++;
	pthread_mutex_unlock(&init_lock);
}

static void register_atfork(void)
{
	pthread_atfork(on_fork_prepare, on_fork_parent, on_fork_child);
}

int kz_module_ready(void)
{
	return kz_module.initialized && kz_module.generation == fork_generation;
}

CK_RV kz_enter(void)
{
	if (!kz_module_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	kz_lock_acquire(kz_module.lock);
	if (!kz_module_ready()) {
		kz_lock_release(kz_module.lock);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	return CKR_OK;
}

void kz_leave(void)
{
	kz_lock_release(kz_module.lock);
}

/* Frees everything.  `stale` means a copy inherited through fork: its
 * locks may be held by threads that do not exist here: their memory goes,
 * the mutexes are not destroyed. */
static void release_state(int stale)
{
	kz_pcsc_stop(kz_module.pcsc, stale);
	kz_events_free(kz_module.events, stale);
	kz_fwd_unload(stale);
	for (size_t i = 0; i < kz_module.sessions.n; i++) {
		struct kz_session *s = kz_module.sessions.v[i].ptr;
		for (int k = 0; k < KZ_OP_COUNT; k++)
			kz_op_free(s->ops[k]);
		free(s->found);
		if (stale)
			kz_lock_forget(s->lock);
		else
			kz_lock_free(s->lock);
		free(s);
	}
	kz_handles_clear(&kz_module.sessions);
	for (size_t i = 0; i < kz_module.n_slots; i++)
		kz_slot_free(kz_module.slots[i]);
	free(kz_module.slots);
	kz_handles_clear(&kz_module.objects);
	kz_conf_free(&kz_module.conf);
	kz_ossl_free();
	kz_secmem_trim();   /* every secret block is freed (and wiped) by now */
	if (stale)
		kz_lock_forget(kz_module.lock);
	else
		kz_lock_free(kz_module.lock);
	memset(&kz_module, 0, sizeof kz_module);
}

static int fwd_claims_card(const char *reader, const char *device,
			   const unsigned char *atr, size_t atr_len)
{
	(void)reader;
	(void)device;
	return kz_fwd_serves_atr(atr, atr_len);
}

static CK_RV initialize(const CK_C_INITIALIZE_ARGS *args)
{
	CK_RV rv;

	if (kz_module_ready())
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (kz_module.initialized)
		release_state(1);
	rv = kz_lock_setup(args);
	if (rv != CKR_OK)
		return rv;
	kz_module.lock = kz_lock_new();
	if (!kz_module.lock)
		return CKR_CANT_LOCK;
	if (kz_conf_load(&kz_module.conf) < 0) {
		rv = CKR_HOST_MEMORY;
		goto fail;
	}
	kz_log_set_level(kz_module.conf.log_level);
	kz_log_set_target(kz_module.conf.log_target);
	if (kz_ossl_init() < 0) {
		rv = CKR_FUNCTION_FAILED;
		goto fail;
	}
	rv = kz_soft_scan(&kz_module.conf);
	if (rv == CKR_OK)
		rv = kz_trust_scan(&kz_module.conf);
	if (rv != CKR_OK)
		goto fail;
	/* Vendor modules' slots come after the containers'. */
	rv = kz_fwd_load(&kz_module.conf);
	if (rv != CKR_OK)
		goto fail;
	kz_module.events = kz_events_new();
	if (!kz_module.events) {
		rv = CKR_HOST_MEMORY;
		goto fail;
	}
	/* Forwarded modules report their slot events through the event set,
	 * and a card one of them serves needs no hint slot. */
	kz_events_set_poller(kz_fwd_count() ? kz_fwd_poll_events : NULL);
	kz_pcsc_set_claim(kz_fwd_count() ? fwd_claims_card : NULL);
	kz_info("initialised: %zu slot(s)", kz_module.n_slots);
	kz_module.generation = fork_generation;
	kz_module.initialized = 1;
	/* After `initialized`: from now on the monitor thread may add slots
	 * (under the module lock).  Without it the containers are still served. */
	if (kz_module.conf.pcsc)
		kz_module.pcsc = kz_pcsc_start(&kz_module.conf, kz_module.events,
					       !(args && (args->flags & CKF_LIBRARY_CANT_CREATE_OS_THREADS)));
	return CKR_OK;
fail:
	release_state(0);
	return rv;
}

CK_RV kz_module_initialize(const CK_C_INITIALIZE_ARGS *args)
{
	CK_RV rv;

	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&init_lock);
	rv = initialize(args);
	pthread_mutex_unlock(&init_lock);
	return rv;
}

CK_RV kz_module_finalize(void)
{
	pthread_mutex_lock(&init_lock);
	if (!kz_module_ready()) {
		pthread_mutex_unlock(&init_lock);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	kz_lock_acquire(kz_module.lock);
	kz_module.initialized = 0;
	kz_lock_release(kz_module.lock);
	/* Blocked C_WaitForSlotEvent calls return first, then the monitor
	 * thread ends; only then is anything freed. */
	kz_events_close(kz_module.events);
	kz_pcsc_stop(kz_module.pcsc, 0);
	kz_module.pcsc = NULL;
	release_state(0);
	kz_log_close();
	pthread_mutex_unlock(&init_lock);
	return CKR_OK;
}
