/* PKCS#11 RSA mechanism parameters turned into OpenSSL parameter names. */
#ifndef KZP11_RSA_PARAMS_H
#define KZP11_RSA_PARAMS_H

#include "pkcs11.h"

struct kz_rsa_params {
	const char *pad;        /* OpenSSL pad mode: "pkcs1", "pss", "oaep", "none" */
	const char *digest;     /* PSS/OAEP hash, or the hash of hash-and-sign */
	const char *mgf1;       /* PSS/OAEP mask generation hash */
	int salt_len;           /* PSS */
	CK_ULONG digest_len;    /* PSS over a raw hash: the input length it needs */
	const unsigned char *label;  /* OAEP */
	CK_ULONG label_len;
};

/*
 * Reads the mechanism and its parameter.  `hash_mech` is the hash built into
 * a hash-and-sign mechanism (0 for raw ones); a PSS parameter must then name
 * the same hash.
 */
CK_RV kz_rsa_params_parse(const CK_MECHANISM *m, CK_MECHANISM_TYPE hash_mech,
			  struct kz_rsa_params *out);

#endif
