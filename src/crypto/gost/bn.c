/*
 * Fixed-width modular arithmetic for 256- and 512-bit odd moduli.
 * See bn.h for the conventions.
 *
 * Multiplication is a schoolbook product of 64-bit limbs (unsigned
 * __int128 for the 128-bit partial products) followed by a reduction:
 *  - Montgomery reduction (separated operand scanning: one limb of the
 *    product is cancelled per step by adding u*m, u = t_i * (-m^-1) mod
 *    2^64), result < 2m, one conditional subtraction;
 *  - for m = 2^(64n) - c: t = H*2^(64n) + L == L + c*H (mod m), applied
 *    twice, then one conditional subtraction.
 * The limb loops run over a constant n, and the 4- and 8-limb versions are
 * separate functions so that the compiler can unroll them completely; the
 * carry chains use _addcarry_u64/_subborrow_u64 on x86-64.
 *
 * Inversion is by Bernstein-Yang divsteps (see kz_bn_inv).
 *
 * Conditional operations use masks (0 or all ones) computed arithmetically;
 * ct_barrier() hides a mask's origin from the optimiser so that it is not
 * turned back into a branch.
 */
#include "crypto/gost/bn.h"

#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#if defined(__clang__)
/* below -O2 clang may decline to unroll; that is only slower */
#pragma clang diagnostic ignored "-Wpass-failed"
#define UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#else
#define UNROLL
#endif
/* size-specialised bodies stay separate: the dispatchers tail-call them */
#define NOINLINE __attribute__((noinline))

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <x86intrin.h>
#define KZ_BN_X86_CARRY 1
#endif

ALWAYS_INLINE uint64_t ct_barrier(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(x));
#endif
    return x;
}

/* 0 or all ones, from a bit that is 0 or 1. */
ALWAYS_INLINE uint64_t ct_mask(uint64_t bit)
{
    return ct_barrier(0 - bit);
}

/* r = a + b + c, returns the carry (c is 0 or 1). */
ALWAYS_INLINE uint8_t addc(uint8_t c, uint64_t a, uint64_t b, uint64_t *r)
{
#ifdef KZ_BN_X86_CARRY
    unsigned long long t;

    c = _addcarry_u64(c, a, b, &t);
    *r = t;
    return c;
#else
    u128 v = (u128)a + b + c;

    *r = (uint64_t)v;
    return (uint8_t)(v >> 64);
#endif
}

/* r = a - b - c, returns the borrow (c is 0 or 1). */
ALWAYS_INLINE uint8_t subb(uint8_t c, uint64_t a, uint64_t b, uint64_t *r)
{
#ifdef KZ_BN_X86_CARRY
    unsigned long long t;

    c = _subborrow_u64(c, a, b, &t);
    *r = t;
    return c;
#else
    u128 v = (u128)a - b - c;

    *r = (uint64_t)v;
    return (uint8_t)((v >> 64) & 1);
#endif
}

ALWAYS_INLINE void mul64(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    u128 v = (u128)a * b;

    *lo = (uint64_t)v;
    *hi = (uint64_t)(v >> 64);
}

void kz_bn_wipe(void *p, size_t len)
{
#if defined(__GNUC__) || defined(__clang__)
    memset(p, 0, len);
    /* the asm may read the memory: the stores cannot be dropped */
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    volatile uint8_t *v = p;

    while (len--)
        *v++ = 0;
#endif
}

/* ---- plain n-limb helpers ---------------------------------------------- */

ALWAYS_INLINE uint64_t add_n(uint64_t *r, const uint64_t *a,
                             const uint64_t *b, const unsigned n)
{
    uint8_t c = 0;

    UNROLL
    for (unsigned i = 0; i < n; i++)
        c = addc(c, a[i], b[i], &r[i]);
    return c;
}

ALWAYS_INLINE uint64_t sub_n(uint64_t *r, const uint64_t *a,
                             const uint64_t *b, const unsigned n)
{
    uint8_t c = 0;

    UNROLL
    for (unsigned i = 0; i < n; i++)
        c = subb(c, a[i], b[i], &r[i]);
    return c;
}

/* r = bit ? a : b */
ALWAYS_INLINE void select_n(uint64_t *r, const uint64_t *a,
                            const uint64_t *b, const unsigned n,
                            uint64_t bit)
{
    uint64_t mask = ct_mask(bit);

    UNROLL
    for (unsigned i = 0; i < n; i++)
        r[i] = (a[i] & mask) | (b[i] & ~mask);
}

