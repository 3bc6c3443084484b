/*
 * Short Weierstrass curves over 256/512-bit prime fields; see ec.h.
 *
 * Where each method is used:
 *  - k*G for signing and key derivation (mul_base_table): a fixed-base
 *    comb without doublings. k is written with signed odd digits in base
 *    2^5 and each digit selects one of 16 precomputed affine points of its
 *    position by a scan of all 16; the points are summed with the Jacobian
 *    mixed addition, which is proved exception-free for all but the last
 *    one or two positions, and the complete formulas finish.
 *  - k*P for any point (kz_ec_mul_ct, also k*G while the table does not
 *    exist): fixed 4-bit windows, complete formulas throughout.
 *  - u1*G + u2*Q for verification (variable time): Straus' interleaving
 *    of width-7 (G, affine multiples made at init) and width-5 (Q) NAFs in
 *    Jacobian coordinates, exceptional cases handled by branches, and the
 *    result tested against r without an inversion.
 *
 * Complete formulas. For P1 = (X1:Y1:Z1), P2 = (X2:Y2:Z2), with
 *   t0 = X1 X2, t1 = Y1 Y2, t2 = Z1 Z2,
 *   A = X1 Y2 + X2 Y1, B = Y1 Z2 + Y2 Z1, C = X1 Z2 + X2 Z1,
 *   U = t1 - a C - 3b t2,   V = t1 + a C + 3b t2,
 *   W = 3 t0 + a t2,        T = a (t0 - a t2) + 3b C,
 * the sum is (A U - B T : W T + V U : B V + A W) (Renes-Costello-Batina,
 * the Bosma-Lenstra addition law written out for y^2 = x^3 + ax + b). The
 * three cross sums are each one product: A = (X1+Y1)(X2+Y2) - t0 - t1 and
 * so on. With Z2 = 1 (an affine P2) B and C need one product each and t2
 * none; with P1 = P2 (doubling) A = 2 X Y, B = 2 Y Z, C = 2 X Z. For
 * a = -3 the products by a become additions.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* getpid */
#endif

#include "crypto/gost/ec.h"

#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define SELF() ((int)getpid())
#else
#define SELF() 1
#endif

#define N_MAX KZ_BN_MAX_LIMBS

typedef uint64_t fe[N_MAX];
__extension__ typedef unsigned __int128 u128;

/* ---- field shorthands -------------------------------------------------- */

#define FP (&g->p)
#define fmul(r, a, b) kz_bn_mul(FP, (r), (a), (b))
#define fsqr(r, a) kz_bn_sqr(FP, (r), (a))
#define fadd(r, a, b) kz_bn_add(FP, (r), (a), (b))
#define fsub(r, a, b) kz_bn_sub(FP, (r), (a), (b))

static inline uint64_t ct_barrier(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(x));
#endif
    return x;
}

/* all ones if a == b, else 0 (small unsigned values) */
static inline uint64_t ct_eq_mask(uint64_t a, uint64_t b)
{
    uint64_t d = a ^ b;

    return ct_barrier(((d | (0 - d)) >> 63) - 1);
}

/* ---- complete formulas ------------------------------------------------- */

/* The second half shared by addition, mixed addition and doubling. R may
 * be one of the input points: they are no longer read. */
static void rcb_finish(const kz_ec_group *g, kz_ec_point *R, const fe t0,
                       const fe t1, const fe t2, const fe A, const fe B,
                       const fe C)
{
    fe U, V, W, T, u, v;

    if (g->a_is_m3) {
        fadd(u, C, C);
        fadd(u, u, C);        /* 3C */
        fmul(v, g->b3, t2);   /* 3b t2 */
        fadd(U, t1, u);
        fsub(U, U, v);        /* t1 + 3C - 3b t2 */
        fsub(V, t1, u);
        fadd(V, V, v);        /* t1 - 3C + 3b t2 */
        fsub(u, t0, t2);
        fadd(W, u, u);
        fadd(W, W, u);        /* 3(t0 - t2) */
        fadd(u, t2, t2);
        fadd(u, u, t2);
        fadd(u, u, t0);       /* t0 + 3 t2 */
        fadd(v, u, u);
        fadd(u, v, u);        /* 3 t0 + 9 t2 */
        fmul(T, g->b3, C);
        fsub(T, T, u);        /* -3 (t0 + 3 t2) + 3b C */
    } else {
        fmul(u, g->a, C);
        fmul(v, g->b3, t2);
        fadd(v, u, v);        /* a C + 3b t2 */
        fsub(U, t1, v);
        fadd(V, t1, v);
        fmul(u, g->a, t2);    /* a t2 */
        fadd(W, t0, t0);
        fadd(W, W, t0);
        fadd(W, W, u);        /* 3 t0 + a t2 */
        fsub(u, t0, u);
        fmul(u, g->a, u);     /* a (t0 - a t2) */
        fmul(T, g->b3, C);
        fadd(T, T, u);
    }
    fmul(u, A, U);
    fmul(v, B, T);
    fsub(R->x, u, v);
    fmul(u, W, T);
    fmul(v, V, U);
    fadd(R->y, u, v);
    fmul(u, B, V);
    fmul(v, A, W);
    fadd(R->z, u, v);
}

