/*
 * GOST 28147-89 block encryption (RFC 5830), only what GOST R 34.11-94
 * needs: encryption of one 64-bit block under a 256-bit key with a
 * substitution box (S-box) given as a parameter.
 *
 * Byte order (as in RFC 5830 and in every interoperable implementation):
 *  - the 256-bit key is eight 32-bit subkeys X0..X7, each read little-endian
 *    from 4 consecutive key bytes (X0 = key[0..3]);
 *  - a 64-bit block is N1 = block[0..3], N2 = block[4..7], little-endian;
 *  - the S-box has eight rows k1..k8; k1 substitutes the least significant
 *    4 bits of the 32-bit round value, k8 the most significant.
 */
#ifndef KZ_CRYPTO_GOST_GOST89_H
#define KZ_CRYPTO_GOST_GOST89_H

#include <stddef.h>
#include <stdint.h>

/*
 * An S-box expanded for fast lookup: t[j][b] is the substitution of byte j
 * (bits 8j..8j+7) of the round value by rows k(2j+1) and k(2j+2), already
 * rotated left by 11 bits, so one round is four lookups and three XORs.
 */
typedef struct {
    uint32_t t[4][256];
} kz_gost89_sbox;

/*
 * Raw S-box rows, listed k8 first down to k1 (the order in which the
 * GOST R 34.11-94 standard, RFC 4357 and gost-engine print them); each row
 * maps a 4-bit input to a 4-bit output.
 */
typedef uint8_t kz_gost89_sbox_rows[8][16];

/* id-GostR3411-94-TestParamSet (1.2.643.2.2.30.0), the S-box of the
 * GOST R 34.11-94 standard's example and of the Kazakh GOST 34.311-95. */
extern const kz_gost89_sbox_rows kz_gost89_rows_test;
/* id-GostR3411-94-CryptoProParamSet (1.2.643.2.2.30.1), RFC 4357. */
extern const kz_gost89_sbox_rows kz_gost89_rows_cryptopro;

/* The same two S-boxes, expanded (precomputed tables). */
extern const kz_gost89_sbox kz_gost89_sbox_test;
extern const kz_gost89_sbox kz_gost89_sbox_cryptopro;

/*
 * Expands raw rows (k8 first) into lookup tables. Returns 0, or -1 if a row
 * holds a value above 15 (out is then left unspecified).
 */
int kz_gost89_sbox_expand(kz_gost89_sbox *out, const kz_gost89_sbox_rows rows);

/* The round function: S-box substitution of a, then rotation left by 11. */
static inline uint32_t kz_gost89_f(const kz_gost89_sbox *s, uint32_t a)
{
    return s->t[0][a & 0xff] ^ s->t[1][(a >> 8) & 0xff] ^
           s->t[2][(a >> 16) & 0xff] ^ s->t[3][a >> 24];
}

/*
 * Encrypts the block (n1, n2) in place with subkeys x[0..7] (32 rounds:
 * X0..X7 three times, then X7..X0). On return n[0] and n[1] hold the
 * ciphertext words in block order (ciphertext bytes 0..3 and 4..7).
 */
static inline void kz_gost89_encrypt_words(const kz_gost89_sbox *s,
                                           const uint32_t x[8], uint32_t n[2])
{
    uint32_t a = n[0], b = n[1];
    int r;

    for (r = 0; r < 3; r++) {
        b ^= kz_gost89_f(s, a + x[0]);
        a ^= kz_gost89_f(s, b + x[1]);
        b ^= kz_gost89_f(s, a + x[2]);
        a ^= kz_gost89_f(s, b + x[3]);
        b ^= kz_gost89_f(s, a + x[4]);
        a ^= kz_gost89_f(s, b + x[5]);
        b ^= kz_gost89_f(s, a + x[6]);
        a ^= kz_gost89_f(s, b + x[7]);
    }
    b ^= kz_gost89_f(s, a + x[7]);
    a ^= kz_gost89_f(s, b + x[6]);
    b ^= kz_gost89_f(s, a + x[5]);
    a ^= kz_gost89_f(s, b + x[4]);
    b ^= kz_gost89_f(s, a + x[3]);
    a ^= kz_gost89_f(s, b + x[2]);
    b ^= kz_gost89_f(s, a + x[1]);
    a ^= kz_gost89_f(s, b + x[0]);
    /* The last round does not swap the halves. */
    n[0] = b;
    n[1] = a;
}

/* Encrypts one 8-byte block (ECB, simple substitution mode); in may equal
 * out. */
void kz_gost89_encrypt_block(const kz_gost89_sbox *s, const uint8_t key[32],
                             const uint8_t in[8], uint8_t out[8]);

#endif /* KZ_CRYPTO_GOST_GOST89_H */