uint64_t kz_bn_is_zero(const uint64_t *a, unsigned n)
{
    uint64_t acc = 0;

    for (unsigned i = 0; i < n; i++)
        acc |= a[i];
    /* acc == 0 iff (acc | -acc) has its top bit clear */
    return 1 ^ ((acc | (0 - acc)) >> 63);
}

uint64_t kz_bn_eq(const uint64_t *a, const uint64_t *b, unsigned n)
{
    uint64_t acc = 0;

    for (unsigned i = 0; i < n; i++)
        acc |= a[i] ^ b[i];
    return 1 ^ ((acc | (0 - acc)) >> 63);
}

uint64_t kz_bn_lt(const uint64_t *a, const uint64_t *b, unsigned n)
{
    uint8_t c = 0;
    uint64_t t;

    for (unsigned i = 0; i < n; i++)
        c = subb(c, a[i], b[i], &t);
    return c;
}

void kz_bn_select(uint64_t *r, const uint64_t *a, const uint64_t *b,
                  unsigned n, uint64_t bit)
{
    uint64_t mask = ct_mask(bit & 1);

    for (unsigned i = 0; i < n; i++)
        r[i] = (a[i] & mask) | (b[i] & ~mask);
}

void kz_bn_copy(uint64_t *r, const uint64_t *a, unsigned n)
{
    if (r != a)
        memmove(r, a, n * sizeof(uint64_t));
}

/* ---- products ---------------------------------------------------------- */

/*
 * t[0..2n) = a * b, row by row: the n products of a row are formed first,
 * then their low halves and their high halves are added to t in two carry
 * chains.
 */
ALWAYS_INLINE void mul_wide(uint64_t *t, const uint64_t *a, const uint64_t *b,
                            const unsigned n)
{
    uint64_t lo[KZ_BN_MAX_LIMBS], hi[KZ_BN_MAX_LIMBS];
    uint8_t c;

    UNROLL
    for (unsigned j = 0; j < n; j++)
        mul64(a[0], b[j], &lo[j], &hi[j]);
    t[0] = lo[0];
    c = 0;
    UNROLL
    for (unsigned j = 1; j < n; j++)
        c = addc(c, lo[j], hi[j - 1], &t[j]);
    t[n] = hi[n - 1] + c;
    UNROLL
    for (unsigned i = 1; i < n; i++) {
        UNROLL
        for (unsigned j = 0; j < n; j++)
            mul64(a[i], b[j], &lo[j], &hi[j]);
        c = 0;
        UNROLL
        for (unsigned j = 0; j < n; j++)
            c = addc(c, t[i + j], lo[j], &t[i + j]);
        t[i + n] = c;
        c = 0;
        UNROLL
        for (unsigned j = 0; j < n; j++)
            c = addc(c, t[i + 1 + j], hi[j], &t[i + 1 + j]);
    }
}

/* t[0..2n) = a^2: the products a_i a_j (i < j) once, doubled, plus the
 * squares a_i^2. */
ALWAYS_INLINE void sqr_wide(uint64_t *t, const uint64_t *a, const unsigned n)
{
    uint64_t lo[KZ_BN_MAX_LIMBS], hi[KZ_BN_MAX_LIMBS];
    uint8_t c;

    /* row 0: a_0 a_j, j >= 1, at t[1..n] */
    UNROLL
    for (unsigned j = 1; j < n; j++)
        mul64(a[0], a[j], &lo[j], &hi[j]);
    t[1] = lo[1];
    c = 0;
    UNROLL
    for (unsigned j = 2; j < n; j++)
        c = addc(c, lo[j], hi[j - 1], &t[j]);
    t[n] = hi[n - 1] + c;
    UNROLL
    for (unsigned j = n + 1; j < 2 * n; j++)
        t[j] = 0;
    /* rows 1..n-2: a_i a_j, j > i, at t[2i+1..i+n] */
    UNROLL
    for (unsigned i = 1; i + 1 < n; i++) {
        UNROLL
        for (unsigned j = i + 1; j < n; j++)
            mul64(a[i], a[j], &lo[j], &hi[j]);
        c = 0;
        UNROLL
        for (unsigned j = i + 1; j < n; j++)
            c = addc(c, t[i + j], lo[j], &t[i + j]);
        t[i + n] = c;
        c = 0;
        UNROLL
        for (unsigned j = i + 1; j < n; j++)
            c = addc(c, t[i + 1 + j], hi[j], &t[i + 1 + j]);
    }
    /* double, then add the squares */
    t[2 * n - 1] = t[2 * n - 2] >> 63;
    UNROLL
    for (unsigned i = 2 * n - 2; i > 1; i--)
        t[i] = (t[i] << 1) | (t[i - 1] >> 63);
    t[1] <<= 1;
    t[0] = 0;
    c = 0;
    UNROLL
    for (unsigned i = 0; i < n; i++) {
        uint64_t sl, sh;

        mul64(a[i], a[i], &sl, &sh);
        c = addc(c, t[2 * i], sl, &t[2 * i]);
        c = addc(c, t[2 * i + 1], sh, &t[2 * i + 1]);
    }
}

