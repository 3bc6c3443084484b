/*
 * GOST R 34.10-2001/2012 signature generation and verification; see
 * gost3410.h for the conventions.
 *
 * Signing (RFC 7091 section 6.1): e = alpha mod q (1 if 0); k random in
 * [1, q-1]; C = k*G; r = x_C mod q; s = (r*d + k*e) mod q; retry if r or s
 * is 0. Verification (section 6.2): v = e^-1 mod q, z1 = s*v, z2 = -r*v
 * (mod q), C = z1*G + z2*Q, valid iff x_C mod q = r.
 *
 * Arithmetic mod q is Montgomery arithmetic (bn.h): for an ordinary number
 * a < q and b in Montgomery form b*R, kz_bn_mul gives the ordinary product
 * a*b mod q, which saves conversions.
 */
#include "crypto/gost/gost3410.h"

#include <string.h>

#define N_MAX KZ_BN_MAX_LIMBS

size_t kz_gost3410_size(const kz_ec_group *curve)
{
    return curve ? curve->size : 0;
}

size_t kz_gost3410_nonce_bytes(const kz_ec_group *curve)
{
    return curve ? curve->size + 8 : 0;
}

void kz_gost3410_reverse(uint8_t *out, const uint8_t *in, size_t len)
{
    size_t i;

    if (out == in) {
        for (i = 0; i < len / 2; i++) {
            uint8_t t = out[i];

            out[i] = out[len - 1 - i];
            out[len - 1 - i] = t;
        }
    } else {
        for (i = 0; i < len; i++)
            out[i] = in[len - 1 - i];
    }
}

int kz_gost3410_sig_from_kz(uint8_t *out, const uint8_t *in, size_t len)
{
    /* r_le || s_le reversed is s_be || r_be */
    if (!out || !in || len % 2)
        return -1;
    kz_gost3410_reverse(out, in, len);
    return 0;
}

int kz_gost3410_sig_to_kz(uint8_t *out, const uint8_t *in, size_t len)
{
    return kz_gost3410_sig_from_kz(out, in, len);
}

/* e = digest (little-endian) mod q, 1 if 0; an ordinary number. */
static void digest_to_e(const kz_ec_group *g, uint64_t *e,
                        const uint8_t *digest)
{
    uint64_t t[N_MAX], one[N_MAX] = {1};

    kz_bn_from_le(t, g->n, digest, g->size);
    kz_bn_to(&g->q, t, t);
    kz_bn_from(&g->q, e, t);
    kz_bn_select(e, one, e, g->n, kz_bn_is_zero(e, g->n));
}

/* d from big-endian bytes; returns 1 if 0 < d < q (constant time). */
static uint64_t load_private(const kz_ec_group *g, uint64_t *d,
                             const uint8_t *d_be, size_t d_len)
{
    kz_bn_from_be(d, g->n, d_be, d_len);
    return (kz_bn_is_zero(d, g->n) ^ 1) & kz_bn_lt(d, g->q.m, g->n);
}

/* One nonce candidate from size + 8 random bytes: kM = k*R mod q
 * (Montgomery form) and k itself. Returns 0, or -1 if the source failed. */
static int draw_scalar(const kz_ec_group *g, kz_gost3410_rand_fn rand,
                       void *rand_ctx, uint64_t *k, uint64_t *kM)
{
    uint8_t buf[KZ_GOST3410_MAX_SIZE + 8];
    uint64_t lo[N_MAX], hi = 0;
    size_t len = g->size + 8;
    int ret = 0;

    if (rand(rand_ctx, buf, len) != 0) {
        ret = -1;
    } else {
        for (size_t i = 0; i < 8; i++)
            hi = hi << 8 | buf[i];
        kz_bn_from_be(lo, g->n, buf + 8, g->size);
        kz_bn_to_wide(&g->q, kM, lo, hi);
        kz_bn_from(&g->q, k, kM);
    }
    kz_bn_wipe(buf, sizeof(buf));
    kz_bn_wipe(lo, sizeof(lo));
    kz_bn_wipe(&hi, sizeof(hi));
    return ret;
}

