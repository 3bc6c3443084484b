/*
 * A small reader for BER/DER, enough to walk the outer layers of a PKCS#12
 * file (which NCA writes partly in BER, with indefinite lengths).  Bounds
 * are checked on every step and nesting is limited, so hostile input yields
 * an error, never a read past the buffer.
 */
#ifndef KZP11_DER_H
#define KZP11_DER_H

#include <stddef.h>

#define KZ_DER_SEQUENCE    0x30
#define KZ_DER_INTEGER     0x02
#define KZ_DER_OCTETSTRING 0x04
#define KZ_DER_OID         0x06
#define KZ_DER_CONTEXT0    0xa0

struct kz_der {
	const unsigned char *p;    /* next unread byte */
	const unsigned char *end;  /* one past the last byte */
};

struct kz_der_item {
	unsigned char tag;         /* the identifier octet (low tag numbers only) */
	int constructed;
	const unsigned char *header; /* first byte of the whole TLV */
	const unsigned char *content;
	size_t len;                /* content length (for indefinite: up to 00 00) */
	size_t total;              /* header + content (+ end-of-contents) */
};

void kz_der_init(struct kz_der *d, const unsigned char *buf, size_t len);
/* Reads the next item; -1 on malformed input or at the end. */
int kz_der_next(struct kz_der *d, struct kz_der_item *it);
/* Reads the next item and requires its tag. */
int kz_der_expect(struct kz_der *d, unsigned char tag, struct kz_der_item *it);
/* A reader over an item's content. */
void kz_der_enter(const struct kz_der_item *it, struct kz_der *inner);
/*
 * The value of an OCTET STRING, primitive or constructed.  For a constructed
 * one the chunks are joined into *owned (malloc'd; the caller frees it).
 */
int kz_der_octets(const struct kz_der_item *it, const unsigned char **val, size_t *len,
		  unsigned char **owned);
/* A small non-negative INTEGER. */
int kz_der_uint(const struct kz_der_item *it, unsigned long *out);

#endif