/* r = t - m if (top:t) >= m, else t; needs (top:t) < 2m. */
ALWAYS_INLINE void final_sub(uint64_t *r, const uint64_t *t, uint64_t top,
                             const uint64_t *m, const unsigned n)
{
    uint64_t s[KZ_BN_MAX_LIMBS];
    uint64_t borrow = sub_n(s, t, m, n);

    /* keep t only if it was already below m: borrow and no top bit */
    select_n(r, t, s, n, borrow & (top ^ 1));
}

/*
 * Montgomery reduction: r = t / R mod m for t < m*R (2n limbs; t is
 * overwritten). Step i adds u*m*2^(64i), u = t_i * (-m^-1) mod 2^64, which
 * clears limb i; hi carries the overflow above limb i+n to the next step.
 */
ALWAYS_INLINE void mont_redc(uint64_t *r, uint64_t *t, const uint64_t *m,
                             uint64_t m0inv, const unsigned n)
{
    uint64_t lo[KZ_BN_MAX_LIMBS], hi[KZ_BN_MAX_LIMBS], top = 0;

    UNROLL
    for (unsigned i = 0; i < n; i++) {
        uint64_t u = t[i] * m0inv;
        uint8_t c1 = 0, c2 = 0;
        u128 v;

        UNROLL
        for (unsigned j = 0; j < n; j++)
            mul64(u, m[j], &lo[j], &hi[j]);
        UNROLL
        for (unsigned j = 0; j < n; j++)
            c1 = addc(c1, t[i + j], lo[j], &t[i + j]);
        UNROLL
        for (unsigned j = 0; j + 1 < n; j++)
            c2 = addc(c2, t[i + 1 + j], hi[j], &t[i + 1 + j]);
        v = (u128)t[i + n] + hi[n - 1] + c1 + c2 + top;
        t[i + n] = (uint64_t)v;
        top = (uint64_t)(v >> 64);
    }
    final_sub(r, t + n, top, m, n);
}

/* r = t mod (2^(64n) - c), t of 2n limbs, c < 2^32. */
ALWAYS_INLINE void pm_reduce(uint64_t *r, const uint64_t *t, uint64_t c,
                             const unsigned n)
{
    uint64_t lo[KZ_BN_MAX_LIMBS], hi[KZ_BN_MAX_LIMBS];
    uint64_t x[KZ_BN_MAX_LIMBS], y[KZ_BN_MAX_LIMBS], top, l2, h2;
    uint8_t cy;

    /* (top:x) = L + c*H, top <= c */
    UNROLL
    for (unsigned j = 0; j < n; j++)
        mul64(t[n + j], c, &lo[j], &hi[j]);
    cy = 0;
    UNROLL
    for (unsigned j = 0; j < n; j++)
        cy = addc(cy, t[j], lo[j], &x[j]);
    top = cy;
    cy = 0;
    UNROLL
    for (unsigned j = 1; j < n; j++)
        cy = addc(cy, x[j], hi[j - 1], &x[j]);
    top += hi[n - 1] + cy;
    /* fold top*2^(64n) == top*c */
    mul64(top, c, &l2, &h2);
    cy = addc(0, x[0], l2, &x[0]);
    cy = addc(cy, x[1], h2, &x[1]);
    UNROLL
    for (unsigned j = 2; j < n; j++)
        cy = addc(cy, x[j], 0, &x[j]);
    /* If that overflowed, x < top*c <= c^2 now and x + c cannot carry
     * out of the lowest limb. */
    x[0] += c & ct_mask(cy);
    /* x < 2^(64n) = m + c: subtract m once if x >= m, i.e. if x + c
     * overflows 2^(64n). */
    cy = addc(0, x[0], c, &y[0]);
    UNROLL
    for (unsigned j = 1; j < n; j++)
        cy = addc(cy, x[j], 0, &y[j]);
    select_n(r, y, x, n, cy);
}

