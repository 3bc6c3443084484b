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
