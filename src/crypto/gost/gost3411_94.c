/*
 * GOST R 34.11-94 hash function (RFC 5831).
 *
 * Notation (RFC 5831): 256-bit values are little-endian arrays here; for
 * 64-bit pieces, y1 is the least significant (bytes 0..7) and y4 the most
 * significant; for 16-bit pieces (the shuffle psi) likewise.
 */
#include "crypto/gost/gost3411_94.h"

#include <string.h>

#include "crypto/gost/gost3411_94_psi.inc"

static uint32_t load32_le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void store32_le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;

    while (n--)
        *v++ = 0;
}

/*
 * Transformation P of the key generation (RFC 5831): byte 8i+k of W goes
 * to byte i+4k of the key (i = 0..3, k = 0..7). Subkey X_k is key bytes
 * 4k..4k+3, so X_k is byte k of each of the four 64-bit words of W. The
 * subkeys go to x[k][lane], lane being which of the four keys this is.
 */
#define BYTE_K(w, k) ((uint32_t)((w) >> (8 * (k))) & 0xff)
#define TRANSFORM_P(x, lane, w0, w1, w2, w3)                          \
    do {                                                              \
        unsigned k_;                                                  \
        for (k_ = 0; k_ < 8; k_++)                                    \
            (x)[k_][lane] = BYTE_K(w0, k_) | BYTE_K(w1, k_) << 8 |    \
                            BYTE_K(w2, k_) << 16 | BYTE_K(w3, k_) << 24; \
    } while (0)

/*
 * The key generation constant C3 (RFC 5831) as little-endian 64-bit
 * words; printed as a number it is
 * ff00ffff000000ffff0000ff00ffff0000ff00ff00ff00ffff00ff00ff00ff00.
 * C2 and C4 are zero.
 */
#define C3_0 UINT64_C(0xff00ff00ff00ff00)
#define C3_1 UINT64_C(0x00ff00ff00ff00ff)
#define C3_2 UINT64_C(0xff0000ff00ffff00)
#define C3_3 UINT64_C(0xff00ffff000000ff)

/* (w0, w1, w2, w3) = A(A(w0, w1, w2, w3)) = (w2, w3, w0^w1, w1^w2). */
#define AA(w0, w1, w2, w3)                                            \
    do {                                                              \
        uint64_t t0_ = (w0) ^ (w1), t1_ = (w1) ^ (w2);                \
        (w0) = (w2);                                                  \
        (w1) = (w3);                                                  \
        (w2) = t0_;                                                   \
        (w3) = t1_;                                                   \
    } while (0)

/*
 * One GOST 28147-89 round in each of the four independent encryptions:
 * ROUND_AB updates the b halves from the a halves, ROUND_BA the reverse.
 * Running the four side by side lets the processor overlap them.
 */
#define ROUND_AB(k)                                                   \
    do {                                                              \
        b0 ^= kz_gost89_f(sb, a0 + x[k][0]);                          \
        b1 ^= kz_gost89_f(sb, a1 + x[k][1]);                          \
        b2 ^= kz_gost89_f(sb, a2 + x[k][2]);                          \
        b3 ^= kz_gost89_f(sb, a3 + x[k][3]);                          \
    } while (0)
#define ROUND_BA(k)                                                   \
    do {                                                              \
        a0 ^= kz_gost89_f(sb, b0 + x[k][0]);                          \
        a1 ^= kz_gost89_f(sb, b1 + x[k][1]);                          \
        a2 ^= kz_gost89_f(sb, b2 + x[k][2]);                          \
        a3 ^= kz_gost89_f(sb, b3 + x[k][3]);                          \
    } while (0)
#define EIGHT_ROUNDS_UP()                                             \
    do {                                                              \
        ROUND_AB(0); ROUND_BA(1); ROUND_AB(2); ROUND_BA(3);           \
        ROUND_AB(4); ROUND_BA(5); ROUND_AB(6); ROUND_BA(7);           \
    } while (0)

/*
 * Encrypts the four 64-bit pieces h1..h4 of H, piece i under the key in
 * lane i of x (RFC 5831, encryption transformation: s_i = E_{K_i}(h_i)),
 * writing S into s. Each encryption is 32 rounds with subkeys X0..X7 three
 * times, then X7..X0, and no swap after the last round.
 */
