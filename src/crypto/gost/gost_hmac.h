/*
 * HMAC (RFC 2104) over GOST R 34.11-94 and Streebog.
 *
 * Block sizes: 32 bytes for GOST R 34.11-94 (as in RFC 4357 and
 * gost-engine's HMAC with md_gost94), 64 bytes for Streebog
 * (RFC 7836: HMAC_GOSTR3411_2012_256 and HMAC_GOSTR3411_2012_512).
 * A key longer than the block size is first hashed with the same function.
 */
#ifndef KZ_CRYPTO_GOST_GOST_HMAC_H
#define KZ_CRYPTO_GOST_GOST_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/gost/gost3411_94.h"
#include "crypto/gost/streebog.h"

#define KZ_HMAC_MAX_SIZE 64

typedef enum {
    KZ_HMAC_GOST94_TEST = 1,      /* GOST 34.311-95 / 34.11-94, test S-box */
    KZ_HMAC_GOST94_CRYPTOPRO = 2, /* GOST R 34.11-94, CryptoPro S-box */
    KZ_HMAC_STREEBOG256 = 3,      /* HMAC_GOSTR3411_2012_256 */
    KZ_HMAC_STREEBOG512 = 4       /* HMAC_GOSTR3411_2012_512 */
} kz_hmac_alg;

typedef union {
    kz_gost94_ctx gost94;
    kz_streebog_ctx streebog;
} kz_hmac_hash_ctx;

typedef struct {
    kz_hmac_alg alg;
    kz_hmac_hash_ctx inner; /* after H(K xor ipad || ...) */
    kz_hmac_hash_ctx outer; /* state after absorbing K xor opad */
} kz_hmac_ctx;

/* The MAC length of alg in bytes (0 for an unknown alg). */
size_t kz_hmac_size(kz_hmac_alg alg);
/* The underlying hash's block size in bytes (0 for an unknown alg). */
size_t kz_hmac_block_size(kz_hmac_alg alg);

/* Returns 0, or -1 for an unknown alg. The key is not kept in ctx beyond
 * the two hash states derived from it. */
int kz_hmac_init(kz_hmac_ctx *ctx, kz_hmac_alg alg, const void *key,
                 size_t keylen);
void kz_hmac_update(kz_hmac_ctx *ctx, const void *data, size_t len);
/* Writes kz_hmac_size(alg) bytes, wipes ctx and returns that size. */
size_t kz_hmac_final(kz_hmac_ctx *ctx, uint8_t *out);
/* Wipes a context that will not be finalised. */
void kz_hmac_cleanse(kz_hmac_ctx *ctx);

/* One-shot HMAC; returns the MAC length, or 0 for an unknown alg. */
size_t kz_hmac(kz_hmac_alg alg, const void *key, size_t keylen,
               const void *data, size_t len, uint8_t *out);

#endif /* KZ_CRYPTO_GOST_GOST_HMAC_H */
