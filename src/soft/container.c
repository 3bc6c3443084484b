/*
 * The container backend: token description, login (decrypting the file
 * with the password) and logout.  The file is only ever read here; the
 * password change (soft/setpin.c) is the one place that writes it.
 */
#include "soft/container.h"
#include "core/slot.h"
#include "crypto/cert.h"
#include "crypto/ossl.h"
#include "util/conf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/pinentry.h"
#include "util/secmem.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define PIN_MAX 256
#define CONTAINER_MAX_SIZE (1024 * 1024)

/* 1 when the certificate's key ID or SHA-1 fingerprint is the container's ID. */
static int cert_belongs(const struct kz_container *c, X509 *cert)
{
	unsigned char id[KZ_KEY_ID_MAX], md[20];
	unsigned char *der = NULL;
	size_t len;
	int fingerprint_ok;

	if (kz_cert_key_id(cert, id, sizeof id, &len) == 0 && len == c->id_len &&
	    memcmp(id, c->id, len) == 0)
		return 1;
	/* OpenSSL's own exports use the certificate's SHA-1 as localKeyID. */
	if (kz_cert_to_der(cert, &der, &len) < 0)
		return 0;
	fingerprint_ok = kz_sha1(der, len, md) == 0 && c->id_len == sizeof md &&
			 memcmp(md, c->id, sizeof md) == 0;
	OPENSSL_free(der);
	return fingerprint_ok;
}

int kz_container_accept_cert(struct kz_container *c, X509 *cert)
{
	if (!cert || c->cert || !cert_belongs(c, cert))
		return 0;
	c->cert = cert;
	return 1;
}

void kz_container_free(struct kz_container *c)
{
	if (!c)
		return;
	X509_free(c->cert);
	free(c->object_label);
	free(c->path);
	free(c);
}

static void copy_padded(unsigned char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	memset(dst, ' ', size);
	memcpy(dst, src, n < size ? n : size);
}

static void soft_slot_info(struct kz_slot *slot, CK_SLOT_INFO *info)
{
	struct kz_container *c = slot->data;
	const char *base = strrchr(c->path, '/');
	char desc[128];

	snprintf(desc, sizeof desc, "NCA key file %s", base ? base + 1 : c->path);
	copy_padded(info->slotDescription, sizeof info->slotDescription, desc);
	copy_padded(info->manufacturerID, sizeof info->manufacturerID, "kzp11");
	info->flags = CKF_TOKEN_PRESENT;
}

static void soft_token_info(struct kz_slot *slot, CK_TOKEN_INFO *info)
{
	struct kz_container *c = slot->data;

	kz_soft_name_token(c);
	memcpy(info->label, c->token_label, sizeof info->label);
	copy_padded(info->manufacturerID, sizeof info->manufacturerID, "kzp11");
	copy_padded(info->model, sizeof info->model, "NCA PKCS#12");
	kz_soft_serial(c, info->serialNumber);
	info->flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED |
		      CKF_TOKEN_INITIALIZED;
	if (c->conf && c->conf->pinentry)
		info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	/* NCA's password rules; logging in does not enforce them. */
	info->ulMinPinLen = 6;
	info->ulMaxPinLen = 32;
}

static CK_RV status_to_rv(enum kz_p12_status st)
{
	switch (st) {
	case KZ_P12_OK: return CKR_OK;
	case KZ_P12_BAD_PASSWORD: return CKR_PIN_INCORRECT;
	case KZ_P12_NO_MEMORY: return CKR_HOST_MEMORY;
	case KZ_P12_UNSUPPORTED: return CKR_FUNCTION_FAILED;
	default: return CKR_DEVICE_ERROR;
	}
}

/* Publishes the certificate learnt at login and remembers it for next time. */
static CK_RV learn_cert(struct kz_slot *slot, struct kz_container *c, X509 **cert)
{
	CK_RV rv;

	if (!*cert || c->cert_published)
		return CKR_OK;
	if (!c->cert) {
		c->cert = *cert;
		*cert = NULL;
	}
	if (c->conf && c->conf->cert_cache)
		kz_certcache_store(c->conf, c);
	/* Now as friendly as a token whose certificate was known at the scan. */
	rv = kz_soft_publish_profile(slot);
	return rv == CKR_OK ? kz_soft_publish_public(slot, c) : rv;
}

