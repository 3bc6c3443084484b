/*
 * Finding containers.  Files are recognised by content, not by name (people
 * rename them): any small regular file that parses as PKCS#12 with a private
 * key becomes a slot.  The same key found twice (a copy in Downloads and
 * one in keys/) is shown once, from the first place configured.
 */
#include "soft/soft.h"
#include "soft/container.h"
#include "core/slot.h"
#include "crypto/cert.h"
#include "crypto/ossl.h"
#include "util/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONTAINER_MIN_SIZE 64
#define CONTAINER_MAX_SIZE (256 * 1024)
#define MAX_VISITED_DIRS 4096

struct scan {
	const struct kz_conf *conf;
	struct kz_container **found;
	size_t n_found;
	struct { dev_t dev; ino_t ino; } visited[MAX_VISITED_DIRS];
	size_t n_visited;
	CK_RV rv;
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* What an NCA file name says about the key, as a hint until the certificate is known. */
static const char *name_hint(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(base, "AUTH_", 5) == 0)
		return "AUTH";
	if (strncmp(base, "RSA", 3) == 0)
		return "SIGN";
	if (strncmp(base, "GOST", 4) == 0)
		return "GOST";
	return NULL;
}

/* A certificate file beside the container with the same base name. */
static X509 *sibling_cert(const char *path)
{
	static const char *const exts[] = { ".cer", ".crt", ".pem" };
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - path) : strlen(path);
	char buf[4096];

	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		X509 *cert;
		if (snprintf(buf, sizeof buf, "%.*s%s", (int)stem, path, exts[i]) >= (int)sizeof buf)
			continue;
		if (access(buf, R_OK) == 0 && (cert = kz_cert_from_file(buf)) != NULL)
			return cert;
	}
	return NULL;
}

static int already_found(const struct scan *s, const struct kz_container *c)
{
	for (size_t i = 0; i < s->n_found; i++)
		if (s->found[i]->id_len == c->id_len &&
		    memcmp(s->found[i]->id, c->id, c->id_len) == 0) {
			kz_info("%s: same key as %s, shown once", c->path, s->found[i]->path);
			return 1;
		}
	return 0;
}

/* Gives the container a slot and its public objects; frees c if it cannot. */
static CK_RV add_slot(struct scan *s, struct kz_container *c)
{
	struct kz_container **grown;
	struct kz_slot *slot;
	X509 *cert;
	CK_RV rv;

	cert = kz_certcache_load(s->conf, c);
	if (!kz_container_accept_cert(c, cert)) {
		X509_free(cert);
		cert = sibling_cert(c->path);
		if (!kz_container_accept_cert(c, cert))
			X509_free(cert);
	}
	grown = realloc(s->found, (s->n_found + 1) * sizeof *grown);
	slot = grown ? kz_slot_add(&kz_soft_backend, c) : NULL;
	if (grown)
		s->found = grown;
	if (!slot) {
		kz_container_free(c);
		return CKR_HOST_MEMORY;
	}
	s->found[s->n_found++] = c;
	kz_soft_name_token(c);   /* fixed now, in scan order: the first of two alike keeps the date */
	/*
	 * "Friendly" (certificates readable without a PIN) only when the
	 * certificate is known now: NSS decides once, when it first sees the
	 * token, and never logs in to a friendly token to look for certificates,
	 * so a container whose certificate is still locked inside it would never
	 * be offered for TLS client authentication (Firefox, first use).
	 */
	rv = c->cert ? kz_soft_publish_profile(slot) : CKR_OK;
	if (rv == CKR_OK)
		rv = kz_soft_publish_public(slot, c);
	kz_info("%s: container, slot %lu%s", c->path, (unsigned long)slot->id,
		c->cert ? ", certificate known" : "");
	return rv;
}

/*
 * Reads a candidate file with one open: small enough, and starting with a
 * SEQUENCE as PKCS#12 does, so PDFs and photos in Downloads cost one byte.
 * Returns 0 with the contents, 1 for "not a candidate", -1 on a read error.
 */
