/*
 * Mutexes as PKCS#11 asks: the operating system's (pthreads), or the
 * application's own CreateMutex/LockMutex callbacks when it gives those
 * without CKF_OS_LOCKING_OK.
 */
#ifndef KZP11_LOCK_H
#define KZP11_LOCK_H

#include "pkcs11.h"

struct kz_lock;

/* Validates C_Initialize's arguments and chooses the kind of mutex. */
CK_RV kz_lock_setup(const CK_C_INITIALIZE_ARGS *args);
struct kz_lock *kz_lock_new(void);
void kz_lock_free(struct kz_lock *lock);
/* A lock inherited through fork: frees its memory without destroying the
 * mutex, which a thread that does not exist in the child may have held. */
void kz_lock_forget(struct kz_lock *lock);
void kz_lock_acquire(struct kz_lock *lock);
void kz_lock_release(struct kz_lock *lock);

#endif
