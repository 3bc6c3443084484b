/*
 * Handle tables: PKCS#11 handles are counters, never pointers, and are not
 * reused while the module is initialised, so a stale handle is simply
 * invalid.  Entries stay sorted because handles only grow.
 */
#ifndef KZP11_HANDLES_H
#define KZP11_HANDLES_H

#include "pkcs11.h"
#include <stddef.h>

struct kz_handle_entry {
	CK_ULONG handle;
	void *ptr;
};

struct kz_handles {
	struct kz_handle_entry *v;
	size_t n, cap;
	CK_ULONG next;
};

/* Adds ptr under a new handle; 0 when out of memory. */
CK_ULONG kz_handles_add(struct kz_handles *t, void *ptr);
void *kz_handles_get(const struct kz_handles *t, CK_ULONG handle);
/* Removes the handle and returns what it held (NULL if unknown). */
void *kz_handles_remove(struct kz_handles *t, CK_ULONG handle);
void kz_handles_clear(struct kz_handles *t);

#endif
