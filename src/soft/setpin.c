/*
 * C_SetPIN on a container slot: the file is re-encrypted with the new
 * password (soft/p12_write.c) and replaced atomically (util/atomic_file.c).
 *
 * Under the folder lock, in this order: leftovers of killed writers are
 * removed; the file is read and must still hold the slot's key (else
 * CKR_DEVICE_REMOVED); the old password must open it (else
 * CKR_PIN_INCORRECT); the rewritten bytes go to a temporary that must open
 * with the new password and hold the same key and certificate; then the
 * rename.  On any failure the original file is untouched.
 *
 * The login state does not change: a logged-in user stays logged in (the
 * key in memory is the same key), a public session stays public.
 */
#include "soft/container.h"
#include "soft/p12_write.h"
#include "core/slot.h"
#include "crypto/cert.h"
#include "crypto/ossl.h"
#include "util/atomic_file.h"
#include "util/conf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/secmem.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIN_MAX 256
#define CONTAINER_MAX_SIZE (1024 * 1024)
/* How long a second writer waits for the first before giving up. */
#define LOCK_WAIT_MS 5000

/* NCA's rules for a container password: 6 to 32 characters, Latin letters,
 * digits and #$^+=!*()@%&_?-. */
static CK_RV nca_password_rules(const CK_UTF8CHAR *pin, CK_ULONG len)
{
	static const char symbols[] = "#$^+=!*()@%&_?-.";

	if (len < 6 || len > 32)
		return CKR_PIN_LEN_RANGE;
	for (CK_ULONG i = 0; i < len; i++) {
		unsigned char ch = pin[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || (ch && memchr(symbols, ch, sizeof symbols - 1)))
			continue;
		return CKR_PIN_INVALID;
	}
	return CKR_OK;
}

/* A NUL-terminated copy in the module's locked memory, wiped by secret_free. */
static char *secret_copy(const CK_UTF8CHAR *pin, CK_ULONG len)
{
	char *s = kz_secmem_alloc(len + 1);

	if (s) {
		memcpy(s, pin, len);
		s[len] = '\0';
	}
	return s;
}

static void secret_free(char *s, CK_ULONG len)
{
	(void)len;
	kz_secmem_free(s);
}

static CK_RV status_rv(enum kz_p12_status st)
{
	switch (st) {
	case KZ_P12_OK: return CKR_OK;
	case KZ_P12_BAD_PASSWORD: return CKR_PIN_INCORRECT;
	case KZ_P12_NO_MEMORY: return CKR_HOST_MEMORY;
	case KZ_P12_UNSUPPORTED: return CKR_FUNCTION_FAILED;
	default: return CKR_DEVICE_ERROR;
	}
}

static CK_RV errno_rv(int err)
{
	switch (err) {
	case ENOENT: return CKR_DEVICE_REMOVED;
	case EACCES: case EPERM: case EROFS: return CKR_TOKEN_WRITE_PROTECTED;
	case ENOMEM: return CKR_HOST_MEMORY;
	case EBADMSG: return CKR_FUNCTION_FAILED;
	default: return CKR_DEVICE_ERROR;
	}
}

/* The key and certificate the file held before, for checking the new file. */
struct expect {
	const char *new_pw;
	size_t new_len;
	unsigned char *key_der;     /* PKCS#8, secret */
	int key_len;
	X509 *cert;
	const char *path;
};

static int same_contents(const struct expect *e, const struct kz_p12_contents *got)
{
	unsigned char *der = NULL;
	int len = i2d_PKCS8_PRIV_KEY_INFO(got->key, &der);
	int same = len > 0 && len == e->key_len && CRYPTO_memcmp(der, e->key_der, (size_t)len) == 0;

	if (der)
		OPENSSL_clear_free(der, (size_t)len);
	if (!e->cert || !got->cert)
		return same && !e->cert && !got->cert;
	return same && X509_cmp(e->cert, got->cert) == 0;
}

/* The temporary, read back from disk: opens with the new password, same key and certificate. */
static int verify_temp(const char *tmp, void *arg)
{
	const struct expect *e = arg;
	struct kz_p12_contents got;
	const char *why = NULL;
	unsigned char *buf;
	size_t len;
	enum kz_p12_status st;
	int ok;

	if (kz_read_file(tmp, CONTAINER_MAX_SIZE, &buf, &len) < 0) {
		kz_error("%s: cannot read the new file back: %s", e->path, strerror(errno));
		return -1;
	}
	st = kz_p12_open(buf, len, e->new_pw, e->new_len, &got, &why);
	free(buf);
	if (st != KZ_P12_OK) {
		kz_error("%s: the re-encrypted file does not open with the new password: %s",
			 e->path, why ? why : "unknown error");
		return -1;
	}
	ok = same_contents(e, &got);
	kz_p12_contents_free(&got);
	if (!ok)
		kz_error("%s: the re-encrypted file holds something else; not replacing", e->path);
	return ok ? 0 : -1;
}

/* The file still holds the key this slot was made for (same rule as the scan). */
static int still_same_key(const struct kz_container *c, const unsigned char *buf, size_t len,
			  const struct kz_p12_contents *now)
{
	struct kz_p12_info info;
	const char *why;
	unsigned char md[20];
	struct kz_key *key;
	int same = 0;

	if (kz_p12_probe(buf, len, &info, &why) == KZ_P12_OK && info.key_id_len &&
	    info.key_id_len == c->id_len && memcmp(info.key_id, c->id, c->id_len) == 0)
		return 1;
	if (c->cert && (key = kz_key_from_pkcs8(now->key, &why)) != NULL) {
		same = kz_key_matches_cert(key, c->cert);
		kz_key_unref(key);
		if (same)
			return 1;
	}
	/* Containers without an ID in clear are named by the file's SHA-1. */
	return c->id_len == sizeof md && kz_sha1(buf, len, md) == 0 &&
	       memcmp(md, c->id, sizeof md) == 0;
}

