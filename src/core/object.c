#include "core/object.h"

#include <stdlib.h>
#include <string.h>

struct kz_object *kz_object_new(CK_OBJECT_CLASS cls, int is_private)
{
	struct kz_object *obj = calloc(1, sizeof *obj);

	if (!obj)
		return NULL;
	obj->cls = cls;
	obj->is_private = is_private;
	if (kz_object_set_ulong(obj, CKA_CLASS, cls) < 0 ||
	    kz_object_set_bool(obj, CKA_TOKEN, 1) < 0 ||
	    kz_object_set_bool(obj, CKA_PRIVATE, is_private) < 0 ||
	    kz_object_set_bool(obj, CKA_MODIFIABLE, 0) < 0 ||
	    kz_object_set_bool(obj, CKA_COPYABLE, 0) < 0 ||
	    kz_object_set_bool(obj, CKA_DESTROYABLE, 0) < 0) {
		kz_object_free(obj);
		return NULL;
	}
	return obj;
}

void kz_object_free(struct kz_object *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->n_attrs; i++)
		free(obj->attrs[i].value);
	free(obj->attrs);
	kz_key_unref(obj->key);
	free(obj);
}

static struct kz_attr *find(const struct kz_object *obj, CK_ATTRIBUTE_TYPE type)
{
	for (size_t i = 0; i < obj->n_attrs; i++)
		if (obj->attrs[i].type == type)
			return &obj->attrs[i];
	return NULL;
}

int kz_object_set(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len)
{
	struct kz_attr *a = find(obj, type);
	unsigned char *copy = malloc(len ? len : 1);

	if (!copy)
		return -1;
	if (len)
		memcpy(copy, value, len);
	if (!a) {
		struct kz_attr *grown = realloc(obj->attrs, (obj->n_attrs + 1) * sizeof *grown);
		if (!grown) {
			free(copy);
			return -1;
		}
		obj->attrs = grown;
		a = &obj->attrs[obj->n_attrs++];
		a->type = type;
		a->value = NULL;
	}
	free(a->value);
	a->value = copy;
	a->len = len;
	return 0;
}

int kz_object_set_ulong(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, CK_ULONG value)
{
	return kz_object_set(obj, type, &value, sizeof value);
}

int kz_object_set_bool(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, int value)
{
	CK_BBOOL b = value ? CK_TRUE : CK_FALSE;
	return kz_object_set(obj, type, &b, sizeof b);
}

const struct kz_attr *kz_object_attr(const struct kz_object *obj, CK_ATTRIBUTE_TYPE type)
{
	return find(obj, type);
}

int kz_object_bool(const struct kz_object *obj, CK_ATTRIBUTE_TYPE type)
{
	const struct kz_attr *a = find(obj, type);
	return a && a->len == sizeof(CK_BBOOL) && a->value[0] == CK_TRUE;
}

CK_RV kz_object_get_attributes(const struct kz_object *obj, CK_ATTRIBUTE *templ, CK_ULONG n)
{
	CK_RV rv = CKR_OK;

	for (CK_ULONG i = 0; i < n; i++) {
		const struct kz_attr *a = find(obj, templ[i].type);
		if (!a) {
			rv = kz_attr_is_sensitive(obj->cls, templ[i].type)
				? CKR_ATTRIBUTE_SENSITIVE : CKR_ATTRIBUTE_TYPE_INVALID;
			templ[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
		} else if (!templ[i].pValue) {
			templ[i].ulValueLen = a->len;
		} else if (templ[i].ulValueLen < a->len) {
			templ[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(templ[i].pValue, a->value, a->len);
			templ[i].ulValueLen = a->len;
		}
	}
	return rv;
}

int kz_object_matches(const struct kz_object *obj, const CK_ATTRIBUTE *templ, CK_ULONG n)
{
	for (CK_ULONG i = 0; i < n; i++) {
		const struct kz_attr *a = find(obj, templ[i].type);
		if (!a || a->len != templ[i].ulValueLen)
			return 0;
		if (a->len && (!templ[i].pValue || memcmp(a->value, templ[i].pValue, a->len) != 0))
			return 0;
	}
	return 1;
}