int kz_gost3410_sign(const kz_ec_group *g, const uint8_t *d_be,
                     size_t d_len, const uint8_t *digest, size_t digest_len,
                     kz_gost3410_rand_fn rand, void *rand_ctx, uint8_t *sig,
                     size_t sig_len)
{
    uint64_t d[N_MAX], dM[N_MAX], e[N_MAX], k[N_MAX], kM[N_MAX];
    uint64_t x[N_MAX], y[N_MAX], r[N_MAX], s[N_MAX], t[N_MAX];
    kz_ec_point C;
    unsigned n;
    int ret = KZ_GOST3410_ERR_RANDOM;

    if (!g || !d_be || !digest || !rand || !sig)
        return KZ_GOST3410_ERR_ARGS;
    if (sig_len != 2 * g->size) {
        memset(sig, 0, sig_len);
        return KZ_GOST3410_ERR_ARGS;
    }
    memset(sig, 0, sig_len);
    if (d_len == 0 || d_len > g->size || digest_len != g->size)
        return KZ_GOST3410_ERR_ARGS;
    n = g->n;

    if (!load_private(g, d, d_be, d_len)) {
        ret = KZ_GOST3410_ERR_KEY;
        goto out;
    }
    kz_bn_to(&g->q, dM, d);
    digest_to_e(g, e, digest);

    for (int attempt = 0; attempt < KZ_GOST3410_MAX_ATTEMPTS; attempt++) {
        if (draw_scalar(g, rand, rand_ctx, k, kM) != 0) {
            ret = KZ_GOST3410_ERR_RANDOM;
            break;
        }
        if (kz_bn_is_zero(k, n))
            continue;
        kz_ec_mul_base(g, &C, k);
        kz_ec_get_affine(g, x, y, &C); /* C != O: 0 < k < q */
        kz_bn_to(&g->q, t, x);         /* r = x mod q */
        kz_bn_from(&g->q, r, t);
        if (kz_bn_is_zero(r, n))
            continue;
        kz_bn_mul(&g->q, s, r, dM);    /* r*d */
        kz_bn_mul(&g->q, t, e, kM);    /* k*e */
        kz_bn_add(&g->q, s, s, t);
        if (kz_bn_is_zero(s, n))
            continue;
        kz_bn_to_be(sig, g->size, s, n);
        kz_bn_to_be(sig + g->size, g->size, r, n);
        ret = KZ_GOST3410_OK;
        break;
    }

out:
    kz_bn_wipe(d, sizeof(d));
    kz_bn_wipe(dM, sizeof(dM));
    kz_bn_wipe(k, sizeof(k));
    kz_bn_wipe(kM, sizeof(kM));
    kz_bn_wipe(x, sizeof(x));
    kz_bn_wipe(y, sizeof(y));
    kz_bn_wipe(s, sizeof(s));
    kz_bn_wipe(t, sizeof(t));
    kz_bn_wipe(&C, sizeof(C));
    return ret;
}

int kz_gost3410_verify(const kz_ec_group *g, const uint8_t *pub,
                       size_t pub_len, const uint8_t *digest,
                       size_t digest_len, const uint8_t *sig, size_t sig_len)
{
    uint64_t r[N_MAX], s[N_MAX], e[N_MAX], v[N_MAX], z1[N_MAX], z2[N_MAX];
    uint64_t t[N_MAX];
    kz_ec_point Q;
    unsigned n;

    if (!g || !pub || !digest || !sig)
        return KZ_GOST3410_ERR_ARGS;
    if (pub_len != 2 * g->size || digest_len != g->size ||
        sig_len != 2 * g->size)
        return KZ_GOST3410_ERR_ARGS;
    n = g->n;
    if (kz_ec_decode_le(g, &Q, pub, pub_len) != 0)
        return KZ_GOST3410_ERR_KEY;

    kz_bn_from_be(s, n, sig, g->size);
    kz_bn_from_be(r, n, sig + g->size, g->size);
    if (kz_bn_is_zero(r, n) || !kz_bn_lt(r, g->q.m, n) ||
        kz_bn_is_zero(s, n) || !kz_bn_lt(s, g->q.m, n))
        return KZ_GOST3410_ERR_SIGNATURE;

    digest_to_e(g, e, digest);
    kz_bn_to(&g->q, t, e);
    kz_bn_inv(&g->q, v, t);        /* v = e^-1, Montgomery form */
    kz_bn_mul(&g->q, z1, s, v);    /* s*v */
    kz_bn_mul(&g->q, z2, r, v);    /* r*v */
    kz_bn_neg(&g->q, z2, z2);      /* -r*v */

    /* C = z1 G + z2 Q; valid iff C != O and x_C mod q = r */
    return kz_ec_mul2_check_x_vartime(g, z1, z2, &Q, r)
               ? KZ_GOST3410_OK
               : KZ_GOST3410_ERR_SIGNATURE;
}

