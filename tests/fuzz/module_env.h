/*
 * The module targets' world: kzp11's code linked into the target, one
 * NCA-format container made by kzp11-mkcontainer ($KZP11_MKCONTAINER) in a
 * temporary folder, the module initialised on it with every call logged
 * to /dev/null, and the slot of that container.
 */
#ifndef KZP11_FUZZ_MODULE_ENV_H
#define KZP11_FUZZ_MODULE_ENV_H

#include "pkcs11.h"

#define FUZZ_PIN "Qwerty12"
#define FUZZ_PIN_LEN ((CK_ULONG)(sizeof FUZZ_PIN - 1))

/* 0 when ready, 77 without the generator, 1 on errors (printed). */
int fz_module_start(void);
CK_SLOT_ID fz_slot(void);

#endif
