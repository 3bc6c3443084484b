/*
 * The one place that says which attributes are secret.  The module never
 * stores such values as attributes at all (the key lives in its crypto
 * object); this table only decides the answer to someone asking for them:
 * CKR_ATTRIBUTE_SENSITIVE rather than CKR_ATTRIBUTE_TYPE_INVALID.
 */
#include "core/object.h"

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
	for (size_t i = 0; i < sizeof private_key_secrets / sizeof *private_key_secrets; i++)
		if (private_key_secrets[i] == type)
			return 1;
	return 0;
}

static const CK_ATTRIBUTE_TYPE public_key_settable[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_ID, CKA_KEY_TYPE, CKA_SUBJECT,
	CKA_START_DATE, CKA_END_DATE, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_ENCRYPT, CKA_WRAP,
	CKA_DERIVE, CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE, CKA_TRUSTED,
	CKA_ALLOWED_MECHANISMS, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_VALUE,
	CKA_GOSTR3410_PARAMS, CKA_GOSTR3411_PARAMS, CKA_GOST28147_PARAMS,
};

int kz_attr_public_key_settable(CK_ATTRIBUTE_TYPE type)
{
	for (size_t i = 0; i < sizeof public_key_settable / sizeof *public_key_settable; i++)
		if (public_key_settable[i] == type)
			return 1;
	return 0;
}
