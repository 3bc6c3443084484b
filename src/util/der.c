#include "util/der.h"

#include <stdlib.h>
#include <string.h>

#define DER_MAX_DEPTH 24

void kz_der_init(struct kz_der *d, const unsigned char *buf, size_t len)
{
	d->p = buf;
	d->end = buf + len;
}

static int read_item(const unsigned char *p, const unsigned char *end,
		     struct kz_der_item *it, int depth);

/* Finds the end-of-contents octets of an indefinite-length item. */
static int indefinite_length(const unsigned char *content, const unsigned char *end,
			     size_t *len, int depth)
{
	const unsigned char *p = content;
	struct kz_der_item child;

	while (p + 2 <= end) {
		if (p[0] == 0 && p[1] == 0) {
			*len = (size_t)(p - content);
			return 0;
		}
		if (read_item(p, end, &child, depth + 1) < 0)
			return -1;
		p += child.total;
	}
	return -1;
}

static int read_item(const unsigned char *p, const unsigned char *end,
		     struct kz_der_item *it, int depth)
{
	const unsigned char *start = p;
	size_t len = 0;

	if (depth > DER_MAX_DEPTH || end - p < 2)
		return -1;
	it->header = p;
	it->tag = *p++;
	it->constructed = (it->tag & 0x20) != 0;
	if ((it->tag & 0x1f) == 0x1f)
		return -1;           /* high tag numbers never occur in PKCS#12 */
	if (*p == 0x80) {
		p++;
		if (!it->constructed)
			return -1;
		if (indefinite_length(p, end, &len, depth) < 0)
			return -1;
		it->content = p;
		it->len = len;
		it->total = (size_t)(p - start) + len + 2;
		return 0;
	}
	if (*p & 0x80) {
		int n = *p++ & 0x7f;
		if (n == 0 || n > (int)sizeof(size_t) || end - p < n)
			return -1;
		while (n--)
			len = (len << 8) | *p++;
	} else {
		len = *p++;
	}
	if (len > (size_t)(end - p))
		return -1;
	it->content = p;
	it->len = len;
	it->total = (size_t)(p - start) + len;
	return 0;
}

int kz_der_next(struct kz_der *d, struct kz_der_item *it)
{
	if (d->p >= d->end || read_item(d->p, d->end, it, 0) < 0)
		return -1;
	d->p += it->total;
	return 0;
}

int kz_der_expect(struct kz_der *d, unsigned char tag, struct kz_der_item *it)
{
	if (kz_der_next(d, it) < 0 || it->tag != tag)
		return -1;
	return 0;
}

void kz_der_enter(const struct kz_der_item *it, struct kz_der *inner)
{
	kz_der_init(inner, it->content, it->len);
}

/* Universal OCTET STRING, primitive or constructed (not [APPLICATION 4]...). */
static int is_octet_string(unsigned char tag)
{
	return (tag & ~0x20) == KZ_DER_OCTETSTRING;
}

static int join_chunks(const struct kz_der_item *it, unsigned char *out, size_t *len, int depth)
{
	struct kz_der inner;
	struct kz_der_item chunk;

	if (depth > DER_MAX_DEPTH)
		return -1;
	kz_der_enter(it, &inner);
	while (inner.p < inner.end) {
		if (kz_der_next(&inner, &chunk) < 0 || !is_octet_string(chunk.tag))
			return -1;
		if (chunk.constructed) {
			if (join_chunks(&chunk, out, len, depth + 1) < 0)
				return -1;
		} else {
			if (out)
				memcpy(out + *len, chunk.content, chunk.len);
			*len += chunk.len;
		}
	}
	return 0;
}

int kz_der_octets(const struct kz_der_item *it, const unsigned char **val, size_t *len,
		  unsigned char **owned)
{
	size_t total = 0;

	*owned = NULL;
	if (!is_octet_string(it->tag))
		return -1;
	if (!it->constructed) {
		*val = it->content;
		*len = it->len;
		return 0;
	}
	/* The joined value is never longer than the encoding that holds it. */
	if (join_chunks(it, NULL, &total, 0) < 0)
		return -1;
	*owned = malloc(total ? total : 1);
	if (!*owned)
		return -1;
	total = 0;
	join_chunks(it, *owned, &total, 0);
	*val = *owned;
	*len = total;
	return 0;
}

int kz_der_uint(const struct kz_der_item *it, unsigned long *out)
{
	unsigned long v = 0;

	if (it->tag != KZ_DER_INTEGER || it->len == 0 || it->len > sizeof v ||
	    (it->content[0] & 0x80))
		return -1;
	for (size_t i = 0; i < it->len; i++)
		v = (v << 8) | it->content[i];
	*out = v;
	return 0;
}
