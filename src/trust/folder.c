/*
 * Reading the trust folder.  Whoever can write it decides which sites the
 * browser believes, so the folder and every file taken from it must be
 * owned by root or by the user running the application and be writable by
 * nobody else; anything else is refused with a log line.  Files are PEM
 * (one or more certificates) or DER; only CA certificates
 * (basicConstraints CA:TRUE) are kept.
 */
#include "trust/trust.h"
#include "crypto/cert.h"
#include "crypto/ossl.h"
#include "util/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRUST_FILE_MAX (1024 * 1024)
#define TRUST_MAX_CERTS 1024

static int owner_ok(const char *what, const char *path, const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		kz_error("%s %s is owned by uid %lu, neither root nor this user: refused", what, path,
			 (unsigned long)st->st_uid);
		return 0;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		kz_error("%s %s is writable by %s: refused", what, path,
			 (st->st_mode & S_IWOTH) ? "everyone" : "its group");
		return 0;
	}
	return 1;
}

/* Reads one file below dirfd, checking the file actually opened. */
static int read_at(int dirfd, const char *dir, const char *name, unsigned char **buf, size_t *len)
{
	char path[4096];
	struct stat st;
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (fd < 0) {
		kz_error("trust folder: %s: %s, skipped", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !owner_ok("trust file", path, &st) ||
	    st.st_size <= 0 || st.st_size > TRUST_FILE_MAX) {
		if (S_ISREG(st.st_mode) && (st.st_size <= 0 || st.st_size > TRUST_FILE_MAX))
			kz_error("trust folder: %s is empty or too large, skipped", path);
		close(fd);
		return -1;
	}
	*buf = malloc((size_t)st.st_size);
	n = *buf ? read(fd, *buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n <= 0) {
		free(*buf);
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

/* Every certificate in a PEM or DER file, bound to the module's context. */
static size_t parse_certs(const unsigned char *buf, size_t len, X509 **out, size_t max)
{
	size_t n = 0;

	if (len > 0 && buf[0] == 0x30) {
		X509 *cert = kz_cert_from_der(buf, len);
		if (cert && max > 0)
			out[n++] = cert;
		return n;
	}
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	while (bio && n < max) {
		X509 *cert = X509_new_ex(kz_ossl_ctx(), NULL);
		if (!cert || !PEM_read_bio_X509(bio, &cert, NULL, NULL)) {
			X509_free(cert);
			break;
		}
		out[n++] = cert;
	}
	BIO_free(bio);
	ERR_clear_error();
	return n;
}

static int is_ca(X509 *cert)
{
	uint32_t flags = X509_get_extension_flags(cert);

	ERR_clear_error();
	return !(flags & EXFLAG_INVALID) && (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA);
}

static int already_have(X509 **certs, size_t n, X509 *cert)
{
	for (size_t i = 0; i < n; i++)
		if (X509_cmp(certs[i], cert) == 0)
			return 1;
	return 0;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Takes the CA certificates of one file into certs. */
static void take_file(int dirfd, const char *dir, const char *name, X509 **certs, size_t *n)
{
	X509 *found[64];
	unsigned char *buf;
	size_t len, count;
	char *cn;

	if (read_at(dirfd, dir, name, &buf, &len) < 0)
		return;
	count = parse_certs(buf, len, found, sizeof found / sizeof *found);
	free(buf);
	if (count == 0)
		kz_error("trust folder: %s/%s holds no readable certificate, skipped", dir, name);
	for (size_t i = 0; i < count; i++) {
		cn = kz_cert_common_name(found[i]);
		if (!is_ca(found[i])) {
			kz_error("trust folder: %s/%s: '%s' is not a CA certificate "
				 "(no basicConstraints CA:TRUE), not trusted", dir, name, cn ? cn : "?");
			X509_free(found[i]);
		} else if (already_have(certs, *n, found[i]) || *n == TRUST_MAX_CERTS) {
			kz_debug("trust folder: %s/%s: '%s' %s", dir, name, cn ? cn : "?",
				 *n == TRUST_MAX_CERTS ? "over the limit, skipped" : "seen already");
			X509_free(found[i]);
		} else {
			kz_info("trust folder: %s/%s: trusting CA '%s'", dir, name, cn ? cn : "?");
			certs[(*n)++] = found[i];
		}
		free(cn);
	}
}

int kz_trust_load_folder(const char *dir, X509 ***out, size_t *n)
{
	struct dirent **entries;
	struct stat st;
	X509 **certs;
	int dirfd, count;

	*out = NULL;
	*n = 0;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		kz_error("trust folder %s: %s; no trust token", dir, strerror(errno));
		return -1;
	}
	if (fstat(dirfd, &st) < 0 || !owner_ok("trust folder", dir, &st)) {
		close(dirfd);
		return -1;
	}
	count = scandir(dir, &entries, not_hidden, alphasort);
	certs = count >= 0 ? calloc(TRUST_MAX_CERTS, sizeof *certs) : NULL;
	if (!certs) {
		kz_error("trust folder %s: cannot list it", dir);
		for (int i = 0; i < count; i++)
			free(entries[i]);
		if (count >= 0)
			free(entries);
		close(dirfd);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		struct stat fst;
		if (fstatat(dirfd, entries[i]->d_name, &fst, 0) == 0 && S_ISREG(fst.st_mode))
			take_file(dirfd, dir, entries[i]->d_name, certs, n);
		free(entries[i]);
	}
	free(entries);
	close(dirfd);
	*out = certs;
	return (int)*n;
}
