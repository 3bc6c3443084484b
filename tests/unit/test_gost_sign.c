/*
 * Unit tests for GOST R 34.10 signatures in src/crypto/gost: modular
 * arithmetic (bn), parameter sets and OIDs (curves), point arithmetic (ec)
 * and signing/verification (gost3410).
 *
 * Known answers, cited at each use:
 *  - RFC 7091 appendix A.1 (the same example as RFC 5832 section 7) and
 *    appendix A.2: the test parameter sets (test-only here), d, Q, e, k and
 *    the published r, s;
 *  - shared/kz-vectors.txt: two real NCA certificate signatures (GOST
 *    34.310-2004 and GOST 34.10-2015-512) with digest, e, issuer key, r, s;
 *  - real NCA certificates and key containers, when KZP11_TESTKEYS names
 *    the nca-testkeys folder (or ../shared/nca-testkeys exists);
 *  - gost-engine 3.0.1 (Debian libengine-gost-openssl) as an independent
 *    implementation, both directions, when `openssl ... -engine gost` works.
 * Curve parameters (RFC 4357 section 11.4, RFC 7836 appendix A.1) are
 * checked for consistency: p and q prime, G on the curve, q*G = O, #E
 * within the Hasse bound.
 *
 * The arithmetic is also compared with slow reference code in this file
 * (bitwise long division, textbook affine formulas).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif

#include "hex.h"
#include "crypto/gost/bn.h"
#include "crypto/gost/curves.h"
#include "crypto/gost/ec.h"
#include "crypto/gost/gost3410.h"
#include "crypto/gost/gost3411_94.h"
#include "crypto/gost/gost89.h"
#include "crypto/gost/streebog.h"

#define N_MAX KZ_BN_MAX_LIMBS

/* ---- helpers ----------------------------------------------------------- */

/* A number printed most significant digit first, as len bytes
 * little-endian (zero-padded). */
static void num_le(const char *hex, uint8_t *out, size_t len)
{
    uint64_t v[N_MAX];

    ck_assert_int_eq(kz_bn_from_hex(v, N_MAX, hex), 0);
    kz_bn_to_le(out, len, v, N_MAX);
}

/* The same as len bytes big-endian. */
static void num_be(const char *hex, uint8_t *out, size_t len)
{
    uint64_t v[N_MAX];

    ck_assert_int_eq(kz_bn_from_hex(v, N_MAX, hex), 0);
    kz_bn_to_be(out, len, v, N_MAX);
}

static void limbs(const char *hex, uint64_t *out)
{
    ck_assert_int_eq(kz_bn_from_hex(out, N_MAX, hex), 0);
}

/* Deterministic test randomness (splitmix64); every test runs in its own
 * process, so each starts from the same state. */
static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rng64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_bytes(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rng64();
}

static int rng_cb(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    rng_bytes(buf, len);
    return 0;
}

/* Random number below m (n limbs), by rejection. */
static void rng_below(uint64_t *r, const uint64_t *m, unsigned n)
{
    do {
        for (unsigned i = 0; i < n; i++)
            r[i] = rng64();
        /* shorten to the bit length of m to make rejection cheap */
        for (unsigned i = n; i-- > 0;) {
            if (m[i]) {
                unsigned b = 64 - (unsigned)__builtin_clzll(m[i]);

                if (b < 64)
                    r[i] &= (1ULL << b) - 1;
                for (unsigned j = i + 1; j < n; j++)
                    r[j] = 0;
                break;
            }
        }
    } while (!kz_bn_lt(r, m, n));
}

/* A nonce source returning fixed byte strings, one per call. */
typedef struct {
    const uint8_t *bytes[4];
    size_t len;
    int count, calls;
} fixed_src;

static int fixed_cb(void *ctx, uint8_t *buf, size_t len)
{
    fixed_src *f = ctx;

    ck_assert_uint_eq(len, f->len);
    if (f->calls >= f->count)
        return -1;
    memcpy(buf, f->bytes[f->calls++], len);
    return 0;
}

static int failing_cb(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0xAA, len);
    return -1;
}

static int zero_cb(void *ctx, uint8_t *buf, size_t len)
{
    int *calls = ctx;

    (*calls)++;
    memset(buf, 0, len);
    return 0;
}

/* k for a fixed_src: 8 zero bytes, then k big-endian. */
static void nonce_bytes(const char *k_hex, uint8_t *out, size_t size)
{
    memset(out, 0, 8);
    num_be(k_hex, out + 8, size);
}

static void *xread_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, f);

        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* ---- the RFC 7091 test parameter sets (test-only) ---------------------- */

/* RFC 7091 appendix A.1 (= RFC 5832 section 7.1), id-GostR3410-2001-
 * TestParamSet. */
static const kz_ec_params rfc_test256 = {
    .p = "8000000000000000000000000000000000000000000000000000000000000431",
    .a = "7",
    .b = "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
    .q = "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
    .x = "2",
    .y = "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
    .cofactor = 1,
};

/* RFC 7091 appendix A.2. */
static const kz_ec_params rfc_test512 = {
    .p = "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D"
         "F1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
    .a = "7",
    .b = "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC43"
         "61834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
    .q = "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D"
         "A82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
    .x = "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762"
         "FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
    .y = "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C"
         "83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
    .cofactor = 1,
};

static kz_ec_group tg256, tg512, tg256t, tg512t;
static uint64_t tbl256[KZ_EC_TABLE_LIMBS(4)], tbl512[KZ_EC_TABLE_LIMBS(8)];

/* Groups the generic tests loop over: the seven built-in sets, then the
 * two RFC test sets without and with a fixed-base table. */
#define N_GROUPS (KZ_GOST_CURVE_COUNT + 4)

static const kz_ec_group *test_group(int i)
{
    if (i < KZ_GOST_CURVE_COUNT) {
        const kz_ec_group *g = kz_gost_curve_get((kz_gost_curve_id)i);

        ck_assert_ptr_nonnull(g);
        return g;
    }
    switch (i - KZ_GOST_CURVE_COUNT) {
    case 0:
        ck_assert_int_eq(kz_ec_group_init(&tg256, &rfc_test256, NULL, 0), 0);
        return &tg256;
    case 1:
        ck_assert_int_eq(kz_ec_group_init(&tg512, &rfc_test512, NULL, 0), 0);
        return &tg512;
    case 2:
        ck_assert_int_eq(kz_ec_group_init(&tg256t, &rfc_test256, tbl256,
                                          KZ_EC_TABLE_LIMBS(4)),
                         0);
        return &tg256t;
    default:
        ck_assert_int_eq(kz_ec_group_init(&tg512t, &rfc_test512, tbl512,
                                          KZ_EC_TABLE_LIMBS(8)),
                         0);
        return &tg512t;
    }
}

static const kz_ec_params *test_params(int i)
{
    if (i < KZ_GOST_CURVE_COUNT)
        return kz_gost_curve_params((kz_gost_curve_id)i);
    return (i - KZ_GOST_CURVE_COUNT) % 2 ? &rfc_test512 : &rfc_test256;
}

/* ---- reference arithmetic (slow, independent of bn.c) ------------------ */

/* 1 if a >= b, n limbs */
static int ref_ge(const uint64_t *a, const uint64_t *b, unsigned n)
{
    for (unsigned i = n; i-- > 0;)
        if (a[i] != b[i])
            return a[i] > b[i];
    return 1;
}

/* r = x mod m, x of xn limbs, m of n limbs: bitwise long division */
static void ref_mod(uint64_t *r, const uint64_t *x, unsigned xn,
                    const uint64_t *m, unsigned n)
{
    uint64_t t[N_MAX + 1] = {0}, mm[N_MAX + 1] = {0};

    memcpy(mm, m, n * sizeof(uint64_t));
    for (int bit = 64 * (int)xn - 1; bit >= 0; bit--) {
        uint64_t carry = (x[bit / 64] >> (bit % 64)) & 1;

        for (unsigned i = 0; i <= n; i++) {
            uint64_t nc = t[i] >> 63;

            t[i] = (t[i] << 1) | carry;
            carry = nc;
        }
        if (ref_ge(t, mm, n + 1)) {
            uint64_t borrow = 0;

            for (unsigned i = 0; i <= n; i++) {
                unsigned __int128 v = (unsigned __int128)t[i] - mm[i] - borrow;

                t[i] = (uint64_t)v;
                borrow = (uint64_t)(v >> 64) & 1;
            }
        }
    }
    memcpy(r, t, n * sizeof(uint64_t));
}

static void ref_mulmod(uint64_t *r, const uint64_t *a, const uint64_t *b,
                       const uint64_t *m, unsigned n)
{
    uint64_t t[2 * N_MAX] = {0};

    for (unsigned i = 0; i < n; i++) {
        uint64_t c = 0;

        for (unsigned j = 0; j < n; j++) {
            unsigned __int128 v =
                (unsigned __int128)a[i] * b[j] + t[i + j] + c;

            t[i + j] = (uint64_t)v;
            c = (uint64_t)(v >> 64);
        }
        t[i + n] = c;
    }
    ref_mod(r, t, 2 * n, m, n);
}

/* r = (a + b) mod m, or (a - b) mod m when sub; a, b < m */
static void ref_addmod(uint64_t *r, const uint64_t *a, const uint64_t *b,
                       const uint64_t *m, unsigned n, int sub)
{
    uint64_t t[N_MAX + 1];
    unsigned __int128 v = 0;

    /* t = a + b, or a + m - b (never negative) */
    for (unsigned i = 0; i < n; i++) {
        v = (unsigned __int128)a[i] + (sub ? m[i] : b[i]) + (uint64_t)(v >> 64);
        t[i] = (uint64_t)v;
    }
    t[n] = (uint64_t)(v >> 64);
    if (sub) {
        uint64_t borrow = 0;

        for (unsigned i = 0; i <= n; i++) {
            unsigned __int128 w =
                (unsigned __int128)t[i] - (i < n ? b[i] : 0) - borrow;

            t[i] = (uint64_t)w;
            borrow = (uint64_t)(w >> 64) & 1;
        }
    }
    ref_mod(r, t, n + 1, m, n);
}

/* ---- bn ---------------------------------------------------------------- */

/* The moduli tested: p and q of each group. */
static const kz_bn_mod *test_mod(int i, const kz_ec_group **gout)
{
    const kz_ec_group *g = test_group(i / 2);

    if (gout)
        *gout = g;
    return i % 2 ? &g->q : &g->p;
}

#define N_MODS (2 * (KZ_GOST_CURVE_COUNT + 2))

START_TEST(test_bn_constants)
{
    const kz_bn_mod *m = test_mod(_i, NULL);
    unsigned n = m->n;
    uint64_t one[N_MAX] = {1}, r[N_MAX], wide[2 * N_MAX + 1] = {0};

    ck_assert(n == 4 || n == 8);
    ck_assert_uint_eq(m->m[0] * (0 - m->m0inv), 1); /* m * m^-1 == 1 */
    if (m->form == KZ_BN_FORM_PM) {
        uint64_t s[N_MAX];

        /* m + c == 2^(64n) */
        ck_assert_uint_lt(m->c, 1ULL << 32);
        memcpy(s, m->m, sizeof(s));
        s[0] += m->c;
        ck_assert_uint_eq(s[0], 0);
        for (unsigned i = 1; i < n; i++)
            ck_assert_uint_eq(s[i], UINT64_MAX);
        ck_assert(kz_bn_eq(m->one, one, n));
    } else {
        /* one = R mod m, r2 = R^2 mod m, r3 = R^3 mod m */
        wide[n] = 1;
        ref_mod(r, wide, n + 1, m->m, n);
        ck_assert(kz_bn_eq(m->one, r, n));
        memset(wide, 0, sizeof(wide));
        wide[2 * n] = 1;
        ref_mod(r, wide, 2 * n + 1, m->m, n);
        ck_assert(kz_bn_eq(m->r2, r, n));
        ref_mulmod(r, m->r2, m->one, m->m, n);
        ck_assert(kz_bn_eq(m->r3, r, n));
    }
    /* bit length */
    {
        unsigned bits =
            64 * n - (unsigned)__builtin_clzll(m->m[n - 1]);

        ck_assert_uint_eq(m->bits, bits);
    }
}
END_TEST

/* Values worth trying: 0, 1, 2, m-1, m-2, (m-1)/2, and random. */
static void edge_or_random(uint64_t *a, const kz_bn_mod *m, int i)
{
    unsigned n = m->n;

    memset(a, 0, N_MAX * sizeof(uint64_t));
    switch (i) {
    case 0:
        break;
    case 1:
        a[0] = 1;
        break;
    case 2:
        a[0] = 2;
        break;
    case 3: /* m - 1 (m is odd: no borrow) */
        memcpy(a, m->m, n * 8);
        a[0] -= 1;
        break;
    case 4: /* m - 2 (the low limb of every modulus here is above 2) */
        memcpy(a, m->m, n * 8);
        a[0] -= 2;
        break;
    case 5: /* (m - 1) / 2 */
        memcpy(a, m->m, n * 8);
        for (unsigned j = 0; j < n; j++)
            a[j] = (a[j] >> 1) | (j + 1 < n ? a[j + 1] << 63 : 0);
        break;
    default:
        rng_below(a, m->m, n);
    }
}

