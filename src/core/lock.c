#include "core/lock.h"

#include <pthread.h>
#include <stdlib.h>

struct kz_lock {
	pthread_mutex_t os;
	void *app;      /* the application's mutex, when it supplied callbacks */
};

/* Set once by C_Initialize, before any lock exists. */
static CK_C_INITIALIZE_ARGS app_callbacks;
static int use_app_callbacks;

CK_RV kz_lock_setup(const CK_C_INITIALIZE_ARGS *args)
{
	int given;

	use_app_callbacks = 0;
	if (!args)
		return CKR_OK;
	if (args->pReserved)
		return CKR_ARGUMENTS_BAD;
	given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
		(args->LockMutex != NULL) + (args->UnlockMutex != NULL);
	if (given != 0 && given != 4)
		return CKR_ARGUMENTS_BAD;
	/* Prefer the OS's locks whenever the application allows them. */
	if (given == 4 && !(args->flags & CKF_OS_LOCKING_OK)) {
		app_callbacks = *args;
		use_app_callbacks = 1;
	}
	return CKR_OK;
}

struct kz_lock *kz_lock_new(void)
{
	struct kz_lock *lock = calloc(1, sizeof *lock);

	if (!lock)
		return NULL;
	if (use_app_callbacks) {
		if (app_callbacks.CreateMutex(&lock->app) != CKR_OK) {
			free(lock);
			return NULL;
		}
	} else {
		pthread_mutex_init(&lock->os, NULL);
	}
	return lock;
}

void kz_lock_forget(struct kz_lock *lock)
{
	free(lock);
}

void kz_lock_free(struct kz_lock *lock)
{
	if (!lock)
		return;
	if (lock->app)
		app_callbacks.DestroyMutex(lock->app);
	else
		pthread_mutex_destroy(&lock->os);
	free(lock);
}

void kz_lock_acquire(struct kz_lock *lock)
{
	if (lock->app)
		app_callbacks.LockMutex(lock->app);
	else
		pthread_mutex_lock(&lock->os);
}

void kz_lock_release(struct kz_lock *lock)
{
	if (lock->app)
		app_callbacks.UnlockMutex(lock->app);
	else
		pthread_mutex_unlock(&lock->os);
}
