/*
 * C_CreateObject: session public keys, so applications can verify
 * signatures made elsewhere (NCA's own on certificates, CMS, time stamps)
 * with the module's mechanisms, and session secret keys for HMAC.
 * Containers themselves are never written: token objects cannot be created.
 */
#include "api/api.h"
#include "core/module.h"
#include "core/object.h"
#include "core/session.h"
#include "core/slot.h"

static const CK_ATTRIBUTE *find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	for (CK_ULONG i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

static int is_true(const CK_ATTRIBUTE *a)
{
	return a && a->ulValueLen == sizeof(CK_BBOOL) && *(CK_BBOOL *)a->pValue == CK_TRUE;
}

static int read_ulong(const CK_ATTRIBUTE *a, CK_ULONG *out)
{
	if (!a || a->ulValueLen != sizeof(CK_ULONG))
		return -1;
	*out = *(CK_ULONG *)a->pValue;
	return 0;
}

/* Checks the template's shape: known attributes, each at most once. */
static CK_RV check_template(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	for (CK_ULONG i = 0; i < n; i++) {
		if (!t[i].pValue && t[i].ulValueLen)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		if (!kz_attr_settable(cls, t[i].type))
			return CKR_ATTRIBUTE_TYPE_INVALID;
		for (CK_ULONG k = 0; k < i; k++)
			if (t[k].type == t[i].type)
				return CKR_TEMPLATE_INCONSISTENT;
	}
	return CKR_OK;
}

static int set_default_bool(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, int value)
{
	return kz_object_attr(obj, type) ? 0 : kz_object_set_bool(obj, type, value);
}

/* The object: the template's values over the defaults of its class.  A
 * secret key's value is never stored as an attribute. */
static CK_RV build(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *t, CK_ULONG n, CK_KEY_TYPE type,
		   struct kz_key *key, int is_private, struct kz_object **out)
{
	struct kz_object *obj = kz_object_new(cls, is_private);
	int secret = cls == CKO_SECRET_KEY;
	int rc = 0;

	if (!obj)
		return CKR_HOST_MEMORY;
	for (CK_ULONG i = 0; i < n; i++)
		if (!(secret && t[i].type == CKA_VALUE))
			rc |= kz_object_set(obj, t[i].type, t[i].pValue, t[i].ulValueLen);
	rc |= kz_object_set_bool(obj, CKA_TOKEN, 0);
	rc |= kz_object_set_bool(obj, CKA_DESTROYABLE, 1);
	rc |= kz_object_set_bool(obj, CKA_LOCAL, 0);
	rc |= set_default_bool(obj, CKA_DERIVE, 0);
	if (secret) {
		rc |= kz_object_set_bool(obj, CKA_SENSITIVE, 1);
		rc |= kz_object_set_bool(obj, CKA_EXTRACTABLE, 0);
		rc |= kz_object_set_bool(obj, CKA_ALWAYS_SENSITIVE, 1);
		rc |= kz_object_set_bool(obj, CKA_NEVER_EXTRACTABLE, 1);
		rc |= set_default_bool(obj, CKA_SIGN, 1);
		rc |= kz_object_set_ulong(obj, CKA_VALUE_LEN, (CK_ULONG)key->secret_len);
	} else {
		rc |= kz_object_set_bool(obj, CKA_TRUSTED, 0);
		rc |= set_default_bool(obj, CKA_ENCRYPT, type == CKK_RSA);
		rc |= set_default_bool(obj, CKA_VERIFY_RECOVER, 0);
		rc |= set_default_bool(obj, CKA_WRAP, 0);
	}
	rc |= set_default_bool(obj, CKA_VERIFY, 1);
	if (!kz_object_attr(obj, CKA_LABEL))
		rc |= kz_object_set(obj, CKA_LABEL, "", 0);
	if (!kz_object_attr(obj, CKA_ID))
		rc |= kz_object_set(obj, CKA_ID, "", 0);
	if (type == CKK_RSA)
		rc |= kz_object_set_ulong(obj, CKA_MODULUS_BITS, key->bits);
	if (rc) {
		kz_object_free(obj);
		return CKR_HOST_MEMORY;
	}
	obj->key = kz_key_ref(key);
	*out = obj;
	return CKR_OK;
}

static CK_RV create(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR ph)
{
	struct kz_session *s = kz_session_find(h);
	struct kz_object *obj = NULL;
	struct kz_key *key = NULL;
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE type;
	int is_private;
	CK_RV rv;

	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	if (!t || !ph)
		return CKR_ARGUMENTS_BAD;
	if (read_ulong(find(t, n, CKA_CLASS), &cls) < 0)
		return CKR_TEMPLATE_INCOMPLETE;
	if (cls != CKO_PUBLIC_KEY && cls != CKO_SECRET_KEY)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	rv = check_template(cls, t, n);
	if (rv != CKR_OK)
		return rv;
	if (read_ulong(find(t, n, CKA_KEY_TYPE), &type) < 0)
		return CKR_TEMPLATE_INCOMPLETE;
	/* Keys handed to kzp11 stay inside it, like the containers' keys. */
	if (find(t, n, CKA_SENSITIVE) && !is_true(find(t, n, CKA_SENSITIVE)))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (is_true(find(t, n, CKA_EXTRACTABLE)))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (is_true(find(t, n, CKA_TOKEN)))
		return (s->flags & CKF_RW_SESSION) ? CKR_TOKEN_WRITE_PROTECTED : CKR_SESSION_READ_ONLY;
	if (is_true(find(t, n, CKA_TRUSTED)))
		return CKR_ATTRIBUTE_READ_ONLY;   /* only a security officer may */
	is_private = is_true(find(t, n, CKA_PRIVATE));
	if (is_private && !s->slot->logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	rv = cls == CKO_SECRET_KEY ? kz_key_import_secret(type, t, n, &key)
				   : kz_key_import_public(type, t, n, &key);
	if (rv != CKR_OK)
		return rv;
	rv = build(cls, t, n, type, key, is_private, &obj);
	kz_key_unref(key);
	if (rv != CKR_OK)
		return rv;
	obj->owner = h;
	rv = kz_slot_publish(s->slot, obj);
	if (rv == CKR_OK)
		*ph = obj->handle;
	return rv;
}

CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
		     CK_OBJECT_HANDLE_PTR phObject)
{
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	rv = create(hSession, pTemplate, ulCount, phObject);
	kz_leave();
	KZ_RETURN(rv);
}
