#include "crypto/cert.h"
#include "crypto/ossl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CERT_FILE_MAX (64 * 1024)

X509 *kz_cert_from_der(const unsigned char *der, size_t len)
{
	X509 *cert = X509_new_ex(kz_ossl_ctx(), NULL);
	const unsigned char *p = der;

	if (!cert)
		return NULL;
	if (!d2i_X509(&cert, &p, (long)len) || p != der + len) {
		X509_free(cert);
		ERR_clear_error();
		return NULL;
	}
	return cert;
}

int kz_cert_to_der(const X509 *cert, unsigned char **der, size_t *len)
{
	int n;

	*der = NULL;
	n = i2d_X509(cert, der);
	if (n <= 0) {
		ERR_clear_error();
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

X509 *kz_cert_rebind(const X509 *cert)
{
	unsigned char *der;
	size_t len;
	X509 *copy;

	if (kz_cert_to_der(cert, &der, &len) < 0)
		return NULL;
	copy = kz_cert_from_der(der, len);
	OPENSSL_free(der);
	return copy;
}

X509 *kz_cert_from_file(const char *path)
{
	unsigned char *buf;
	size_t len;
	X509 *cert = NULL;
	FILE *f = fopen(path, "rbe");

	if (!f)
		return NULL;
	buf = malloc(CERT_FILE_MAX);
	len = buf ? fread(buf, 1, CERT_FILE_MAX, f) : 0;
	fclose(f);
	if (len > 0 && len < CERT_FILE_MAX) {
		if (len > 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
			BIO *bio = BIO_new_mem_buf(buf, (int)len);
			cert = X509_new_ex(kz_ossl_ctx(), NULL);
			if (!bio || !cert || !PEM_read_bio_X509(bio, &cert, NULL, NULL)) {
				X509_free(cert);
				cert = NULL;
			}
			BIO_free(bio);
		} else {
			cert = kz_cert_from_der(buf, len);
		}
	}
	free(buf);
	ERR_clear_error();
	return cert;
}

int kz_cert_key_id(const X509 *cert, unsigned char *out, size_t max, size_t *len)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id((X509 *)cert);

	ERR_clear_error();
	if (!ski || ski->length <= 0 || (size_t)ski->length > max)
		return -1;
	memcpy(out, ski->data, (size_t)ski->length);
	*len = (size_t)ski->length;
	return 0;
}

char *kz_cert_subject_entry(const X509 *cert, int nid)
{
	const X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	char *copy;
	int n;

	if (i < 0)
		return NULL;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n < 0) {
		ERR_clear_error();
		return NULL;
	}
	copy = strndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	return copy;
}

char *kz_cert_common_name(const X509 *cert)
{
	return kz_cert_subject_entry(cert, NID_commonName);
}

char *kz_cert_subject_serial(const X509 *cert)
{
	return kz_cert_subject_entry(cert, NID_serialNumber);
}

const char *kz_cert_purpose(X509 *cert)
{
	uint32_t eku = X509_get_extended_key_usage(cert);
	uint32_t ku = X509_get_key_usage(cert);

	ERR_clear_error();
	if ((eku & XKU_SSL_CLIENT) && eku != UINT32_MAX)
		return "AUTH";
	if (ku != UINT32_MAX && (ku & KU_NON_REPUDIATION))
		return "SIGN";
	return "KEY";
}