void kz_ec_add(const kz_ec_group *g, kz_ec_point *R, const kz_ec_point *P,
               const kz_ec_point *Q)
{
    fe t0, t1, t2, A, B, C, u, v;

    fmul(t0, P->x, Q->x);
    fmul(t1, P->y, Q->y);
    fmul(t2, P->z, Q->z);
    fadd(u, P->x, P->y);
    fadd(v, Q->x, Q->y);
    fmul(A, u, v);
    fsub(A, A, t0);
    fsub(A, A, t1);
    fadd(u, P->y, P->z);
    fadd(v, Q->y, Q->z);
    fmul(B, u, v);
    fsub(B, B, t1);
    fsub(B, B, t2);
    fadd(u, P->x, P->z);
    fadd(v, Q->x, Q->z);
    fmul(C, u, v);
    fsub(C, C, t0);
    fsub(C, C, t2);
    rcb_finish(g, R, t0, t1, t2, A, B, C);
}

/* R = P + (x2, y2), an affine point (Z2 = 1; never O). */
static void ec_madd(const kz_ec_group *g, kz_ec_point *R, const kz_ec_point *P,
                    const uint64_t *x2, const uint64_t *y2)
{
    fe t0, t1, t2, A, B, C, u, v;

    fmul(t0, P->x, x2);
    fmul(t1, P->y, y2);
    kz_bn_copy(t2, P->z, g->n);
    fadd(u, P->x, P->y);
    fadd(v, x2, y2);
    fmul(A, u, v);
    fsub(A, A, t0);
    fsub(A, A, t1);
    fmul(B, y2, P->z);
    fadd(B, B, P->y);
    fmul(C, x2, P->z);
    fadd(C, C, P->x);
    rcb_finish(g, R, t0, t1, t2, A, B, C);
}

void kz_ec_dbl(const kz_ec_group *g, kz_ec_point *R, const kz_ec_point *P)
{
    fe t0, t1, t2, A, B, C;

    fsqr(t0, P->x);
    fsqr(t1, P->y);
    fsqr(t2, P->z);
    fmul(A, P->x, P->y);
    fadd(A, A, A);
    fmul(B, P->y, P->z);
    fadd(B, B, B);
    fmul(C, P->x, P->z);
    fadd(C, C, C);
    rcb_finish(g, R, t0, t1, t2, A, B, C);
}

void kz_ec_neg(const kz_ec_group *g, kz_ec_point *R, const kz_ec_point *P)
{
    kz_bn_copy(R->x, P->x, g->n);
    kz_bn_neg(FP, R->y, P->y);
    kz_bn_copy(R->z, P->z, g->n);
}

void kz_ec_set_infinity(const kz_ec_group *g, kz_ec_point *R)
{
    memset(R, 0, sizeof(*R));
    kz_bn_copy(R->y, g->p.one, g->n);
}

uint64_t kz_ec_is_infinity(const kz_ec_group *g, const kz_ec_point *P)
{
    return kz_bn_is_zero(P->z, g->n);
}

uint64_t kz_ec_eq(const kz_ec_group *g, const kz_ec_point *P,
                  const kz_ec_point *Q)
{
    fe u, v;
    uint64_t inf_p = kz_ec_is_infinity(g, P), inf_q = kz_ec_is_infinity(g, Q);
    uint64_t same;

    /* X1 Z2 == X2 Z1 and Y1 Z2 == Y2 Z1 (for O both sides are 0 for X) */
    fmul(u, P->x, Q->z);
    fmul(v, Q->x, P->z);
    same = kz_bn_eq(u, v, g->n);
    fmul(u, P->y, Q->z);
    fmul(v, Q->y, P->z);
    same &= kz_bn_eq(u, v, g->n);
    /* both O, or neither O and the ratios agree */
    return (inf_p & inf_q) | ((inf_p ^ 1) & (inf_q ^ 1) & same);
}

uint64_t kz_ec_on_curve(const kz_ec_group *g, const kz_ec_point *P)
{
    fe l, r, z2, t;

    /* Y^2 Z = X^3 + a X Z^2 + b Z^3 */
    fsqr(l, P->y);
    fmul(l, l, P->z);
    fsqr(z2, P->z);
    fmul(t, g->a, z2);   /* a Z^2 */
    fsqr(r, P->x);
    fadd(r, r, t);       /* X^2 + a Z^2 */
    fmul(r, r, P->x);    /* X^3 + a X Z^2 */
    fmul(t, z2, P->z);
    fmul(t, t, g->b);    /* b Z^3 */
    fadd(r, r, t);
    /* (0:0:0) satisfies the equation but is no point */
    return kz_bn_eq(l, r, g->n) &
           ((kz_bn_is_zero(P->y, g->n) & kz_bn_is_zero(P->z, g->n)) ^ 1);
}

/* ---- Jacobian coordinates ---------------------------------------------- */

/*
 * (X, Y, Z) with x = X/Z^2, y = Y/Z^3. These formulas are not complete:
 * jac_madd needs P != O and P != +-(x2, y2); callers guarantee that (the
 * fixed-base comb, by the bound explained at mul_base_table) or check it
 * (the variable-time functions).
 */
