/*
 * Locked memory for secrets: PINs and passwords while a container is
 * opened, GOST private scalars, HMAC key values.  The pages are mmap'd
 * apart from the heap, mlock'd (never written to swap), left out of core
 * dumps (MADV_DONTDUMP) and zeroed in a forked child (MADV_WIPEONFORK), and
 * every block is wiped when it is freed.  Thread-safe and fork-safe.
 */
#ifndef KZP11_SECMEM_H
#define KZP11_SECMEM_H

#include <stddef.h>

/* n zeroed bytes of locked memory, or NULL. */
void *kz_secmem_alloc(size_t n);
/* Wipes and frees a block from kz_secmem_alloc; NULL is ignored. */
void kz_secmem_free(void *p);
/* Unmaps the pages no block uses any more (called at C_Finalize). */
void kz_secmem_trim(void);

/* Overwrites with zeros in a way the compiler cannot drop. */
void kz_wipe(void *p, size_t n);

/* For tests and diagnostics. */
struct kz_secmem_stats {
	size_t mapped;        /* bytes of pool pages */
	size_t in_use;        /* bytes handed out (rounded to the pool's unit) */
	size_t dirty_free;    /* non-zero bytes outside any live block: must be 0 */
	int locked;           /* 1 when every pool page is mlock'd */
};
void kz_secmem_stats(struct kz_secmem_stats *st);

#endif