static int read_candidate(const char *path, const struct stat *st, unsigned char **buf,
			  size_t *len)
{
	size_t size = (size_t)st->st_size;
	ssize_t n;
	int fd;

	*buf = NULL;
	if (size < CONTAINER_MIN_SIZE || size > CONTAINER_MAX_SIZE)
		return 1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	*buf = malloc(size);
	n = *buf ? read(fd, *buf, 1) : -1;
	if (n == 1 && (*buf)[0] == 0x30) {
		n = read(fd, *buf + 1, size - 1);
		if (n >= 0)
			*len = (size_t)n + 1;
		close(fd);
		return n >= 0 ? 0 : -1;
	}
	close(fd);
	free(*buf);
	*buf = NULL;
	return n < 0 ? -1 : 1;
}

static void consider_file(struct scan *s, const char *path, const struct stat *st)
{
	unsigned char *buf;
	size_t len;
	struct kz_p12_info info;
	struct kz_container *c;
	const char *why = NULL;
	enum kz_p12_status status;
	int named_p12 = has_suffix(path, ".p12") || has_suffix(path, ".pfx");

	switch (read_candidate(path, st, &buf, &len)) {
	case 0:
		break;
	case 1:
		if (named_p12)
			kz_error("%s: not a PKCS#12 container, skipped", path);
		return;
	default:
		kz_error("%s: cannot read: %s", path, strerror(errno));
		return;
	}
	status = kz_p12_probe(buf, len, &info, &why);
	if (status == KZ_P12_OK && info.key_id_len == 0) {
		/* No ID in clear: name the key by the file's own fingerprint. */
		info.key_id_len = kz_sha1(buf, len, info.key_id) == 0 ? 20 : 0;
	}
	free(buf);
	if (status != KZ_P12_OK || info.key_id_len == 0) {
		if (named_p12 || status != KZ_P12_NOT_PKCS12)
			kz_error("%s: %s, skipped", path, why ? why : "unusable container");
		return;
	}
	c = calloc(1, sizeof *c);
	if (!c || !(c->path = strdup(path))) {
		free(c);
		s->rv = CKR_HOST_MEMORY;
		return;
	}
	memcpy(c->id, info.key_id, info.key_id_len);
	c->id_len = info.key_id_len;
	c->name_hint = name_hint(path);
	c->conf = s->conf;
	if (already_found(s, c)) {
		kz_container_free(c);
		return;
	}
	s->rv = add_slot(s, c);   /* the slot owns c from here */
}

static int visit_once(struct scan *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n_visited; i++)
		if (s->visited[i].dev == st->st_dev && s->visited[i].ino == st->st_ino)
			return 0;
	if (s->n_visited == MAX_VISITED_DIRS)
		return 0;
	s->visited[s->n_visited].dev = st->st_dev;
	s->visited[s->n_visited].ino = st->st_ino;
	s->n_visited++;
	return 1;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void scan_path(struct scan *s, const char *path, int depth, int explicit)
{
	struct stat st;
	struct dirent **entries;
	int n;

	if (s->rv != CKR_OK || stat(path, &st) < 0) {
		if (explicit && errno != ENOENT)
			kz_error("%s: %s", path, strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		consider_file(s, path, &st);
		return;
	}
	if (!S_ISDIR(st.st_mode) || depth < 0 || !visit_once(s, &st))
		return;
	n = scandir(path, &entries, not_hidden, alphasort);
	if (n < 0) {
		kz_error("%s: cannot list: %s", path, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char child[4096];
		if (snprintf(child, sizeof child, "%s/%s", path, entries[i]->d_name) < (int)sizeof child)
			scan_path(s, child, depth - 1, 0);
		free(entries[i]);
	}
	free(entries);
}

CK_RV kz_soft_scan(const struct kz_conf *conf)
{
	struct scan *s = calloc(1, sizeof *s);
	CK_RV rv;

	if (!s)
		return CKR_HOST_MEMORY;
	s->conf = conf;
	s->rv = CKR_OK;
	for (size_t i = 0; i < conf->n_key_paths && s->rv == CKR_OK; i++) {
		kz_debug("looking for containers in %s", conf->key_paths[i]);
		scan_path(s, conf->key_paths[i], conf->scan_depth, conf->key_paths_from_env);
	}
	rv = s->rv;
	free(s->found);   /* the slots own the containers */
	free(s);
	return rv;
}