typedef kz_ec_point jpoint;

/* R = 2P (any P; O and points with y = 0 give Z = 0). R may alias P. */
static void jac_dbl(const kz_ec_group *g, jpoint *R, const jpoint *P)
{
    fe yy, yyyy, zz, s, m, t;

    fsqr(yy, P->y);
    fsqr(yyyy, yy);
    fsqr(zz, P->z);
    fmul(s, P->x, yy);
    fadd(s, s, s);
    fadd(s, s, s);                 /* S = 4 X Y^2 */
    if (g->a_is_m3) {
        fsub(t, P->x, zz);
        fadd(m, P->x, zz);
        fmul(m, m, t);             /* X^2 - Z^4 */
        fadd(t, m, m);
        fadd(m, t, m);             /* M = 3 X^2 - 3 Z^4 */
    } else {
        fsqr(t, zz);
        fmul(t, t, g->a);          /* a Z^4 */
        fsqr(m, P->x);
        fadd(zz, m, m);
        fadd(m, zz, m);            /* 3 X^2 */
        fadd(m, m, t);             /* M = 3 X^2 + a Z^4 */
    }
    fmul(t, P->y, P->z);
    fadd(R->z, t, t);              /* Z3 = 2 Y Z */
    fsqr(t, m);
    fsub(t, t, s);
    fsub(R->x, t, s);              /* X3 = M^2 - 2S */
    fsub(t, s, R->x);
    fmul(t, t, m);
    fadd(yyyy, yyyy, yyyy);
    fadd(yyyy, yyyy, yyyy);
    fadd(yyyy, yyyy, yyyy);
    fsub(R->y, t, yyyy);           /* Y3 = M (S - X3) - 8 Y^4 */
}

/* R = P + (x2, y2) for P != O, P != +-(x2, y2). R may alias P. */
static void jac_madd(const kz_ec_group *g, jpoint *R, const jpoint *P,
                     const uint64_t *x2, const uint64_t *y2)
{
    fe zz, u2, s2, h, rr, hh, hhh, v, t;

    fsqr(zz, P->z);
    fmul(u2, x2, zz);
    fmul(s2, P->z, zz);
    fmul(s2, s2, y2);
    fsub(h, u2, P->x);
    fsub(rr, s2, P->y);
    fsqr(hh, h);
    fmul(hhh, hh, h);
    fmul(v, P->x, hh);
    fmul(R->z, P->z, h);           /* Z3 = Z1 H */
    fmul(t, P->y, hhh);            /* Y1 H^3, before Y1 is overwritten */
    fsqr(u2, rr);
    fsub(u2, u2, hhh);
    fsub(u2, u2, v);
    fsub(R->x, u2, v);             /* X3 = R^2 - H^3 - 2 X1 H^2 */
    fsub(v, v, R->x);
    fmul(v, v, rr);
    fsub(R->y, v, t);              /* Y3 = R (X1 H^2 - X3) - Y1 H^3 */
}

/* Jacobian to projective: (X Z : Y : Z^3). */
static void jac_to_proj(const kz_ec_group *g, kz_ec_point *R, const jpoint *P)
{
    fe t;

    fmul(R->x, P->x, P->z);
    fsqr(t, P->z);
    fmul(R->z, t, P->z);
    kz_bn_copy(R->y, P->y, g->n);
}

/* R = P + Q for any P, Q (variable time). */
static void jac_add_vartime(const kz_ec_group *g, jpoint *R, const jpoint *P,
                            const jpoint *Q)
{
    fe z1z1, z2z2, u1, u2, s1, s2, h, rr, hh, hhh, v, t;
    unsigned n = g->n;

    if (kz_bn_is_zero(P->z, n)) {
        *R = *Q;
        return;
    }
    if (kz_bn_is_zero(Q->z, n)) {
        *R = *P;
        return;
    }
    fsqr(z1z1, P->z);
    fsqr(z2z2, Q->z);
    fmul(u1, P->x, z2z2);
    fmul(u2, Q->x, z1z1);
    fmul(s1, Q->z, z2z2);
    fmul(s1, s1, P->y);
    fmul(s2, P->z, z1z1);
    fmul(s2, s2, Q->y);
    fsub(h, u2, u1);
    fsub(rr, s2, s1);
    if (kz_bn_is_zero(h, n)) {
        if (kz_bn_is_zero(rr, n))
            jac_dbl(g, R, P);
        else
            kz_ec_set_infinity(g, R);
        return;
    }
    fsqr(hh, h);
    fmul(hhh, hh, h);
    fmul(v, u1, hh);
    fmul(t, P->z, Q->z);
    fmul(R->z, t, h);
    fmul(s1, s1, hhh);
    fsqr(t, rr);
    fsub(t, t, hhh);
    fsub(t, t, v);
    fsub(R->x, t, v);
    fsub(v, v, R->x);
    fmul(v, v, rr);
    fsub(R->y, v, s1);
}

