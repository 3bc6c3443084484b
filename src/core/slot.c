#include "core/slot.h"
#include "core/module.h"
#include "core/object.h"

#include <stdlib.h>
#include <string.h>

struct kz_slot *kz_slot_add(const struct kz_backend *backend, void *data)
{
	struct kz_slot *slot, **grown;

	slot = calloc(1, sizeof *slot);
	if (!slot)
		return NULL;
	grown = realloc(kz_module.slots, (kz_module.n_slots + 1) * sizeof *grown);
	if (!grown) {
		free(slot);
		return NULL;
	}
	kz_module.slots = grown;
	slot->id = kz_module.n_slots;
	slot->backend = backend;
	slot->data = data;
	slot->listed = 1;
	kz_module.slots[kz_module.n_slots++] = slot;
	return slot;
}

struct kz_slot *kz_slot_get(CK_SLOT_ID id)
{
	return id < kz_module.n_slots ? kz_module.slots[id] : NULL;
}

int kz_slot_token_present(struct kz_slot *slot)
{
	CK_SLOT_INFO info;

	memset(&info, 0, sizeof info);
	slot->backend->slot_info(slot, &info);
	return (info.flags & CKF_TOKEN_PRESENT) != 0;
}

CK_RV kz_slot_publish(struct kz_slot *slot, struct kz_object *obj)
{
	struct kz_object **grown;

	grown = realloc(slot->objects, (slot->n_objects + 1) * sizeof *grown);
	if (!grown) {
		kz_object_free(obj);
		return CKR_HOST_MEMORY;
	}
	slot->objects = grown;
	obj->handle = kz_handles_add(&kz_module.objects, obj);
	if (!obj->handle) {
		kz_object_free(obj);
		return CKR_HOST_MEMORY;
	}
	slot->objects[slot->n_objects++] = obj;
	return CKR_OK;
}

static void withdraw_at(struct kz_slot *slot, size_t i)
{
	struct kz_object *obj = slot->objects[i];

	kz_handles_remove(&kz_module.objects, obj->handle);
	slot->n_objects--;
	memmove(&slot->objects[i], &slot->objects[i + 1], (slot->n_objects - i) * sizeof *slot->objects);
	kz_object_free(obj);
}

void kz_slot_withdraw(struct kz_slot *slot, struct kz_object *obj)
{
	for (size_t i = 0; i < slot->n_objects; i++)
		if (slot->objects[i] == obj) {
			withdraw_at(slot, i);
			return;
		}
}

void kz_slot_withdraw_private(struct kz_slot *slot)
{
	size_t i = 0;

	while (i < slot->n_objects) {
		if (slot->objects[i]->is_private)
			withdraw_at(slot, i);
		else
			i++;
	}
}

void kz_slot_withdraw_owned(struct kz_slot *slot, CK_SESSION_HANDLE owner)
{
	size_t i = 0;

	while (i < slot->n_objects) {
		if (slot->objects[i]->owner == owner)
			withdraw_at(slot, i);
		else
			i++;
	}
}

struct kz_object *kz_slot_object(struct kz_slot *slot, CK_OBJECT_HANDLE handle)
{
	struct kz_object *obj = kz_handles_get(&kz_module.objects, handle);

	for (size_t i = 0; obj && i < slot->n_objects; i++)
		if (slot->objects[i] == obj)
			return (obj->is_private && !slot->logged_in) ? NULL : obj;
	return NULL;
}

void kz_slot_free(struct kz_slot *slot)
{
	if (!slot)
		return;
	for (size_t i = 0; i < slot->n_objects; i++)
		kz_object_free(slot->objects[i]);
	free(slot->objects);
	if (slot->backend && slot->backend->release)
		slot->backend->release(slot);
	free(slot);
}
