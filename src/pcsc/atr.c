#include "pcsc/atr.h"
#include "util/file.h"
#include "util/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATR_FILE_MAX (256 * 1024)

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int kz_atr_parse_hex(const char *s, unsigned char *out, size_t max, size_t *len)
{
	size_t n = 0;

	for (;;) {
		int hi, lo;
		while (*s == ' ' || *s == '\t' || *s == ':')
			s++;
		if (!*s)
			break;
		hi = hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (lo < 0 || n == max)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	if (n == 0)
		return -1;
	*len = n;
	return 0;
}

void kz_atr_hex(const unsigned char *atr, size_t len, char *out, size_t out_size)
{
	size_t n = 0;

	if (out_size == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < len && n + 4 <= out_size; i++)
		n += (size_t)snprintf(out + n, out_size - n, i ? " %02X" : "%02X", atr[i]);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int add_device(struct kz_atr_table *t, const char *name)
{
	struct kz_atr_device *grown = realloc(t->devices, (t->n_devices + 1) * sizeof *grown);

	if (!grown)
		return -1;
	t->devices = grown;
	grown[t->n_devices].module = NULL;
	grown[t->n_devices].name = strdup(name);
	if (!grown[t->n_devices].name)
		return -1;
	t->n_devices++;
	return 0;
}

/* "HEX [/ MASK]" for the current device; 1 when the value is bad. */
static int add_atr(struct kz_atr_table *t, char *value)
{
	struct kz_atr_entry e;
	char *slash = strchr(value, '/');
	size_t mask_len;
	struct kz_atr_entry *grown;

	memset(&e, 0, sizeof e);
	if (slash)
		*slash = '\0';
	if (kz_atr_parse_hex(value, e.atr, sizeof e.atr, &e.len) < 0)
		return 1;
	if (slash) {
		if (kz_atr_parse_hex(slash + 1, e.mask, sizeof e.mask, &mask_len) < 0 ||
		    mask_len != e.len)
			return 1;
	} else {
		memset(e.mask, 0xFF, e.len);
	}
	e.device = t->n_devices - 1;
	grown = realloc(t->entries, (t->n_entries + 1) * sizeof *grown);
	if (!grown)
		return -1;
	t->entries = grown;
	t->entries[t->n_entries++] = e;
	return 0;
}

static int parse_line(struct kz_atr_table *t, char *line, const char *origin, int lineno)
{
	char *eq, *name, *value;
	struct kz_atr_device *dev;
	int rc = 0;

	if (line[0] == '[') {
		char *close = strchr(line, ']');
		if (!close || close[1] != '\0' || close == line + 1) {
			kz_error("%s:%d: expected '[device name]', line ignored", origin, lineno);
			return 0;
		}
		*close = '\0';
		return add_device(t, trim(line + 1));
	}
	eq = strchr(line, '=');
	if (!eq) {
		kz_error("%s:%d: expected 'name = value', line ignored", origin, lineno);
		return 0;
	}
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	if (t->n_devices == 0) {
		kz_error("%s:%d: '%s' before any [device], ignored", origin, lineno, name);
		return 0;
	}
	dev = &t->devices[t->n_devices - 1];
	if (!strcmp(name, "atr")) {
		rc = add_atr(t, value);
		if (rc == 1) {
			kz_error("%s:%d: invalid ATR '%s' ignored (hex bytes, optional '/ mask' "
				 "of the same length)", origin, lineno, value);
			rc = 0;
		}
	} else if (!strcmp(name, "module")) {
		char *copy = *value ? strdup(value) : NULL;
		if (*value && !copy)
			return -1;
		free(dev->module);
		dev->module = copy;
	} else {
		kz_error("%s:%d: unknown setting '%s' ignored", origin, lineno, name);
	}
	return rc;
}

int kz_atr_parse(struct kz_atr_table *t, const char *text, const char *origin)
{
	char *copy = strdup(text), *cursor, *line;
	size_t first_device = t->n_devices;
	int lineno = 0, rc = 0;

	if (!copy)
		return -1;
	cursor = copy;
	/* A file's settings never attach to the previous file's last device. */
	while (rc == 0 && (line = strsep(&cursor, "\n")) != NULL) {
		char *hash = strchr(line, '#');
		lineno++;
		if (hash)
			*hash = '\0';
		line = trim(line);
		if (!*line)
			continue;
		if (line[0] != '[' && t->n_devices == first_device) {
			kz_error("%s:%d: setting before any [device], ignored", origin, lineno);
			continue;
		}
		rc = parse_line(t, line, origin, lineno);
	}
	free(copy);
	return rc;
}

int kz_atr_load(struct kz_atr_table *t, const char *path)
{
	char *text;
	int rc = kz_read_text_file(path, ATR_FILE_MAX, &text);

	if (rc == 0)
		kz_info("no ATR table at %s: hardware tokens are not recognised", path);
	else if (rc < 0 && errno == ENOMEM)
		return -1;
	else if (rc < 0 && (errno == EFBIG || errno == EILSEQ))
		kz_error("%s is not a text file of at most %d bytes, ignored", path, ATR_FILE_MAX);
	else if (rc < 0)
		kz_error("cannot read %s: %s", path, strerror(errno));
	if (rc <= 0)
		return 0;
	rc = kz_atr_parse(t, text, path);
	free(text);
	return rc;
}

const struct kz_atr_device *kz_atr_match(const struct kz_atr_table *t,
					 const unsigned char *atr, size_t len)
{
	for (size_t i = 0; i < t->n_entries; i++) {
		const struct kz_atr_entry *e = &t->entries[i];
		size_t k;
		if (e->len != len)
			continue;
		for (k = 0; k < len; k++)
			if ((atr[k] & e->mask[k]) != (e->atr[k] & e->mask[k]))
				break;
		if (k == len)
			return &t->devices[e->device];
	}
	return NULL;
}

void kz_atr_free(struct kz_atr_table *t)
{
	for (size_t i = 0; i < t->n_devices; i++) {
		free(t->devices[i].name);
		free(t->devices[i].module);
	}
	free(t->devices);
	free(t->entries);
	memset(t, 0, sizeof *t);
}
