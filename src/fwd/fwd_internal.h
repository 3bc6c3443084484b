/* Shared by the forwarding files: loaded modules, the slot registry, the
 * session table and the checks on what vendors answer. */
#ifndef KZP11_FWD_INTERNAL_H
#define KZP11_FWD_INTERNAL_H

#include "fwd/fwd.h"

#include <stddef.h>

struct kz_fwd_module {
	char *path;                    /* as configured */
	char *real;                    /* resolved: the module's identity */
	char *name;                    /* display name, or NULL */
	CK_FUNCTION_LIST *managed;     /* p11-kit's managed list: 2.x calls */
	const CK_FUNCTION_LIST_3_0 *raw; /* the vendor's own list ... */
	size_t raw_size;               /* ... readable up to here */
	void *dl;
	char **labels;
	size_t n_labels;
	char **atrs;
	size_t n_atrs;
	int started;                   /* initialised through p11-kit */
};

/* What a forwarded call needs, copied out under the lock: the call itself
 * runs without any kzp11 lock held. */
struct kz_fwd_call {
	const struct kz_fwd_module *mod;
	void (*fn)(void);              /* the entry point asked for */
	CK_ULONG vendor;               /* the vendor's slot ID or session handle */
	CK_SLOT_ID slot;               /* the kzp11 slot ID */
};

/* The entry at `offset` in a CK_FUNCTION_LIST_3_0, for slot or session;
 * CKR_SLOT_ID_INVALID / CKR_SESSION_HANDLE_INVALID, CKR_FUNCTION_NOT_SUPPORTED
 * past the vendor's version, CKR_GENERAL_ERROR for a NULL entry. */
CK_RV kz_fwd_slot_call(CK_SLOT_ID id, size_t offset, struct kz_fwd_call *c);
CK_RV kz_fwd_session_call(CK_SESSION_HANDLE h, size_t offset, struct kz_fwd_call *c);
CK_RV kz_fwd_function(const struct kz_fwd_module *m, size_t offset, void (**fn)(void));

/* Sessions: the kzp11 handle of a new vendor session; forgetting. */
CK_RV kz_fwd_session_add(const struct kz_fwd_call *slot, CK_SESSION_HANDLE vendor,
			 CK_SESSION_HANDLE *out);
void kz_fwd_session_forget(CK_SESSION_HANDLE h);
void kz_fwd_session_forget_slot(CK_SLOT_ID slot);

/* The forwarded slot IDs to list (malloc'd; *n may be 0). */
CK_RV kz_fwd_slot_list(CK_BBOOL present, CK_SLOT_ID **out, CK_ULONG *n);
/* The kzp11 ID of a vendor slot, registering it when new (0 on OOM). */
CK_SLOT_ID kz_fwd_register(const struct kz_fwd_module *m, CK_SLOT_ID vendor);

/* The vendor's slot list (kind 0, arg = tokenPresent) or mechanism list
 * (kind 1, arg = vendor slot) the two-call way, into memory of our own;
 * counts are checked.  *out is malloc'd. */
CK_RV kz_fwd_vendor_list(const struct kz_fwd_module *m, int kind, CK_ULONG arg,
			 CK_ULONG **out, CK_ULONG *n);

/* After a vendor call that wrote `*len` bytes into a buffer of `given`:
 * a length beyond the buffer becomes CKR_DEVICE_ERROR (buffer wiped). */
CK_RV kz_fwd_check_out(const char *fn, CK_RV rv, void *out, CK_ULONG given,
		       const CK_ULONG *len);

/* load.c: open (p11-kit load, lists found; NULL when it cannot be used),
 * then start (C_Initialize; -1 when it fails) or drop (never started). */
struct kz_fwd_module *kz_fwd_module_open(const struct kz_conf_module *cm);
int kz_fwd_module_start(struct kz_fwd_module *m);
void kz_fwd_module_drop(struct kz_fwd_module *m);
void kz_fwd_module_close(struct kz_fwd_module *m, int stale);
/* 1 when p11-kit itself loads a module at this resolved path. */
int kz_fwd_registered(const char *real);

#endif
