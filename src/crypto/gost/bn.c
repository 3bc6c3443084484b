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
 * separate functions so that the compiler can unroll them completely.
 *
 * Conditional operations use masks (0 or all ones) computed arithmetically;
 * ct_barrier() hides a mask's origin from the optimiser so that it is not
 * turned back into a branch.
 */
#include "crypto/gost/bn.h"

#include <string.h>

typedef unsigned __int128 u128;

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 16")

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
    volatile uint8_t *v = p;

    while (len--)
        *v++ = 0;
}

/* ---- plain n-limb helpers ------------------------------------------- */

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

/* ---- products -------------------------------------------------------- */

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

static void mont_mul4(uint64_t *r, const uint64_t *a, const uint64_t *b,
                      const uint64_t *m, uint64_t m0inv)
{
    uint64_t t[8];

    mul_wide(t, a, b, 4);
    mont_redc(r, t, m, m0inv, 4);
}

static void mont_mul8(uint64_t *r, const uint64_t *a, const uint64_t *b,
                      const uint64_t *m, uint64_t m0inv)
{
    uint64_t t[16];

    mul_wide(t, a, b, 8);
    mont_redc(r, t, m, m0inv, 8);
}

static void mont_sqr4(uint64_t *r, const uint64_t *a, const uint64_t *m,
                      uint64_t m0inv)
{
    uint64_t t[8];

    sqr_wide(t, a, 4);
    mont_redc(r, t, m, m0inv, 4);
}

static void mont_sqr8(uint64_t *r, const uint64_t *a, const uint64_t *m,
                      uint64_t m0inv)
{
    uint64_t t[16];

    sqr_wide(t, a, 8);
    mont_redc(r, t, m, m0inv, 8);
}

static void pm_mul4(uint64_t *r, const uint64_t *a, const uint64_t *b,
                    uint64_t c)
{
    uint64_t t[8];

    mul_wide(t, a, b, 4);
    pm_reduce(r, t, c, 4);
}

static void pm_mul8(uint64_t *r, const uint64_t *a, const uint64_t *b,
                    uint64_t c)
{
    uint64_t t[16];

    mul_wide(t, a, b, 8);
    pm_reduce(r, t, c, 8);
}

static void pm_sqr4(uint64_t *r, const uint64_t *a, uint64_t c)
{
    uint64_t t[8];

    sqr_wide(t, a, 4);
    pm_reduce(r, t, c, 4);
}

static void pm_sqr8(uint64_t *r, const uint64_t *a, uint64_t c)
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

/* ---- additive operations ---------------------------------------------- */

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

void kz_bn_add(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b)
{
    if (mod->n == 4)
        mod_add_n(r, a, b, mod->m, 4);
    else
        mod_add_n(r, a, b, mod->m, 8);
}

void kz_bn_sub(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b)
{
    if (mod->n == 4)
        mod_sub_n(r, a, b, mod->m, 4);
    else
        mod_sub_n(r, a, b, mod->m, 8);
}

void kz_bn_neg(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a)
{
    static const uint64_t zero[KZ_BN_MAX_LIMBS];

    kz_bn_sub(mod, r, zero, a);
}

/* ---- conversions --------------------------------------------------------- */

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

/* ---- exponentiation -------------------------------------------------- */

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

void kz_bn_inv(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a)
{
    uint64_t e[KZ_BN_MAX_LIMBS], two[KZ_BN_MAX_LIMBS] = {2};

    sub_n(e, mod->m, two, mod->n); /* m > 2: no borrow out */
    kz_bn_pow(mod, r, a, e, mod->bits);
}

/* ---- setup -------------------------------------------------------------- */

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