/* R = P + (x2, y2), variable time, any P. R may alias P. */
static void jac_madd_vartime(const kz_ec_group *g, jpoint *R, const jpoint *P,
                             const uint64_t *x2, const uint64_t *y2)
{
    fe zz, u2, s2, h, rr, hh, hhh, v, t;
    unsigned n = g->n;

    if (kz_bn_is_zero(P->z, n)) {
        kz_bn_copy(R->x, x2, n);
        kz_bn_copy(R->y, y2, n);
        kz_bn_copy(R->z, g->p.one, n);
        return;
    }
    fsqr(zz, P->z);
    fmul(u2, x2, zz);
    fmul(s2, P->z, zz);
    fmul(s2, s2, y2);
    fsub(h, u2, P->x);
    fsub(rr, s2, P->y);
    if (kz_bn_is_zero(h, n)) {
        if (kz_bn_is_zero(rr, n)) {
            jpoint Q;

            kz_bn_copy(Q.x, x2, n);
            kz_bn_copy(Q.y, y2, n);
            kz_bn_copy(Q.z, g->p.one, n);
            jac_dbl(g, R, &Q);
        } else {
            kz_ec_set_infinity(g, R);
        }
        return;
    }
    /* as jac_madd */
    fsqr(hh, h);
    fmul(hhh, hh, h);
    fmul(v, P->x, hh);
    fmul(R->z, P->z, h);
    fmul(t, P->y, hhh);
    fsqr(u2, rr);
    fsub(u2, u2, hhh);
    fsub(u2, u2, v);
    fsub(R->x, u2, v);
    fsub(v, v, R->x);
    fmul(v, v, rr);
    fsub(R->y, v, t);
}

/* ---- affine conversion ------------------------------------------------- */

uint64_t kz_ec_get_affine(const kz_ec_group *g, uint64_t *x, uint64_t *y,
                          const kz_ec_point *P)
{
    fe zi, t;

    kz_bn_inv(FP, zi, P->z); /* 0 for O */
    fmul(t, P->x, zi);
    kz_bn_from(FP, x, t);
    fmul(t, P->y, zi);
    kz_bn_from(FP, y, t);
    kz_bn_wipe(zi, sizeof(zi));
    kz_bn_wipe(t, sizeof(t));
    return kz_ec_is_infinity(g, P);
}

int kz_ec_set_affine(const kz_ec_group *g, kz_ec_point *P, const uint64_t *x,
                     const uint64_t *y)
{
    if (!kz_bn_lt(x, g->p.m, g->n) || !kz_bn_lt(y, g->p.m, g->n))
        return -1;
    kz_bn_to(FP, P->x, x);
    kz_bn_to(FP, P->y, y);
    kz_bn_copy(P->z, g->p.one, g->n);
    return kz_ec_on_curve(g, P) ? 0 : -1;
}

/* ---- constant-time variable-base multiplication ------------------------ */

/* R = tbl[idx] for idx in 0..cnt-1, reading every entry. */
static void select_point(const kz_ec_group *g, kz_ec_point *R,
                         const kz_ec_point *tbl, unsigned cnt, uint64_t idx)
{
    unsigned n = g->n;

    memset(R, 0, sizeof(*R));
    for (unsigned i = 0; i < cnt; i++) {
        uint64_t mask = ct_eq_mask(i, idx);

        for (unsigned j = 0; j < n; j++) {
            R->x[j] |= tbl[i].x[j] & mask;
            R->y[j] |= tbl[i].y[j] & mask;
            R->z[j] |= tbl[i].z[j] & mask;
        }
    }
}

void kz_ec_mul_ct(const kz_ec_group *g, kz_ec_point *R, const uint64_t *k,
                  const kz_ec_point *P)
{
    /* fixed 4-bit windows, most significant first: acc = 16 acc + w P,
     * with w P taken from a table of 0..15 times P by a full scan */
    kz_ec_point tbl[16], acc, t;
    unsigned n = g->n, windows = 16 * n;

    kz_ec_set_infinity(g, &tbl[0]);
    tbl[1] = *P;
    for (unsigned i = 2; i < 16; i += 2) {
        kz_ec_dbl(g, &tbl[i], &tbl[i / 2]);
        kz_ec_add(g, &tbl[i + 1], &tbl[i], P);
    }
    kz_ec_set_infinity(g, &acc);
    for (unsigned w = windows; w-- > 0;) {
        uint64_t win = (k[w / 16] >> (4 * (w % 16))) & 15;

        if (w != windows - 1) {
            kz_ec_dbl(g, &acc, &acc);
            kz_ec_dbl(g, &acc, &acc);
            kz_ec_dbl(g, &acc, &acc);
            kz_ec_dbl(g, &acc, &acc);
        }
        select_point(g, &t, tbl, 16, win);
        kz_ec_add(g, &acc, &acc, &t);
    }
    *R = acc;
    kz_bn_wipe(tbl, sizeof(tbl));
    kz_bn_wipe(&acc, sizeof(acc));
    kz_bn_wipe(&t, sizeof(t));
}

/* ---- fixed-base table for G -------------------------------------------- */

/* Table entry (digit position w, multiple 2j+1): x then y, n limbs
 * each. */
static inline const uint64_t *tbl_entry(const kz_ec_group *g, unsigned w,
                                        unsigned j)
{
    return g->tbl + ((size_t)w * KZ_EC_TABLE_ENTRIES + j) * 2 * g->n;
}

