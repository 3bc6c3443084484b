/*
 * Forwarded slots: the slots of vendor PKCS#11 modules (hardware tokens)
 * named in kzp11.conf or KZP11_MODULES, shown after the container slots.
 *
 * Forwarded slot IDs and session handles carry KZ_FWD_TAG, the top bit of
 * a CK_ULONG.  Container slot IDs are small indexes and native session
 * handles count up from 1, so they never have it.
 */
#ifndef KZP11_FWD_H
#define KZP11_FWD_H

#include "pkcs11.h"
#include "util/conf.h"

#include <stddef.h>

#define KZ_FWD_TAG (~(~(CK_ULONG)0 >> 1))

static inline int kz_fwd_tagged(CK_ULONG id)
{
	return (id & KZ_FWD_TAG) != 0;
}

/* At C_Initialize, after the container slots: loads and initialises each
 * module (one that fails is logged and skipped).  CKR_HOST_MEMORY only. */
CK_RV kz_fwd_load(const struct kz_conf *conf);
/* At C_Finalize.  `stale`: state inherited through fork, whose vendors were
 * initialised by the parent: dropped without finalising them. */
void kz_fwd_unload(int stale);

/*
 * For the slot-event monitor: asks each forwarded module for pending slot
 * events (C_WaitForSlotEvent with CKF_DONT_BLOCK, where the vendor has it),
 * registers vendor slots seen for the first time, and writes up to max
 * kzp11 slot IDs.  Returns how many were written.  Never blocks.
 */
size_t kz_fwd_poll_events(CK_SLOT_ID *ids, size_t max);

/* How many vendor modules are forwarded. */
size_t kz_fwd_count(void);

/* 1 when a forwarded module's module_atr pattern matches this ATR. */
int kz_fwd_serves_atr(const unsigned char *atr, size_t len);

#endif
