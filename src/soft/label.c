/*
 * Names a person recognises: "ТЕСТОВ ТЕСТ AUTH b2c70a9f".  Token labels are
 * 32 bytes of UTF-8 padded with spaces, must not contain ':' (NSS builds
 * "token:object" nicknames) and are cut only between characters.
 */
#include "soft/container.h"
#include "crypto/cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_ID_BYTES 4

static void short_id(const struct kz_container *c, char out[2 * SHORT_ID_BYTES + 1])
{
	size_t n = c->id_len < SHORT_ID_BYTES ? c->id_len : SHORT_ID_BYTES;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", c->id[i]);
}

static const char *purpose(const struct kz_container *c)
{
	if (c->cert)
		return kz_cert_purpose(c->cert);
	return c->name_hint ? c->name_hint : "key";
}

/* The holder's name, or "NCA" while the certificate is unknown. */
static char *holder(const struct kz_container *c)
{
	char *cn = c->cert ? kz_cert_common_name(c->cert) : NULL;
	char *p;

	if (!cn)
		return strdup("NCA");
	for (p = cn; *p; p++)
		if (*p == ':' || (unsigned char)*p < 0x20)
			*p = ' ';
	return cn;
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* Length of the UTF-8 character starting at s (1 for anything unexpected). */
static size_t utf8_char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* "ТЕСТОВ ТЕСТ ТЕСТОВИЧ" -> "ТЕСТОВ Т. Т.": the surname stays whole.
 * Returns a new string (or name itself when out of memory). */
static char *abbreviate(char *name)
{
	char *space = strchr(name, ' '), *out, *o;
	const char *in;

	/* Each later word becomes " X." : at most 2 bytes more per word. */
	if (!space || !(out = malloc(2 * strlen(name) + 1)))
		return name;
	o = out + (space - name);
	memcpy(out, name, (size_t)(space - name));
	for (in = space; *in;) {
		size_t n;
		while (*in == ' ')
			in++;
		if (!*in)
			break;
		n = utf8_char_len(in);
		*o++ = ' ';
		memcpy(o, in, n);
		o += n;
		*o++ = '.';
		in += n;
		while (*in && *in != ' ')
			in++;
	}
	*o = '\0';
	free(name);
	return out;
}

void kz_soft_token_label(const struct kz_container *c, unsigned char out[32])
{
	char id[2 * SHORT_ID_BYTES + 1], tail[32];
	char *name = holder(c);
	size_t tail_len, room, n;

	short_id(c, id);
	tail_len = (size_t)snprintf(tail, sizeof tail, " %s %s", purpose(c), id);
	room = tail_len < 32 ? 32 - tail_len : 0;
	if (name && strlen(name) > room)
		name = abbreviate(name);
	memset(out, ' ', 32);
	n = name ? utf8_cut(name, room) : 0;
	while (n > 0 && name[n - 1] == ' ')
		n--;
	if (name)
		memcpy(out, name, n);
	memcpy(out + n, tail, tail_len <= 32 - n ? tail_len : 32 - n);
	free(name);
}

char *kz_soft_object_label(const struct kz_container *c)
{
	char id[2 * SHORT_ID_BYTES + 1];
	char *name = holder(c), *label = NULL;

	short_id(c, id);
	if (name && asprintf(&label, "%s %s %s", name, purpose(c), id) < 0)
		label = NULL;
	free(name);
	return label;
}

void kz_soft_serial(const struct kz_container *c, unsigned char out[16])
{
	char hex[17] = "";

	for (size_t i = 0; i < 8 && i < c->id_len; i++)
		sprintf(hex + 2 * i, "%02x", c->id[i]);
	memset(out, ' ', 16);
	memcpy(out, hex, strlen(hex));
}

void kz_soft_object_id(const struct kz_container *c, unsigned char *out, size_t *len)
{
	/* NCA containers: localKeyID is the SKI already.  Others: prefer the SKI. */
	if (c->cert && kz_cert_key_id(c->cert, out, KZ_KEY_ID_MAX, len) == 0)
		return;
	memcpy(out, c->id, c->id_len);
	*len = c->id_len;
}