NOINLINE static void mont_mul4(uint64_t *r, const uint64_t *a,
                                const uint64_t *b, const uint64_t *m,
                                uint64_t m0inv)
{
    uint64_t t[8];

    mul_wide(t, a, b, 4);
    mont_redc(r, t, m, m0inv, 4);
}

NOINLINE static void mont_mul8(uint64_t *r, const uint64_t *a,
                                const uint64_t *b, const uint64_t *m,
                                uint64_t m0inv)
{
    uint64_t t[16];

    mul_wide(t, a, b, 8);
    mont_redc(r, t, m, m0inv, 8);
}

NOINLINE static void mont_sqr4(uint64_t *r, const uint64_t *a,
                                const uint64_t *m, uint64_t m0inv)
{
    uint64_t t[8];

    sqr_wide(t, a, 4);
    mont_redc(r, t, m, m0inv, 4);
}

NOINLINE static void mont_sqr8(uint64_t *r, const uint64_t *a,
                                const uint64_t *m, uint64_t m0inv)
{
    uint64_t t[16];

    sqr_wide(t, a, 8);
    mont_redc(r, t, m, m0inv, 8);
}

NOINLINE static void pm_mul4(uint64_t *r, const uint64_t *a, const uint64_t *b,
                    uint64_t c)
{
    uint64_t t[8];

    mul_wide(t, a, b, 4);
    pm_reduce(r, t, c, 4);
}

NOINLINE static void pm_mul8(uint64_t *r, const uint64_t *a, const uint64_t *b,
                    uint64_t c)
{
    uint64_t t[16];

    mul_wide(t, a, b, 8);
    pm_reduce(r, t, c, 8);
}

NOINLINE static void pm_sqr4(uint64_t *r, const uint64_t *a, uint64_t c)
{
    uint64_t t[8];

    sqr_wide(t, a, 4);
    pm_reduce(r, t, c, 4);
}

NOINLINE static void pm_sqr8(uint64_t *r, const uint64_t *a, uint64_t c)
{
    uint64_t t[16];

    sqr_wide(t, a, 8);
    pm_reduce(r, t, c, 8);
}

void kz_bn_mul(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b)
{
    if (mod->form == KZ_BN_FORM_PM) {
        if (mod->n == 4)
            pm_mul4(r, a, b, mod->c);
        else
            pm_mul8(r, a, b, mod->c);
    } else {
        if (mod->n == 4)
            mont_mul4(r, a, b, mod->m, mod->m0inv);
        else
            mont_mul8(r, a, b, mod->m, mod->m0inv);
    }
}

void kz_bn_sqr(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a)
{
    if (mod->form == KZ_BN_FORM_PM) {
        if (mod->n == 4)
            pm_sqr4(r, a, mod->c);
        else
            pm_sqr8(r, a, mod->c);
    } else {
        if (mod->n == 4)
            mont_sqr4(r, a, mod->m, mod->m0inv);
        else
            mont_sqr8(r, a, mod->m, mod->m0inv);
    }
}

/* ---- additive operations ----------------------------------------------- */

ALWAYS_INLINE void mod_add_n(uint64_t *r, const uint64_t *a,
                             const uint64_t *b, const uint64_t *m,
                             const unsigned n)
{
    uint64_t t[KZ_BN_MAX_LIMBS];
    uint64_t carry = add_n(t, a, b, n);

    final_sub(r, t, carry, m, n);
}

ALWAYS_INLINE void mod_sub_n(uint64_t *r, const uint64_t *a,
                             const uint64_t *b, const uint64_t *m,
                             const unsigned n)
{
    uint64_t t[KZ_BN_MAX_LIMBS], mm[KZ_BN_MAX_LIMBS];
    uint64_t mask = ct_mask(sub_n(t, a, b, n));

    UNROLL
    for (unsigned i = 0; i < n; i++)
        mm[i] = m[i] & mask;
    add_n(r, t, mm, n);
}

/* separate functions per size: the 4-limb ones need few registers */
NOINLINE static void mod_add4(uint64_t *r, const uint64_t *a, const uint64_t *b,
                     const uint64_t *m)
{
    mod_add_n(r, a, b, m, 4);
}

NOINLINE static void mod_add8(uint64_t *r, const uint64_t *a, const uint64_t *b,
                     const uint64_t *m)
{
    mod_add_n(r, a, b, m, 8);
}

NOINLINE static void mod_sub4(uint64_t *r, const uint64_t *a, const uint64_t *b,
                     const uint64_t *m)
{
    mod_sub_n(r, a, b, m, 4);
}