static void encrypt4(const kz_gost89_sbox *sb, const uint32_t x[8][4],
                     const uint32_t h[8], uint32_t s[8])
{
    uint32_t a0 = h[0], b0 = h[1], a1 = h[2], b1 = h[3];
    uint32_t a2 = h[4], b2 = h[5], a3 = h[6], b3 = h[7];

    EIGHT_ROUNDS_UP();
    EIGHT_ROUNDS_UP();
    EIGHT_ROUNDS_UP();
    ROUND_AB(7); ROUND_BA(6); ROUND_AB(5); ROUND_BA(4);
    ROUND_AB(3); ROUND_BA(2); ROUND_AB(1); ROUND_BA(0);

    s[0] = b0; s[1] = a0;
    s[2] = b1; s[3] = a1;
    s[4] = b2; s[5] = a2;
    s[6] = b3; s[7] = a3;
}

#undef ROUND_AB
#undef ROUND_BA
#undef EIGHT_ROUNDS_UP

/*
 * Step hash function f(H, M) (RFC 5831):
 *   key generation, encryption, then the mixing
 *   H' = psi^61(H xor psi(M xor psi^12(S))),
 * where psi(y16||...||y1) = (y1^y2^y3^y4^y13^y16)||y16||...||y2.
 */
static void compress(const kz_gost89_sbox *sb, uint32_t h[8],
                     const uint32_t m[8])
{
    uint64_t u0, u1, u2, u3, v0, v1, v2, v3, t;
    uint32_t x[8][4], s[8];
    uint16_t y[16], r[16];
    unsigned i;

    u0 = (uint64_t)h[0] | (uint64_t)h[1] << 32;
    u1 = (uint64_t)h[2] | (uint64_t)h[3] << 32;
    u2 = (uint64_t)h[4] | (uint64_t)h[5] << 32;
    u3 = (uint64_t)h[6] | (uint64_t)h[7] << 32;
    v0 = (uint64_t)m[0] | (uint64_t)m[1] << 32;
    v1 = (uint64_t)m[2] | (uint64_t)m[3] << 32;
    v2 = (uint64_t)m[4] | (uint64_t)m[5] << 32;
    v3 = (uint64_t)m[6] | (uint64_t)m[7] << 32;

    /*
     * K1 = P(U ^ V) with U = H, V = M; then for j = 2, 3, 4:
     * U = A(U) ^ Cj, V = A(A(V)), Kj = P(U ^ V), where
     * A(y4||y3||y2||y1) = (y1^y2)||y4||y3||y2 on 64-bit pieces, and
     * A(A(y4||y3||y2||y1)) = (y2^y3)||(y1^y2)||y4||y3.
     */
    TRANSFORM_P(x, 0, u0 ^ v0, u1 ^ v1, u2 ^ v2, u3 ^ v3);

    t = u0 ^ u1; u0 = u1; u1 = u2; u2 = u3; u3 = t;          /* C2 = 0 */
    AA(v0, v1, v2, v3);
    TRANSFORM_P(x, 1, u0 ^ v0, u1 ^ v1, u2 ^ v2, u3 ^ v3);

    t = u0 ^ u1; u0 = u1 ^ C3_0; u1 = u2 ^ C3_1; u2 = u3 ^ C3_2;
    u3 = t ^ C3_3;
    AA(v0, v1, v2, v3);
    TRANSFORM_P(x, 2, u0 ^ v0, u1 ^ v1, u2 ^ v2, u3 ^ v3);

    t = u0 ^ u1; u0 = u1; u1 = u2; u2 = u3; u3 = t;          /* C4 = 0 */
    AA(v0, v1, v2, v3);
    TRANSFORM_P(x, 3, u0 ^ v0, u1 ^ v1, u2 ^ v2, u3 ^ v3);

    encrypt4(sb, (const uint32_t(*)[4])x, h, s);

    /*
     * Mixing. psi is linear, so
     *   psi^61(H ^ psi(M ^ psi^12(S))) = psi^61(H ^ psi(M)) ^ psi^74(S);
     * psi^61 and psi^74 are unrolled into XORs of input words
     * (gost3411_94_psi.inc, generated by tools/gen_gost_tables.c).
     */
    for (i = 0; i < 8; i++) {
        y[2 * i] = (uint16_t)m[i];
        y[2 * i + 1] = (uint16_t)(m[i] >> 16);
    }
    /* psi(M), then xor H. */
    {
        uint16_t fb = y[0] ^ y[1] ^ y[2] ^ y[3] ^ y[12] ^ y[15];

        for (i = 0; i < 15; i++)
            y[i] = y[i + 1];
        y[15] = fb;
    }
    for (i = 0; i < 8; i++) {
        y[2 * i] ^= (uint16_t)h[i];
        y[2 * i + 1] ^= (uint16_t)(h[i] >> 16);
    }
    psi61(r, y);
    for (i = 0; i < 8; i++) {
        y[2 * i] = (uint16_t)s[i];
        y[2 * i + 1] = (uint16_t)(s[i] >> 16);
    }
    psi74_xor(r, y);
    for (i = 0; i < 8; i++)
        h[i] = (uint32_t)r[2 * i] | (uint32_t)r[2 * i + 1] << 16;
}

