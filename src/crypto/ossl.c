#include "crypto/ossl.h"
#include "util/log.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

static OSSL_LIB_CTX *libctx;
static OSSL_PROVIDER *prov_default, *prov_legacy;

int kz_ossl_init(void)
{
	if (libctx)
		return 0;
	libctx = OSSL_LIB_CTX_new();
	if (!libctx)
		return -1;
	prov_default = OSSL_PROVIDER_load(libctx, "default");
	prov_legacy = OSSL_PROVIDER_load(libctx, "legacy");
	if (!prov_default) {
		kz_ossl_log_errors("loading OpenSSL's default provider");
		kz_ossl_free();
		return -1;
	}
	if (!prov_legacy)
		kz_ossl_log_errors("loading OpenSSL's legacy provider (needed for RC2-40 in NCA containers)");
	return 0;
}

void kz_ossl_free(void)
{
	if (prov_legacy)
		OSSL_PROVIDER_unload(prov_legacy);
	if (prov_default)
		OSSL_PROVIDER_unload(prov_default);
	OSSL_LIB_CTX_free(libctx);
	prov_legacy = prov_default = NULL;
	libctx = NULL;
}

OSSL_LIB_CTX *kz_ossl_ctx(void)
{
	return libctx;
}

void kz_ossl_log_errors(const char *what)
{
	unsigned long e;
	char buf[256];
	int any = 0;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof buf);
		kz_error("%s: %s", what, buf);
		any = 1;
	}
	if (!any)
		kz_error("%s failed", what);
}

int kz_sha1(const void *data, size_t len, unsigned char out[20])
{
	size_t n = 0;

	if (!EVP_Q_digest(libctx, "SHA1", NULL, data, len, out, &n) || n != 20) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}
