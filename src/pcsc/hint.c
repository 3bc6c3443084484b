#include "pcsc/hint.h"
#include "core/module.h"
#include "core/slot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hint {
	char *reader;
	char device[64];
};

/* Copies at most `size` bytes of s, never splitting a UTF-8 sequence, and
 * pads with spaces as PKCS#11 strings are. */
static void copy_padded(unsigned char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n > size) {
		n = size;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memset(dst, ' ', size);
	memcpy(dst, s, n);
}

void kz_pcsc_hint_describe(const char *reader, const char *device, unsigned char out[64])
{
	char desc[512];

	snprintf(desc, sizeof desc, "%s in %s", device, reader);
	copy_padded(out, 64, desc);
}

static void hint_slot_info(struct kz_slot *slot, CK_SLOT_INFO *info)
{
	struct hint *h = slot->data;

	kz_pcsc_hint_describe(h->reader, h->device, info->slotDescription);
	/* What the user should do, where the browser shows the manufacturer. */
	copy_padded(info->manufacturerID, sizeof info->manufacturerID,
		    slot->gone ? "kzp11: device removed" : "kzp11: vendor module not set");
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
}

static void hint_token_info(struct kz_slot *slot, CK_TOKEN_INFO *info)
{
	(void)slot; (void)info;   /* never called: the slot has no token */
}

static CK_RV hint_login(struct kz_slot *slot, const CK_UTF8CHAR *pin, CK_ULONG pin_len)
{
	(void)slot; (void)pin; (void)pin_len;
	return CKR_TOKEN_NOT_PRESENT;
}

static void hint_logout(struct kz_slot *slot)
{
	(void)slot;
}

static void hint_release(struct kz_slot *slot)
{
	struct hint *h = slot->data;

	if (h)
		free(h->reader);
	free(h);
}

static const struct kz_backend hint_backend = {
	.name = "pcsc-hint",
	.slot_info = hint_slot_info,
	.token_info = hint_token_info,
	.login = hint_login,
	.logout = hint_logout,
	.release = hint_release,
};

static struct kz_slot *find(const char *reader)
{
	for (size_t i = 0; i < kz_module.n_slots; i++) {
		struct kz_slot *slot = kz_module.slots[i];
		if (slot->backend == &hint_backend && !strcmp(((struct hint *)slot->data)->reader, reader))
			return slot;
	}
	return NULL;
}

static struct kz_slot *create(const char *reader)
{
	struct hint *h = calloc(1, sizeof *h);
	struct kz_slot *slot;

	if (h)
		h->reader = strdup(reader);
	slot = h && h->reader ? kz_slot_add(&hint_backend, h) : NULL;
	if (!slot) {
		if (h)
			free(h->reader);
		free(h);
		return NULL;
	}
	/* Listed from the application's next C_GetSlotList(NULL) on. */
	slot->listed = 0;
	slot->gone = 1;
	return slot;
}

int kz_pcsc_hint_update(const char *reader, const struct kz_atr_device *dev, CK_SLOT_ID *id)
{
	struct kz_slot *slot;
	int changed = 0;

	if (kz_enter() != CKR_OK)
		return 0;
	slot = find(reader);
	if (!slot && dev)
		slot = create(reader);
	if (slot && dev) {
		struct hint *h = slot->data;
		changed = slot->gone || strncmp(h->device, dev->name, sizeof h->device - 1) != 0;
		snprintf(h->device, sizeof h->device, "%s", dev->name);
		slot->gone = 0;
	} else if (slot && !slot->gone) {
		slot->gone = 1;
		changed = 1;
	}
	if (changed)
		*id = slot->id;
	kz_leave();
	return changed;
}
