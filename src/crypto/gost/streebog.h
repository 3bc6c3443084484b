/*
 * Streebog: GOST R 34.11-2012 hash function (RFC 6986), 256- and 512-bit
 * output. The Kazakh GOST 34.11-2015 is the same function.
 *
 * Byte order: the message is read as RFC 6986 intends it in every
 * interoperable implementation: its first byte is the least significant
 * byte of the first 512-bit block. The digest bytes are H least significant
 * byte first, as gost-engine (`openssl dgst -streebog256/-streebog512`)
 * prints them. RFC 6986 prints both messages and hash codes as numbers,
 * most significant digit first, i.e. byte-reversed.
 */
#ifndef KZ_CRYPTO_GOST_STREEBOG_H
#define KZ_CRYPTO_GOST_STREEBOG_H

#include <stddef.h>
#include <stdint.h>

#define KZ_STREEBOG_BLOCK_SIZE 64
#define KZ_STREEBOG256_DIGEST_SIZE 32
#define KZ_STREEBOG512_DIGEST_SIZE 64

/* Implementations; all give the same results. */
typedef enum {
    KZ_STREEBOG_IMPL_AUTO = 0,     /* the fastest this processor supports */
    KZ_STREEBOG_IMPL_PORTABLE = 1, /* table-driven C, any platform */
    KZ_STREEBOG_IMPL_AVX512 = 2    /* x86-64 with AVX-512 (BW, VBMI) + GFNI */
} kz_streebog_impl;

typedef struct {
    uint64_t h[8];      /* chaining value, little-endian words */
    uint64_t n[8];      /* number of message bits processed, mod 2^512 */
    uint64_t sigma[8];  /* sum of the message blocks mod 2^512 */
    uint8_t buf[KZ_STREEBOG_BLOCK_SIZE];
    size_t buflen;
    size_t outlen;      /* 32 or 64 */
    int impl;           /* kz_streebog_impl in use, never AUTO */
} kz_streebog_ctx;

void kz_streebog256_init(kz_streebog_ctx *ctx);
void kz_streebog512_init(kz_streebog_ctx *ctx);
/*
 * Same with a chosen implementation (for tests and benchmarks); bits is 256
 * or 512. Returns 0, or -1 if bits is wrong or the implementation is not
 * available on this processor or build.
 */
int kz_streebog_init_impl(kz_streebog_ctx *ctx, unsigned bits,
                          kz_streebog_impl impl);
/* Whether an implementation can be used here (AUTO and PORTABLE always). */
int kz_streebog_impl_available(kz_streebog_impl impl);

void kz_streebog_update(kz_streebog_ctx *ctx, const void *data, size_t len);
/* Writes ctx->outlen bytes (32 or 64) and wipes the context. */
void kz_streebog_final(kz_streebog_ctx *ctx, uint8_t *out);
/* The digest size of an initialised context. */
size_t kz_streebog_size(const kz_streebog_ctx *ctx);

/* One-shot hashes. */
void kz_streebog256(const void *data, size_t len,
                    uint8_t out[KZ_STREEBOG256_DIGEST_SIZE]);
void kz_streebog512(const void *data, size_t len,
                    uint8_t out[KZ_STREEBOG512_DIGEST_SIZE]);

#endif /* KZ_CRYPTO_GOST_STREEBOG_H */