START_TEST(test_bn_arith)
{
    const kz_bn_mod *m = test_mod(_i, NULL);
    unsigned n = m->n;

    for (int i = 0; i < 60; i++) {
        for (int j = 0; j < 8; j++) {
            uint64_t a[N_MAX], b[N_MAX], ai[N_MAX], bi[N_MAX], r[N_MAX];
            uint64_t t[N_MAX], want[N_MAX];

            edge_or_random(a, m, i < 6 ? i : 6);
            edge_or_random(b, m, j < 6 ? j : 6);
            kz_bn_to(m, ai, a);
            kz_bn_to(m, bi, b);
            kz_bn_from(m, t, ai);
            ck_assert(kz_bn_eq(t, a, n));

            kz_bn_mul(m, r, ai, bi);
            kz_bn_from(m, t, r);
            ref_mulmod(want, a, b, m->m, n);
            ck_assert_msg(kz_bn_eq(t, want, n), "mul %d %d", i, j);

            kz_bn_sqr(m, r, ai);
            kz_bn_from(m, t, r);
            ref_mulmod(want, a, a, m->m, n);
            ck_assert_msg(kz_bn_eq(t, want, n), "sqr %d", i);

            kz_bn_add(m, r, ai, bi);
            kz_bn_from(m, t, r);
            ref_addmod(want, a, b, m->m, n, 0);
            ck_assert_msg(kz_bn_eq(t, want, n), "add %d %d", i, j);

            kz_bn_sub(m, r, ai, bi);
            kz_bn_from(m, t, r);
            ref_addmod(want, a, b, m->m, n, 1);
            ck_assert_msg(kz_bn_eq(t, want, n), "sub %d %d", i, j);

            kz_bn_neg(m, r, ai);
            kz_bn_add(m, r, r, ai);
            ck_assert(kz_bn_is_zero(r, n));

            /* aliasing */
            memcpy(r, ai, sizeof(r));
            kz_bn_mul(m, r, r, r);
            kz_bn_sqr(m, t, ai);
            ck_assert(kz_bn_eq(r, t, n));
        }
    }
}
END_TEST

START_TEST(test_bn_reduce_and_inverse)
{
    const kz_bn_mod *m = test_mod(_i, NULL);
    unsigned n = m->n;

    for (int i = 0; i < 40; i++) {
        uint64_t a[N_MAX + 1], r[N_MAX], t[N_MAX], want[N_MAX], ai[N_MAX];

        /* any n-limb number, and n+1 limbs through to_wide */
        for (unsigned j = 0; j <= n; j++)
            a[j] = i == 0 ? UINT64_MAX : i == 1 ? 0 : rng64();
        kz_bn_to(m, r, a);
        kz_bn_from(m, t, r);
        ref_mod(want, a, n, m->m, n);
        ck_assert_msg(kz_bn_eq(t, want, n), "to %d", i);

        kz_bn_to_wide(m, r, a, a[n]);
        kz_bn_from(m, t, r);
        ref_mod(want, a, n + 1, m->m, n);
        ck_assert_msg(kz_bn_eq(t, want, n), "to_wide %d", i);

        /* inverse (m is prime): a * a^-1 == 1, and 0^-1 == 0 */
        edge_or_random(a, m, i < 6 ? i : 6);
        kz_bn_to(m, ai, a);
        kz_bn_inv(m, r, ai);
        if (kz_bn_is_zero(a, n)) {
            ck_assert(kz_bn_is_zero(r, n));
        } else {
            kz_bn_mul(m, t, r, ai);
            ck_assert(kz_bn_eq(t, m->one, n));
        }
    }
}
END_TEST

/* The divsteps inversion against Fermat (a^(m-2)) on many values,
 * including structured ones (small, near m, powers of two, all ones). */
START_TEST(test_bn_inverse_vs_fermat)
{
    const kz_bn_mod *m = test_mod(_i, NULL);
    unsigned n = m->n;
    uint64_t e[N_MAX];

    memcpy(e, m->m, sizeof(e)); /* e = m - 2 */
    ck_assert_uint_ge(e[0], 2);
    e[0] -= 2;
    for (int i = 0; i < 400; i++) {
        uint64_t a[N_MAX] = {0}, ai[N_MAX], r1[N_MAX], r2[N_MAX];

        if (i < 64) {
            a[0] = (uint64_t)i;
        } else if (i < 64 + 64 * (int)n / 8) {
            unsigned b = (unsigned)(i - 64) * 8;

            a[b / 64] = 1ULL << (b % 64); /* 2^b */
        } else if (i < 200) {
            memcpy(a, m->m, n * 8);
            a[0] -= (uint64_t)(i - 120) & 63; /* m - small (m is odd) */
            if (a[0] > m->m[0])
                a[0] = 1;
        } else if (i < 210) {
            memset(a, 0xff, n * 8); /* reduced by kz_bn_to */
            a[0] -= (uint64_t)i;
        } else {
            rng_below(a, m->m, n);
        }
        kz_bn_to(m, ai, a);
        kz_bn_inv(m, r1, ai);
        kz_bn_pow(m, r2, ai, e, 64 * n);
        ck_assert_msg(kz_bn_eq(r1, r2, n), "inverse %d", i);
    }
}
END_TEST

START_TEST(test_bn_bytes)
{
    uint8_t in[64], out[72];
    uint64_t a[N_MAX], b[N_MAX];

    rng_bytes(in, sizeof(in));
    kz_bn_from_be(a, 8, in, 64);
    kz_bn_to_be(out, 64, a, 8);
    ck_assert_mem_eq(in, out, 64);
    kz_bn_from_le(b, 8, in, 64);
    kz_bn_to_le(out, 64, b, 8);
    ck_assert_mem_eq(in, out, 64);
    /* big-endian of x is the reversal of little-endian of x */
    kz_bn_to_le(out, 64, a, 8);
    for (int i = 0; i < 64; i++)
        ck_assert_uint_eq(out[i], in[63 - i]);
    /* short input: high bytes zero; long output: zero padding */
    kz_bn_from_be(a, 4, in, 3);
    ck_assert_uint_eq(a[0], (uint64_t)in[0] << 16 | in[1] << 8 | in[2]);
    ck_assert(a[1] == 0 && a[2] == 0 && a[3] == 0);
    kz_bn_to_be(out, 40, a, 4);
    for (int i = 0; i < 37; i++)
        ck_assert_uint_eq(out[i], 0);
    ck_assert_mem_eq(out + 37, in, 3);
    /* hex */
    ck_assert_int_eq(kz_bn_from_hex(a, 4, "0102030405060708090a0B0c"), 0);
    ck_assert_uint_eq(a[0], 0x05060708090a0b0cULL);
    ck_assert_uint_eq(a[1], 0x01020304ULL);
    ck_assert_int_eq(kz_bn_from_hex(a, 4, "12g4"), -1);
    ck_assert_int_eq(kz_bn_from_hex(a, 1, "00000000000000000123456789abcdef"),
                     0);
    ck_assert_uint_eq(a[0], 0x0123456789abcdefULL);
    ck_assert_int_eq(kz_bn_from_hex(a, 1, "10123456789abcdef"), -1);
}
END_TEST

START_TEST(test_bn_ct_helpers)
{
    uint64_t a[4] = {0, 0, 0, 0}, b[4] = {1, 0, 0, 0}, c[4] = {0, 0, 0, 1};
    uint64_t r[4];

    ck_assert_uint_eq(kz_bn_is_zero(a, 4), 1);
    ck_assert_uint_eq(kz_bn_is_zero(b, 4), 0);
    ck_assert_uint_eq(kz_bn_is_zero(c, 4), 0);
    ck_assert_uint_eq(kz_bn_eq(a, a, 4), 1);
    ck_assert_uint_eq(kz_bn_eq(a, c, 4), 0);
    ck_assert_uint_eq(kz_bn_lt(a, b, 4), 1);
    ck_assert_uint_eq(kz_bn_lt(b, a, 4), 0);
    ck_assert_uint_eq(kz_bn_lt(b, c, 4), 1);
    ck_assert_uint_eq(kz_bn_lt(c, c, 4), 0);
    kz_bn_select(r, b, c, 4, 1);
    ck_assert(kz_bn_eq(r, b, 4));
    kz_bn_select(r, b, c, 4, 0);
    ck_assert(kz_bn_eq(r, c, 4));
    memset(r, 0x5a, sizeof(r));
    kz_bn_wipe(r, sizeof(r));
    ck_assert(kz_bn_is_zero(r, 4));
    /* moduli that are not acceptable */
    {
        kz_bn_mod m;
        uint64_t even[4] = {2, 0, 0, 1}, shortm[4] = {3, 0, 0, 0};

        ck_assert_int_eq(kz_bn_mod_init(&m, even, 4, 1), -1);
        ck_assert_int_eq(kz_bn_mod_init(&m, shortm, 4, 1), -1);
        ck_assert_int_eq(kz_bn_mod_init(&m, b, 5, 1), -1);
    }
}
END_TEST

/* ---- curves ------------------------------------------------------------ */

/* Miller-Rabin with the first 20 primes as bases. */
static int probable_prime(const kz_bn_mod *m)
{
    static const uint64_t bases[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29,
                                     31, 37, 41, 43, 47, 53, 59, 61, 67, 71};
    unsigned n = m->n, s = 0;
    uint64_t d[N_MAX], minus1[N_MAX];

    memcpy(d, m->m, sizeof(d));
    d[0] -= 1; /* m is odd */
    while (!(d[0] & 1)) {
        for (unsigned i = 0; i < n; i++)
            d[i] = (d[i] >> 1) | (i + 1 < n ? d[i + 1] << 63 : 0);
        s++;
    }
    kz_bn_neg(m, minus1, m->one);
    for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
        uint64_t a[N_MAX] = {bases[b]}, x[N_MAX];
        unsigned r;

        kz_bn_to(m, a, a);
        kz_bn_pow(m, x, a, d, 64 * n);
        if (kz_bn_eq(x, m->one, n) || kz_bn_eq(x, minus1, n))
            continue;
        for (r = 1; r < s; r++) {
            kz_bn_sqr(m, x, x);
            if (kz_bn_eq(x, minus1, n))
                break;
        }
        if (r >= s)
            return 0;
    }
    return 1;
}

/* P as affine ordinary numbers; returns 1 for O */
static int affine(const kz_ec_group *g, uint64_t *x, uint64_t *y,
                  const kz_ec_point *P)
{
    memset(x, 0, N_MAX * 8);
    memset(y, 0, N_MAX * 8);
    return (int)kz_ec_get_affine(g, x, y, P);
}

static int same_point(const kz_ec_group *g, const kz_ec_point *P,
                      const kz_ec_point *Q)
{
    uint64_t x1[N_MAX], y1[N_MAX], x2[N_MAX], y2[N_MAX];
    int i1 = affine(g, x1, y1, P), i2 = affine(g, x2, y2, Q);

    if (i1 || i2)
        return i1 && i2;
    return kz_bn_eq(x1, x2, g->n) && kz_bn_eq(y1, y2, g->n);
}

START_TEST(test_curve_sanity)
{
    const kz_ec_group *g = test_group(_i);
    const kz_ec_params *prm = test_params(_i);
    unsigned n = g->n;
    kz_ec_point R, negG;
    uint64_t k[N_MAX];

    ck_assert_uint_eq(g->size, 8 * n);
    ck_assert(probable_prime(&g->p));
    ck_assert(probable_prime(&g->q));
    ck_assert(kz_ec_on_curve(g, &g->g));
    ck_assert(!kz_ec_is_infinity(g, &g->g));
    ck_assert_uint_eq(g->cofactor, prm->cofactor);
    ck_assert_uint_ge(g->comb_jwin + 2, KZ_EC_TABLE_WINDOWS(n));

    /* q*G = O, three ways */
    kz_ec_mul_ct(g, &R, g->q.m, &g->g);
    ck_assert(kz_ec_is_infinity(g, &R));
    kz_ec_mul2_vartime(g, &R, g->q.m, (uint64_t[N_MAX]){0}, &g->g);
    ck_assert(kz_ec_is_infinity(g, &R));
    kz_ec_mul_base(g, &R, g->q.m);
    ck_assert(kz_ec_is_infinity(g, &R));
    /* (q-1)*G = -G */
    memcpy(k, g->q.m, sizeof(k));
    k[0] -= 1;
    kz_ec_mul_base(g, &R, k);
    kz_ec_neg(g, &negG, &g->g);
    ck_assert(same_point(g, &R, &negG));
    ck_assert(kz_ec_eq(g, &R, &negG));

    /* Hasse: |p + 1 - h q| <= 2 sqrt(p) */
    {
        uint64_t hq[N_MAX + 1] = {0}, p1[N_MAX + 1] = {0}, d[N_MAX + 1];
        unsigned __int128 c = 0;
        unsigned bits = g->p.bits / 2 + 1;

        for (unsigned i = 0; i < n; i++) {
            c += (unsigned __int128)g->q.m[i] * g->cofactor;
            hq[i] = (uint64_t)c;
            c >>= 64;
        }
        hq[n] = (uint64_t)c;
        memcpy(p1, g->p.m, n * 8);
        p1[0] += 1; /* p is odd: no carry */
        if (!ref_ge(p1, hq, n + 1)) {
            uint64_t *t = p1;

            for (unsigned i = 0; i <= n; i++) {
                uint64_t sw = t[i];

                t[i] = hq[i];
                hq[i] = sw;
            }
        }
        {
            uint64_t borrow = 0;

            for (unsigned i = 0; i <= n; i++) {
                unsigned __int128 v = (unsigned __int128)p1[i] - hq[i] - borrow;

                d[i] = (uint64_t)v;
                borrow = (uint64_t)(v >> 64) & 1;
            }
        }
        for (unsigned i = 0; i <= n; i++) {
            if (64 * i >= bits)
                ck_assert_uint_eq(d[i], 0);
            else if (64 * (i + 1) > bits)
                ck_assert_uint_eq(d[i] >> (bits - 64 * i), 0);
        }
    }

    /* the representation chosen for p */
    if (_i == KZ_GOST_CURVE_CRYPTOPRO_A || _i == KZ_GOST_CURVE_TC26_256_A ||
        _i == KZ_GOST_CURVE_TC26_512_A || _i == KZ_GOST_CURVE_TC26_512_C)
        ck_assert_uint_eq(g->p.form, KZ_BN_FORM_PM);
    else
        ck_assert_uint_eq(g->p.form, KZ_BN_FORM_MONT);
    ck_assert_uint_eq(g->q.form, KZ_BN_FORM_MONT);
    /* a = -3 for every set except the two twisted Edwards ones and the
     * RFC test sets (a = 7) */
    ck_assert_int_eq(g->a_is_m3,
                     _i != KZ_GOST_CURVE_TC26_256_A &&
                         _i != KZ_GOST_CURVE_TC26_512_C &&
                         _i < KZ_GOST_CURVE_COUNT);
}
END_TEST