/* Converts cnt projective points (none of them O) to affine entries at
 * out (x, y, x, y, ... in internal form) with one inversion. */
static void batch_to_affine(const kz_ec_group *g, uint64_t *out,
                            const kz_ec_point *pts, fe *prefix, unsigned cnt)
{
    unsigned n = g->n;
    fe inv, zi, t;

    kz_bn_copy(prefix[0], pts[0].z, n);
    for (unsigned i = 1; i < cnt; i++)
        fmul(prefix[i], prefix[i - 1], pts[i].z);
    kz_bn_inv(FP, inv, prefix[cnt - 1]);
    for (unsigned i = cnt; i-- > 0;) {
        if (i > 0) {
            fmul(zi, inv, prefix[i - 1]); /* 1 / Z_i */
            fmul(inv, inv, pts[i].z);     /* 1 / (Z_0 ... Z_{i-1}) */
        } else {
            kz_bn_copy(zi, inv, n);
        }
        fmul(t, pts[i].x, zi);
        kz_bn_copy(out + (size_t)i * 2 * n, t, n);
        fmul(t, pts[i].y, zi);
        kz_bn_copy(out + (size_t)i * 2 * n + n, t, n);
    }
}

#define BUILD_BATCH 4 /* digit positions per inversion */

static void build_table(const kz_ec_group *g)
{
    kz_ec_point pts[BUILD_BATCH * KZ_EC_TABLE_ENTRIES], base = g->g, twice;
    fe prefix[BUILD_BATCH * KZ_EC_TABLE_ENTRIES];
    unsigned windows = KZ_EC_TABLE_WINDOWS(g->n);

    for (unsigned w0 = 0; w0 < windows; w0 += BUILD_BATCH) {
        unsigned cnt = windows - w0 < BUILD_BATCH ? windows - w0 : BUILD_BATCH;

        for (unsigned i = 0; i < cnt; i++) {
            kz_ec_point *row = &pts[i * KZ_EC_TABLE_ENTRIES];

            /* base, 3 base, 5 base, ..., (2^w - 1) base */
            row[0] = base;
            kz_ec_dbl(g, &twice, &base);
            for (unsigned j = 1; j < KZ_EC_TABLE_ENTRIES; j++)
                kz_ec_add(g, &row[j], &row[j - 1], &twice);
            /* next base: 2^w base = (2^w - 1) base + base */
            kz_ec_add(g, &base, &row[KZ_EC_TABLE_ENTRIES - 1], &base);
        }
        batch_to_affine(g,
                        g->tbl + (size_t)w0 * KZ_EC_TABLE_ENTRIES * 2 * g->n,
                        pts, prefix, cnt * KZ_EC_TABLE_ENTRIES);
    }
}

int kz_ec_precompute(const kz_ec_group *cg)
{
    /* the group object is not const (see ec.h); only the table changes */
    kz_ec_group *g = (kz_ec_group *)cg;
    int state, self;

    if (!g->tbl)
        return 0;
    state = atomic_load_explicit(&g->tbl_state, memory_order_acquire);
    if (state == KZ_EC_TABLE_READY)
        return 1;
    /* being built by a thread of this process: do not wait */
    self = SELF();
    if (state == self)
        return 0;
    /* not built, or abandoned by the parent of a fork */
    if (!atomic_compare_exchange_strong_explicit(&g->tbl_state, &state, self,
                                                 memory_order_acq_rel,
                                                 memory_order_acquire))
        return state == KZ_EC_TABLE_READY;
    build_table(g);
    atomic_store_explicit(&g->tbl_state, KZ_EC_TABLE_READY,
                          memory_order_release);
    return 1;
}

/*
 * Signed odd digits: for odd k < 2^(wW), k = sum_{i<W} d_i 2^(w i) with
 * d_i odd, |d_i| < 2^w, and d_{W-1} > 0. With t_0 = k, the rule
 * d_i = (t_i mod 2^(w+1)) - 2^w, t_{i+1} = (t_i - d_i) / 2^w keeps t odd,
 * and t_{i+1} is just (t_i >> w) | 1, so d_i comes from bits w i ..
 * w i + w of k with the lowest of them forced to 1. k is given in n + 1
 * limbs. Constant time.
 */
static void recode_odd(int8_t *d, const uint64_t *k, unsigned n)
{
    unsigned windows = KZ_EC_TABLE_WINDOWS(n), w = KZ_EC_COMB_BITS;

    for (unsigned i = 0; i < windows; i++) {
        unsigned bit = w * i, limb = bit / 64, off = bit % 64;
        uint64_t v = k[limb] >> off;

        if (off + w + 1 > 64 && limb < n)
            v |= k[limb + 1] << (64 - off);
        v |= 1;
        if (i + 1 < windows)
            d[i] = (int8_t)(int64_t)((v & ((2u << w) - 1)) - (1u << w));
        else
            d[i] = (int8_t)(v & ((2u << w) - 1));
    }
}

/*
 * (x, y) = d * 2^(w p) * G for an odd digit d of position p, reading every
 * entry of that position. Constant time.
 */
