#include "template.h"

#include <stdlib.h>

#ifndef CKA_NAME_HASH_ALGORITHM
#define CKA_NAME_HASH_ALGORITHM 0x0000008cUL
#endif

/* The attributes the module knows and a few it must refuse. */
static const CK_ATTRIBUTE_TYPE known[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_UNIQUE_ID, CKA_APPLICATION,
	CKA_VALUE, CKA_OBJECT_ID, CKA_CERTIFICATE_TYPE, CKA_ISSUER, CKA_SERIAL_NUMBER,
	CKA_AC_ISSUER, CKA_OWNER, CKA_ATTR_TYPES, CKA_TRUSTED, CKA_CERTIFICATE_CATEGORY,
	CKA_JAVA_MIDP_SECURITY_DOMAIN, CKA_URL, CKA_HASH_OF_SUBJECT_PUBLIC_KEY,
	CKA_HASH_OF_ISSUER_PUBLIC_KEY, CKA_NAME_HASH_ALGORITHM, CKA_CHECK_VALUE,
	CKA_KEY_TYPE, CKA_SUBJECT, CKA_ID, CKA_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT,
	CKA_WRAP, CKA_UNWRAP, CKA_SIGN, CKA_SIGN_RECOVER, CKA_VERIFY, CKA_VERIFY_RECOVER,
	CKA_DERIVE, CKA_START_DATE, CKA_END_DATE, CKA_MODULUS, CKA_MODULUS_BITS,
	CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
	CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT, CKA_PUBLIC_KEY_INFO, CKA_PRIME,
	CKA_SUBPRIME, CKA_BASE, CKA_VALUE_BITS, CKA_VALUE_LEN, CKA_EXTRACTABLE, CKA_LOCAL,
	CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_KEY_GEN_MECHANISM, CKA_MODIFIABLE,
	CKA_COPYABLE, CKA_DESTROYABLE, CKA_EC_PARAMS, CKA_EC_POINT, CKA_ALWAYS_AUTHENTICATE,
	CKA_WRAP_WITH_TRUSTED, CKA_GOSTR3410_PARAMS, CKA_GOSTR3411_PARAMS,
	CKA_GOST28147_PARAMS, CKA_HW_FEATURE_TYPE, CKA_ALLOWED_MECHANISMS, CKA_PROFILE_ID,
	CKA_VENDOR_DEFINED,
};
#define N_KNOWN (sizeof known / sizeof *known)

/* Values worth trying often: object classes, key and certificate types. */
static const CK_ULONG useful[] = {
	CKO_DATA, CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY, CKO_SECRET_KEY,
	CKO_PROFILE, CKK_RSA, CKK_GENERIC_SECRET, CKK_GOSTR3410, 0xD4321003UL /* 512 */,
	CKK_GOSTR3411, CKC_X_509, CK_UNAVAILABLE_INFORMATION,
};
#define N_USEFUL (sizeof useful / sizeof *useful)

static CK_ATTRIBUTE_TYPE read_type(struct fz *f)
{
	uint8_t b = fz_u8(f);

	if (b < 0xF0)
		return known[b % N_KNOWN];
	/* Attributes whose values are templates hold pointers, which a
	 * caller is trusted with: keep them out. */
	return (CK_ATTRIBUTE_TYPE)fz_u32(f) & ~(CK_ATTRIBUTE_TYPE)CKF_ARRAY_ATTRIBUTE;
}

static void *copy_value(const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

void fz_template_values(struct fz *f, struct fz_template *t)
{
	CK_ULONG want = fz_u8(f) % (FZ_MAX_ATTRS + 1);

	memset(t, 0, sizeof *t);
	for (t->n = 0; t->n < want; t->n++) {
		CK_ATTRIBUTE *a = &t->a[t->n];
		uint8_t mode = fz_u8(f);
		CK_ULONG ul;
		CK_BBOOL b;
		size_t got;
		const uint8_t *p;

		a->type = read_type(f);
		switch (mode % 6) {
		case 0:   /* raw bytes */
			p = fz_bytes(f, fz_u8(f), &got);
			a->pValue = copy_value(p, got);
			a->ulValueLen = got;
			break;
		case 1:   /* a CK_ULONG */
			ul = fz_u32(f);
			a->pValue = copy_value(&ul, sizeof ul);
			a->ulValueLen = sizeof ul;
			break;
		case 2:   /* a CK_ULONG the module knows */
			ul = useful[fz_u8(f) % N_USEFUL];
			a->pValue = copy_value(&ul, sizeof ul);
			a->ulValueLen = sizeof ul;
			break;
		case 3:   /* a CK_BBOOL */
			b = fz_u8(f) & 1;
			a->pValue = copy_value(&b, 1);
			a->ulValueLen = 1;
			break;
		case 4:   /* empty */
			a->pValue = copy_value(NULL, 0);
			a->ulValueLen = 0;
			break;
		default:  /* NULL with a length: a broken caller */
			a->pValue = NULL;
			a->ulValueLen = fz_u8(f);
			break;
		}
	}
}

void fz_template_query(struct fz *f, struct fz_template *t)
{
	CK_ULONG want = fz_u8(f) % (FZ_MAX_ATTRS + 1);

	memset(t, 0, sizeof *t);
	for (t->n = 0; t->n < want; t->n++) {
		CK_ATTRIBUTE *a = &t->a[t->n];
		uint8_t mode = fz_u8(f);

		a->type = read_type(f);
		if (mode & 1) {   /* size query */
			a->pValue = NULL;
			a->ulValueLen = (CK_ULONG)fz_u8(f) * (mode & 2 ? 1 : 0);
		} else {          /* a buffer of this size */
			a->ulValueLen = fz_u16(f) % 4096;
			a->pValue = malloc(a->ulValueLen ? a->ulValueLen : 1);
			if (a->pValue)
				memset(a->pValue, 0xA5, a->ulValueLen);
		}
	}
}

void fz_template_free(struct fz_template *t)
{
	for (CK_ULONG i = 0; i < t->n; i++)
		free(t->a[i].pValue);
	t->n = 0;
}
