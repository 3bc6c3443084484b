/*
 * The trust token's slot and objects.  For each CA certificate: a
 * certificate object (CKA_TRUSTED, category "authority") and an NSS trust
 * object naming it by issuer and serial number with its SHA-1 and MD5
 * hashes, trusted as a delegator (may issue) for TLS servers, TLS clients
 * and e-mail (S/MIME, which is how NCA's signing certificates are marked),
 * and explicitly not for code signing.
 *
 * No CKO_NSS_BUILTIN_ROOT_LIST object: a slot holding one makes NSS take
 * the module for *the* built-in roots module (SECMOD_HasRootCerts()), and
 * code that loads Mozilla's roots (libnssckbi) only when no module has them
 * -- NSS's own nss_FindExternalRoot, LibreOffice's NSS set-up -- would then
 * skip them.  Trust objects are honoured on any token without it
 * (tests/interop/trust.sh).
 */
#include "trust/trust.h"
#include "trust/nss.h"
#include "core/object.h"
#include "core/slot.h"
#include "crypto/cert.h"
#include "crypto/ossl.h"
#include "util/log.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRUST_TOKEN_LABEL "kzp11 trusted CAs"

struct trust_slot {
	char *dir;
	size_t n_certs;
};

static void copy_padded(unsigned char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	memset(dst, ' ', size);
	memcpy(dst, src, n < size ? n : size);
}

static void trust_slot_info(struct kz_slot *slot, CK_SLOT_INFO *info)
{
	(void)slot;
	copy_padded(info->slotDescription, sizeof info->slotDescription,
		    "kzp11 trusted CA certificates");
	copy_padded(info->manufacturerID, sizeof info->manufacturerID, "kzp11");
	info->flags = CKF_TOKEN_PRESENT;
}

static void trust_token_info(struct kz_slot *slot, CK_TOKEN_INFO *info)
{
	(void)slot;
	copy_padded(info->label, sizeof info->label, TRUST_TOKEN_LABEL);
	copy_padded(info->manufacturerID, sizeof info->manufacturerID, "kzp11");
	copy_padded(info->model, sizeof info->model, "CA folder");
	copy_padded(info->serialNumber, sizeof info->serialNumber, "trust");
	/* Nothing to log in to: no CKF_LOGIN_REQUIRED. */
	info->flags = CKF_TOKEN_INITIALIZED | CKF_WRITE_PROTECTED;
	info->ulMinPinLen = 0;
	info->ulMaxPinLen = 0;
}

static CK_RV trust_login(struct kz_slot *slot, const CK_UTF8CHAR *pin, CK_ULONG pin_len)
{
	/* Nothing is private here; a login changes nothing. */
	(void)slot;
	(void)pin;
	(void)pin_len;
	return CKR_OK;
}

static void trust_logout(struct kz_slot *slot)
{
	(void)slot;
}

static void trust_release(struct kz_slot *slot)
{
	struct trust_slot *t = slot->data;

	if (t)
		free(t->dir);
	free(t);
	slot->data = NULL;
}

static const struct kz_backend trust_backend = {
	.name = "trust",
	.slot_info = trust_slot_info,
	.token_info = trust_token_info,
	.login = trust_login,
	.logout = trust_logout,
	.release = trust_release,
};

/* Sets an attribute to a DER encoding made by OpenSSL; frees it. */
static int set_der(struct kz_object *obj, CK_ATTRIBUTE_TYPE type, unsigned char *der, int len)
{
	int rc = len > 0 ? kz_object_set(obj, type, der, (CK_ULONG)len) : -1;
	OPENSSL_free(der);
	return rc;
}

static int digest(const char *name, const unsigned char *der, size_t len, unsigned char *out,
		  unsigned int *out_len)
{
	EVP_MD *md = EVP_MD_fetch(kz_ossl_ctx(), name, NULL);
	int ok = md && EVP_Digest(der, len, out, out_len, md, NULL);

	EVP_MD_free(md);
	ERR_clear_error();
	return ok ? 0 : -1;
}

/* "CN of the CA" or, without one, the subject line; never a ':' (NSS nicknames). */
static char *ca_label(X509 *cert)
{
	char *label = kz_cert_common_name(cert);

	if (!label) {
		label = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
		if (label) {
			char *copy = strdup(label);
			OPENSSL_free(label);
			label = copy;
		}
	}
	for (char *p = label; p && *p; p++)
		if (*p == ':' || (unsigned char)*p < 0x20)
			*p = ' ';
	return label;
}

static int set_common(struct kz_object *obj, X509 *cert, const char *label)
{
	unsigned char *issuer = NULL, *serial = NULL;
	int issuer_len = i2d_X509_NAME(X509_get_issuer_name(cert), &issuer);
	int serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &serial);

	return (label ? kz_object_set(obj, CKA_LABEL, label, (CK_ULONG)strlen(label)) : -1) |
	       set_der(obj, CKA_ISSUER, issuer, issuer_len) |
	       set_der(obj, CKA_SERIAL_NUMBER, serial, serial_len);
}

