/*
 * GOST R 34.11-94 hash function (RFC 5831), with the S-box as a parameter
 * and the zero start vector H0. With the "test" S-box
 * (kz_gost89_sbox_test, id-GostR3411-94-TestParamSet) it is the Kazakh
 * GOST 34.311-95; with kz_gost89_sbox_cryptopro it is the CryptoPro variant
 * (gost-engine's md_gost94).
 *
 * Byte order: the digest is written in the usual output order, i.e. byte i
 * of the output is bits 8i..8i+7 of the 256-bit hash value H (least
 * significant byte first). This is what `openssl dgst -md_gost94` prints.
 * RFC 5831 and the standard print H as a number, most significant digit
 * first, i.e. these bytes reversed. The message is read the same way: its
 * first byte is the least significant byte of the first 256-bit block.
 */
#ifndef KZ_CRYPTO_GOST_GOST3411_94_H
#define KZ_CRYPTO_GOST_GOST3411_94_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/gost/gost89.h"

#define KZ_GOST94_DIGEST_SIZE 32
#define KZ_GOST94_BLOCK_SIZE 32

typedef struct {
    const kz_gost89_sbox *sbox;
    uint32_t h[8];      /* chaining value, little-endian words */
    uint32_t sigma[8];  /* sum of the message blocks mod 2^256 */
    uint64_t len_lo;    /* message length in bits mod 2^64 */
    uint64_t len_hi;    /* bits 64..127 of the message length */
    uint8_t buf[KZ_GOST94_BLOCK_SIZE];
    size_t buflen;
} kz_gost94_ctx;

/* sbox must stay valid until kz_gost94_final(); use &kz_gost89_sbox_test
 * (GOST 34.311-95) or &kz_gost89_sbox_cryptopro. */
void kz_gost94_init(kz_gost94_ctx *ctx, const kz_gost89_sbox *sbox);
void kz_gost94_update(kz_gost94_ctx *ctx, const void *data, size_t len);
/* Writes the 32-byte digest and wipes the context. */
void kz_gost94_final(kz_gost94_ctx *ctx, uint8_t out[KZ_GOST94_DIGEST_SIZE]);

/* One-shot hash. */
void kz_gost94(const kz_gost89_sbox *sbox, const void *data, size_t len,
               uint8_t out[KZ_GOST94_DIGEST_SIZE]);

#endif /* KZ_CRYPTO_GOST_GOST3411_94_H */