NOINLINE static void mod_sub8(uint64_t *r, const uint64_t *a, const uint64_t *b,
                     const uint64_t *m)
{
    mod_sub_n(r, a, b, m, 8);
}

void kz_bn_add(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b)
{
    if (mod->n == 4)
        mod_add4(r, a, b, mod->m);
    else
        mod_add8(r, a, b, mod->m);
}

void kz_bn_sub(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b)
{
    if (mod->n == 4)
        mod_sub4(r, a, b, mod->m);
    else
        mod_sub8(r, a, b, mod->m);
}

void kz_bn_neg(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a)
{
    static const uint64_t zero[KZ_BN_MAX_LIMBS];

    kz_bn_sub(mod, r, zero, a);
}

/* ---- conversions ------------------------------------------------------- */

void kz_bn_to(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a)
{
    if (mod->form == KZ_BN_FORM_PM) {
        /* a < 2^(64n) = m + c: at most one subtraction */
        uint64_t t[2 * KZ_BN_MAX_LIMBS] = {0};

        kz_bn_copy(t, a, mod->n);
        if (mod->n == 4)
            pm_reduce(r, t, mod->c, 4);
        else
            pm_reduce(r, t, mod->c, 8);
        kz_bn_wipe(t, sizeof(t));
    } else {
        /* a * R^2 / R; a < R and R^2 mod m < m keep the product < m*R */
        kz_bn_mul(mod, r, a, mod->r2);
    }
}

void kz_bn_to_wide(const kz_bn_mod *mod, uint64_t *r, const uint64_t *lo,
                   uint64_t hi)
{
    if (mod->form == KZ_BN_FORM_PM) {
        uint64_t t[2 * KZ_BN_MAX_LIMBS] = {0};

        kz_bn_copy(t, lo, mod->n);
        t[mod->n] = hi;
        if (mod->n == 4)
            pm_reduce(r, t, mod->c, 4);
        else
            pm_reduce(r, t, mod->c, 8);
        kz_bn_wipe(t, sizeof(t));
    } else {
        /* lo*R + hi*R^2 = to(lo) + hi * R^3 / R */
        uint64_t h[KZ_BN_MAX_LIMBS] = {0}, t[KZ_BN_MAX_LIMBS];

        h[0] = hi;
        kz_bn_mul(mod, t, h, mod->r3);
        kz_bn_to(mod, r, lo);
        kz_bn_add(mod, r, r, t);
        kz_bn_wipe(h, sizeof(h));
        kz_bn_wipe(t, sizeof(t));
    }
}

void kz_bn_from(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a)
{
    if (mod->form == KZ_BN_FORM_PM) {
        kz_bn_copy(r, a, mod->n);
    } else {
        uint64_t t[2 * KZ_BN_MAX_LIMBS] = {0};

        kz_bn_copy(t, a, mod->n);
        if (mod->n == 4)
            mont_redc(r, t, mod->m, mod->m0inv, 4);
        else
            mont_redc(r, t, mod->m, mod->m0inv, 8);
        kz_bn_wipe(t, sizeof(t));
    }
}

/* ---- exponentiation ---------------------------------------------------- */

void kz_bn_pow(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *e, unsigned ebits)
{
    /* fixed 4-bit windows; the window values come from the public
     * exponent, so indexing the table with them reveals nothing about a */
    uint64_t tbl[16][KZ_BN_MAX_LIMBS], acc[KZ_BN_MAX_LIMBS];
    unsigned n = mod->n, top = (ebits + 3) / 4, started = 0;

    kz_bn_copy(tbl[0], mod->one, n);
    kz_bn_copy(tbl[1], a, n);
    for (unsigned i = 2; i < 16; i++)
        kz_bn_mul(mod, tbl[i], tbl[i - 1], a);
    kz_bn_copy(acc, mod->one, n);
    for (unsigned w = top; w-- > 0;) {
        unsigned bit = 4 * w;
        unsigned win = (unsigned)(e[bit / 64] >> (bit % 64)) & 15;

        if (started) {
            kz_bn_sqr(mod, acc, acc);
            kz_bn_sqr(mod, acc, acc);
            kz_bn_sqr(mod, acc, acc);
            kz_bn_sqr(mod, acc, acc);
        }
        if (win) {
            if (started)
                kz_bn_mul(mod, acc, acc, tbl[win]);
            else
                kz_bn_copy(acc, tbl[win], n);
            started = 1;
        }
    }
    kz_bn_copy(r, acc, n);
    kz_bn_wipe(tbl, sizeof(tbl));
    kz_bn_wipe(acc, sizeof(acc));
}

