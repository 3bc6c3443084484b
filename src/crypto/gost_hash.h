/*
 * The GOST hashes behind one interface, and the OIDs (Kazakh and Russian)
 * that name them in keys, certificates and mechanism parameters.
 */
#ifndef KZP11_GOST_HASH_H
#define KZP11_GOST_HASH_H

#include "crypto/gost/gost3411_94.h"
#include "crypto/gost/streebog.h"

#include <stddef.h>
#include <stdint.h>

enum kz_gost_hash {
	KZ_GOST_HASH_94_TEST,       /* GOST 34.311-95 = 34.11-94, test S-box */
	KZ_GOST_HASH_94_CRYPTOPRO,  /* GOST R 34.11-94, CryptoPro S-box */
	KZ_GOST_HASH_STREEBOG256,
	KZ_GOST_HASH_STREEBOG512,
};

struct kz_gost_hash_ctx {
	enum kz_gost_hash kind;
	union {
		kz_gost94_ctx g94;
		kz_streebog_ctx sb;
	} u;
};

void kz_gost_hash_init(struct kz_gost_hash_ctx *ctx, enum kz_gost_hash kind);
void kz_gost_hash_update(struct kz_gost_hash_ctx *ctx, const void *data, size_t len);
/* Writes kz_gost_hash_size() bytes in the hash's normal output order. */
void kz_gost_hash_final(struct kz_gost_hash_ctx *ctx, uint8_t *out);
size_t kz_gost_hash_size(enum kz_gost_hash kind);
/* A DER OID naming the hash (for keys whose parameters named none). */
const uint8_t *kz_gost_hash_default_der(enum kz_gost_hash kind, size_t *len);
/* The hash a DER-encoded OID (tag 06 included) names, or -1. */
int kz_gost_hash_by_der(const uint8_t *der, size_t len);

#endif
