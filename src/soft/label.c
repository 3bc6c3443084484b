/*
 * Names a person recognises, read from the certificate:
 *
 *   token label (32 bytes)  "Тестов Т. AUTH 2026-11-30"
 *   certificate and keys    "ТЕСТОВ ТЕСТ — ИИН 123456789011 — AUTH — до 2026-11-30"
 *
 * holder, IIN (individual) or BIN (legal entity), what the key is for
 * (AUTH, SIGN; GOST for a GOST signing key) and the expiry date.  Token
 * labels are blank-padded UTF-8, never cut inside a character; no label
 * has a ':' (NSS builds "token:object" nicknames).  Until the certificate
 * is known a token is named from the file: "NCA AUTH 3e5ead0f".
 *
 * A label is fixed the first time it is needed and kept while the module
 * is loaded, so NSS never sees a token renamed under it.  Only when two
 * tokens (or two certificates) would read the same does the later one get
 * the key ID's first bytes instead of the date (or after it).
 */
#include "soft/container.h"
#include "core/module.h"
#include "core/slot.h"
#include "crypto/cert.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHORT_ID_BYTES 4

static void short_id(const struct kz_container *c, char out[2 * SHORT_ID_BYTES + 1])
{
	size_t n = c->id_len < SHORT_ID_BYTES ? c->id_len : SHORT_ID_BYTES;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", c->id[i]);
}

/* ---- reading the certificate ---- */

/* GOST keys: the Kazakh (1.2.398.3.10) and Russian (1.2.643) algorithm arcs. */
static int is_gost(X509 *cert)
{
	ASN1_OBJECT *alg = NULL;
	char oid[64];

	if (!X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(cert)) ||
	    OBJ_obj2txt(oid, sizeof oid, alg, 1) <= 0) {
		ERR_clear_error();
		return 0;
	}
	return strncmp(oid, "1.2.398.3.10.", 13) == 0 || strncmp(oid, "1.2.643.", 8) == 0;
}

/* What the key is for: AUTH, SIGN, KEY; GOST signing keys are "GOST". */
static const char *kind(const struct kz_container *c)
{
	const char *p;

	if (!c->cert)
		return c->name_hint ? c->name_hint : "key";
	p = kz_cert_purpose(c->cert);
	if (!is_gost(c->cert))
		return p;
	return !strcmp(p, "SIGN") ? "GOST" : !strcmp(p, "AUTH") ? "GOST AUTH" : "GOST KEY";
}

/* The certificate's expiry, "YYYY-MM-DD" (UTC); "" when unreadable. */
static void expiry(const struct kz_container *c, char out[32])
{
	struct tm tm;

	out[0] = '\0';
	if (c->cert && ASN1_TIME_to_tm(X509_get0_notAfter(c->cert), &tm) &&
	    tm.tm_year >= -1900 && tm.tm_year <= 9999 - 1900)
		snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	ERR_clear_error();
}

/* ":" and control characters become spaces. */
static char *clean(char *s)
{
	for (char *p = s; p && *p; p++)
		if (*p == ':' || (unsigned char)*p < 0x20)
			*p = ' ';
	return s;
}

/* The holder's name (the subject's CN), or "NCA" while the certificate is unknown. */
static char *holder(const struct kz_container *c)
{
	char *cn = c->cert ? kz_cert_common_name(c->cert) : NULL;

	return cn ? clean(cn) : strdup("NCA");
}

/* "ИИН 123456789011" for an individual, "БИН 123456789021" for a legal
 * entity (NCA puts the BIN in OU), or NULL. */
static char *tax_number(X509 *cert)
{
	char *ou = kz_cert_subject_entry(cert, NID_organizationalUnitName);
	char *sn = kz_cert_subject_entry(cert, NID_serialNumber);
	char *out = NULL;

	if (ou && strncmp(ou, "BIN", 3) == 0 && ou[3]) {
		if (asprintf(&out, "БИН %s", ou + 3) < 0)
			out = NULL;
	} else if (sn && strncmp(sn, "IIN", 3) == 0 && sn[3]) {
		if (asprintf(&out, "ИИН %s", sn + 3) < 0)
			out = NULL;
	}
	free(ou);
	free(sn);
	return clean(out);
}

/* ---- UTF-8 ---- */

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

/* Lower case of a Latin or Cyrillic (Russian and Kazakh) capital; other
 * code points unchanged. */
static unsigned lower(unsigned u)
{
	if ((u >= 'A' && u <= 'Z') || (u >= 0x410 && u <= 0x42f))
		return u + 0x20;
	if (u >= 0x400 && u <= 0x40f)
		return u + 0x50;
	/* Ғ Қ Ң Ү Ұ Һ ... Ә Ө: capital even, small odd. */
	if (((u >= 0x460 && u <= 0x481) || (u >= 0x48a && u <= 0x4bf) ||
	     (u >= 0x4d0 && u <= 0x4ff)) && !(u & 1))
		return u + 1;
	return u;
}

