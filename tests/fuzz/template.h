/*
 * Attribute templates decoded from fuzz input (fuzz_attrs.c, fuzz_mech.c).
 * Every value lives in its own heap block of exactly its length, so that
 * reading or writing past it is caught by AddressSanitizer.
 */
#ifndef KZP11_FUZZ_TEMPLATE_H
#define KZP11_FUZZ_TEMPLATE_H

#include "fuzz.h"
#include "pkcs11.h"

#define FZ_MAX_ATTRS 12

struct fz_template {
	CK_ATTRIBUTE a[FZ_MAX_ATTRS];
	CK_ULONG n;
};

/*
 * A template with values (C_CreateObject, C_FindObjectsInit,
 * C_SetAttributeValue): per attribute a type byte (an index into the
 * attributes PKCS#11 defines, or from 0xF0 a raw 32-bit type), a mode byte
 * (raw bytes, a CK_ULONG, a CK_BBOOL, an empty or a NULL value) and the value.
 */
void fz_template_values(struct fz *f, struct fz_template *t);
/* A template for C_GetAttributeValue: NULL values or buffers of a given size. */
void fz_template_query(struct fz *f, struct fz_template *t);
void fz_template_free(struct fz_template *t);

#endif
