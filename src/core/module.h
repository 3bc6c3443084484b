/*
 * Module-wide state: initialised or not, the fork generation, the module
 * lock, configuration, slots and the handle tables.
 */
#ifndef KZP11_MODULE_H
#define KZP11_MODULE_H

#include "pkcs11.h"
#include "core/handles.h"
#include "util/conf.h"

struct kz_slot;
struct kz_lock;
struct kz_events;
struct kz_pcsc;

struct kz_module {
	int initialized;
	unsigned generation;           /* the fork generation it was initialised in */
	struct kz_lock *lock;
	struct kz_conf conf;
	struct kz_slot **slots;
	size_t n_slots;
	struct kz_handles sessions;
	struct kz_handles objects;
	struct kz_events *events;      /* for C_WaitForSlotEvent */
	struct kz_pcsc *pcsc;          /* the reader monitor, NULL when off */
};

extern struct kz_module kz_module;

CK_RV kz_module_initialize(const CK_C_INITIALIZE_ARGS *args);
CK_RV kz_module_finalize(void);
/* 1 when initialised in this process (not a stale copy after fork). */
int kz_module_ready(void);
/* Checks the module is initialised in this process and takes its lock. */
CK_RV kz_enter(void);
void kz_leave(void);

#endif
