#include "crypto/gost_hash.h"

#include <string.h>

void kz_gost_hash_init(struct kz_gost_hash_ctx *ctx, enum kz_gost_hash kind)
{
	ctx->kind = kind;
	switch (kind) {
	case KZ_GOST_HASH_94_TEST:
		kz_gost94_init(&ctx->u.g94, &kz_gost89_sbox_test);
		break;
	case KZ_GOST_HASH_94_CRYPTOPRO:
		kz_gost94_init(&ctx->u.g94, &kz_gost89_sbox_cryptopro);
		break;
	case KZ_GOST_HASH_STREEBOG256:
		kz_streebog256_init(&ctx->u.sb);
		break;
	case KZ_GOST_HASH_STREEBOG512:
		kz_streebog512_init(&ctx->u.sb);
		break;
	}
}

void kz_gost_hash_update(struct kz_gost_hash_ctx *ctx, const void *data, size_t len)
{
	if (ctx->kind == KZ_GOST_HASH_94_TEST || ctx->kind == KZ_GOST_HASH_94_CRYPTOPRO)
		kz_gost94_update(&ctx->u.g94, data, len);
	else
		kz_streebog_update(&ctx->u.sb, data, len);
}

void kz_gost_hash_final(struct kz_gost_hash_ctx *ctx, uint8_t *out)
{
	if (ctx->kind == KZ_GOST_HASH_94_TEST || ctx->kind == KZ_GOST_HASH_94_CRYPTOPRO)
		kz_gost94_final(&ctx->u.g94, out);
	else
		kz_streebog_final(&ctx->u.sb, out);
}

size_t kz_gost_hash_size(enum kz_gost_hash kind)
{
	return kind == KZ_GOST_HASH_STREEBOG512 ? 64 : 32;
}

/* DER OIDs (tag 06 included) and the hash each names. */
static const struct {
	const char *der;
	size_t len;
	enum kz_gost_hash kind;
} hash_oids[] = {
	/* 1.2.398.3.10.1.3.1.1.0: Kazakh GOST 34.311-95 parameters */
	{ "\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x03\x01\x01\x00", 12, KZ_GOST_HASH_94_TEST },
	/* 1.2.398.3.10.1.3.1: Kazakh GOST 34.311-95 digest */
	{ "\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x01", 10, KZ_GOST_HASH_94_TEST },
	/* 1.2.643.2.2.30.0: id-GostR3411-94-TestParamSet */
	{ "\x06\x07\x2a\x85\x03\x02\x02\x1e\x00", 9, KZ_GOST_HASH_94_TEST },
	/* 1.2.643.2.2.30.1: id-GostR3411-94-CryptoProParamSet */
	{ "\x06\x07\x2a\x85\x03\x02\x02\x1e\x01", 9, KZ_GOST_HASH_94_CRYPTOPRO },
	/* 1.2.643.2.2.9: id-GostR3411-94 */
	{ "\x06\x06\x2a\x85\x03\x02\x02\x09", 8, KZ_GOST_HASH_94_CRYPTOPRO },
	/* 1.2.643.7.1.1.2.2 / .3: Streebog-256 / -512 */
	{ "\x06\x08\x2a\x85\x03\x07\x01\x01\x02\x02", 10, KZ_GOST_HASH_STREEBOG256 },
	{ "\x06\x08\x2a\x85\x03\x07\x01\x01\x02\x03", 10, KZ_GOST_HASH_STREEBOG512 },
	/* 1.2.398.3.10.1.3.2 / .3: Kazakh GOST 34.11-2015 256 / 512 */
	{ "\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x02", 10, KZ_GOST_HASH_STREEBOG256 },
	{ "\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x03", 10, KZ_GOST_HASH_STREEBOG512 },
};

int kz_gost_hash_by_der(const uint8_t *der, size_t len)
{
	for (size_t i = 0; i < sizeof hash_oids / sizeof *hash_oids; i++)
		if (hash_oids[i].len == len && memcmp(hash_oids[i].der, der, len) == 0)
			return (int)hash_oids[i].kind;
	return -1;
}

const uint8_t *kz_gost_hash_default_der(enum kz_gost_hash kind, size_t *len)
{
	/* The first row of the table that names the hash. */
	for (size_t i = 0; i < sizeof hash_oids / sizeof *hash_oids; i++)
		if (hash_oids[i].kind == kind) {
			*len = hash_oids[i].len;
			return (const uint8_t *)hash_oids[i].der;
		}
	*len = 0;
	return NULL;
}
