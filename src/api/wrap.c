/*
 * C_WrapKey and C_DeriveKey.  kzp11 has no wrapping or derivation
 * mechanism, but the answer is given per key first, as PKCS#11 says: a key
 * whose CKA_EXTRACTABLE is FALSE (every private and secret key here) is
 * CKR_KEY_UNEXTRACTABLE, a key without CKA_DERIVE is
 * CKR_KEY_FUNCTION_NOT_PERMITTED.  No path leads from a key to its bytes.
 */
#include "api/api.h"
#include "core/module.h"
#include "core/object.h"
#include "core/session.h"
#include "core/slot.h"

static int is_key(const struct kz_object *obj)
{
	return obj->cls == CKO_PRIVATE_KEY || obj->cls == CKO_SECRET_KEY ||
	       obj->cls == CKO_PUBLIC_KEY;
}

static CK_RV wrap(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE hw,
		  CK_OBJECT_HANDLE hk, CK_ULONG_PTR out_len)
{
	struct kz_session *s = kz_session_find(h);
	struct kz_object *key, *wrapping;

	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	if (!m || !out_len)
		return CKR_ARGUMENTS_BAD;
	key = kz_slot_object(s->slot, hk);
	if (!key)
		return CKR_KEY_HANDLE_INVALID;
	wrapping = kz_slot_object(s->slot, hw);
	if (!wrapping || !is_key(wrapping))
		return CKR_WRAPPING_KEY_HANDLE_INVALID;
	if (key->cls != CKO_PRIVATE_KEY && key->cls != CKO_SECRET_KEY)
		return CKR_KEY_NOT_WRAPPABLE;
	if (!kz_object_bool(key, CKA_EXTRACTABLE))
		return CKR_KEY_UNEXTRACTABLE;
	return CKR_MECHANISM_INVALID;
}

CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey,
		CK_ULONG_PTR pulWrappedKeyLen)
{
	CK_RV rv = kz_enter();

	(void)pWrappedKey;
	if (rv != CKR_OK)
		KZ_RETURN(rv);
	rv = wrap(hSession, pMechanism, hWrappingKey, hKey, pulWrappedKeyLen);
	kz_leave();
	KZ_RETURN(rv);
}

static CK_RV derive(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE hb,
		    CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out)
{
	struct kz_session *s = kz_session_find(h);
	struct kz_object *base;

	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	if (!m || !out || (!t && n))
		return CKR_ARGUMENTS_BAD;
	base = kz_slot_object(s->slot, hb);
	if (!base || !is_key(base))
		return CKR_KEY_HANDLE_INVALID;
	if (!kz_object_bool(base, CKA_DERIVE))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	return CKR_MECHANISM_INVALID;
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		  CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount,
		  CK_OBJECT_HANDLE_PTR phKey)
{
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	rv = derive(hSession, pMechanism, hBaseKey, pTemplate, ulAttributeCount, phKey);
	kz_leave();
	KZ_RETURN(rv);
}