START_TEST(test_curve_params_rejected)
{
    kz_ec_group g;
    kz_ec_params bad = *kz_gost_curve_params(KZ_GOST_CURVE_CRYPTOPRO_A);

    bad.y = "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E15";
    ck_assert_int_eq(kz_ec_group_init(&g, &bad, NULL, 0), -1); /* G off */
    bad = *kz_gost_curve_params(KZ_GOST_CURVE_CRYPTOPRO_A);
    bad.p = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD98";
    ck_assert_int_eq(kz_ec_group_init(&g, &bad, NULL, 0), -1); /* even */
    bad = *kz_gost_curve_params(KZ_GOST_CURVE_CRYPTOPRO_A);
    bad.b = "X1";
    ck_assert_int_eq(kz_ec_group_init(&g, &bad, NULL, 0), -1);
    bad = *kz_gost_curve_params(KZ_GOST_CURVE_CRYPTOPRO_A);
    bad.a = "0";
    bad.b = "0";
    ck_assert_int_eq(kz_ec_group_init(&g, &bad, NULL, 0), -1); /* singular */
    ck_assert_ptr_null(kz_gost_curve_get((kz_gost_curve_id)-1));
    ck_assert_ptr_null(kz_gost_curve_get(KZ_GOST_CURVE_COUNT));
    ck_assert_ptr_null(kz_gost_curve_params(KZ_GOST_CURVE_COUNT));
    ck_assert_ptr_null(kz_gost_curve_name(KZ_GOST_CURVE_COUNT));
}
END_TEST

START_TEST(test_curve_oids)
{
    size_t count = kz_gost_curve_oid_count();
    int kz2004 = 0, kz2015 = 0, kz2015_256 = 0;

    ck_assert_uint_eq(count, 15);
    for (size_t i = 0; i < count; i++) {
        const kz_gost_curve_oid *o = kz_gost_curve_oid_at(i);
        uint8_t der[32];
        unsigned char *enc = NULL, *pp;
        ASN1_OBJECT *obj;
        int len;

        ck_assert_ptr_nonnull(o);
        ck_assert_ptr_eq(kz_gost_curve_by_oid(o->oid, o->oid_len),
                         kz_gost_curve_get(o->curve));
        ck_assert_int_eq(kz_gost_curve_id_by_oid(o->oid, o->oid_len),
                         (int)o->curve);
        der[0] = 0x06;
        der[1] = (uint8_t)o->oid_len;
        memcpy(der + 2, o->oid, o->oid_len);
        ck_assert_ptr_eq(kz_gost_curve_by_der(der, o->oid_len + 2),
                         kz_gost_curve_get(o->curve));
        /* a truncated or extended OID is unknown */
        ck_assert_int_eq(kz_gost_curve_id_by_oid(o->oid, o->oid_len - 1), -1);
        ck_assert_int_eq(kz_gost_curve_id_by_der(der, o->oid_len + 1), -1);
        der[0] = 0x04;
        ck_assert_int_eq(kz_gost_curve_id_by_der(der, o->oid_len + 2), -1);

        /* the dotted form encodes to the same bytes (OpenSSL) */
        obj = OBJ_txt2obj(o->dotted, 1);
        ck_assert_ptr_nonnull(obj);
        len = i2d_ASN1_OBJECT(obj, NULL);
        enc = OPENSSL_malloc((size_t)len);
        pp = enc;
        i2d_ASN1_OBJECT(obj, &pp);
        ck_assert_uint_eq((size_t)len, o->oid_len + 2);
        ck_assert_mem_eq(enc + 2, o->oid, o->oid_len);
        OPENSSL_free(enc);
        /* OpenSSL knows the Russian ones by the same ASN.1 name */
        if (strncmp(o->dotted, "1.2.643.", 8) == 0) {
            int nid = OBJ_sn2nid(o->name);

            ck_assert_msg(nid != NID_undef, "%s", o->name);
            ck_assert_int_eq(nid, OBJ_obj2nid(obj));
        }
        ASN1_OBJECT_free(obj);
        if (strcmp(o->dotted, "1.2.398.3.10.1.1.1.1.1") == 0) {
            ck_assert_int_eq(o->curve, KZ_GOST_CURVE_CRYPTOPRO_A);
            kz2004 = 1;
        }
        if (strcmp(o->dotted, "1.2.398.3.10.1.1.2.2.1") == 0) {
            ck_assert_int_eq(o->curve, KZ_GOST_CURVE_TC26_512_A);
            kz2015 = 1;
        }
        /* the 2015 256-bit set, as kz-pki-facts.md reports it (unverified) */
        if (strcmp(o->dotted, "1.2.398.3.10.1.1.2.1.1") == 0) {
            ck_assert_int_eq(o->curve, KZ_GOST_CURVE_TC26_256_A);
            kz2015_256 = 1;
        }
    }
    ck_assert(kz2004 && kz2015 && kz2015_256);
    ck_assert_ptr_null(kz_gost_curve_oid_at(count));
    /* unknown: the GOST 2001 test parameter set, and nonsense */
    {
        static const uint8_t test_set[] = {0x2a, 0x85, 0x03, 0x02,
                                           0x02, 0x23, 0x00};

        ck_assert_ptr_null(kz_gost_curve_by_oid(test_set, sizeof(test_set)));
        ck_assert_ptr_null(kz_gost_curve_by_oid(NULL, 0));
        ck_assert_ptr_null(kz_gost_curve_by_der(test_set, 1));
    }
    for (int id = 0; id < KZ_GOST_CURVE_COUNT; id++)
        ck_assert_ptr_nonnull(kz_gost_curve_name((kz_gost_curve_id)id));
}
END_TEST

/* Concurrent first use of a curve and of its fixed-base table. */
typedef struct {
    int id;
    const kz_ec_group *g;
    uint8_t pub[128];
} curve_thread_arg;

static void *curve_thread(void *p)
{
    curve_thread_arg *a = p;
    uint8_t d[64];

    a->g = kz_gost_curve_get((kz_gost_curve_id)a->id);
    memset(d, 0x42, sizeof(d));
    kz_gost3410_public_key(a->g, d, a->g->size, a->pub, 2 * a->g->size);
    return NULL;
}

START_TEST(test_curve_threads)
{
    curve_thread_arg args[6];
    pthread_t th[6];

    for (int i = 0; i < 6; i++) {
        args[i].id = KZ_GOST_CURVE_TC26_512_B;
        ck_assert_int_eq(
            pthread_create(&th[i], NULL, curve_thread, &args[i]), 0);
    }
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    for (int i = 1; i < 6; i++) {
        ck_assert_ptr_eq(args[i].g, args[0].g);
        ck_assert_mem_eq(args[i].pub, args[0].pub, 128);
    }
    ck_assert_int_eq(kz_ec_precompute(args[0].g), 1);
}
END_TEST

/* ---- ec ---------------------------------------------------------------- */

/* Textbook affine arithmetic on ordinary numbers (reference). */
typedef struct {
    uint64_t x[N_MAX], y[N_MAX];
    int inf;
} aff;

static void ref_inv(const kz_ec_group *g, uint64_t *r, const uint64_t *a)
{
    uint64_t t[N_MAX];

    kz_bn_to(&g->p, t, a);
    kz_bn_inv(&g->p, t, t);
    kz_bn_from(&g->p, r, t);
}

static void ref_aff_add(const kz_ec_group *g, aff *R, const aff *P,
                        const aff *Q)
{
    const uint64_t *p = g->p.m;
    unsigned n = g->n;
    uint64_t l[N_MAX], t[N_MAX], u[N_MAX], a[N_MAX], x3[N_MAX];

    if (P->inf) {
        *R = *Q;
        return;
    }
    if (Q->inf) {
        *R = *P;
        return;
    }
    if (kz_bn_eq(P->x, Q->x, n)) {
        ref_addmod(t, P->y, Q->y, p, n, 0);
        if (kz_bn_is_zero(t, n)) {
            memset(R, 0, sizeof(*R));
            R->inf = 1;
            return;
        }
        /* l = (3x^2 + a) / 2y */
        kz_bn_from(&g->p, a, g->a);
        ref_mulmod(t, P->x, P->x, p, n);
        ref_addmod(u, t, t, p, n, 0);
        ref_addmod(t, u, t, p, n, 0);
        ref_addmod(t, t, a, p, n, 0);
        ref_addmod(u, P->y, P->y, p, n, 0);
    } else {
        ref_addmod(t, Q->y, P->y, p, n, 1);
        ref_addmod(u, Q->x, P->x, p, n, 1);
    }
    ref_inv(g, u, u);
    ref_mulmod(l, t, u, p, n);
    ref_mulmod(t, l, l, p, n);
    ref_addmod(t, t, P->x, p, n, 1);
    ref_addmod(x3, t, Q->x, p, n, 1);
    ref_addmod(t, P->x, x3, p, n, 1);
    ref_mulmod(t, l, t, p, n);
    ref_addmod(R->y, t, P->y, p, n, 1);
    memcpy(R->x, x3, sizeof(x3));
    R->inf = 0;
}

static void ref_aff_mul(const kz_ec_group *g, aff *R, uint64_t k,
                        const aff *P)
{
    aff acc = {.inf = 1}, b = *P;

    for (; k; k >>= 1) {
        if (k & 1)
            ref_aff_add(g, &acc, &acc, &b);
        ref_aff_add(g, &b, &b, &b);
    }
    *R = acc;
}

/* projective point for an affine one, scaled by a random nonzero lambda */
static void to_point(const kz_ec_group *g, kz_ec_point *P, const aff *A)
{
    uint64_t l[N_MAX];

    if (A->inf) {
        kz_ec_set_infinity(g, P);
        rng_below(l, g->p.m, g->n);
        l[0] |= 1;
        kz_bn_to(&g->p, l, l);
        kz_bn_mul(&g->p, P->y, P->y, l);
        return;
    }
    ck_assert_int_eq(kz_ec_set_affine(g, P, A->x, A->y), 0);
    rng_below(l, g->p.m, g->n);
    l[0] |= 1;
    kz_bn_to(&g->p, l, l);
    kz_bn_mul(&g->p, P->x, P->x, l);
    kz_bn_mul(&g->p, P->y, P->y, l);
    kz_bn_mul(&g->p, P->z, P->z, l);
}

static int point_is(const kz_ec_group *g, const kz_ec_point *P, const aff *A)
{
    uint64_t x[N_MAX], y[N_MAX];
    int inf = affine(g, x, y, P);

    if (inf || A->inf)
        return inf == A->inf;
    return kz_bn_eq(x, A->x, g->n) && kz_bn_eq(y, A->y, g->n);
}

START_TEST(test_ec_formulas)
{
    const kz_ec_group *g = test_group(_i);
    aff G, A[6], R;
    kz_ec_point P, Q, S;

    kz_ec_get_affine(g, G.x, G.y, &g->g);
    G.inf = 0;
    A[0] = G;
    A[1].inf = 1;
    for (int i = 2; i < 6; i++)
        ref_aff_mul(g, &A[i], rng64() & 0xfffff, &G);
    /* also P = -A[2] and P = A[2] (doubling and inverse pairs) */
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 8; j++) {
            aff B = j < 6 ? A[j] : A[i];

            if (j == 7 && !B.inf) /* -A[i] */
                ref_addmod(B.y, (uint64_t[N_MAX]){0}, B.y, g->p.m, g->n, 1);
            to_point(g, &P, &A[i]);
            to_point(g, &Q, &B);
            ref_aff_add(g, &R, &A[i], &B);
            kz_ec_add(g, &S, &P, &Q);
            ck_assert_msg(point_is(g, &S, &R), "add %d %d", i, j);
            ck_assert(kz_ec_on_curve(g, &S));
            /* aliasing */
            kz_ec_add(g, &P, &P, &Q);
            ck_assert(point_is(g, &P, &R));
        }
        to_point(g, &P, &A[i]);
        ref_aff_add(g, &R, &A[i], &A[i]);
        kz_ec_dbl(g, &S, &P);
        ck_assert_msg(point_is(g, &S, &R), "dbl %d", i);
        kz_ec_dbl(g, &P, &P);
        ck_assert(point_is(g, &P, &R));
    }
    /* small multiples against the reference */
    for (int i = 0; i < 10; i++) {
        uint64_t k[N_MAX] = {rng64() & 0xffffff};

        ref_aff_mul(g, &R, k[0], &G);
        kz_ec_mul_ct(g, &S, k, &g->g);
        ck_assert(point_is(g, &S, &R));
        kz_ec_mul_base(g, &S, k);
        ck_assert(point_is(g, &S, &R));
        kz_ec_mul2_vartime(g, &S, k, (uint64_t[N_MAX]){0}, &g->g);
        ck_assert(point_is(g, &S, &R));
    }
}
END_TEST

