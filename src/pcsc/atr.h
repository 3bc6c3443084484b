/*
 * The ATR table: which cards and tokens are the Kazakh devices (Kaztoken,
 * ID card, eToken, JaCarta...), read from atr.conf.  Format, one setting
 * per line, '#' starts a comment:
 *
 *     [Kaztoken]                          a device; its name as users know it
 *     atr = 3B 88 01 4B 41 5A 54 4F 4B 45 4E 82
 *     atr = 3B:98:96:00:4B:41:5A:54:4F:4B:45:4E / FF:FF:00:FF:FF:FF:FF:FF:FF:FF:FF:FF
 *     module = /usr/lib/libkaztoken.so    suggested vendor PKCS#11 module
 *
 * An ATR is hex bytes (spaces or colons between bytes allowed); an optional
 * mask after '/' has the same length and says which bits must be equal.
 * A card matches when its ATR has the same length and equal masked bits.
 */
#ifndef KZP11_ATR_H
#define KZP11_ATR_H

#include <stddef.h>

#define KZ_ATR_MAX 33   /* ISO 7816-3: TS + 32 bytes */

struct kz_atr_device {
	char *name;
	char *module;           /* suggested vendor module, or NULL */
};

struct kz_atr_entry {
	unsigned char atr[KZ_ATR_MAX], mask[KZ_ATR_MAX];
	size_t len;
	size_t device;          /* index into devices */
};

struct kz_atr_table {
	struct kz_atr_device *devices;
	size_t n_devices;
	struct kz_atr_entry *entries;
	size_t n_entries;
};

/* Adds the text's devices to the table; bad lines are logged with `origin`
 * and line number and skipped.  Returns -1 only when out of memory. */
int kz_atr_parse(struct kz_atr_table *t, const char *text, const char *origin);
/* Reads a file; a missing file is logged at info level and is not an error. */
int kz_atr_load(struct kz_atr_table *t, const char *path);
/* The device a card belongs to, or NULL; the first matching entry wins. */
const struct kz_atr_device *kz_atr_match(const struct kz_atr_table *t,
					 const unsigned char *atr, size_t len);
void kz_atr_free(struct kz_atr_table *t);

/* "3B 88 01 ..." into out (3 bytes per ATR byte). */
void kz_atr_hex(const unsigned char *atr, size_t len, char *out, size_t out_size);
/* Parses hex bytes, separated by nothing, spaces or colons; -1 when bad
 * or longer than max. */
int kz_atr_parse_hex(const char *text, unsigned char *out, size_t max, size_t *len);

#endif
