/* Shared by the exported C_* functions. */
#ifndef KZP11_API_H
#define KZP11_API_H

#include "pkcs11.h"
#include "crypto/mech.h"
#include "util/log.h"

#define KZ_EXPORT __attribute__((visibility("default")))

/* Logs the call's result at debug level and returns it. */
static inline CK_RV kz_api_result(const char *fn, CK_RV rv)
{
	kz_debug("%s = %s", fn, kz_rv_name(rv));
	return rv;
}
#define KZ_RETURN(rv) return kz_api_result(__func__, (rv))

/* The generic operation plumbing (api/ops.c) behind sign, verify,
 * encrypt, decrypt and digest. */
CK_RV kz_api_op_init(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_MECHANISM_PTR m,
		     CK_OBJECT_HANDLE key);
CK_RV kz_api_op_update(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_BYTE_PTR in,
		       CK_ULONG len);
CK_RV kz_api_op_final(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_BYTE_PTR out,
		      CK_ULONG_PTR out_len);
CK_RV kz_api_op_oneshot(CK_SESSION_HANDLE h, enum kz_op_kind kind, CK_BYTE_PTR in,
			CK_ULONG in_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len);
CK_RV kz_api_verify_final(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len);
CK_RV kz_api_verify_oneshot(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
			    CK_BYTE_PTR sig, CK_ULONG sig_len);
/* For functions kzp11 does not offer: checks initialisation first. */
CK_RV kz_api_not_supported(void);

#endif