/* Scalars worth trying for k*G. */
static void scalar_case(const kz_ec_group *g, uint64_t *k, int i)
{
    unsigned n = g->n;

    memset(k, 0, N_MAX * 8);
    switch (i) {
    case 0: break;                          /* 0 */
    case 1: k[0] = 1; break;
    case 2: k[0] = 2; break;
    case 3: k[0] = 8; break;
    case 4: k[0] = 9; break;
    case 5: k[0] = 16; break;
    case 6: k[0] = 0x88; break;
    case 7: memcpy(k, g->q.m, n * 8); k[0] -= 1; break; /* q - 1 */
    case 8: memcpy(k, g->q.m, n * 8); break;            /* q */
    case 9: memcpy(k, g->q.m, n * 8); k[0] += 1; break; /* q + 1 */
    case 10: memset(k, 0xff, n * 8); break;              /* 2^(64n) - 1 */
    case 11: memset(k, 0x88, n * 8); break;  /* digits 8 */
    case 12: memset(k, 0x99, n * 8); break;  /* digits -7 with carries */
    case 13: memset(k, 0x77, n * 8); break;
    case 14: k[n - 1] = 8ULL << 56; break;   /* 8 * 16^(16n - 2) */
    case 15: k[n - 1] = 1ULL << 60; break;   /* 16^(16n - 1) */
    case 16: k[n - 1] = 1ULL << 63; break;
    case 17: k[n - 1] = 0xf8ULL << 56; break;
    case 18: k[n - 1] = 1; k[0] = 5; break;  /* long runs of zero digits */
    default:
        if (i % 2) {
            rng_below(k, g->q.m, n);
        } else {
            for (unsigned j = 0; j < n; j++)
                k[j] = rng64();
        }
    }
}

START_TEST(test_ec_scalar_mult)
{
    const kz_ec_group *g = test_group(_i);
    kz_ec_group plain; /* the same curve without a table */
    kz_ec_point A, B, C, D, E;

    ck_assert_int_eq(kz_ec_group_init(&plain, test_params(_i), NULL, 0), 0);
    for (int i = 0; i < 40; i++) {
        uint64_t k[N_MAX];

        scalar_case(g, k, i);
        kz_ec_mul_base(g, &A, k);
        kz_ec_mul_ct(g, &B, k, &g->g);
        kz_ec_mul2_vartime(g, &C, k, (uint64_t[N_MAX]){0}, &g->g);
        kz_ec_mul2_vartime(g, &D, (uint64_t[N_MAX]){0}, k, &g->g);
        kz_ec_mul_base(&plain, &E, k);
        ck_assert_msg(same_point(g, &A, &B), "base/ct %d", i);
        ck_assert_msg(same_point(g, &A, &C), "base/mul2 %d", i);
        ck_assert_msg(same_point(g, &A, &D), "base/mul2Q %d", i);
        ck_assert_msg(same_point(g, &A, &E), "base/plain %d", i);
        ck_assert(kz_ec_on_curve(g, &A));
    }
    /* (a + b) G = a G + b G, (a b) G = a (b G) */
    for (int i = 0; i < 8; i++) {
        uint64_t a[N_MAX], b[N_MAX], s[N_MAX], t[N_MAX];

        rng_below(a, g->q.m, g->n);
        rng_below(b, g->q.m, g->n);
        ref_addmod(s, a, b, g->q.m, g->n, 0);
        kz_ec_mul_base(g, &A, a);
        kz_ec_mul_base(g, &B, b);
        kz_ec_add(g, &C, &A, &B);
        kz_ec_mul_base(g, &D, s);
        ck_assert(same_point(g, &C, &D));
        ref_mulmod(t, a, b, g->q.m, g->n);
        kz_ec_mul_ct(g, &C, a, &B);
        kz_ec_mul_base(g, &D, t);
        ck_assert(same_point(g, &C, &D));
    }
}
END_TEST

START_TEST(test_ec_mul2)
{
    const kz_ec_group *g = test_group(_i);
    unsigned n = g->n;

    for (int i = 0; i < 12; i++) {
        uint64_t t[N_MAX], u1[N_MAX], u2[N_MAX], w[N_MAX];
        kz_ec_point Q, R, A, B, S;

        rng_below(t, g->q.m, n);
        rng_below(u2, g->q.m, n);
        kz_ec_mul_base(g, &Q, t);
        switch (i) {
        case 0: /* u1 G = -u2 Q: the sum is O */
            ref_mulmod(w, u2, t, g->q.m, n);
            ref_addmod(u1, (uint64_t[N_MAX]){0}, w, g->q.m, n, 1);
            break;
        case 1: /* u1 G = u2 Q: a doubling inside */
            ref_mulmod(u1, u2, t, g->q.m, n);
            break;
        case 2:
            memset(u1, 0, sizeof(u1));
            break;
        case 3:
            memset(u2, 0, sizeof(u2));
            rng_below(u1, g->q.m, n);
            break;
        default:
            rng_below(u1, g->q.m, n);
        }
        kz_ec_mul2_vartime(g, &R, u1, u2, &Q);
        kz_ec_mul_ct(g, &A, u1, &g->g);
        kz_ec_mul_ct(g, &B, u2, &Q);
        kz_ec_add(g, &S, &A, &B);
        ck_assert_msg(same_point(g, &R, &S), "mul2 %d", i);
        if (i == 0)
            ck_assert(kz_ec_is_infinity(g, &R));
    }
}
END_TEST

START_TEST(test_ec_check_x)
{
    const kz_ec_group *g = test_group(_i);
    unsigned n = g->n;
    int above_q = 0;

    for (int i = 0; i < 24; i++) {
        uint64_t t[N_MAX], u1[N_MAX], u2[N_MAX], x[N_MAX], y[N_MAX], r[N_MAX];
        kz_ec_point Q, A, B, C;

        rng_below(t, g->q.m, n);
        rng_below(u1, g->q.m, n);
        rng_below(u2, g->q.m, n);
        if (i == 0) { /* C = O */
            uint64_t w[N_MAX];

            ref_mulmod(w, u2, t, g->q.m, n);
            ref_addmod(u1, (uint64_t[N_MAX]){0}, w, g->q.m, n, 1);
        }
        kz_ec_mul_base(g, &Q, t);
        kz_ec_mul_ct(g, &A, u1, &g->g);
        kz_ec_mul_ct(g, &B, u2, &Q);
        kz_ec_add(g, &C, &A, &B);
        if (affine(g, x, y, &C)) {
            ck_assert_int_eq(i, 0);
            memset(r, 0, sizeof(r));
            r[0] = 1;
            ck_assert_int_eq(kz_ec_mul2_check_x_vartime(g, u1, u2, &Q, r), 0);
            continue;
        }
        above_q += !kz_bn_lt(x, g->q.m, n);
        ref_mod(r, x, n, g->q.m, n);
        ck_assert_int_eq(kz_ec_mul2_check_x_vartime(g, u1, u2, &Q, r), 1);
        r[0] ^= 1;
        ck_assert_int_eq(kz_ec_mul2_check_x_vartime(g, u1, u2, &Q, r), 0);
    }
    /* on the cofactor-4 curves x_C is mostly above q: r + q, r + 2q, ...
     * are the matches there */
    if (g->cofactor == 4)
        ck_assert_int_gt(above_q, 0);
}
END_TEST

/* y^2 = x^3 + a x + b for a random x, if p = 3 mod 4 and one exists */
static int random_curve_point(const kz_ec_group *g, kz_ec_point *P)
{
    unsigned n = g->n;
    uint64_t x[N_MAX], e[N_MAX], rhs[N_MAX], y[N_MAX], t[N_MAX];

    /* e = (p + 1) / 4 */
    memcpy(e, g->p.m, sizeof(e));
    e[0] += 1;
    for (int s = 0; s < 2; s++)
        for (unsigned i = 0; i < n; i++)
            e[i] = (e[i] >> 1) | (i + 1 < n ? e[i + 1] << 63 : 0);
    for (int tries = 0; tries < 100; tries++) {
        rng_below(x, g->p.m, n);
        kz_bn_to(&g->p, P->x, x);
        kz_bn_sqr(&g->p, rhs, P->x);
        kz_bn_add(&g->p, rhs, rhs, g->a);
        kz_bn_mul(&g->p, rhs, rhs, P->x);
        kz_bn_add(&g->p, rhs, rhs, g->b);
        kz_bn_pow(&g->p, y, rhs, e, g->p.bits);
        kz_bn_sqr(&g->p, t, y);
        if (kz_bn_eq(t, rhs, n)) {
            kz_bn_copy(P->y, y, n);
            kz_bn_copy(P->z, g->p.one, n);
            return 1;
        }
    }
    return 0;
}

START_TEST(test_ec_encoding_and_validation)
{
    const kz_ec_group *g = test_group(_i);
    size_t sz = g->size;
    uint8_t buf[128], bad[128];
    kz_ec_point P, Q;
    uint64_t k[N_MAX];

    rng_below(k, g->q.m, g->n);
    kz_ec_mul_base(g, &P, k);
    ck_assert_int_eq(kz_ec_encode_le(g, buf, 2 * sz, &P), 0);
    ck_assert_int_eq(kz_ec_decode_le(g, &Q, buf, 2 * sz), 0);
    ck_assert(same_point(g, &P, &Q));
    ck_assert_int_eq(kz_ec_check_public(g, &Q), 0);
    ck_assert_int_eq(kz_ec_decode_le(g, &Q, buf, 2 * sz - 1), -1);
    ck_assert_int_eq(kz_ec_encode_le(g, buf, 2 * sz + 1, &P), -1);
    kz_ec_set_infinity(g, &Q);
    ck_assert_int_eq(kz_ec_encode_le(g, buf, 2 * sz, &Q), -1);
    ck_assert_int_eq(kz_ec_check_public(g, &Q), -1);
    /* off the curve */
    memcpy(bad, buf, 2 * sz);
    bad[sz] ^= 1;
    ck_assert_int_eq(kz_ec_decode_le(g, &Q, bad, 2 * sz), -1);
    /* x = p, y = p: not reduced */
    memcpy(bad, buf, 2 * sz);
    kz_bn_to_le(bad, sz, g->p.m, g->n);
    ck_assert_int_eq(kz_ec_decode_le(g, &Q, bad, 2 * sz), -1);
    memcpy(bad, buf, 2 * sz);
    kz_bn_to_le(bad + sz, sz, g->p.m, g->n);
    ck_assert_int_eq(kz_ec_decode_le(g, &Q, bad, 2 * sz), -1);
    /* x + p, y + p for a point with small coordinates is not reduced
     * either (only possible when they fit) */
    /* cofactor 4: a point of the curve outside the subgroup is refused,
     * 4 times it is accepted */
    if (g->cofactor != 1) {
        int outside = 0;

        for (int i = 0; i < 8; i++) {
            kz_ec_point S, T;

            ck_assert(random_curve_point(g, &S));
            ck_assert(kz_ec_on_curve(g, &S));
            kz_ec_mul_ct(g, &T, g->q.m, &S);
            if (!kz_ec_is_infinity(g, &T)) {
                outside++;
                ck_assert_int_eq(kz_ec_encode_le(g, buf, 2 * sz, &S), 0);
                ck_assert_int_eq(kz_ec_decode_le(g, &Q, buf, 2 * sz), -1);
                ck_assert_int_eq(kz_gost3410_check_public_key(g, buf, 2 * sz),
                                 KZ_GOST3410_ERR_KEY);
            }
            kz_ec_dbl(g, &T, &S);
            kz_ec_dbl(g, &T, &T);
            ck_assert_int_eq(kz_ec_encode_le(g, buf, 2 * sz, &T), 0);
            ck_assert_int_eq(kz_ec_decode_le(g, &Q, buf, 2 * sz), 0);
        }
        ck_assert_int_gt(outside, 0);
    }
}
END_TEST

typedef struct {
    const kz_ec_group *g;
    const uint64_t *k;
    kz_ec_point R[20];
} table_thread_arg;

static void *table_thread(void *p)
{
    table_thread_arg *a = p;

    for (int i = 0; i < 20; i++)
        kz_ec_mul_base(a->g, &a->R[i], a->k);
    return NULL;
}

