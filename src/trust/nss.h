/*
 * NSS's vendor-defined PKCS#11 values for trust objects.  Origin: NSS,
 * lib/util/pkcs11n.h (the same values appear in p11-kit's pkcs11x.h).
 * NSSCK_VENDOR_NSS is 0x4E534350 ("NSCP"); NSS's bases set the vendor bit:
 * CKO_NSS = CKA_NSS = CKT_NSS = CKO_VENDOR_DEFINED | NSSCK_VENDOR_NSS.
 */
#ifndef KZP11_TRUST_NSS_H
#define KZP11_TRUST_NSS_H

#include "pkcs11.h"

#ifndef CKO_NSS
#define CKO_NSS                         0xCE534350UL
#endif
#ifndef CKO_NSS_TRUST
#define CKO_NSS_TRUST                   (CKO_NSS + 3)
#endif
#ifndef CKO_NSS_BUILTIN_ROOT_LIST
#define CKO_NSS_BUILTIN_ROOT_LIST       (CKO_NSS + 4)
#endif

#ifndef CKA_NSS
#define CKA_NSS                         0xCE534350UL
#endif
/* NSS's CKA_TRUST base (not the PKCS#11 3.0 CKA_TRUSTED). */
#ifndef CKA_NSS_TRUST_BASE
#define CKA_NSS_TRUST_BASE              (CKA_NSS + 0x2000)
#endif
#ifndef CKA_TRUST_SERVER_AUTH
#define CKA_TRUST_SERVER_AUTH           (CKA_NSS_TRUST_BASE + 8)
#endif
#ifndef CKA_TRUST_CLIENT_AUTH
#define CKA_TRUST_CLIENT_AUTH           (CKA_NSS_TRUST_BASE + 9)
#endif
#ifndef CKA_TRUST_CODE_SIGNING
#define CKA_TRUST_CODE_SIGNING          (CKA_NSS_TRUST_BASE + 10)
#endif
#ifndef CKA_TRUST_EMAIL_PROTECTION
#define CKA_TRUST_EMAIL_PROTECTION      (CKA_NSS_TRUST_BASE + 11)
#endif
#ifndef CKA_TRUST_STEP_UP_APPROVED
#define CKA_TRUST_STEP_UP_APPROVED      (CKA_NSS_TRUST_BASE + 16)
#endif
#ifndef CKA_CERT_SHA1_HASH
#define CKA_CERT_SHA1_HASH              (CKA_NSS_TRUST_BASE + 100)
#endif
#ifndef CKA_CERT_MD5_HASH
#define CKA_CERT_MD5_HASH               (CKA_NSS_TRUST_BASE + 101)
#endif

#ifndef CKT_NSS
#define CKT_NSS                         0xCE534350UL
#endif
#ifndef CKT_NSS_TRUSTED_DELEGATOR
#define CKT_NSS_TRUSTED_DELEGATOR       (CKT_NSS + 2)
#endif
#ifndef CKT_NSS_MUST_VERIFY_TRUST
#define CKT_NSS_MUST_VERIFY_TRUST       (CKT_NSS + 3)
#endif

#endif