static int set_cert_object(struct kz_object *obj, X509 *cert, const unsigned char *der,
			   size_t der_len, const unsigned char sha1[20], const char *label)
{
	unsigned char *subject = NULL, id[64];
	int subject_len = i2d_X509_NAME(X509_get_subject_name(cert), &subject);
	size_t id_len = 0;

	if (kz_cert_key_id(cert, id, sizeof id, &id_len) < 0)
		id_len = 0;
	return set_common(obj, cert, label) |
	       set_der(obj, CKA_SUBJECT, subject, subject_len) |
	       kz_object_set(obj, CKA_VALUE, der, (CK_ULONG)der_len) |
	       kz_object_set(obj, CKA_ID, id, (CK_ULONG)id_len) |
	       kz_object_set(obj, CKA_CHECK_VALUE, sha1, 3) |
	       kz_object_set_ulong(obj, CKA_CERTIFICATE_TYPE, CKC_X_509) |
	       kz_object_set_ulong(obj, CKA_CERTIFICATE_CATEGORY, 2) |   /* authority */
	       kz_object_set_bool(obj, CKA_TRUSTED, 1) |
	       kz_object_set_ulong(obj, CKA_JAVA_MIDP_SECURITY_DOMAIN, 0) |
	       kz_object_set(obj, CKA_URL, "", 0) |
	       kz_object_set(obj, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, "", 0) |
	       kz_object_set(obj, CKA_HASH_OF_ISSUER_PUBLIC_KEY, "", 0) |
	       kz_object_set_ulong(obj, CKA_NAME_HASH_ALGORITHM, CKM_SHA_1);
}

static int set_trust_object(struct kz_object *obj, X509 *cert, const unsigned char sha1[20],
			    const unsigned char *md5, const char *label)
{
	return set_common(obj, cert, label) |
	       kz_object_set(obj, CKA_CERT_SHA1_HASH, sha1, 20) |
	       kz_object_set(obj, CKA_CERT_MD5_HASH, md5, 16) |
	       kz_object_set_ulong(obj, CKA_TRUST_SERVER_AUTH, CKT_NSS_TRUSTED_DELEGATOR) |
	       kz_object_set_ulong(obj, CKA_TRUST_CLIENT_AUTH, CKT_NSS_TRUSTED_DELEGATOR) |
	       kz_object_set_ulong(obj, CKA_TRUST_EMAIL_PROTECTION, CKT_NSS_TRUSTED_DELEGATOR) |
	       kz_object_set_ulong(obj, CKA_TRUST_CODE_SIGNING, CKT_NSS_MUST_VERIFY_TRUST) |
	       kz_object_set_bool(obj, CKA_TRUST_STEP_UP_APPROVED, 0);
}

static CK_RV publish(struct kz_slot *slot, struct kz_object *obj, int rc)
{
	if (rc != 0) {
		kz_object_free(obj);
		return CKR_HOST_MEMORY;
	}
	return kz_slot_publish(slot, obj);
}

static CK_RV publish_ca(struct kz_slot *slot, X509 *cert)
{
	unsigned char *der = NULL, sha1[20], md5[16];
	unsigned int sha1_len = 0, md5_len = 0;
	size_t der_len;
	struct kz_object *cert_obj, *trust_obj;
	char *label;
	CK_RV rv = CKR_HOST_MEMORY;

	if (kz_cert_to_der(cert, &der, &der_len) < 0)
		return CKR_HOST_MEMORY;
	if (digest("SHA1", der, der_len, sha1, &sha1_len) < 0 ||
	    digest("MD5", der, der_len, md5, &md5_len) < 0) {
		/* Without both hashes NSS would not match the trust object. */
		kz_error("trust folder: cannot hash a certificate; skipped");
		OPENSSL_free(der);
		return CKR_OK;
	}
	label = ca_label(cert);
	cert_obj = kz_object_new(CKO_CERTIFICATE, 0);
	trust_obj = kz_object_new(CKO_NSS_TRUST, 0);
	if (label && cert_obj && trust_obj) {
		rv = publish(slot, cert_obj, set_cert_object(cert_obj, cert, der, der_len, sha1, label));
		cert_obj = NULL;
		if (rv == CKR_OK)
			rv = publish(slot, trust_obj, set_trust_object(trust_obj, cert, sha1, md5, label));
		trust_obj = NULL;
	}
	kz_object_free(cert_obj);
	kz_object_free(trust_obj);
	free(label);
	OPENSSL_free(der);
	return rv;
}

CK_RV kz_trust_scan(const struct kz_conf *conf)
{
	struct trust_slot *t;
	struct kz_slot *slot;
	X509 **certs;
	size_t n;
	CK_RV rv = CKR_OK;

	if (!conf->trust_ca_dir)
		return CKR_OK;
	if (kz_trust_load_folder(conf->trust_ca_dir, &certs, &n) < 0)
		return CKR_OK;   /* refused or unreadable: logged, no trust token */
	t = calloc(1, sizeof *t);
	if (t)
		t->dir = strdup(conf->trust_ca_dir);
	slot = t && t->dir ? kz_slot_add(&trust_backend, t) : NULL;
	if (!slot) {
		if (t)
			free(t->dir);
		free(t);
		rv = CKR_HOST_MEMORY;
	}
	for (size_t i = 0; i < n; i++) {
		if (rv == CKR_OK)
			rv = publish_ca(slot, certs[i]);
		X509_free(certs[i]);
	}
	free(certs);
	if (rv == CKR_OK) {
		t->n_certs = n;
		kz_info("trust token: slot %lu, %zu CA certificate(s) from %s",
			(unsigned long)slot->id, n, conf->trust_ca_dir);
	}
	return rv;
}