START_TEST(test_ec_table_threads)
{
    /* several threads use a table that is still being built: each either
     * builds it, waits for nothing and uses the generic multiplication,
     * or uses the finished table; all results agree */
    static kz_ec_group g;
    static uint64_t tbl[KZ_EC_TABLE_LIMBS(8)];
    table_thread_arg args[4];
    pthread_t th[4];
    uint64_t k[N_MAX];
    kz_ec_point want;

    ck_assert_int_eq(kz_ec_group_init(&g, &rfc_test512, tbl,
                                      KZ_EC_TABLE_LIMBS(8)),
                     0);
    rng_below(k, g.q.m, g.n);
    for (int i = 0; i < 4; i++) {
        args[i].g = &g;
        args[i].k = k;
        ck_assert_int_eq(
            pthread_create(&th[i], NULL, table_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    kz_ec_mul_ct(&g, &want, k, &g.g);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 20; j++)
            ck_assert(same_point(&g, &args[i].R[j], &want));
    ck_assert_int_eq(kz_ec_precompute(&g), 1);
    /* a build abandoned by the parent of a fork (another process id in
     * the state) is taken over; one of this process's threads is not
     * waited for */
    ck_assert_int_eq(kz_ec_group_init(&g, &rfc_test512, tbl,
                                      KZ_EC_TABLE_LIMBS(8)),
                     0);
    atomic_store(&g.tbl_state, (int)getpid());
    ck_assert_int_eq(kz_ec_precompute(&g), 0);
    kz_ec_mul_base(&g, &want, k); /* generic path meanwhile */
    kz_ec_mul_ct(&g, &args[0].R[0], k, &g.g);
    ck_assert(same_point(&g, &want, &args[0].R[0]));
    atomic_store(&g.tbl_state, (int)getpid() + 1);
    ck_assert_int_eq(kz_ec_precompute(&g), 1);
    ck_assert_int_eq(atomic_load(&g.tbl_state), KZ_EC_TABLE_READY);
    kz_ec_mul_base(&g, &want, k);
    ck_assert(same_point(&g, &want, &args[0].R[0]));
    /* no storage, no table */
    ck_assert_int_eq(kz_ec_group_init(&g, &rfc_test512, NULL, 0), 0);
    ck_assert_int_eq(kz_ec_precompute(&g), 0);
    ck_assert_int_eq(kz_ec_group_init(&g, &rfc_test512, tbl, 100), 0);
    ck_assert_int_eq(kz_ec_precompute(&g), 0);
}
END_TEST

/* ---- RFC 7091 examples ------------------------------------------------- */

typedef struct {
    const kz_ec_params *params;
    const char *d, *qx, *qy, *e, *k, *r, *s;
} rfc_example;

static const rfc_example rfc_examples[] = {
    /* RFC 7091 appendix A.1 = RFC 5832 section 7 */
    {&rfc_test256,
     "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
     "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
     "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
     "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
     "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
     "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
     "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40"},
    /* RFC 7091 appendix A.2 */
    {&rfc_test512,
     "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B1020"
     "72E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
     "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD"
     "5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
     "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61"
     "EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
     "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C591"
     "7184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
     "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F3658"
     "86748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
     "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD3"
     "5492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
     "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5"
     "823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A"},
};

START_TEST(test_rfc_examples)
{
    /* _i: example (0, 1) x with/without fixed-base table */
    const rfc_example *ex = &rfc_examples[_i / 2];
    kz_ec_group g;
    static uint64_t tbl[KZ_EC_TABLE_LIMBS(8)];
    size_t sz;
    uint8_t d[64], digest[64], pub[128], want_pub[128], sig[128],
        want_sig[128], kbytes[72], bad[128];
    fixed_src src = {{kbytes}, 0, 1, 0};

    ck_assert_int_eq(kz_ec_group_init(&g, ex->params, _i % 2 ? tbl : NULL,
                                      _i % 2 ? KZ_EC_TABLE_LIMBS(8) : 0),
                     0);
    sz = g.size;
    num_be(ex->d, d, sz);
    num_le(ex->qx, want_pub, sz);
    num_le(ex->qy, want_pub + sz, sz);
    /* e < q here, so the digest alpha is e itself, little-endian */
    num_le(ex->e, digest, sz);
    num_be(ex->s, want_sig, sz);
    num_be(ex->r, want_sig + sz, sz);
    nonce_bytes(ex->k, kbytes, sz);
    src.len = sz + 8;

    /* Q = d G */
    ck_assert_int_eq(kz_gost3410_public_key(&g, d, sz, pub, 2 * sz),
                     KZ_GOST3410_OK);
    ck_assert_mem_eq(pub, want_pub, 2 * sz);
    /* the published signature for the published k */
    ck_assert_int_eq(kz_gost3410_sign(&g, d, sz, digest, sz, fixed_cb, &src,
                                      sig, 2 * sz),
                     KZ_GOST3410_OK);
    ck_assert_int_eq(src.calls, 1);
    ck_assert_mem_eq(sig, want_sig, 2 * sz);
    ck_assert_int_eq(kz_gost3410_verify(&g, pub, 2 * sz, digest, sz, sig,
                                        2 * sz),
                     KZ_GOST3410_OK);
    /* any flipped bit is rejected: signature, digest, public key */
    for (size_t bit = 0; bit < 16 * sz; bit += 7) {
        memcpy(bad, sig, 2 * sz);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_int_ne(kz_gost3410_verify(&g, pub, 2 * sz, digest, sz, bad,
                                            2 * sz),
                         KZ_GOST3410_OK);
    }
    for (size_t bit = 0; bit < 8 * sz; bit += 5) {
        memcpy(bad, digest, sz);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_int_eq(kz_gost3410_verify(&g, pub, 2 * sz, bad, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_ERR_SIGNATURE);
    }
    for (size_t bit = 0; bit < 16 * sz; bit += 11) {
        memcpy(bad, pub, 2 * sz);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_int_ne(kz_gost3410_verify(&g, bad, 2 * sz, digest, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_OK);
    }
}
END_TEST

/* ---- real NCA signatures (shared/kz-vectors.txt) ----------------------- */

typedef struct {
    const char *what;
    kz_gost_curve_id curve;
    const char *digest, *e, *qx, *qy, *sigvalue, *r, *s;
} nca_vector;

static const nca_vector nca_vectors[] = {
    {"GOST 34.310-2004 test user certificate (issuer nca_gost_test.crt)",
     KZ_GOST_CURVE_CRYPTOPRO_A,
     "b986ae18534f9af850cac624227512c7192719104dbe7e95ff26ee75f677b5b4",
     "b4b577f675ee26ff957ebe4d10192719c712752224c6ca50f89a4f5318ae86b9",
     "475af7892c4c796340324ac49c229ddd66c320e93fba42bf490280221021f875",
     "f43ac90e005566d891e14805053db338463e11411bae1e16c6f0414fa753a905",
     "3bbdcc3c38a30268582eb37844677487af050b60449869f5d63dcde55e86a104"
     "a9fd105f70ab709d9ef2fa27e0a28cfdec07349faee5a99314a900919128d394",
     "04a1865ee5cd3dd6f5699844600b05af8774674478b32e586802a3383cccbd3b",
     "94d328919100a91493a9e5ae9f3407ecfd8ca2e027faf29e9d70ab705f10fda9"},
    {"GOST 34.10-2015-512 test root root_test_gost_2022.cer (self-signed)",
     KZ_GOST_CURVE_TC26_512_A,
     "de104afc8b774f10139f1326624b91ad38da43ce928143195ba33955b78cce62"
     "2dcd51ead7a1b0411370c41785f0ea1689a1cbf0d8b0a4b1f7d725078d4361e4",
     "e461438d0725d7f7b1a4b0d8f0cba18916eaf08517c4701341b0a1d7ea51cd2d"
     "62ce8cb75539a35b19438192ce43da38ad914b6226139f13104f778bfc4a10de",
     "e4a86f1b674c8e4bff079a4440a32e9ee212aa6dd89d71eb7c66c5f02c2159d5"
     "be4124c052c16cddf06926367ecccc2b682267d67e56ebc3297eee9eb287fe4e",
     "57890eee6fea4e70346bf9939f8f0ec9c6dc9f572e1057b7a3cd8f810d6073a4"
     "2c22735cbe1c0d9f8da097e1e5d71d849027e9d633591ac4a0c6e0a1e229a6fc",
     "9843766c7cfda40b48e97f8fff62108215a961966ca669c577fc4106790ca4a7"
     "b14f91ea94c1400e6f3c3d2e3d77780f0380b63da406c6ce4d668a01d3c6dc0d"
     "1415c4d6e8936e1413e5745633462e1dec5537dfd7518cec4e7d32775ea93c31"
     "936e3c3de7f5edaec4a13b561a8739a41977c0c5f11af8389b139ca43f8dfc15",
     "0ddcc6d3018a664dcec606a43db680030f78773d2e3d3c6f0e40c194ea914fb1"
     "a7a40c790641fc77c569a66c9661a915821062ff8f7fe9480ba4fd7c6c764398",
     "15fc8d3fa49c139b38f81af1c5c07719a439871a563ba1c4aeedf5e73d3c6e93"
     "313ca95e77327d4eec8c51d7df3755ec1d2e46335674e513146e93e8d6c41514"},
};

START_TEST(test_nca_vectors)
{
    const nca_vector *v = &nca_vectors[_i];
    const kz_ec_group *g = kz_gost_curve_get(v->curve);
    size_t sz = g->size;
    uint8_t digest[64], pub[128], kzsig[128], sig[128], want[128], bad[128];
    uint64_t e[N_MAX], want_e[N_MAX];

    ck_assert_uint_eq(unhex(v->digest, digest, sizeof(digest)), sz);
    ck_assert_uint_eq(unhex(v->sigvalue, kzsig, sizeof(kzsig)), 2 * sz);
    num_le(v->qx, pub, sz);
    num_le(v->qy, pub + sz, sz);

    /* e = digest read little-endian, mod q, as the vector file says */
    kz_bn_from_le(e, g->n, digest, sz);
    kz_bn_to(&g->q, e, e);
    kz_bn_from(&g->q, e, e);
    limbs(v->e, want_e);
    ck_assert(kz_bn_eq(e, want_e, g->n));

    /* r_le || s_le -> s_be || r_be */
    ck_assert_int_eq(kz_gost3410_sig_from_kz(sig, kzsig, 2 * sz), 0);
    num_be(v->s, want, sz);
    num_be(v->r, want + sz, sz);
    ck_assert_mem_eq(sig, want, 2 * sz);
    ck_assert_int_eq(kz_gost3410_sig_to_kz(bad, sig, 2 * sz), 0);
    ck_assert_mem_eq(bad, kzsig, 2 * sz);

    ck_assert_int_eq(kz_gost3410_check_public_key(g, pub, 2 * sz),
                     KZ_GOST3410_OK);
    ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, sig,
                                        2 * sz),
                     KZ_GOST3410_OK);
    /* the signature value taken as RFC order does not verify */
    ck_assert_int_ne(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, kzsig,
                                        2 * sz),
                     KZ_GOST3410_OK);
    /* one byte changed anywhere */
    for (size_t i = 0; i < 2 * sz; i += 3) {
        memcpy(bad, sig, 2 * sz);
        bad[i] ^= 0x01;
        ck_assert_int_ne(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, bad,
                                            2 * sz),
                         KZ_GOST3410_OK);
    }
    for (size_t i = 0; i < sz; i += 3) {
        memcpy(bad, digest, sz);
        bad[i] ^= 0x80;
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, bad, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_ERR_SIGNATURE);
    }
    for (size_t i = 0; i < 2 * sz; i += 5) {
        memcpy(bad, pub, 2 * sz);
        bad[i] ^= 0x10;
        ck_assert_int_ne(kz_gost3410_verify(g, bad, 2 * sz, digest, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_OK);
    }
}
END_TEST

/* ---- sign/verify round trips ------------------------------------------- */

static void hash_for(const kz_ec_group *g, int gost94, const uint8_t *msg,
                     size_t len, uint8_t *digest)
{
    if (gost94)
        kz_gost94(&kz_gost89_sbox_test, msg, len, digest);
    else if (g->size == 32)
        kz_streebog256(msg, len, digest);
    else
        kz_streebog512(msg, len, digest);
}