static void comb_lookup(const kz_ec_group *g, unsigned p, int8_t dig,
                        uint64_t *x, uint64_t *y)
{
    const unsigned n = g->n;
    uint64_t dv = (uint64_t)(int64_t)dig;
    uint64_t neg = dv >> 63;                          /* 1 if d < 0 */
    uint64_t idx = (((dv ^ (0 - neg)) + neg) & 0xff) >> 1; /* (|d|-1)/2 */
    const uint64_t *e = tbl_entry(g, p, 0);
    fe ny;

    memset(x, 0, n * sizeof(uint64_t));
    memset(y, 0, n * sizeof(uint64_t));
    for (unsigned j = 0; j < KZ_EC_TABLE_ENTRIES; j++, e += 2 * n) {
        uint64_t mask = ct_eq_mask(j, idx);

        if (n == 4) {
            for (unsigned i = 0; i < 4; i++) {
                x[i] |= e[i] & mask;
                y[i] |= e[4 + i] & mask;
            }
        } else {
            for (unsigned i = 0; i < 8; i++) {
                x[i] |= e[i] & mask;
                y[i] |= e[8 + i] & mask;
            }
        }
    }
    kz_bn_neg(FP, ny, y);
    kz_bn_select(y, ny, y, n, neg);
    kz_bn_wipe(ny, sizeof(ny));
}

/*
 * k*G = sum_i d_i 2^(w i) G over the signed odd digits of k' = k, or k + q
 * if k is even (k' is odd and k' G = k G): one table point per position,
 * no doublings, no digit is 0. acc_i = sum_{j<i} d_j 2^(w j) G is kept in
 * Jacobian coordinates and advanced with the fast mixed addition, which
 * fails only for acc = O or acc = +-T, T = d_i 2^(w i) G. With
 * A = sum_{j<i} d_j 2^(w j): A is odd (d_0 is), so A != 0, and
 * |A| < 2^(w i) <= |d_i| 2^(w i); so A, A - d_i 2^(w i) and A + d_i 2^(w i)
 * are nonzero numbers of absolute value below 2^(w (i + 1)), none a
 * multiple of q while 2^(w (i + 1)) <= q. Those positions (comb_jwin,
 * fixed at init from the size of q) use the Jacobian addition, the last
 * one or two the complete projective formulas.
 */
static void mul_base_table(const kz_ec_group *g, kz_ec_point *R,
                           const uint64_t *k)
{
    int8_t d[KZ_EC_TABLE_WINDOWS(N_MAX)];
    uint64_t kk[N_MAX + 1], kq[N_MAX + 1];
    unsigned n = g->n, windows = KZ_EC_TABLE_WINDOWS(n);
    unsigned jwin = g->comb_jwin;
    jpoint acc;
    kz_ec_point pacc;
    fe x, y;

    /* k' = k odd ? k : k + q, in n + 1 limbs */
    {
        uint64_t c = 0;

        for (unsigned i = 0; i < n; i++) {
            u128 v = (u128)k[i] + g->q.m[i] + c;

            kq[i] = (uint64_t)v;
            c = (uint64_t)(v >> 64);
        }
        kq[n] = c;
        memcpy(kk, k, n * sizeof(uint64_t));
        kk[n] = 0;
        kz_bn_select(kk, kk, kq, n + 1, k[0] & 1);
    }
    recode_odd(d, kk, n);

    comb_lookup(g, 0, d[0], x, y);
    kz_bn_copy(acc.x, x, n);
    kz_bn_copy(acc.y, y, n);
    kz_bn_copy(acc.z, g->p.one, n);
    for (unsigned w = 1; w < jwin; w++) {
        comb_lookup(g, w, d[w], x, y);
        jac_madd(g, &acc, &acc, x, y);
    }
    jac_to_proj(g, &pacc, &acc);
    for (unsigned w = jwin; w < windows; w++) {
        comb_lookup(g, w, d[w], x, y);
        ec_madd(g, &pacc, &pacc, x, y);
    }
    *R = pacc;
    kz_bn_wipe(d, sizeof(d));
    kz_bn_wipe(kk, sizeof(kk));
    kz_bn_wipe(kq, sizeof(kq));
    kz_bn_wipe(&acc, sizeof(acc));
    kz_bn_wipe(&pacc, sizeof(pacc));
    kz_bn_wipe(x, sizeof(x));
    kz_bn_wipe(y, sizeof(y));
}

void kz_ec_mul_base(const kz_ec_group *g, kz_ec_point *R, const uint64_t *k)
{
    if (kz_ec_precompute(g))
        mul_base_table(g, R, k);
    else
        kz_ec_mul_ct(g, R, k, &g->g);
}

/* ---- variable-time double multiplication ------------------------------- */

#define WNAF_WQ 5                       /* width for Q */
#define WNAF_WG 7                       /* width for G (table at init) */
#define WNAF_ODD_Q (1 << (WNAF_WQ - 2)) /* Q, 3Q, ..., 15Q */

/* Width-w NAF of k (n limbs): digits odd in (-2^(w-1), 2^(w-1)) or 0, at
 * most one nonzero in any w consecutive; returns the number of digits. */