/*
 * Inversion by divsteps: Bernstein and Yang, "Fast constant-time gcd
 * computation and modular inversion" (2019), section 11.
 *
 * divstep(delta, f, g), f odd:
 *   delta > 0 and g odd:  (1 - delta, g, (g - f) / 2)
 *   otherwise:            (1 + delta, f, (g + (g mod 2) f) / 2)
 * Starting from (1, m, x), g reaches 0 within floor((49 b + 57) / 17)
 * steps for b-bit inputs, b >= 46 (theorem 11.2), and then f = +-gcd = +-1
 * for x != 0. Alongside, d and e with f == d x, g == e x (mod m) give
 * x^-1 = +-d.
 *
 * The steps run in batches of 62 on the low 64 bits of f and g only,
 * collecting their effect as a matrix T = [u v; q r] with
 * 2^62 (f', g') = T (f, g), |u| + |v| <= 2^62, |q| + |r| <= 2^62; T is
 * then applied to the full f, g (exact division by 2^62) and to d, e
 * (made divisible by 2^62 by adding a multiple of m). Every step and every
 * batch runs the same instructions whatever the values: the number of
 * batches depends only on the bit length of m.
 *
 * Full-size numbers are in signed radix 2^62: limbs 0..L-2 in [0, 2^62),
 * limb L-1 signed. d and e are kept in [0, m) between batches.
 */
#define S62_LIMBS 9 /* 9 * 62 = 558 bits: 512 bits and a sign */
#define M62 (((uint64_t)1 << 62) - 1)

static void to_s62(int64_t *r, const uint64_t *a, unsigned n, unsigned L)
{
    for (unsigned i = 0; i < L; i++) {
        unsigned bit = 62 * i, limb = bit / 64, off = bit % 64;
        uint64_t v = limb < n ? a[limb] >> off : 0;

        if (off > 2 && limb + 1 < n)
            v |= a[limb + 1] << (64 - off);
        r[i] = (int64_t)(v & M62);
    }
}

/* a in [0, 2^(64n)) */
static void from_s62(uint64_t *r, const int64_t *a, unsigned n, unsigned L)
{
    memset(r, 0, n * sizeof(uint64_t));
    for (unsigned i = 0; i < L; i++) {
        unsigned bit = 62 * i, limb = bit / 64, off = bit % 64;
        uint64_t v = (uint64_t)a[i] & M62;

        if (limb < n)
            r[limb] |= v << off;
        if (off > 2 && limb + 1 < n)
            r[limb + 1] |= v >> (64 - off);
    }
}

/* 62 divsteps on the low bits of f and g; returns the new delta (two's
 * complement) and the transition matrix t = {u, v, q, r}. */
