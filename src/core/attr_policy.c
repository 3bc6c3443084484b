/*
 * The one place that says which attributes are secret and which ones an
 * application may set.  The module never stores secret values as
 * attributes at all (the key lives in its crypto object); the first table
 * only decides the answer to someone asking for them:
 * CKR_ATTRIBUTE_SENSITIVE rather than CKR_ATTRIBUTE_TYPE_INVALID.
 */
#include "core/object.h"

#define CONTAINS(list, type) contains(list, sizeof list / sizeof *list, type)

static int contains(const CK_ATTRIBUTE_TYPE *list, size_t n, CK_ATTRIBUTE_TYPE type)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == type)
			return 1;
	return 0;
}

static const CK_ATTRIBUTE_TYPE private_key_secrets[] = {
	CKA_VALUE, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
	CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
};

int kz_attr_is_sensitive(CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type)
{
	if (cls == CKO_SECRET_KEY)
		return type == CKA_VALUE;
	if (cls != CKO_PRIVATE_KEY)
		return 0;
	return CONTAINS(private_key_secrets, type);
}

static const CK_ATTRIBUTE_TYPE public_key_settable[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_ID, CKA_KEY_TYPE, CKA_SUBJECT,
	CKA_START_DATE, CKA_END_DATE, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_ENCRYPT, CKA_WRAP,
	CKA_DERIVE, CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE, CKA_TRUSTED,
	CKA_ALLOWED_MECHANISMS, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_VALUE,
	CKA_GOSTR3410_PARAMS, CKA_GOSTR3411_PARAMS, CKA_GOST28147_PARAMS,
};

static const CK_ATTRIBUTE_TYPE secret_key_settable[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_ID, CKA_KEY_TYPE, CKA_START_DATE,
	CKA_END_DATE, CKA_SIGN, CKA_VERIFY, CKA_DERIVE, CKA_SENSITIVE, CKA_EXTRACTABLE,
	CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE, CKA_ALLOWED_MECHANISMS, CKA_VALUE,
	CKA_GOSTR3411_PARAMS,
};

int kz_attr_settable(CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type)
{
	if (cls == CKO_PUBLIC_KEY)
		return CONTAINS(public_key_settable, type);
	if (cls == CKO_SECRET_KEY)
		return CONTAINS(secret_key_settable, type);
	return 0;
}

/*
 * Whether a template given to C_SetAttributeValue or C_CopyObject would
 * weaken a key's protection.  PKCS#11 3.0 (4.9 and 4.10): CKA_SENSITIVE
 * may only go from FALSE to TRUE and CKA_EXTRACTABLE only from TRUE to
 * FALSE; CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_LOCAL, the class,
 * the key type and secret values never change.  Any of those answers
 * CKR_ATTRIBUTE_READ_ONLY, whatever else the object allows.
 */
static const CK_ATTRIBUTE_TYPE never_changed[] = {
	CKA_CLASS, CKA_KEY_TYPE, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_LOCAL,
	CKA_KEY_GEN_MECHANISM, CKA_VALUE_LEN,
};

static int is_key_class(CK_OBJECT_CLASS cls)
{
	return cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY;
}

CK_RV kz_attr_check_protection(const struct kz_object *obj, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	for (CK_ULONG i = 0; i < n; i++) {
		CK_ATTRIBUTE_TYPE type = t[i].type;
		int weakens;

		if (CONTAINS(never_changed, type) || kz_attr_is_sensitive(obj->cls, type))
			return CKR_ATTRIBUTE_READ_ONLY;
		if (!is_key_class(obj->cls) || (type != CKA_SENSITIVE && type != CKA_EXTRACTABLE))
			continue;
		if (!t[i].pValue || t[i].ulValueLen != sizeof(CK_BBOOL))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		if (type == CKA_SENSITIVE)
			weakens = *(CK_BBOOL *)t[i].pValue == CK_FALSE &&
				  kz_object_bool(obj, CKA_SENSITIVE);
		else
			weakens = *(CK_BBOOL *)t[i].pValue != CK_FALSE &&
				  !kz_object_bool(obj, CKA_EXTRACTABLE);
		if (weakens)
			return CKR_ATTRIBUTE_READ_ONLY;
	}
	return CKR_OK;
}