static void roundtrip(const kz_ec_group *g, int gost94, int rounds)
{
    size_t sz = g->size;

    for (int i = 0; i < rounds; i++) {
        uint8_t d[64], pub[128], pub2[128], msg[300], digest[64], sig[128],
            sig2[128];
        size_t len = (size_t)(rng64() % sizeof(msg)) + 1;

        ck_assert_int_eq(kz_gost3410_generate_key(g, rng_cb, NULL, d, sz, pub,
                                                  2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(kz_gost3410_check_private_key(g, d, sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(kz_gost3410_public_key(g, d, sz, pub2, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_mem_eq(pub, pub2, 2 * sz);
        rng_bytes(msg, len);
        hash_for(g, gost94, msg, len, digest);
        ck_assert_int_eq(kz_gost3410_sign(g, d, sz, digest, sz, rng_cb, NULL,
                                          sig, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_OK);
        /* a second signature differs (fresh k) and verifies too */
        ck_assert_int_eq(kz_gost3410_sign(g, d, sz, digest, sz, rng_cb, NULL,
                                          sig2, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert(memcmp(sig, sig2, 2 * sz) != 0);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, sig2,
                                            2 * sz),
                         KZ_GOST3410_OK);
        /* another message */
        msg[rng64() % len] ^= 1;
        hash_for(g, gost94, msg, len, digest);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_ERR_SIGNATURE);
        /* the Kazakh layout round trip */
        ck_assert_int_eq(kz_gost3410_sig_to_kz(sig2, sig, 2 * sz), 0);
        ck_assert_int_eq(kz_gost3410_sig_from_kz(sig2, sig2, 2 * sz), 0);
        ck_assert_mem_eq(sig, sig2, 2 * sz);
    }
}

START_TEST(test_roundtrip_2004)
{
    /* GOST 34.310-2004: CryptoPro-A with GOST 34.311-95 (test S-box) */
    roundtrip(kz_gost_curve_get(KZ_GOST_CURVE_CRYPTOPRO_A), 1, 40);
}
END_TEST

START_TEST(test_roundtrip_2015)
{
    /* GOST 34.10-2015-512: TC26-512-A with Streebog-512 */
    roundtrip(kz_gost_curve_get(KZ_GOST_CURVE_TC26_512_A), 0, 25);
}
END_TEST

START_TEST(test_roundtrip_all)
{
    roundtrip(test_group(_i), 0, 8);
}
END_TEST

START_TEST(test_sign_errors)
{
    const kz_ec_group *g = kz_gost_curve_get(_i ? KZ_GOST_CURVE_TC26_512_A
                                                : KZ_GOST_CURVE_CRYPTOPRO_A);
    size_t sz = g->size;
    uint8_t d[64], dig[64], sig[128], pub[128], qb[72], kb[72];
    int calls = 0;

    rng_bytes(dig, sz);
    ck_assert_int_eq(kz_gost3410_generate_key(g, rng_cb, NULL, d, sz, pub,
                                              2 * sz),
                     KZ_GOST3410_OK);
    ck_assert_uint_eq(kz_gost3410_size(g), sz);
    ck_assert_uint_eq(kz_gost3410_nonce_bytes(g), sz + 8);
    ck_assert_uint_eq(kz_gost3410_size(NULL), 0);

    /* the random source fails: error, signature zeroed */
    memset(sig, 0x55, sizeof(sig));
    ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, failing_cb, NULL,
                                      sig, 2 * sz),
                     KZ_GOST3410_ERR_RANDOM);
    for (size_t i = 0; i < 2 * sz; i++)
        ck_assert_uint_eq(sig[i], 0);
    /* it gives only zeros: k = 0 every time, bounded retries */
    ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, zero_cb, &calls, sig,
                                      2 * sz),
                     KZ_GOST3410_ERR_RANDOM);
    ck_assert_int_eq(calls, KZ_GOST3410_MAX_ATTEMPTS);
    /* k = q (== 0 mod q) first, then a usable k: the second is used */
    {
        fixed_src src = {{qb, kb}, sz + 8, 2, 0};
        uint8_t sig2[128];
        fixed_src src2 = {{kb}, sz + 8, 1, 0};

        memset(qb, 0, 8);
        kz_bn_to_be(qb + 8, sz, g->q.m, g->n);
        rng_bytes(kb, sz + 8);
        ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, fixed_cb, &src,
                                          sig, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(src.calls, 2);
        ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, fixed_cb, &src2,
                                          sig2, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_mem_eq(sig, sig2, 2 * sz);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_OK);
    }
    /* a digest that is 0 mod q signs as e = 1 */
    {
        uint8_t zero[64] = {0}, one[64] = {1};

        ck_assert_int_eq(kz_gost3410_sign(g, d, sz, zero, sz, rng_cb, NULL,
                                          sig, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, one, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_OK);
        kz_bn_to_le(zero, sz, g->q.m, g->n); /* q itself */
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, zero, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_OK);
    }
    /* private keys: 0, q, above q are refused; 1 and q - 1 accepted */
    {
        uint8_t k[64];

        memset(k, 0, sz);
        ck_assert_int_eq(kz_gost3410_sign(g, k, sz, dig, sz, rng_cb, NULL,
                                          sig, 2 * sz),
                         KZ_GOST3410_ERR_KEY);
        ck_assert_int_eq(kz_gost3410_check_private_key(g, k, sz),
                         KZ_GOST3410_ERR_KEY);
        ck_assert_int_eq(kz_gost3410_public_key(g, k, sz, pub, 2 * sz),
                         KZ_GOST3410_ERR_KEY);
        kz_bn_to_be(k, sz, g->q.m, g->n);
        ck_assert_int_eq(kz_gost3410_check_private_key(g, k, sz),
                         KZ_GOST3410_ERR_KEY);
        ck_assert_int_eq(kz_gost3410_sign(g, k, sz, dig, sz, rng_cb, NULL,
                                          sig, 2 * sz),
                         KZ_GOST3410_ERR_KEY);
        memset(k, 0xff, sz);
        ck_assert_int_eq(kz_gost3410_check_private_key(g, k, sz),
                         KZ_GOST3410_ERR_KEY);
        kz_bn_to_be(k, sz, g->q.m, g->n);
        k[sz - 1] -= 1;
        ck_assert_int_eq(kz_gost3410_check_private_key(g, k, sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(kz_gost3410_public_key(g, k, sz, pub, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(kz_gost3410_sign(g, k, sz, dig, sz, rng_cb, NULL,
                                          sig, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz, sig,
                                            2 * sz),
                         KZ_GOST3410_OK);
        /* d = 1: Q = G */
        k[0] = 1;
        ck_assert_int_eq(kz_gost3410_public_key(g, k, 1, pub, 2 * sz),
                         KZ_GOST3410_OK);
        {
            uint8_t gb[128];

            ck_assert_int_eq(kz_ec_encode_le(g, gb, 2 * sz, &g->g), 0);
            ck_assert_mem_eq(pub, gb, 2 * sz);
        }
    }
    /* wrong lengths and NULLs */
    ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz - 1, rng_cb, NULL,
                                      sig, 2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, rng_cb, NULL, sig,
                                      2 * sz - 1),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_sign(g, d, 0, dig, sz, rng_cb, NULL, sig,
                                      2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_sign(g, d, sz + 1, dig, sz, rng_cb, NULL,
                                      sig, 2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_sign(NULL, d, sz, dig, sz, rng_cb, NULL,
                                      sig, 2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, NULL, NULL, sig,
                                      2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_generate_key(g, rng_cb, NULL, d, sz - 1, pub,
                                              2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_generate_key(g, failing_cb, NULL, d, sz, pub,
                                              2 * sz),
                     KZ_GOST3410_ERR_RANDOM);
    ck_assert_int_eq(kz_gost3410_public_key(g, d, sz, pub, 2 * sz + 1),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_check_private_key(g, d, 0),
                     KZ_GOST3410_ERR_ARGS);
}
END_TEST

START_TEST(test_verify_errors)
{
    const kz_ec_group *g = kz_gost_curve_get(_i ? KZ_GOST_CURVE_TC26_512_A
                                                : KZ_GOST_CURVE_CRYPTOPRO_A);
    size_t sz = g->size;
    uint8_t d[64], dig[64], sig[128], pub[128], bad[128];

    rng_bytes(dig, sz);
    kz_gost3410_generate_key(g, rng_cb, NULL, d, sz, pub, 2 * sz);
    ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, rng_cb, NULL, sig,
                                      2 * sz),
                     KZ_GOST3410_OK);
    /* r or s = 0 or q */
    for (int half = 0; half < 2; half++) {
        memcpy(bad, sig, 2 * sz);
        memset(bad + half * sz, 0, sz);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz, bad,
                                            2 * sz),
                         KZ_GOST3410_ERR_SIGNATURE);
        kz_bn_to_be(bad + half * sz, sz, g->q.m, g->n);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz, bad,
                                            2 * sz),
                         KZ_GOST3410_ERR_SIGNATURE);
        memset(bad + half * sz, 0xff, sz);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz, bad,
                                            2 * sz),
                         KZ_GOST3410_ERR_SIGNATURE);
    }
    /* s and r swapped */
    memcpy(bad, sig + sz, sz);
    memcpy(bad + sz, sig, sz);
    ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz, bad, 2 * sz),
                     KZ_GOST3410_ERR_SIGNATURE);
    /* a bad public key */
    memcpy(bad, pub, 2 * sz);
    bad[0] ^= 1;
    ck_assert_int_eq(kz_gost3410_verify(g, bad, 2 * sz, dig, sz, sig, 2 * sz),
                     KZ_GOST3410_ERR_KEY);
    ck_assert_int_eq(kz_gost3410_check_public_key(g, bad, 2 * sz),
                     KZ_GOST3410_ERR_KEY);
    ck_assert_int_eq(kz_gost3410_check_public_key(g, pub, 2 * sz - 1),
                     KZ_GOST3410_ERR_ARGS);
    /* lengths */
    ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz - 1, dig, sz, sig,
                                        2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz + 1, sig,
                                        2 * sz),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, dig, sz, sig,
                                        2 * sz - 2),
                     KZ_GOST3410_ERR_ARGS);
    ck_assert_int_eq(kz_gost3410_verify(NULL, pub, 2 * sz, dig, sz, sig,
                                        2 * sz),
                     KZ_GOST3410_ERR_ARGS);
}
END_TEST

START_TEST(test_layout_helpers)
{
    uint8_t a[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, b[9];

    kz_gost3410_reverse(b, a, 9);
    for (int i = 0; i < 9; i++)
        ck_assert_uint_eq(b[i], 9 - i);
    kz_gost3410_reverse(b, b, 9);
    ck_assert_mem_eq(a, b, 9);
    kz_gost3410_reverse(b, b, 8);
    ck_assert_uint_eq(b[0], 8);
    ck_assert_uint_eq(b[8], 9);
    ck_assert_int_eq(kz_gost3410_sig_from_kz(b, a, 9), -1);
    ck_assert_int_eq(kz_gost3410_sig_to_kz(NULL, a, 8), -1);
    /* r_le || s_le -> s_be || r_be, by hand for r = 0x0102, s = 0x0304 */
    {
        uint8_t kz[4] = {0x02, 0x01, 0x04, 0x03}, p11[4];

        ck_assert_int_eq(kz_gost3410_sig_from_kz(p11, kz, 4), 0);
        ck_assert_uint_eq(p11[0], 0x03);
        ck_assert_uint_eq(p11[1], 0x04);
        ck_assert_uint_eq(p11[2], 0x01);
        ck_assert_uint_eq(p11[3], 0x02);
    }
}
END_TEST

/* ---- DER reading (test only) ------------------------------------------- */

typedef struct {
    uint8_t tag;
    const uint8_t *tlv, *val;
    size_t tlv_len, len;
} der_t;

static int der_read(const uint8_t **p, const uint8_t *end, der_t *o)
{
    size_t len, hdr = 2;

    if (end - *p < 2)
        return -1;
    o->tag = (*p)[0];
    len = (*p)[1];
    if (len & 0x80) {
        size_t nb = len & 0x7f;

        if (nb == 0 || nb > 3 || (size_t)(end - *p) < 2 + nb)
            return -1;
        len = 0;
        for (size_t i = 0; i < nb; i++)
            len = len << 8 | (*p)[2 + i];
        hdr = 2 + nb;
    }
    if ((size_t)(end - *p) - hdr < len)
        return -1;
    o->tlv = *p;
    o->val = *p + hdr;
    o->len = len;
    o->tlv_len = hdr + len;
    *p += hdr + len;
    return 0;
}

/* The parts of a certificate these tests use. */
typedef struct {
    char name[96];
    uint8_t *der;
    size_t der_len;
    der_t tbs, issuer, subject, sig_oid, curve_oid;
    const uint8_t *sig, *pub; /* signature bits; X_le || Y_le */
    size_t sig_len, pub_len;
} cert_t;

static int cert_parse(cert_t *c)
{
    const uint8_t *p = c->der, *end = c->der + c->der_len, *q, *qe;
    der_t cert, alg, bits, t, spki, spki_alg, params;

    if (der_read(&p, end, &cert) || cert.tag != 0x30)
        return -1;
    p = cert.val;
    end = cert.val + cert.len;
    if (der_read(&p, end, &c->tbs) || c->tbs.tag != 0x30 ||
        der_read(&p, end, &alg) || alg.tag != 0x30 ||
        der_read(&p, end, &bits) || bits.tag != 0x03 || bits.len < 2 ||
        bits.val[0] != 0)
        return -1;
    c->sig = bits.val + 1;
    c->sig_len = bits.len - 1;
    q = alg.val;
    if (der_read(&q, alg.val + alg.len, &c->sig_oid) || c->sig_oid.tag != 0x06)
        return -1;

    q = c->tbs.val;
    qe = c->tbs.val + c->tbs.len;
    if (der_read(&q, qe, &t))
        return -1;
    if (t.tag == 0xa0 && der_read(&q, qe, &t)) /* version, then serial */
        return -1;
    if (der_read(&q, qe, &t) ||                  /* signature */
        der_read(&q, qe, &c->issuer) || der_read(&q, qe, &t) ||
        der_read(&q, qe, &c->subject) || der_read(&q, qe, &spki) ||
        spki.tag != 0x30)
        return -1;
    q = spki.val;
    qe = spki.val + spki.len;
    if (der_read(&q, qe, &spki_alg) || der_read(&q, qe, &bits) ||
        bits.tag != 0x03 || bits.len < 2)
        return -1;
    {
        const uint8_t *r = spki_alg.val, *re = spki_alg.val + spki_alg.len;

        if (der_read(&r, re, &t) || der_read(&r, re, &params) ||
            params.tag != 0x30)
            return -1;
        r = params.val;
        if (der_read(&r, params.val + params.len, &c->curve_oid) ||
            c->curve_oid.tag != 0x06)
            return -1;
    }
    {
        const uint8_t *r = bits.val + 1, *re = bits.val + bits.len;
        der_t os;

        if (der_read(&r, re, &os) || os.tag != 0x04)
            return -1;
        c->pub = os.val;
        c->pub_len = os.len;
    }
    return 0;
}

/* Reads a DER or PEM certificate file. */
static int cert_load(cert_t *c, const char *path)
{
    size_t len;
    uint8_t *buf = xread_file(path, &len);

    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s",
             strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    if (!buf)
        return -1;
    if (len > 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
        BIO *bio = BIO_new_mem_buf(buf, (int)len);
        char *name = NULL, *header = NULL;
        unsigned char *data = NULL;
        long dlen = 0;

        ck_assert_int_eq(PEM_read_bio(bio, &name, &header, &data, &dlen), 1);
        free(buf);
        buf = malloc((size_t)dlen);
        memcpy(buf, data, (size_t)dlen);
        len = (size_t)dlen;
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        BIO_free(bio);
    }
    c->der = buf;
    c->der_len = len;
    return cert_parse(c);
}

/* 1.2.398.3.10.1.1.1.2 and 1.2.398.3.10.1.1.2.3.2 */
static const uint8_t oid_sig_2004[] = {0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01,
                                       0x01, 0x01, 0x02};
static const uint8_t oid_sig_2015_512[] = {0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01,
                                           0x01, 0x02, 0x03, 0x02};

static int is_gost_cert(const cert_t *c)
{
    return (c->sig_oid.len == sizeof(oid_sig_2004) &&
            memcmp(c->sig_oid.val, oid_sig_2004, sizeof(oid_sig_2004)) == 0) ||
           (c->sig_oid.len == sizeof(oid_sig_2015_512) &&
            memcmp(c->sig_oid.val, oid_sig_2015_512,
                   sizeof(oid_sig_2015_512)) == 0);
}

/* Verifies cert's signature with issuer's key: returns the kz_gost3410
 * result, -100 if the algorithms are not the two NCA ones. */
static int cert_verify(const cert_t *cert, const cert_t *issuer, int tamper)
{
    const kz_ec_group *g =
        kz_gost_curve_by_oid(issuer->curve_oid.val, issuer->curve_oid.len);
    uint8_t digest[64], sig[128], *tbs;
    int ret;

    if (!g)
        return -100;
    tbs = malloc(cert->tbs.tlv_len);
    memcpy(tbs, cert->tbs.tlv, cert->tbs.tlv_len);
    if (tamper)
        tbs[cert->tbs.tlv_len / 2] ^= 1;
    if (cert->sig_oid.len == sizeof(oid_sig_2004) &&
        memcmp(cert->sig_oid.val, oid_sig_2004, sizeof(oid_sig_2004)) == 0) {
        ck_assert_uint_eq(g->size, 32);
        kz_gost94(&kz_gost89_sbox_test, tbs, cert->tbs.tlv_len, digest);
    } else if (cert->sig_oid.len == sizeof(oid_sig_2015_512) &&
               memcmp(cert->sig_oid.val, oid_sig_2015_512,
                      sizeof(oid_sig_2015_512)) == 0) {
        ck_assert_uint_eq(g->size, 64);
        kz_streebog512(tbs, cert->tbs.tlv_len, digest);
    } else {
        free(tbs);
        return -100;
    }
    free(tbs);
    ck_assert_uint_eq(cert->sig_len, 2 * g->size);
    kz_gost3410_sig_from_kz(sig, cert->sig, cert->sig_len);
    ret = kz_gost3410_verify(g, issuer->pub, issuer->pub_len, digest, g->size,
                             sig, 2 * g->size);
    return ret;
}

/* The nca-testkeys folder, or NULL. */
static const char *testkeys_dir(void)
{
    static char buf[4096];
    const char *env = getenv("KZP11_TESTKEYS");
    struct stat st;

    if (env && *env)
        snprintf(buf, sizeof(buf), "%s", env);
    else
        snprintf(buf, sizeof(buf), "../shared/nca-testkeys");
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return buf;
}

#define MAX_CAS 16

static int load_gost_cas(const char *dir, cert_t *cas)
{
    char path[4200];
    DIR *dp;
    struct dirent *de;
    int n = 0;

    snprintf(path, sizeof(path), "%s/ca", dir);
    dp = opendir(path);
    if (!dp)
        return 0;
    while ((de = readdir(dp)) && n < MAX_CAS) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/ca/%s", dir, de->d_name);
        if (cert_load(&cas[n], path) == 0 && is_gost_cert(&cas[n]))
            n++;
        else
            free(cas[n].der);
    }
    closedir(dp);
    return n;
}