#undef BYTE_K
#undef TRANSFORM_P
#undef AA

/* Sigma += M mod 2^256. */
static void add256(uint32_t sum[8], const uint32_t m[8])
{
    uint64_t c = 0;
    unsigned i;

    for (i = 0; i < 8; i++) {
        c += (uint64_t)sum[i] + m[i];
        sum[i] = (uint32_t)c;
        c >>= 32;
    }
}

static void process_block(kz_gost94_ctx *ctx, const uint8_t *p)
{
    uint32_t m[8];
    unsigned i;

    for (i = 0; i < 8; i++)
        m[i] = load32_le(p + 4 * i);
    compress(ctx->sbox, ctx->h, m);
    add256(ctx->sigma, m);
    ctx->len_lo += 256;
    if (ctx->len_lo < 256)
        ctx->len_hi++;
}

void kz_gost94_init(kz_gost94_ctx *ctx, const kz_gost89_sbox *sbox)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->sbox = sbox;
}

void kz_gost94_update(kz_gost94_ctx *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;

    if (len == 0)
        return;
    if (ctx->buflen > 0) {
        size_t n = KZ_GOST94_BLOCK_SIZE - ctx->buflen;

        if (n > len)
            n = len;
        memcpy(ctx->buf + ctx->buflen, p, n);
        ctx->buflen += n;
        p += n;
        len -= n;
        if (ctx->buflen < KZ_GOST94_BLOCK_SIZE)
            return;
        process_block(ctx, ctx->buf);
        ctx->buflen = 0;
    }
    /*
     * A full block can be processed at once: as the last block of the
     * message it would get the same treatment (stage 3 of RFC 5831 pads
     * only a short last block).
     */
    while (len >= KZ_GOST94_BLOCK_SIZE) {
        process_block(ctx, p);
        p += KZ_GOST94_BLOCK_SIZE;
        len -= KZ_GOST94_BLOCK_SIZE;
    }
    if (len > 0) {
        memcpy(ctx->buf, p, len);
        ctx->buflen = len;
    }
}

void kz_gost94_final(kz_gost94_ctx *ctx, uint8_t out[KZ_GOST94_DIGEST_SIZE])
{
    uint32_t m[8];
    unsigned i;

    /*
     * Stage 3 of the calculation (RFC 5831): a short rest of the message,
     * padded with zero bits to 256, goes through the step function. The
     * rest is empty only for the empty message; then no block is processed,
     * which gives the published digests of the empty string (e.g.
     * ce85b99c...0f8d with the test S-box). gost-engine 3.0.1 hashes one
     * zero block here instead; see README.md.
     */
    if (ctx->buflen > 0) {
        uint64_t bits = (uint64_t)ctx->buflen * 8;

        memset(ctx->buf + ctx->buflen, 0, KZ_GOST94_BLOCK_SIZE - ctx->buflen);
        for (i = 0; i < 8; i++)
            m[i] = load32_le(ctx->buf + 4 * i);
        compress(ctx->sbox, ctx->h, m);
        add256(ctx->sigma, m);
        ctx->len_lo += bits;
        if (ctx->len_lo < bits)
            ctx->len_hi++;
    }

    /* H = f(H, L), then H = f(H, Sigma). */
    m[0] = (uint32_t)ctx->len_lo;
    m[1] = (uint32_t)(ctx->len_lo >> 32);
    m[2] = (uint32_t)ctx->len_hi;
    m[3] = (uint32_t)(ctx->len_hi >> 32);
    m[4] = m[5] = m[6] = m[7] = 0;
    compress(ctx->sbox, ctx->h, m);
    compress(ctx->sbox, ctx->h, ctx->sigma);

    for (i = 0; i < 8; i++)
        store32_le(out + 4 * i, ctx->h[i]);
    wipe(m, sizeof(m));
    wipe(ctx, sizeof(*ctx));
}

void kz_gost94(const kz_gost89_sbox *sbox, const void *data, size_t len,
               uint8_t out[KZ_GOST94_DIGEST_SIZE])
{
    kz_gost94_ctx ctx;

    kz_gost94_init(&ctx, sbox);
    kz_gost94_update(&ctx, data, len);
    kz_gost94_final(&ctx, out);
}