static CK_RV open_container(struct kz_container *c, const CK_UTF8CHAR *pin, CK_ULONG pin_len,
			    struct kz_p12_contents *out)
{
	unsigned char *buf;
	size_t len;
	char *pw;
	const char *why = NULL;
	enum kz_p12_status st;

	if (kz_read_file(c->path, CONTAINER_MAX_SIZE, &buf, &len) < 0) {
		kz_error("%s: cannot read: %s", c->path, strerror(errno));
		return errno == ENOENT ? CKR_DEVICE_REMOVED : CKR_DEVICE_ERROR;
	}
	/* A NUL-terminated copy of the PIN, wiped right after use. */
	pw = kz_secmem_alloc(pin_len + 1);
	if (!pw) {
		free(buf);
		return CKR_HOST_MEMORY;
	}
	memcpy(pw, pin, pin_len);
	pw[pin_len] = '\0';
	st = kz_p12_open(buf, len, pw, pin_len, out, &why);
	kz_secmem_free(pw);
	free(buf);
	if (st == KZ_P12_BAD_PASSWORD)
		kz_info("%s: login failed: %s", c->path, why);
	else if (st != KZ_P12_OK)
		kz_error("%s: cannot open: %s", c->path, why);
	return status_to_rv(st);
}

static CK_RV soft_login(struct kz_slot *slot, const CK_UTF8CHAR *pin, CK_ULONG pin_len)
{
	struct kz_container *c = slot->data;
	struct kz_p12_contents contents;
	struct kz_key *key;
	const char *why = NULL;
	CK_RV rv;

	if (pin_len > PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	rv = open_container(c, pin, pin_len, &contents);
	if (rv != CKR_OK)
		return rv;
	key = kz_key_from_pkcs8(contents.key, &why);
	if (contents.cert && key && !kz_key_matches_cert(key, contents.cert)) {
		kz_error("%s: the certificate inside does not belong to the key; ignoring it",
			 c->path);
		X509_free(contents.cert);
		contents.cert = NULL;
	}
	if (key && (c->cert ? !kz_key_matches_cert(key, c->cert)
			    : contents.cert && !cert_belongs(c, contents.cert))) {
		/* The file now holds another key than the token shows. */
		kz_error("%s was replaced by a different key since it was found; "
			 "restart the application to use it", c->path);
		kz_key_unref(key);
		kz_p12_contents_free(&contents);
		return CKR_DEVICE_REMOVED;
	}
	rv = learn_cert(slot, c, &contents.cert);
	if (rv == CKR_OK && key)
		rv = kz_soft_publish_private(slot, c, key);
	else if (rv == CKR_OK)
		kz_error("%s: password accepted, but the key cannot be used: %s", c->path, why);
	kz_key_unref(key);
	kz_p12_contents_free(&contents);
	return rv;
}

static void soft_logout(struct kz_slot *slot)
{
	(void)slot;   /* the private key object held the only reference */
}

/* The dialog names the token as applications show it, and the file. */
static int soft_pin_prompt(struct kz_slot *slot, struct kz_pinentry *req)
{
	struct kz_container *c = slot->data;
	unsigned char label[33];
	size_t n = 32;
	char desc[4400];

	if (!c->conf || !c->conf->pinentry)
		return -1;
	kz_soft_token_label(c, label);
	while (n > 0 && label[n - 1] == ' ')
		n--;
	label[n] = '\0';
	snprintf(desc, sizeof desc, "Password of the NCA key \"%s\"\n(%s)", (char *)label, c->path);
	req->program = strdup(c->conf->pinentry);
	req->title = strdup("kzp11");
	req->description = strdup(desc);
	req->prompt = strdup("Password:");
	if (!req->program || !req->title || !req->description || !req->prompt) {
		kz_pinentry_clear(req);
		return -1;
	}
	return 0;
}

static void soft_release(struct kz_slot *slot)
{
	kz_container_free(slot->data);
	slot->data = NULL;
}

const struct kz_backend kz_soft_backend = {
	.name = "container",
	.slot_info = soft_slot_info,
	.token_info = soft_token_info,
	.login = soft_login,
	.logout = soft_logout,
	.set_pin = kz_soft_set_pin,
	.release = soft_release,
	.pin_prompt = soft_pin_prompt,
};
