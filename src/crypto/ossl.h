/*
 * The module's own OpenSSL library context.  Every EVP fetch in kzp11 names
 * it, so the host application's default context, providers and properties
 * are never touched.  It holds the default and legacy providers (NCA
 * containers encrypt certificates with RC2-40, which is legacy).
 */
#ifndef KZP11_OSSL_H
#define KZP11_OSSL_H

#include <openssl/types.h>
#include <stddef.h>

int kz_ossl_init(void);
void kz_ossl_free(void);
OSSL_LIB_CTX *kz_ossl_ctx(void);
/* SHA-1 in the module context (identifiers, not security); 0 on success. */
int kz_sha1(const void *data, size_t len, unsigned char out[20]);
/* Logs and clears OpenSSL's error queue for this thread. */
void kz_ossl_log_errors(const char *what);

#endif