static const cert_t *find_issuer(const cert_t *c, const cert_t *cas, int n)
{
    for (int i = 0; i < n; i++)
        if (cas[i].subject.tlv_len == c->issuer.tlv_len &&
            memcmp(cas[i].subject.tlv, c->issuer.tlv, c->issuer.tlv_len) == 0)
            return &cas[i];
    return NULL;
}

START_TEST(test_nca_certificates)
{
    const char *dir = testkeys_dir();
    cert_t cas[MAX_CAS], user;
    char path[4200];
    int n, checked = 0;

    if (!dir) {
        fprintf(stderr, "real NCA certificates skipped: set KZP11_TESTKEYS "
                        "to the nca-testkeys folder\n");
        return;
    }
    n = load_gost_cas(dir, cas);
    ck_assert_int_ge(n, 4);
    /* every GOST CA certificate whose issuer is here: the self-signed test
     * root (2015-512), its intermediate, the 2004 production root and its
     * intermediate */
    for (int i = 0; i < n; i++) {
        const cert_t *iss = find_issuer(&cas[i], cas, n);

        if (!iss)
            continue;
        ck_assert_msg(cert_verify(&cas[i], iss, 0) == KZ_GOST3410_OK,
                      "%s by %s", cas[i].name, iss->name);
        ck_assert_int_eq(cert_verify(&cas[i], iss, 1),
                         KZ_GOST3410_ERR_SIGNATURE);
        checked++;
    }
    ck_assert_int_ge(checked, 4);
    /* the 2004 user certificate beside GOSTKNCA_13a3...p12, issued by
     * nca_gost_test.crt */
    snprintf(path, sizeof(path), "%s/gost-2004/%s.cer", dir,
             "GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b");
    ck_assert_int_eq(cert_load(&user, path), 0);
    {
        const cert_t *iss = find_issuer(&user, cas, n);

        ck_assert_ptr_nonnull(iss);
        ck_assert_str_eq(iss->name, "nca_gost_test.crt");
        ck_assert_int_eq(cert_verify(&user, iss, 0), KZ_GOST3410_OK);
        ck_assert_int_eq(cert_verify(&user, iss, 1), KZ_GOST3410_ERR_SIGNATURE);
        checked++;
    }
    free(user.der);
    fprintf(stderr, "real NCA certificates: %d GOST signatures verified\n",
            checked);
    for (int i = 0; i < n; i++)
        free(cas[i].der);
}
END_TEST

/* Certificate and raw private key (PKCS#8 privateKey contents) of a
 * PKCS#12 file. */
static int p12_extract(const char *path, const char *pass, cert_t *cert,
                       uint8_t *key, size_t *key_len)
{
    FILE *f = fopen(path, "rb");
    PKCS12 *p12;
    STACK_OF(PKCS7) *safes;
    int have_cert = 0, have_key = 0;

    if (!f)
        return -1;
    p12 = d2i_PKCS12_fp(f, NULL);
    fclose(f);
    if (!p12)
        return -1;
    safes = PKCS12_unpack_authsafes(p12);
    for (int i = 0; safes && i < sk_PKCS7_num(safes); i++) {
        PKCS7 *p7 = sk_PKCS7_value(safes, i);
        int nid = OBJ_obj2nid(p7->type);
        STACK_OF(PKCS12_SAFEBAG) *bags = NULL;

        if (nid == NID_pkcs7_data)
            bags = PKCS12_unpack_p7data(p7);
        else if (nid == NID_pkcs7_encrypted)
            bags = PKCS12_unpack_p7encdata(p7, pass, -1);
        for (int j = 0; bags && j < sk_PKCS12_SAFEBAG_num(bags); j++) {
            PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);

            if (PKCS12_SAFEBAG_get_nid(bag) == NID_certBag &&
                PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
                /* re-encoded by OpenSSL; the TBS part keeps its original
                 * encoding (the caller compares with a .cer copy where
                 * there is one) */
                X509 *x = PKCS12_SAFEBAG_get1_cert(bag);
                unsigned char *enc = NULL;
                int elen = x ? i2d_X509(x, &enc) : -1;

                if (elen > 0) {
                    memset(cert, 0, sizeof(*cert));
                    cert->der_len = (size_t)elen;
                    cert->der = malloc(cert->der_len);
                    memcpy(cert->der, enc, cert->der_len);
                    snprintf(cert->name, sizeof(cert->name), "%s",
                             strrchr(path, '/') + 1);
                    have_cert = cert_parse(cert) == 0;
                }
                OPENSSL_free(enc);
                X509_free(x);
            } else if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag) {
                PKCS8_PRIV_KEY_INFO *p8 = PKCS12_decrypt_skey(bag, pass, -1);
                const unsigned char *pk;
                int pklen;

                if (p8 && PKCS8_pkey_get0(NULL, &pk, &pklen, NULL, p8) &&
                    pklen > 0 && (size_t)pklen <= *key_len) {
                    memcpy(key, pk, (size_t)pklen);
                    *key_len = (size_t)pklen;
                    have_key = 1;
                }
                PKCS8_PRIV_KEY_INFO_free(p8);
            }
        }
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }
    sk_PKCS7_pop_free(safes, PKCS7_free);
    PKCS12_free(p12);
    return have_cert && have_key ? 0 : -1;
}

START_TEST(test_nca_containers)
{
    static const char *const folders[] = {"gost-2004", "gost-2015"};
    const char *dir = testkeys_dir();
    cert_t cas[MAX_CAS];
    int n, keys = 0, chains = 0;
    OSSL_PROVIDER *legacy, *deflt;

    if (!dir) {
        fprintf(stderr, "real NCA key containers skipped: set "
                        "KZP11_TESTKEYS to the nca-testkeys folder\n");
        return;
    }
    /* NCA encrypts the certificate bag with RC2-40 */
    legacy = OSSL_PROVIDER_load(NULL, "legacy");
    deflt = OSSL_PROVIDER_load(NULL, "default");
    if (!legacy) {
        fprintf(stderr, "real NCA key containers skipped: OpenSSL legacy "
                        "provider not available\n");
        OSSL_PROVIDER_unload(deflt);
        return;
    }
    n = load_gost_cas(dir, cas);
    for (size_t fi = 0; fi < 2; fi++) {
        char path[4200];
        DIR *dp;
        struct dirent *de;

        snprintf(path, sizeof(path), "%s/%s", dir, folders[fi]);
        dp = opendir(path);
        ck_assert_ptr_nonnull(dp);
        while ((de = readdir(dp))) {
            cert_t c;
            uint8_t key[128], d[64], pub[128], dig[64], sig[128];
            size_t key_len = sizeof(key), sz;
            const kz_ec_group *g;
            const uint8_t *kp;
            der_t kd;
            const cert_t *iss;

            if (!strstr(de->d_name, ".p12"))
                continue;
            snprintf(path, sizeof(path), "%s/%s/%s", dir, folders[fi],
                     de->d_name);
            ck_assert_msg(p12_extract(path, "Qwerty12", &c, key, &key_len) == 0,
                          "%s", path);
            /* the PEM copy beside the container, where there is one, is
             * the same certificate */
            {
                char cer[4200];
                cert_t copy;

                snprintf(cer, sizeof(cer), "%.*s.cer",
                         (int)(strlen(path) - 4), path);
                if (access(cer, R_OK) == 0) {
                    ck_assert_int_eq(cert_load(&copy, cer), 0);
                    ck_assert_uint_eq(copy.der_len, c.der_len);
                    ck_assert_mem_eq(copy.der, c.der, c.der_len);
                    free(copy.der);
                }
            }
            g = kz_gost_curve_by_oid(c.curve_oid.val, c.curve_oid.len);
            ck_assert_ptr_nonnull(g);
            sz = g->size;
            ck_assert_ptr_eq(g, kz_gost_curve_get(
                                    fi ? KZ_GOST_CURVE_TC26_512_A
                                       : KZ_GOST_CURVE_CRYPTOPRO_A));
            ck_assert_uint_eq(c.pub_len, 2 * sz);
            /* 2004: INTEGER d (big-endian); 2015: OCTET STRING d
             * (little-endian), as shared/kz-pki-facts.md section 1 says */
            kp = key;
            ck_assert_int_eq(der_read(&kp, key + key_len, &kd), 0);
            memset(d, 0, sizeof(d));
            if (kd.tag == 0x02) {
                const uint8_t *v = kd.val;
                size_t l = kd.len;

                ck_assert_int_eq(fi, 0);
                while (l > sz && *v == 0) {
                    v++;
                    l--;
                }
                ck_assert_uint_le(l, sz);
                memcpy(d + sz - l, v, l);
            } else {
                ck_assert_uint_eq(kd.tag, 0x04);
                ck_assert_int_eq(fi, 1);
                ck_assert_uint_eq(kd.len, sz);
                kz_gost3410_reverse(d, kd.val, sz);
            }
            /* d G is the certificate's key */
            ck_assert_int_eq(kz_gost3410_public_key(g, d, sz, pub, 2 * sz),
                             KZ_GOST3410_OK);
            ck_assert_msg(memcmp(pub, c.pub, 2 * sz) == 0, "%s: d G != Q",
                          de->d_name);
            /* a signature made with the real key verifies with the
             * certificate */
            rng_bytes(dig, sz);
            ck_assert_int_eq(kz_gost3410_sign(g, d, sz, dig, sz, rng_cb, NULL,
                                              sig, 2 * sz),
                             KZ_GOST3410_OK);
            ck_assert_int_eq(kz_gost3410_verify(g, c.pub, 2 * sz, dig, sz, sig,
                                                2 * sz),
                             KZ_GOST3410_OK);
            keys++;
            /* and the certificate verifies with its issuer, if it is here */
            iss = find_issuer(&c, cas, n);
            if (iss) {
                ck_assert_msg(cert_verify(&c, iss, 0) == KZ_GOST3410_OK,
                              "%s by %s", de->d_name, iss->name);
                chains++;
            } else {
                fprintf(stderr, "  %s: issuer certificate not in ca/\n",
                        de->d_name);
            }
            free(c.der);
            kz_bn_wipe(d, sizeof(d));
            kz_bn_wipe(key, sizeof(key));
        }
        closedir(dp);
    }
    fprintf(stderr, "real NCA containers: %d GOST keys (d G = Q, sign and "
                    "verify), %d certificates verified with their issuer\n",
            keys, chains);
    ck_assert_int_ge(keys, 9);
    for (int i = 0; i < n; i++)
        free(cas[i].der);
    OSSL_PROVIDER_unload(legacy);
    OSSL_PROVIDER_unload(deflt);
}
END_TEST

/* ---- gost-engine cross-check ------------------------------------------- */

typedef struct {
    const char *alg, *paramset, *md;
    kz_gost_curve_id curve;
} engine_case;