static unsigned wnaf(int8_t *out, const uint64_t *k, unsigned n, unsigned w)
{
    uint64_t t[N_MAX + 1];
    unsigned len = 0;

    memcpy(t, k, n * sizeof(uint64_t));
    t[n] = 0;
    while (!kz_bn_is_zero(t, n + 1)) {
        int d = 0;

        if (t[0] & 1) {
            d = (int)(t[0] & ((1u << w) - 1));
            if (d >= (1 << (w - 1)))
                d -= 1 << w;
            /* t -= d */
            if (d > 0) {
                uint64_t borrow = (uint64_t)d;

                for (unsigned i = 0; i <= n && borrow; i++) {
                    uint64_t old = t[i];

                    t[i] = old - borrow;
                    borrow = old < borrow;
                }
            } else {
                uint64_t carry = (uint64_t)(-d);

                for (unsigned i = 0; i <= n && carry; i++) {
                    t[i] += carry;
                    carry = t[i] < carry;
                }
            }
        }
        out[len++] = (int8_t)d;
        /* t >>= 1 */
        for (unsigned i = 0; i < n; i++)
            t[i] = (t[i] >> 1) | (t[i + 1] << 63);
        t[n] >>= 1;
    }
    return len;
}

/* Straus: one doubling chain over the NAF digits of both scalars; the odd
 * multiples of G come from the group (affine), those of Q are made here.
 * Result in Jacobian coordinates. */
static void mul2_jac(const kz_ec_group *g, jpoint *acc, const uint64_t *u1,
                     const uint64_t *u2, const kz_ec_point *Q)
{
    int8_t d1[64 * N_MAX + 2] = {0}, d2[64 * N_MAX + 2] = {0};
    jpoint tq[WNAF_ODD_Q], twice;
    unsigned n = g->n, l1 = wnaf(d1, u1, n, WNAF_WG),
             l2 = wnaf(d2, u2, n, WNAF_WQ);
    unsigned len = l1 > l2 ? l1 : l2;
    int started = 0;
    fe t;

    /* projective (X:Y:Z) -> Jacobian (XZ, YZ^2, Z) */
    fmul(tq[0].x, Q->x, Q->z);
    fsqr(t, Q->z);
    fmul(tq[0].y, Q->y, t);
    kz_bn_copy(tq[0].z, Q->z, n);
    jac_dbl(g, &twice, &tq[0]);
    for (unsigned i = 1; i < WNAF_ODD_Q; i++)
        jac_add_vartime(g, &tq[i], &tq[i - 1], &twice);

    kz_ec_set_infinity(g, acc);
    for (unsigned i = len; i-- > 0;) {
        if (started)
            jac_dbl(g, acc, acc);
        if (d1[i]) {
            const uint64_t *e = g->g_odd + (size_t)(abs(d1[i]) / 2) * 2 * n;

            if (d1[i] > 0) {
                jac_madd_vartime(g, acc, acc, e, e + n);
            } else {
                kz_bn_neg(FP, t, e + n);
                jac_madd_vartime(g, acc, acc, e, t);
            }
            started = 1;
        }
        if (d2[i]) {
            if (d2[i] > 0) {
                jac_add_vartime(g, acc, acc, &tq[d2[i] / 2]);
            } else {
                jpoint m = tq[-d2[i] / 2];

                kz_bn_neg(FP, m.y, m.y);
                jac_add_vartime(g, acc, acc, &m);
            }
            started = 1;
        }
    }
}

void kz_ec_mul2_vartime(const kz_ec_group *g, kz_ec_point *R,
                        const uint64_t *u1, const uint64_t *u2,
                        const kz_ec_point *Q)
{
    jpoint acc;

    mul2_jac(g, &acc, u1, u2, Q);
    if (kz_bn_is_zero(acc.z, g->n))
        kz_ec_set_infinity(g, R);
    else
        jac_to_proj(g, R, &acc);
}

int kz_ec_mul2_check_x_vartime(const kz_ec_group *g, const uint64_t *u1,
                               const uint64_t *u2, const kz_ec_point *Q,
                               const uint64_t *r)
{
    jpoint acc;
    unsigned n = g->n;
    uint64_t c[N_MAX];
    fe zz, t, ci;

    mul2_jac(g, &acc, u1, u2, Q);
    if (kz_bn_is_zero(acc.z, n))
        return 0;
    /* x_C = X / Z^2 in [0, p) and x_C = r (mod q): try c = r, r + q, ...
     * while c < p, testing c Z^2 == X */
    fsqr(zz, acc.z);
    kz_bn_copy(c, r, n);
    while (kz_bn_lt(c, g->p.m, n)) {
        u128 v;
        uint64_t carry = 0;

        kz_bn_to(FP, ci, c);
        fmul(t, ci, zz);
        if (kz_bn_eq(t, acc.x, n))
            return 1;
        for (unsigned i = 0; i < n; i++) {
            v = (u128)c[i] + g->q.m[i] + carry;
            c[i] = (uint64_t)v;
            carry = (uint64_t)(v >> 64);
        }
        if (carry)
            break;
    }
    return 0;
}

/* ---- validation and encoding ------------------------------------------- */

