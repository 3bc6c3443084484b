/* X.509 helpers: loading, re-binding to the module's context, reading fields. */
#ifndef KZP11_CERT_H
#define KZP11_CERT_H

#include <openssl/x509.h>
#include <stddef.h>

/* A copy of cert bound to the module's OpenSSL context; NULL on failure. */
X509 *kz_cert_rebind(const X509 *cert);
X509 *kz_cert_from_der(const unsigned char *der, size_t len);
/* Reads a PEM or DER certificate file (small files only). */
X509 *kz_cert_from_file(const char *path);
/* The DER encoding (OPENSSL_free it); -1 on failure. */
int kz_cert_to_der(const X509 *cert, unsigned char **der, size_t *len);
/* Subject key identifier; 0 when present and it fits. */
int kz_cert_key_id(const X509 *cert, unsigned char *out, size_t max, size_t *len);
/* The first subject entry of this NID as UTF-8 (free() it), or NULL. */
char *kz_cert_subject_entry(const X509 *cert, int nid);
/* The subject's commonName as UTF-8 (free() it), or NULL. */
char *kz_cert_common_name(const X509 *cert);
/* The IIN/BIN from the subject's serialNumber ("IIN123..."), or NULL. */
char *kz_cert_subject_serial(const X509 *cert);
/* What the key is for: "AUTH" (TLS client login), "SIGN" or "KEY". */
const char *kz_cert_purpose(X509 *cert);

#endif
