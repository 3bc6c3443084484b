/*
 * HMAC (RFC 2104) over the GOST hashes:
 *   HMAC(K, T) = H((K0 xor opad) || H((K0 xor ipad) || T)),
 * K0 = K zero-padded to the block size B (or H(K) zero-padded if K is longer
 * than B), ipad = 0x36 repeated, opad = 0x5c repeated.
 */
#include "crypto/gost/gost_hmac.h"

#include <string.h>

#define MAX_BLOCK 64

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;

    while (n--)
        *v++ = 0;
}

size_t kz_hmac_size(kz_hmac_alg alg)
{
    switch (alg) {
    case KZ_HMAC_GOST94_TEST:
    case KZ_HMAC_GOST94_CRYPTOPRO:
        return KZ_GOST94_DIGEST_SIZE;
    case KZ_HMAC_STREEBOG256:
        return KZ_STREEBOG256_DIGEST_SIZE;
    case KZ_HMAC_STREEBOG512:
        return KZ_STREEBOG512_DIGEST_SIZE;
    }
    return 0;
}

size_t kz_hmac_block_size(kz_hmac_alg alg)
{
    switch (alg) {
    case KZ_HMAC_GOST94_TEST:
    case KZ_HMAC_GOST94_CRYPTOPRO:
        return KZ_GOST94_BLOCK_SIZE;
    case KZ_HMAC_STREEBOG256:
    case KZ_HMAC_STREEBOG512:
        return KZ_STREEBOG_BLOCK_SIZE;
    }
    return 0;
}

static void hash_init(kz_hmac_alg alg, kz_hmac_hash_ctx *h)
{
    switch (alg) {
    case KZ_HMAC_GOST94_TEST:
        kz_gost94_init(&h->gost94, &kz_gost89_sbox_test);
        break;
    case KZ_HMAC_GOST94_CRYPTOPRO:
        kz_gost94_init(&h->gost94, &kz_gost89_sbox_cryptopro);
        break;
    case KZ_HMAC_STREEBOG256:
        kz_streebog256_init(&h->streebog);
        break;
    case KZ_HMAC_STREEBOG512:
        kz_streebog512_init(&h->streebog);
        break;
    }
}

static void hash_update(kz_hmac_alg alg, kz_hmac_hash_ctx *h,
                        const void *data, size_t len)
{
    if (alg == KZ_HMAC_GOST94_TEST || alg == KZ_HMAC_GOST94_CRYPTOPRO)
        kz_gost94_update(&h->gost94, data, len);
    else
        kz_streebog_update(&h->streebog, data, len);
}

static void hash_final(kz_hmac_alg alg, kz_hmac_hash_ctx *h, uint8_t *out)
{
    if (alg == KZ_HMAC_GOST94_TEST || alg == KZ_HMAC_GOST94_CRYPTOPRO)
        kz_gost94_final(&h->gost94, out);
    else
        kz_streebog_final(&h->streebog, out);
}

int kz_hmac_init(kz_hmac_ctx *ctx, kz_hmac_alg alg, const void *key,
                 size_t keylen)
{
    uint8_t k0[MAX_BLOCK], pad[MAX_BLOCK];
    size_t bs = kz_hmac_block_size(alg), i;

    if (bs == 0)
        return -1;
    ctx->alg = alg;

    memset(k0, 0, sizeof(k0));
    if (keylen > bs) {
        /* The digest is never longer than the block. */
        hash_init(alg, &ctx->inner);
        hash_update(alg, &ctx->inner, key, keylen);
        hash_final(alg, &ctx->inner, k0);
    } else if (keylen > 0) {
        memcpy(k0, key, keylen);
    }

    for (i = 0; i < bs; i++)
        pad[i] = k0[i] ^ 0x36;
    hash_init(alg, &ctx->inner);
    hash_update(alg, &ctx->inner, pad, bs);

    for (i = 0; i < bs; i++)
        pad[i] = k0[i] ^ 0x5c;
    hash_init(alg, &ctx->outer);
    hash_update(alg, &ctx->outer, pad, bs);

    wipe(k0, sizeof(k0));
    wipe(pad, sizeof(pad));
    return 0;
}

void kz_hmac_update(kz_hmac_ctx *ctx, const void *data, size_t len)
{
    hash_update(ctx->alg, &ctx->inner, data, len);
}

size_t kz_hmac_final(kz_hmac_ctx *ctx, uint8_t *out)
{
    uint8_t ih[KZ_HMAC_MAX_SIZE];
    size_t n = kz_hmac_size(ctx->alg);

    hash_final(ctx->alg, &ctx->inner, ih);
    hash_update(ctx->alg, &ctx->outer, ih, n);
    hash_final(ctx->alg, &ctx->outer, out);
    wipe(ih, sizeof(ih));
    wipe(ctx, sizeof(*ctx));
    return n;
}

void kz_hmac_cleanse(kz_hmac_ctx *ctx)
{
    wipe(ctx, sizeof(*ctx));
}

size_t kz_hmac(kz_hmac_alg alg, const void *key, size_t keylen,
               const void *data, size_t len, uint8_t *out)
{
    kz_hmac_ctx ctx;

    if (kz_hmac_init(&ctx, alg, key, keylen) != 0)
        return 0;
    kz_hmac_update(&ctx, data, len);
    return kz_hmac_final(&ctx, out);
}
