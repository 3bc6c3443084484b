/* Reading and finding objects.  Container objects are read-only. */
#include "api/api.h"
#include "core/module.h"
#include "core/object.h"
#include "core/session.h"
#include "core/slot.h"

#include <stdlib.h>

/* Under the module lock: the session and an object it may see. */
static CK_RV find_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE ho, struct kz_object **obj)
{
	struct kz_session *s = kz_session_find(h);

	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	*obj = kz_slot_object(s->slot, ho);
	return *obj ? CKR_OK : CKR_OBJECT_HANDLE_INVALID;
}

/* Takes the module lock and finds the object; on failure the lock is not held. */
static CK_RV enter_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE ho, struct kz_object **obj)
{
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		return rv;
	rv = find_object(h, ho, obj);
	if (rv != CKR_OK)
		kz_leave();
	return rv;
}

/* Objects cannot be copied or changed (CKA_COPYABLE and CKA_MODIFIABLE
 * are FALSE).  A call with bad pointers is told so first; a template that
 * would also weaken a key's protection gets the spec's more precise answer,
 * CKR_ATTRIBUTE_READ_ONLY. */
static CK_RV prohibited(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE ho, const CK_ATTRIBUTE *t,
			CK_ULONG n, int args_ok)
{
	struct kz_object *obj;
	CK_RV rv = enter_object(h, ho, &obj);

	if (rv != CKR_OK)
		return rv;
	if ((!t && n) || !args_ok)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = kz_attr_check_protection(obj, t, n);
	kz_leave();
	return rv != CKR_OK ? rv : CKR_ACTION_PROHIBITED;
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
		   CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	KZ_RETURN(prohibited(hSession, hObject, pTemplate, ulCount, phNewObject != NULL));
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	struct kz_object *obj;
	CK_RV rv = enter_object(hSession, hObject, &obj);

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (obj->owner)   /* a session object */
		kz_slot_withdraw(kz_session_find(hSession)->slot, obj);
	else
		rv = CKR_ACTION_PROHIBITED;   /* CKA_DESTROYABLE is FALSE */
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	struct kz_object *obj;
	CK_RV rv = enter_object(hSession, hObject, &obj);

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (!pulSize)
		rv = CKR_ARGUMENTS_BAD;
	else
		*pulSize = CK_UNAVAILABLE_INFORMATION;
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct kz_object *obj;
	CK_RV rv = enter_object(hSession, hObject, &obj);

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (!pTemplate && ulCount)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = kz_object_get_attributes(obj, pTemplate, ulCount);
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	KZ_RETURN(prohibited(hSession, hObject, pTemplate, ulCount, 1));
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct kz_session *s;
	struct kz_slot *slot;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	s = kz_session_find(hSession);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	if (!pTemplate && ulCount) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (s->finding) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	slot = s->slot;
	s->found = calloc(slot->n_objects ? slot->n_objects : 1, sizeof *s->found);
	if (!s->found) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	s->n_found = s->next_found = 0;
	for (size_t i = 0; i < slot->n_objects; i++) {
		struct kz_object *obj = slot->objects[i];
		if (obj->is_private && !slot->logged_in)
			continue;
		if (kz_object_matches(obj, pTemplate, ulCount))
			s->found[s->n_found++] = obj->handle;
	}
	s->finding = 1;
out:
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct kz_session *s;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	s = kz_session_find(hSession);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
	} else if (!pulObjectCount || (!phObject && ulMaxObjectCount)) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (!s->finding) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		CK_ULONG n = 0;
		while (n < ulMaxObjectCount && s->next_found < s->n_found)
			phObject[n++] = s->found[s->next_found++];
		*pulObjectCount = n;
	}
	kz_leave();
	KZ_RETURN(rv);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct kz_session *s;
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	s = kz_session_find(hSession);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
	} else if (!s->finding) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		free(s->found);
		s->found = NULL;
		s->n_found = s->next_found = 0;
		s->finding = 0;
	}
	kz_leave();
	KZ_RETURN(rv);
}