int kz_gost3410_public_key(const kz_ec_group *g, const uint8_t *d_be,
                           size_t d_len, uint8_t *pub, size_t pub_len)
{
    uint64_t d[N_MAX];
    kz_ec_point Q;
    int ret;

    if (!g || !d_be || !pub)
        return KZ_GOST3410_ERR_ARGS;
    if (d_len == 0 || d_len > g->size || pub_len != 2 * g->size)
        return KZ_GOST3410_ERR_ARGS;
    if (!load_private(g, d, d_be, d_len)) {
        ret = KZ_GOST3410_ERR_KEY;
    } else {
        kz_ec_mul_base(g, &Q, d);
        ret = kz_ec_encode_le(g, pub, pub_len, &Q) == 0
                  ? KZ_GOST3410_OK
                  : KZ_GOST3410_ERR_KEY;
    }
    kz_bn_wipe(d, sizeof(d));
    kz_bn_wipe(&Q, sizeof(Q));
    return ret;
}

int kz_gost3410_generate_key(const kz_ec_group *g, kz_gost3410_rand_fn rand,
                             void *rand_ctx, uint8_t *d_be, size_t d_len,
                             uint8_t *pub, size_t pub_len)
{
    uint64_t d[N_MAX], dM[N_MAX];
    int ret = KZ_GOST3410_ERR_RANDOM;

    if (!g || !rand || !d_be || !pub)
        return KZ_GOST3410_ERR_ARGS;
    if (d_len != g->size || pub_len != 2 * g->size)
        return KZ_GOST3410_ERR_ARGS;
    for (int attempt = 0; attempt < KZ_GOST3410_MAX_ATTEMPTS; attempt++) {
        if (draw_scalar(g, rand, rand_ctx, d, dM) != 0)
            break;
        if (kz_bn_is_zero(d, g->n))
            continue;
        kz_bn_to_be(d_be, d_len, d, g->n);
        ret = kz_gost3410_public_key(g, d_be, d_len, pub, pub_len);
        break;
    }
    if (ret != KZ_GOST3410_OK)
        kz_bn_wipe(d_be, d_len);
    kz_bn_wipe(d, sizeof(d));
    kz_bn_wipe(dM, sizeof(dM));
    return ret;
}

int kz_gost3410_check_private_key(const kz_ec_group *g, const uint8_t *d_be,
                                  size_t d_len)
{
    uint64_t d[N_MAX];
    uint64_t ok;

    if (!g || !d_be || d_len == 0 || d_len > g->size)
        return KZ_GOST3410_ERR_ARGS;
    ok = load_private(g, d, d_be, d_len);
    kz_bn_wipe(d, sizeof(d));
    return ok ? KZ_GOST3410_OK : KZ_GOST3410_ERR_KEY;
}

int kz_gost3410_check_public_key(const kz_ec_group *g, const uint8_t *pub,
                                 size_t pub_len)
{
    kz_ec_point Q;

    if (!g || !pub || pub_len != 2 * g->size)
        return KZ_GOST3410_ERR_ARGS;
    return kz_ec_decode_le(g, &Q, pub, pub_len) == 0 ? KZ_GOST3410_OK
                                                    : KZ_GOST3410_ERR_KEY;
}
