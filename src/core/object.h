/* Objects: a class, a list of attribute values, and for keys the crypto key. */
#ifndef KZP11_OBJECT_H
#define KZP11_OBJECT_H

#include "pkcs11.h"
#include "crypto/key.h"

#include <stddef.h>

struct kz_slot;

struct kz_attr {
	CK_ATTRIBUTE_TYPE type;
	CK_ULONG len;
	unsigned char *value;
};

struct kz_object {
	CK_OBJECT_HANDLE handle;       /* 0 until the object is published */
	CK_OBJECT_CLASS cls;
	int is_private;                /* CKA_PRIVATE: visible only after login */
	CK_SESSION_HANDLE owner;       /* session objects: their session; 0 for token objects */
	struct kz_attr *attrs;
	size_t n_attrs;
	struct kz_key *key;            /* key objects: what computes */
};

/* A token object with CKA_CLASS, CKA_TOKEN, CKA_PRIVATE and the read-only flags set. */
struct kz_object *kz_object_new(CK_OBJECT_CLASS cls, int is_private);
void kz_object_free(struct kz_object *obj);

/* Add or replace an attribute value; -1 when out of memory. */
int kz_object_set(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len);
int kz_object_set_ulong(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, CK_ULONG value);
int kz_object_set_bool(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, int value);
const struct kz_attr *kz_object_attr(const struct kz_object *obj, CK_ATTRIBUTE_TYPE type);
int kz_object_bool(const struct kz_object *obj, CK_ATTRIBUTE_TYPE type);

/* C_GetAttributeValue on one object, with the spec's per-attribute rules. */
CK_RV kz_object_get_attributes(const struct kz_object *obj, CK_ATTRIBUTE *templ, CK_ULONG n);
/* 1 when every template attribute is present with the same value. */
int kz_object_matches(const struct kz_object *obj, const CK_ATTRIBUTE *templ, CK_ULONG n);

/* The attribute policy: values that exist but are never revealed. */
int kz_attr_is_sensitive(CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type);
/* Attributes an application may give when it creates an object of a class. */
int kz_attr_settable(CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type);
/* CKR_ATTRIBUTE_READ_ONLY when a C_SetAttributeValue or C_CopyObject template
 * would weaken a key (CKA_SENSITIVE to FALSE, CKA_EXTRACTABLE to TRUE, ...). */
CK_RV kz_attr_check_protection(const struct kz_object *obj, const CK_ATTRIBUTE *t, CK_ULONG n);

#endif