int kz_ec_check_public(const kz_ec_group *g, const kz_ec_point *P)
{
    if (kz_ec_is_infinity(g, P) || !kz_ec_on_curve(g, P))
        return -1;
    if (g->cofactor != 1) {
        kz_ec_point t;
        uint64_t zero[N_MAX] = {0};

        /* q*P must be O = (0:Y:0), Y != 0; the complete formulas give
         * (0:0:0) rather than a wrong point if P is outside the subgroup
         * and an exceptional pair occurs, so insist on Y != 0 too */
        kz_ec_mul2_vartime(g, &t, zero, g->q.m, P);
        if (!kz_bn_is_zero(t.x, g->n) || !kz_bn_is_zero(t.z, g->n) ||
            kz_bn_is_zero(t.y, g->n))
            return -1;
    }
    return 0;
}

int kz_ec_decode_le(const kz_ec_group *g, kz_ec_point *P, const uint8_t *in,
                    size_t len)
{
    fe x, y;

    if (len != 2 * g->size)
        return -1;
    kz_bn_from_le(x, g->n, in, g->size);
    kz_bn_from_le(y, g->n, in + g->size, g->size);
    if (kz_ec_set_affine(g, P, x, y) != 0)
        return -1;
    return kz_ec_check_public(g, P);
}

int kz_ec_encode_le(const kz_ec_group *g, uint8_t *out, size_t len,
                    const kz_ec_point *P)
{
    fe x, y;

    if (len != 2 * g->size)
        return -1;
    if (kz_ec_get_affine(g, x, y, P))
        return -1;
    kz_bn_to_le(out, g->size, x, g->n);
    kz_bn_to_le(out + g->size, g->size, y, g->n);
    return 0;
}

/* ---- setup ------------------------------------------------------------- */

int kz_ec_group_init(kz_ec_group *g, const kz_ec_params *prm,
                     uint64_t *table, size_t table_limbs)
{
    uint64_t p[N_MAX], q[N_MAX], v[N_MAX];
    unsigned n;
    fe t, u;

    memset(g, 0, sizeof(*g));
    /* the size of p decides n */
    if (kz_bn_from_hex(p, N_MAX, prm->p) != 0)
        return -1;
    n = (p[7] | p[6] | p[5] | p[4]) ? 8 : 4;
    if (kz_bn_mod_init(&g->p, p, n, 1) != 0)
        return -1;
    if (kz_bn_from_hex(q, n, prm->q) != 0 || q[n - 1] == 0 ||
        kz_bn_mod_init(&g->q, q, n, 0) != 0)
        return -1;
    g->n = n;
    g->size = 8 * (size_t)n;
    g->cofactor = prm->cofactor ? prm->cofactor : 1;

    if (kz_bn_from_hex(v, n, prm->a) != 0 || !kz_bn_lt(v, p, n))
        return -1;
    kz_bn_to(FP, g->a, v);
    {
        uint64_t three[N_MAX] = {3};
        fe m3;

        kz_bn_to(FP, m3, three);
        kz_bn_neg(FP, m3, m3);
        g->a_is_m3 = (int)kz_bn_eq(m3, g->a, n);
    }
    if (kz_bn_from_hex(v, n, prm->b) != 0 || !kz_bn_lt(v, p, n))
        return -1;
    kz_bn_to(FP, g->b, v);
    fadd(g->b3, g->b, g->b);
    fadd(g->b3, g->b3, g->b);

    /* 4a^3 + 27b^2 != 0 */
    fsqr(t, g->a);
    fmul(t, t, g->a);
    fadd(t, t, t);
    fadd(t, t, t);
    fsqr(u, g->b3); /* 9 b^2 */
    fadd(t, t, u);
    fadd(t, t, u);
    fadd(t, t, u);
    if (kz_bn_is_zero(t, n))
        return -1;

    {
        uint64_t x[N_MAX], y[N_MAX];

        if (kz_bn_from_hex(x, n, prm->x) != 0 ||
            kz_bn_from_hex(y, n, prm->y) != 0 ||
            kz_ec_set_affine(g, &g->g, x, y) != 0)
            return -1;
    }

    /* odd multiples of G for verification */
    {
        kz_ec_point pts[32], twice;
        fe prefix[32];

        pts[0] = g->g;
        kz_ec_dbl(g, &twice, &g->g);
        for (unsigned i = 1; i < 32; i++)
            kz_ec_add(g, &pts[i], &pts[i - 1], &twice);
        batch_to_affine(g, g->g_odd, pts, prefix, 32);
    }
    /* digit positions 0 .. comb_jwin - 1 satisfy 2^(w (i + 1)) <= q
     * (q >= 2^(bits - 1)); see mul_base_table */
    g->comb_jwin = (g->q.bits - 1) / KZ_EC_COMB_BITS;
    if (g->comb_jwin > KZ_EC_TABLE_WINDOWS(n))
        g->comb_jwin = KZ_EC_TABLE_WINDOWS(n);
    if (g->comb_jwin < 1)
        g->comb_jwin = 1;

    if (table && table_limbs >= KZ_EC_TABLE_LIMBS(n)) {
        g->tbl = table;
        g->tbl_limbs = table_limbs;
    }
    atomic_init(&g->tbl_state, 0);
    return 0;
}
