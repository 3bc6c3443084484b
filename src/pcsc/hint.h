/*
 * Hint slots: a slot without a token for a recognised Kazakh device whose
 * vendor module is not configured, so that the browser's device list says
 * what is missing.  One slot per reader, created the first time such a card
 * is seen in it and kept (with its ID) until C_Finalize; while no such card
 * is in the reader it is left out of C_GetSlotList.
 */
#ifndef KZP11_PCSC_HINT_H
#define KZP11_PCSC_HINT_H

#include "pkcs11.h"
#include "pcsc/atr.h"

/* Shows (dev != NULL) or hides the hint slot of a reader, taking the module
 * lock.  Returns 1 and the slot's ID when something visible changed, 0
 * when nothing did or the module is not initialised. */
int kz_pcsc_hint_update(const char *reader, const struct kz_atr_device *dev, CK_SLOT_ID *id);

/* The slot description: "<device> in <reader>", cut at a UTF-8 boundary. */
void kz_pcsc_hint_describe(const char *reader, const char *device, unsigned char out[64]);

#endif