static uint64_t divsteps62(uint64_t delta, uint64_t f, uint64_t g,
                           int64_t t[4])
{
    uint64_t u = 1, v = 0, q = 0, r = 1;

    for (int i = 0; i < 62; i++) {
        uint64_t c2 = ct_mask(g & 1);                   /* g odd */
        uint64_t c1 = c2 & ct_mask((0 - delta) >> 63);  /* and delta > 0 */
        uint64_t x = (f ^ c1) - c1, y = (u ^ c1) - c1, z = (v ^ c1) - c1;

        /* g += (c1 ? -f : f) if g odd; then if c1, f takes the old g */
        g += x & c2;
        q += y & c2;
        r += z & c2;
        f += g & c1;
        u += q & c1;
        v += r & c1;
        delta = ((delta ^ c1) - c1) + 1;
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    t[0] = (int64_t)u;
    t[1] = (int64_t)v;
    t[2] = (int64_t)q;
    t[3] = (int64_t)r;
    return delta;
}

__extension__ typedef __int128 i128;

/* (f, g) = T (f, g) / 2^62 */
static void update_fg(int64_t *f, int64_t *g, const int64_t t[4], unsigned L)
{
    const int64_t u = t[0], v = t[1], q = t[2], r = t[3];
    i128 cf = (i128)u * f[0] + (i128)v * g[0];
    i128 cg = (i128)q * f[0] + (i128)r * g[0];

    /* the low 62 bits are zero by construction */
    cf >>= 62;
    cg >>= 62;
    for (unsigned i = 1; i < L; i++) {
        cf += (i128)u * f[i] + (i128)v * g[i];
        cg += (i128)q * f[i] + (i128)r * g[i];
        f[i - 1] = (int64_t)((uint64_t)cf & M62);
        g[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f[L - 1] = (int64_t)cf;
    g[L - 1] = (int64_t)cg;
}

/* (d, e) = (T (d, e) + (md, me) m) / 2^62, md and me in [0, 2^62) chosen
 * to make the division exact; minv = -m^-1 mod 2^62. For d, e in [0, m)
 * the results lie in (-m, 2m). */
static void update_de(int64_t *d, int64_t *e, const int64_t t[4],
                      const int64_t *m, uint64_t minv, unsigned L)
{
    const int64_t u = t[0], v = t[1], q = t[2], r = t[3];
    int64_t md = (int64_t)((((uint64_t)u * (uint64_t)d[0] +
                             (uint64_t)v * (uint64_t)e[0]) * minv) & M62);
    int64_t me = (int64_t)((((uint64_t)q * (uint64_t)d[0] +
                             (uint64_t)r * (uint64_t)e[0]) * minv) & M62);
    i128 cd = (i128)u * d[0] + (i128)v * e[0] + (i128)md * m[0];
    i128 ce = (i128)q * d[0] + (i128)r * e[0] + (i128)me * m[0];

    cd >>= 62;
    ce >>= 62;
    for (unsigned i = 1; i < L; i++) {
        cd += (i128)u * d[i] + (i128)v * e[i] + (i128)md * m[i];
        ce += (i128)q * d[i] + (i128)r * e[i] + (i128)me * m[i];
        d[i - 1] = (int64_t)((uint64_t)cd & M62);
        e[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd >>= 62;
        ce >>= 62;
    }
    d[L - 1] = (int64_t)cd;
    e[L - 1] = (int64_t)ce;
}

/* d in (-m, 2m) -> [0, m) */
static void normalize_s62(int64_t *d, const int64_t *m, unsigned L)
{
    int64_t t[S62_LIMBS], c = 0;
    uint64_t neg = ct_mask((uint64_t)d[L - 1] >> 63), keep;

    for (unsigned i = 0; i < L; i++) { /* d += m if d < 0 */
        c += d[i] + (int64_t)((uint64_t)m[i] & neg);
        d[i] = i + 1 < L ? (int64_t)((uint64_t)c & M62) : c;
        c >>= 62;
    }
    c = 0;
    for (unsigned i = 0; i < L; i++) { /* t = d - m */
        c += d[i] - m[i];
        t[i] = i + 1 < L ? (int64_t)((uint64_t)c & M62) : c;
        c >>= 62;
    }
    keep = ct_mask((uint64_t)t[L - 1] >> 63); /* t < 0: keep d */
    for (unsigned i = 0; i < L; i++)
        d[i] = (int64_t)(((uint64_t)d[i] & keep) | ((uint64_t)t[i] & ~keep));
}

void kz_bn_inv(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a)
{
    int64_t f[S62_LIMBS], g[S62_LIMBS], d[S62_LIMBS] = {0}, e[S62_LIMBS] = {0};
    int64_t m[S62_LIMBS], t[4];
    unsigned n = mod->n, L = n == 4 ? 5 : 9;
    unsigned steps = (49 * mod->bits + 57) / 17, batches = (steps + 61) / 62;
    uint64_t delta = 1, minv = mod->m0inv & M62, fneg;
    uint64_t x[KZ_BN_MAX_LIMBS];

    /* the number a represents in Montgomery form is a R; its inverse
     * times R^3 / R is a^-1 R, the Montgomery form of a^-1 */
    to_s62(m, mod->m, n, L);
    memcpy(f, m, L * sizeof(int64_t));
    to_s62(g, a, n, L);
    e[0] = 1;
    for (unsigned b = 0; b < batches; b++) {
        delta = divsteps62(delta, (uint64_t)f[0] | ((uint64_t)f[1] << 62),
                           (uint64_t)g[0] | ((uint64_t)g[1] << 62), t);
        update_fg(f, g, t, L);
        update_de(d, e, t, m, minv, L);
        normalize_s62(d, m, L);
        normalize_s62(e, m, L);
    }
    /* g = 0 now (theorem 11.2; no test on it: that would be a branch on
     * secret data), f = +-1, or f = m and d = 0 for a = 0 */
    fneg = (uint64_t)f[L - 1] >> 63;
    from_s62(x, d, n, L);
    kz_bn_neg(mod, r, x);
    kz_bn_select(r, r, x, n, fneg);
    if (mod->form == KZ_BN_FORM_MONT)
        kz_bn_mul(mod, r, r, mod->r3);
    kz_bn_wipe(f, sizeof(f));
    kz_bn_wipe(g, sizeof(g));
    kz_bn_wipe(d, sizeof(d));
    kz_bn_wipe(e, sizeof(e));
    kz_bn_wipe(t, sizeof(t));
    kz_bn_wipe(x, sizeof(x));
}

/* ---- setup ------------------------------------------------------------- */

int kz_bn_mod_init(kz_bn_mod *mod, const uint64_t *m, unsigned n,
                   int allow_pm)
{
    uint64_t x[KZ_BN_MAX_LIMBS], inv;
    unsigned i;

    if ((n != 4 && n != 8) || !(m[0] & 1) || m[n - 1] == 0)
        return -1;
    memset(mod, 0, sizeof(*mod));
    mod->n = n;
    kz_bn_copy(mod->m, m, n);
    mod->bits = 64 * (n - 1);
    for (uint64_t top = m[n - 1]; top; top >>= 1)
        mod->bits++;

    /* -m^-1 mod 2^64 by Newton's iteration (each step doubles the number
     * of correct low bits; m*m == 1 mod 8 gives 3 to start with) */
    inv = m[0];
    for (i = 0; i < 5; i++)
        inv *= 2 - m[0] * inv;
    mod->m0inv = 0 - inv;

    /* c = 2^(64n) - m if it is below 2^32 */
    mod->form = KZ_BN_FORM_MONT;
    if (allow_pm) {
        for (i = 1; i < n && m[i] == UINT64_MAX; i++)
            ;
        if (i == n && m[0] > UINT64_MAX - 0xffffffffu) {
            mod->form = KZ_BN_FORM_PM;
            mod->c = 0 - m[0];
        }
    }

    if (mod->form == KZ_BN_FORM_PM) {
        mod->one[0] = 1;
        return 0;
    }

    /* R mod m: 2^(64n) - m, then subtract m while it is still >= m */
    {
        uint64_t zero[KZ_BN_MAX_LIMBS] = {0};

        sub_n(x, zero, m, n);
    }
    while (!kz_bn_lt(x, m, n))
        sub_n(x, x, m, n);
    kz_bn_copy(mod->one, x, n);
    /* R^2 mod m: double R mod m 64n times */
    for (i = 0; i < 64 * n; i++) {
        if (n == 4)
            mod_add_n(x, x, x, m, 4);
        else
            mod_add_n(x, x, x, m, 8);
    }
    kz_bn_copy(mod->r2, x, n);
    /* R^3 = R^2 * R^2 / R */
    kz_bn_mul(mod, mod->r3, mod->r2, mod->r2);
    return 0;
}

/* ---- bytes ------------------------------------------------------------- */

void kz_bn_from_be(uint64_t *r, unsigned n, const uint8_t *in, size_t len)
{
    memset(r, 0, n * sizeof(uint64_t));
    for (size_t i = 0; i < len && i < 8 * (size_t)n; i++)
        r[i / 8] |= (uint64_t)in[len - 1 - i] << (8 * (i % 8));
}

void kz_bn_from_le(uint64_t *r, unsigned n, const uint8_t *in, size_t len)
{
    memset(r, 0, n * sizeof(uint64_t));
    for (size_t i = 0; i < len && i < 8 * (size_t)n; i++)
        r[i / 8] |= (uint64_t)in[i] << (8 * (i % 8));
}

void kz_bn_to_be(uint8_t *out, size_t len, const uint64_t *a, unsigned n)
{
    for (size_t i = 0; i < len; i++)
        out[len - 1 - i] =
            i < 8 * (size_t)n ? (uint8_t)(a[i / 8] >> (8 * (i % 8))) : 0;
}

void kz_bn_to_le(uint8_t *out, size_t len, const uint64_t *a, unsigned n)
{
    for (size_t i = 0; i < len; i++)
        out[i] = i < 8 * (size_t)n ? (uint8_t)(a[i / 8] >> (8 * (i % 8))) : 0;
}

int kz_bn_from_hex(uint64_t *r, unsigned n, const char *hex)
{
    size_t len = strlen(hex);

    memset(r, 0, n * sizeof(uint64_t));
    for (size_t i = 0; i < len; i++) {
        char ch = hex[len - 1 - i];
        unsigned v;

        if (ch >= '0' && ch <= '9')
            v = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            v = (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            v = (unsigned)(ch - 'A' + 10);
        else
            return -1;
        if (i >= 16 * (size_t)n) {
            if (v)
                return -1;
            continue;
        }
        r[i / 16] |= (uint64_t)v << (4 * (i % 16));
    }
    return 0;
}
