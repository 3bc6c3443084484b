/*
 * The certificate cache: after a successful login the container's public
 * certificate is kept under $XDG_CACHE_HOME/kzp11/<key id>.der, so later
 * sessions show the certificate and public key before any password is
 * typed.  Nothing secret is stored; a cached file that does not belong to
 * the container is ignored.
 */
#include "soft/container.h"
#include "crypto/cert.h"
#include "util/conf.h"
#include "util/file.h"
#include "util/log.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static int cache_path(const struct kz_conf *conf, const struct kz_container *c, char *out,
		      size_t size)
{
	char hex[2 * KZ_KEY_ID_MAX + 1];

	for (size_t i = 0; i < c->id_len; i++)
		sprintf(hex + 2 * i, "%02x", c->id[i]);
	hex[2 * c->id_len] = '\0';
	return snprintf(out, size, "%s/%s.der", conf->cache_dir, hex) < (int)size ? 0 : -1;
}

X509 *kz_certcache_load(const struct kz_conf *conf, const struct kz_container *c)
{
	char path[4096];

	if (!conf->cert_cache || !conf->cache_dir || c->id_len == 0 ||
	    cache_path(conf, c, path, sizeof path) < 0)
		return NULL;
	return kz_cert_from_file(path);
}

void kz_certcache_store(const struct kz_conf *conf, const struct kz_container *c)
{
	char path[4096];
	unsigned char *der;
	size_t len;

	if (!c->cert || !conf->cache_dir || c->id_len == 0 ||
	    cache_path(conf, c, path, sizeof path) < 0)
		return;
	if (kz_mkdirs(conf->cache_dir, 0700) < 0) {
		kz_error("cannot create the certificate cache %s: %s", conf->cache_dir,
			 strerror(errno));
		return;
	}
	if (kz_cert_to_der(c->cert, &der, &len) < 0)
		return;
	if (kz_write_file_atomic(path, der, len, 0644) < 0)
		kz_error("cannot write %s: %s", path, strerror(errno));
	else
		kz_info("cached the certificate of %s", c->path);
	OPENSSL_free(der);
}