/* Two-byte UTF-8 characters (all the letters lower() changes but A-Z). */
static void title_case_word(char *w, size_t len)
{
	size_t i = utf8_char_len(w);

	while (i < len) {
		unsigned char b0 = (unsigned char)w[i];
		size_t n = utf8_char_len(w + i);
		if (n == 1) {
			w[i] = (char)lower(b0);
		} else if (n == 2) {
			unsigned u = ((b0 & 0x1fu) << 6) | ((unsigned char)w[i + 1] & 0x3fu);
			unsigned l = lower(u);
			if (l < 0x800) {
				w[i] = (char)(0xc0 | (l >> 6));
				w[i + 1] = (char)(0x80 | (l & 0x3f));
			}
		}
		i += n;
	}
}

/* "ТЕСТОВ ТЕСТ" -> "Тестов Тест", only for a person's name (the subject has
 * a surname attribute), which NCA writes in capitals. */
static void title_case(const struct kz_container *c, char *name)
{
	char *sn = c->cert ? kz_cert_subject_entry(c->cert, NID_surname) : NULL;

	if (!sn)
		return;
	free(sn);
	for (char *p = name; *p;) {
		size_t len = strcspn(p, " ");
		if (len)
			title_case_word(p, len);
		p += len;
		p += strspn(p, " ");
	}
}

/* "Тестов Тест Тестович" -> "Тестов Т. Т.": the surname stays whole.
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

/* ---- labels ---- */

/* name + tail in 32 bytes: the name abbreviated, then cut, to make room. */
static void fit_label(const struct kz_container *c, const char *tail, unsigned char out[32])
{
	char *name = holder(c);
	size_t tail_len = strlen(tail), room = tail_len < 32 ? 32 - tail_len : 0, n;

	if (name)
		title_case(c, name);
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

static void token_label(const struct kz_container *c, int with_id, unsigned char out[32])
{
	char id[2 * SHORT_ID_BYTES + 1], date[32], tail[48];

	short_id(c, id);
	expiry(c, date);
	if (!c->cert || !date[0] || with_id)
		snprintf(tail, sizeof tail, " %s %s", kind(c), id);
	else
		snprintf(tail, sizeof tail, " %s %s", kind(c), date);
	fit_label(c, tail, out);
}

void kz_soft_token_label(const struct kz_container *c, unsigned char out[32])
{
	token_label(c, 0, out);
}

static char *object_label(const struct kz_container *c, int with_id)
{
	char id[2 * SHORT_ID_BYTES + 1], date[32];
	char *name = holder(c), *tax, *label = NULL;
	int n;

	short_id(c, id);
	if (!c->cert) {
		n = asprintf(&label, "%s %s %s", name ? name : "NCA", kind(c), id);
		free(name);
		return n < 0 ? NULL : label;
	}
	expiry(c, date);
	tax = tax_number(c->cert);
	n = asprintf(&label, "%s%s%s — %s%s%s%s%s", name ? name : "NCA", tax ? " — " : "",
		     tax ? tax : "", kind(c), date[0] ? " — до " : "", date,
		     with_id ? " — " : "", with_id ? id : "");
	free(name);
	free(tax);
	return n < 0 ? NULL : label;
}

char *kz_soft_object_label(const struct kz_container *c)
{
	return object_label(c, 0);
}

/* ---- one name each, for the module's lifetime ---- */

/* The other container slots' containers, one at a time. */
static struct kz_container *next_other(const struct kz_container *c, size_t *i)
{
	while (*i < kz_module.n_slots) {
		struct kz_slot *slot = kz_module.slots[(*i)++];
		if (slot->backend == &kz_soft_backend && slot->data && slot->data != c)
			return slot->data;
	}
	return NULL;
}

void kz_soft_name_token(struct kz_container *c)
{
	struct kz_container *other;
	size_t i = 0;

	if (c->token_label_fixed)
		return;
	token_label(c, 0, c->token_label);
	while ((other = next_other(c, &i)) != NULL)
		if (other->token_label_fixed && !memcmp(other->token_label, c->token_label, 32)) {
			token_label(c, 1, c->token_label);
			break;
		}
	c->token_label_fixed = 1;
}

const char *kz_soft_name_objects(struct kz_container *c)
{
	struct kz_container *other;
	size_t i = 0;

	if (c->object_label && c->object_label_final)
		return c->object_label;
	free(c->object_label);
	c->object_label = object_label(c, 0);
	c->object_label_final = c->cert != NULL;
	while (c->object_label && (other = next_other(c, &i)) != NULL)
		if (other->object_label && !strcmp(other->object_label, c->object_label)) {
			free(c->object_label);
			c->object_label = object_label(c, 1);
			break;
		}
	return c->object_label;
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