/* Like a login, a right password teaches the slot the certificate inside. */
static void learn_cert(struct kz_slot *slot, struct kz_container *c,
		       const struct kz_p12_contents *contents)
{
	struct kz_key *key;
	const char *why;
	int matches;

	if (c->cert || c->cert_published || !contents->cert)
		return;
	key = kz_key_from_pkcs8(contents->key, &why);
	matches = key && kz_key_matches_cert(key, contents->cert);
	kz_key_unref(key);
	if (matches && (c->cert = X509_dup(contents->cert)) != NULL) {
		if (c->conf && c->conf->cert_cache)
			kz_certcache_store(c->conf, c);
		if (kz_soft_publish_public(slot, c) != CKR_OK)
			kz_error("%s: cannot show its certificate", c->path);
	}
	ERR_clear_error();
}

/* Everything after the old password is known to be right. */
static CK_RV rewrite(struct kz_container *c, const char *real, int dir_fd,
		     const unsigned char *buf, size_t len, const char *old_pw, size_t old_len,
		     const char *new_pw, size_t new_len, struct kz_p12_contents *before)
{
	struct expect e = { .new_pw = new_pw, .new_len = new_len, .cert = before->cert,
			    .path = c->path };
	unsigned char *out = NULL;
	const char *why = NULL;
	enum kz_p12_status st;
	CK_RV rv = CKR_OK;

	e.key_len = i2d_PKCS8_PRIV_KEY_INFO(before->key, &e.key_der);
	if (e.key_len <= 0) {
		ERR_clear_error();
		return CKR_HOST_MEMORY;
	}
	st = kz_p12_repassword(buf, len, old_pw, old_len, new_pw, new_len, &out, &why);
	if (st != KZ_P12_OK) {
		kz_error("%s: cannot change the password: %s", c->path,
			 why ? why : "unknown error");
		rv = status_rv(st);
		/* The old password opened the file a moment ago. */
		if (rv == CKR_PIN_INCORRECT)
			rv = CKR_FUNCTION_FAILED;
	} else if (kz_atomic_replace(dir_fd, real, out, len, verify_temp, &e) < 0) {
		int err = errno;
		kz_error("%s: cannot write the file with the new password: %s; it is unchanged",
			 c->path, err == EBADMSG ? "the new file did not check out" : strerror(err));
		rv = errno_rv(err);
	}
	OPENSSL_clear_free(out, out ? len : 0);
	OPENSSL_clear_free(e.key_der, (size_t)e.key_len);
	return rv;
}

CK_RV kz_soft_set_pin(struct kz_slot *slot, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
		      const CK_UTF8CHAR *new_pin, CK_ULONG new_len)
{
	struct kz_container *c = slot->data;
	struct kz_p12_contents before = { 0 };
	char *real = NULL, *old_pw = NULL, *new_pw = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	const char *why = NULL;
	enum kz_p12_status st;
	int dir_fd = -1, removed;
	CK_RV rv;

	rv = nca_password_rules(new_pin, new_len);
	if (rv != CKR_OK) {
		kz_info("%s: the new password breaks NCA's rules (6 to 32 Latin letters, digits "
			"or #$^+=!*()@%%&_?-.)", c->path);
		return rv;
	}
	if (old_len > PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	/* A symlink is followed: the file it points to gets the new password. */
	real = realpath(c->path, NULL);
	if (!real) {
		kz_error("%s: %s", c->path, strerror(errno));
		return errno_rv(errno);
	}
	old_pw = secret_copy(old_pin, old_len);
	new_pw = secret_copy(new_pin, new_len);
	if (!old_pw || !new_pw) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	dir_fd = kz_folder_lock(real, LOCK_WAIT_MS);
	if (dir_fd < 0) {
		rv = errno == EWOULDBLOCK ? CKR_FUNCTION_FAILED : errno_rv(errno);
		kz_error("%s: cannot lock its folder: %s", c->path,
			 errno == EWOULDBLOCK ? "another program is changing a password there"
					      : strerror(errno));
		goto out;
	}
	removed = kz_atomic_cleanup(real);
	if (removed)
		kz_info("%s: removed %d unfinished copies left by an interrupted password change",
			c->path, removed);
	if (kz_read_file(real, CONTAINER_MAX_SIZE, &buf, &len) < 0) {
		rv = errno_rv(errno);
		kz_error("%s: cannot read: %s", c->path, strerror(errno));
		goto out;
	}
	st = kz_p12_open(buf, len, old_pw, old_len, &before, &why);
	if (st != KZ_P12_OK) {
		rv = status_rv(st);
		if (st == KZ_P12_BAD_PASSWORD)
			kz_info("%s: password not changed: %s", c->path, why);
		else
			kz_error("%s: cannot open: %s", c->path, why);
		goto out;
	}
	if (!still_same_key(c, buf, len, &before)) {
		kz_error("%s was replaced by a different key since it was found; "
			 "restart the application to use it", c->path);
		rv = CKR_DEVICE_REMOVED;
		goto out;
	}
	rv = rewrite(c, real, dir_fd, buf, len, old_pw, old_len, new_pw, new_len, &before);
	if (rv == CKR_OK) {
		kz_info("%s: password changed", c->path);
		learn_cert(slot, c, &before);
	}
out:
	kz_p12_contents_free(&before);
	kz_folder_unlock(dir_fd);
	free(buf);
	secret_free(old_pw, old_len);
	secret_free(new_pw, new_len);
	free(real);
	return rv;
}