static const engine_case engine_cases[] = {
    {"gost2001", "A", "md_gost94", KZ_GOST_CURVE_CRYPTOPRO_A},
    {"gost2001", "B", "md_gost94", KZ_GOST_CURVE_CRYPTOPRO_B},
    {"gost2001", "C", "md_gost94", KZ_GOST_CURVE_CRYPTOPRO_C},
    {"gost2001", "XA", "md_gost94", KZ_GOST_CURVE_CRYPTOPRO_A},
    {"gost2001", "XB", "md_gost94", KZ_GOST_CURVE_CRYPTOPRO_C},
    /* gost-engine's names for the TC26 256-bit sets */
    {"gost2012_256", "TCA", "streebog256", KZ_GOST_CURVE_TC26_256_A},
    {"gost2012_256", "TCB", "streebog256", KZ_GOST_CURVE_CRYPTOPRO_A},
    {"gost2012_256", "TCC", "streebog256", KZ_GOST_CURVE_CRYPTOPRO_B},
    {"gost2012_256", "TCD", "streebog256", KZ_GOST_CURVE_CRYPTOPRO_C},
    {"gost2012_256", "A", "streebog256", KZ_GOST_CURVE_CRYPTOPRO_A},
    {"gost2012_512", "A", "streebog512", KZ_GOST_CURVE_TC26_512_A},
    {"gost2012_512", "B", "streebog512", KZ_GOST_CURVE_TC26_512_B},
    {"gost2012_512", "C", "streebog512", KZ_GOST_CURVE_TC26_512_C},
};

#define N_ENGINE_CASES (int)(sizeof(engine_cases) / sizeof(engine_cases[0]))

/* Runs a shell command; 0 if it exits with 0. */
static int engine_cmd(const char *cmd)
{
    return system(cmd) == 0 ? 0 : -1;
}

START_TEST(test_engine_crosscheck)
{
    const engine_case *ec = &engine_cases[_i];
    char dir[] = "/tmp/kz_gost_sign_XXXXXX", path[512], cmd[4096];
    const kz_ec_group *g = kz_gost_curve_get(ec->curve);
    size_t sz = g->size, len;
    uint8_t *der, d[64], pub[128];
    const uint8_t *p, *pe;
    der_t top, t;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cmd, sizeof(cmd),
             "openssl genpkey -engine gost -algorithm %s -pkeyopt paramset:%s "
             "-out %s/key.pem >/dev/null 2>&1 && "
             "openssl pkey -engine gost -in %s/key.pem -outform DER "
             "-out %s/key.der >/dev/null 2>&1 && "
             "openssl pkey -engine gost -in %s/key.pem -pubout "
             "-out %s/pub.pem >/dev/null 2>&1 && "
             "openssl pkey -engine gost -in %s/key.pem -pubout -outform DER "
             "-out %s/pub.der >/dev/null 2>&1",
             ec->alg, ec->paramset, dir, dir, dir, dir, dir, dir, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "gost-engine cross-check (%s paramset %s) skipped: "
                        "`openssl genpkey -engine gost` not available\n",
                ec->alg, ec->paramset);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        (void)system(cmd);
        return;
    }

    /* the public key: SubjectPublicKeyInfo, curve OID in the parameters,
     * X_le || Y_le in an OCTET STRING in the BIT STRING */
    snprintf(path, sizeof(path), "%s/pub.der", dir);
    der = xread_file(path, &len);
    ck_assert_ptr_nonnull(der);
    p = der;
    ck_assert_int_eq(der_read(&p, der + len, &top), 0);
    p = top.val;
    pe = top.val + top.len;
    ck_assert_int_eq(der_read(&p, pe, &t), 0); /* AlgorithmIdentifier */
    {
        const uint8_t *q = t.val, *qe = t.val + t.len;
        der_t oid, params, curve;

        ck_assert_int_eq(der_read(&q, qe, &oid), 0);
        ck_assert_int_eq(der_read(&q, qe, &params), 0);
        q = params.val;
        ck_assert_int_eq(der_read(&q, params.val + params.len, &curve), 0);
        ck_assert_ptr_eq(kz_gost_curve_by_der(curve.tlv, curve.tlv_len), g);
    }
    ck_assert_int_eq(der_read(&p, pe, &t), 0); /* BIT STRING */
    {
        const uint8_t *q = t.val + 1;
        der_t os;

        ck_assert_int_eq(der_read(&q, t.val + t.len, &os), 0);
        ck_assert_uint_eq(os.len, 2 * sz);
        memcpy(pub, os.val, 2 * sz);
    }
    free(der);
    ck_assert_int_eq(kz_gost3410_check_public_key(g, pub, 2 * sz),
                     KZ_GOST3410_OK);

    /* the private key: PKCS#8 whose privateKey holds d little-endian */
    snprintf(path, sizeof(path), "%s/key.der", dir);
    der = xread_file(path, &len);
    ck_assert_ptr_nonnull(der);
    p = der;
    ck_assert_int_eq(der_read(&p, der + len, &top), 0);
    p = top.val;
    pe = top.val + top.len;
    ck_assert_int_eq(der_read(&p, pe, &t), 0); /* version */
    ck_assert_int_eq(der_read(&p, pe, &t), 0); /* algorithm */
    ck_assert_int_eq(der_read(&p, pe, &t), 0); /* privateKey */
    ck_assert_uint_eq(t.tag, 0x04);
    ck_assert_uint_eq(t.len, sz);
    kz_gost3410_reverse(d, t.val, sz);
    free(der);
    {
        uint8_t mine[128];

        ck_assert_int_eq(kz_gost3410_public_key(g, d, sz, mine, 2 * sz),
                         KZ_GOST3410_OK);
        ck_assert_mem_eq(mine, pub, 2 * sz);
    }

    for (int round = 0; round < 3; round++) {
        uint8_t msg[200], digest[64], sig[128], *esig;
        size_t mlen = 1 + (size_t)(rng64() % sizeof(msg)), slen;

        rng_bytes(msg, mlen);
        snprintf(path, sizeof(path), "%s/msg", dir);
        write_file(path, msg, mlen);
        /* md_gost94 is GOST R 34.11-94 with the CryptoPro S-box */
        if (strcmp(ec->md, "md_gost94") == 0)
            kz_gost94(&kz_gost89_sbox_cryptopro, msg, mlen, digest);
        else if (strcmp(ec->md, "streebog256") == 0)
            kz_streebog256(msg, mlen, digest);
        else
            kz_streebog512(msg, mlen, digest);

        /* gost-engine signs (s || r big-endian), we verify */
        snprintf(cmd, sizeof(cmd),
                 "openssl dgst -engine gost -%s -sign %s/key.pem -out %s/esig "
                 "%s/msg >/dev/null 2>&1",
                 ec->md, dir, dir, dir);
        ck_assert_int_eq(engine_cmd(cmd), 0);
        snprintf(path, sizeof(path), "%s/esig", dir);
        esig = xread_file(path, &slen);
        ck_assert_ptr_nonnull(esig);
        ck_assert_uint_eq(slen, 2 * sz);
        ck_assert_int_eq(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, esig,
                                            slen),
                         KZ_GOST3410_OK);
        esig[rng64() % slen] ^= 0x04;
        ck_assert_int_ne(kz_gost3410_verify(g, pub, 2 * sz, digest, sz, esig,
                                            slen),
                         KZ_GOST3410_OK);
        free(esig);

        /* we sign, gost-engine verifies; and refuses a damaged one */
        ck_assert_int_eq(kz_gost3410_sign(g, d, sz, digest, sz, rng_cb, NULL,
                                          sig, 2 * sz),
                         KZ_GOST3410_OK);
        snprintf(path, sizeof(path), "%s/ksig", dir);
        write_file(path, sig, 2 * sz);
        snprintf(cmd, sizeof(cmd),
                 "openssl dgst -engine gost -%s -verify %s/pub.pem "
                 "-signature %s/ksig %s/msg 2>/dev/null "
                 "| grep -q 'Verified OK'",
                 ec->md, dir, dir, dir);
        ck_assert_msg(engine_cmd(cmd) == 0,
                      "gost-engine rejects our signature (%s %s)", ec->alg,
                      ec->paramset);
        sig[rng64() % (2 * sz)] ^= 0x20;
        write_file(path, sig, 2 * sz);
        ck_assert_int_ne(engine_cmd(cmd), 0);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- constant time (under valgrind) ------------------------------------ */

/*
 * With memcheck, secret inputs are marked undefined: a branch or a memory
 * address that depends on them is then reported as an error. Run the
 * suite under valgrind to make this test do its work; natively it only
 * says it was skipped.
 */
START_TEST(test_constant_time)
{
#ifdef HAVE_MEMCHECK
    const kz_ec_group *g = test_group(_i);
    unsigned n = g->n;
    uint64_t k[N_MAX] = {0}, x[N_MAX], y[N_MAX], a[N_MAX], b[N_MAX], r[N_MAX];
    uint64_t lo[N_MAX], hi;
    kz_ec_point R;
    unsigned before;

    if (!RUNNING_ON_VALGRIND) {
        if (_i == 0)
            fprintf(stderr, "constant-time check skipped: run the suite "
                            "under valgrind to do it\n");
        return;
    }
    kz_ec_precompute(g);
    for (unsigned i = 0; i < n; i++) {
        k[i] = rng64();
        lo[i] = rng64();
    }
    hi = rng64();
    rng_below(a, g->q.m, n);
    a[0] |= 1;
    VALGRIND_MAKE_MEM_UNDEFINED(k, sizeof(k));
    VALGRIND_MAKE_MEM_UNDEFINED(a, sizeof(a));
    VALGRIND_MAKE_MEM_UNDEFINED(lo, sizeof(lo));
    VALGRIND_MAKE_MEM_UNDEFINED(&hi, sizeof(hi));
    before = VALGRIND_COUNT_ERRORS;

    kz_ec_mul_base(g, &R, k);        /* comb, or the generic path */
    kz_ec_get_affine(g, x, y, &R);   /* inversion mod p */
    kz_ec_mul_ct(g, &R, k, &g->g);   /* fixed windows */
    kz_bn_to_wide(&g->q, b, lo, hi); /* nonce reduction */
    kz_bn_from(&g->q, r, b);
    kz_bn_mul(&g->q, r, r, b);       /* r d, k e */
    kz_bn_add(&g->q, r, r, b);
    kz_bn_to(&g->q, b, a);
    kz_bn_inv(&g->q, r, b);          /* inversion mod q */
    kz_bn_select(r, a, b, n, kz_bn_lt(a, b, n));
    kz_bn_pow(&g->p, r, a, g->q.m, 64 * n); /* secret base, public exponent */
    ck_assert_uint_eq(VALGRIND_COUNT_ERRORS, before);

    /* kz_gost3410_sign itself adds four decisions on secret-derived bits,
     * all intended: 0 < d < q (a key error), and the retries when k, r or
     * s is 0 (r and s are published; the zero cases have probability
     * about 2^-256) */
#else
    if (_i == 0)
        fprintf(stderr, "constant-time check skipped: no valgrind/memcheck.h "
                        "at build time\n");
#endif
}
END_TEST

/* ---- suite ------------------------------------------------------------- */

static Suite *gost_sign_suite(void)
{
    Suite *s = suite_create("gost_sign");
    TCase *tc;

    tc = tcase_create("bn");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_bn_constants, 0, N_MODS);
    tcase_add_loop_test(tc, test_bn_arith, 0, N_MODS);
    tcase_add_loop_test(tc, test_bn_reduce_and_inverse, 0, N_MODS);
    tcase_add_loop_test(tc, test_bn_inverse_vs_fermat, 0, N_MODS);
    tcase_add_test(tc, test_bn_bytes);
    tcase_add_test(tc, test_bn_ct_helpers);
    suite_add_tcase(s, tc);

    tc = tcase_create("curves");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_curve_sanity, 0, KZ_GOST_CURVE_COUNT + 2);
    tcase_add_test(tc, test_curve_params_rejected);
    tcase_add_test(tc, test_curve_oids);
    tcase_add_test(tc, test_curve_threads);
    suite_add_tcase(s, tc);

    tc = tcase_create("ec");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_ec_formulas, 0, N_GROUPS);
    tcase_add_loop_test(tc, test_ec_scalar_mult, 0, N_GROUPS);
    tcase_add_loop_test(tc, test_ec_mul2, 0, N_GROUPS);
    tcase_add_loop_test(tc, test_ec_check_x, 0, N_GROUPS);
    tcase_add_loop_test(tc, test_ec_encoding_and_validation, 0, N_GROUPS);
    tcase_add_test(tc, test_ec_table_threads);
    suite_add_tcase(s, tc);

    tc = tcase_create("known_answers");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_rfc_examples, 0, 4);
    tcase_add_loop_test(tc, test_nca_vectors, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("sign_verify");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_roundtrip_2004);
    tcase_add_test(tc, test_roundtrip_2015);
    tcase_add_loop_test(tc, test_roundtrip_all, 0, N_GROUPS);
    tcase_add_loop_test(tc, test_sign_errors, 0, 2);
    tcase_add_loop_test(tc, test_verify_errors, 0, 2);
    tcase_add_test(tc, test_layout_helpers);
    suite_add_tcase(s, tc);

    tc = tcase_create("nca_real");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_nca_certificates);
    tcase_add_test(tc, test_nca_containers);
    suite_add_tcase(s, tc);

    tc = tcase_create("constant_time");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_constant_time, 0, N_GROUPS);
    suite_add_tcase(s, tc);

    tc = tcase_create("gost_engine");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_engine_crosscheck, 0, N_ENGINE_CASES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(gost_sign_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
