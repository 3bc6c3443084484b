/*
 * Fixed-width modular arithmetic for the GOST R 34.10 curves: odd moduli of
 * 4 or 8 64-bit limbs (up to 256 or 512 bits).
 *
 * Numbers are arrays of uint64_t limbs, least significant limb first. Every
 * function works on the first mod->n limbs of its arguments; arrays may be
 * longer (KZ_BN_MAX_LIMBS is always enough). Outputs may alias inputs.
 *
 * Internal form. Residues are kept fully reduced, in [0, m), in one of two
 * internal representations chosen by kz_bn_mod_init():
 *  - Montgomery form a*R mod m, R = 2^(64n), for any odd modulus;
 *  - plain form for moduli m = 2^(64n) - c with c < 2^32 (CryptoPro-A,
 *    TC26-256-A: 2^256 - 617; TC26-512-A and C: 2^512 - 569), where a
 *    product is reduced by folding the upper half times c into the lower.
 * kz_bn_to() and kz_bn_from() convert between ordinary numbers and the
 * internal form; kz_bn_mul/sqr/add/sub/neg/inv work in it. Code using this
 * module never needs to know which representation a modulus uses.
 *
 * Constant time: except where a comment says otherwise (kz_bn_mod_init,
 * kz_bn_pow's exponent, kz_bn_from_hex), execution time and memory access
 * pattern do not depend on the values of the operands, only on n. Secret
 * operands are therefore safe everywhere else.
 */
#ifndef KZ_CRYPTO_GOST_BN_H
#define KZ_CRYPTO_GOST_BN_H

#include <stddef.h>
#include <stdint.h>

#define KZ_BN_MAX_LIMBS 8

/* Representation of residues modulo a kz_bn_mod (field "form"). */
enum {
    KZ_BN_FORM_MONT = 0, /* Montgomery form */
    KZ_BN_FORM_PM = 1    /* plain form, m = 2^(64n) - c, c < 2^32 */
};

typedef struct {
    unsigned n;     /* limbs: 4 or 8 */
    unsigned bits;  /* bit length of m */
    unsigned form;  /* KZ_BN_FORM_MONT or KZ_BN_FORM_PM */
    uint64_t c;     /* KZ_BN_FORM_PM: m = 2^(64n) - c */
    uint64_t m0inv; /* -m^-1 mod 2^64 (Montgomery reduction) */
    uint64_t m[KZ_BN_MAX_LIMBS];
    uint64_t one[KZ_BN_MAX_LIMBS]; /* 1 in internal form */
    uint64_t r2[KZ_BN_MAX_LIMBS];  /* R^2 mod m (Montgomery form only) */
    uint64_t r3[KZ_BN_MAX_LIMBS];  /* R^3 mod m (Montgomery form only) */
} kz_bn_mod;

/*
 * Prepares mod for the odd modulus m (n limbs, n = 4 or 8, m > 2^(64n-64)
 * so that the top limb is not zero). allow_pm: use the plain form when m
 * has the form 2^(64n) - c, c < 2^32; otherwise (or if 0) Montgomery form.
 * Returns 0, or -1 if m or n is not acceptable. Variable time (m is public).
 */
int kz_bn_mod_init(kz_bn_mod *mod, const uint64_t *m, unsigned n,
                   int allow_pm);

/* r = internal form of (a mod m), for any a < 2^(64n). */
void kz_bn_to(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a);
/* r = internal form of ((hi * 2^(64n) + lo) mod m): reduces a number one
 * limb longer than the modulus (e.g. a random value 64 bits longer). */
void kz_bn_to_wide(const kz_bn_mod *mod, uint64_t *r, const uint64_t *lo,
                   uint64_t hi);
/* r = the ordinary number in [0, m) that a (internal form) represents. */
void kz_bn_from(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a);

/* Arithmetic in internal form; inputs must be reduced (< m). */
void kz_bn_mul(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b);
void kz_bn_sqr(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a);
void kz_bn_add(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b);
void kz_bn_sub(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *b);
void kz_bn_neg(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a);
/* r = a^e; e has ebits bits (little-endian limbs). Constant time in a, but
 * not in e: the exponent must be public. */
void kz_bn_pow(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a,
               const uint64_t *e, unsigned ebits);
/* r = a^-1 (m must be prime; a^-1 of 0 is 0). Constant time: Bernstein-
 * Yang divsteps, a fixed number of them for the size of m. */
void kz_bn_inv(const kz_bn_mod *mod, uint64_t *r, const uint64_t *a);

/* Plain multi-limb helpers (n limbs), constant time. */
/* 1 if a == 0, else 0. */
uint64_t kz_bn_is_zero(const uint64_t *a, unsigned n);
/* 1 if a == b, else 0. */
uint64_t kz_bn_eq(const uint64_t *a, const uint64_t *b, unsigned n);
/* 1 if a < b, else 0. */
uint64_t kz_bn_lt(const uint64_t *a, const uint64_t *b, unsigned n);
/* r = bit ? a : b (bit is 0 or 1). */
void kz_bn_select(uint64_t *r, const uint64_t *a, const uint64_t *b,
                  unsigned n, uint64_t bit);
/* r = a, n limbs. */
void kz_bn_copy(uint64_t *r, const uint64_t *a, unsigned n);

/* Conversions between n-limb numbers and byte strings of len <= 8n bytes.
 * Reading, missing high bytes are zero; writing, the number must fit. */
void kz_bn_from_be(uint64_t *r, unsigned n, const uint8_t *in, size_t len);
void kz_bn_from_le(uint64_t *r, unsigned n, const uint8_t *in, size_t len);
void kz_bn_to_be(uint8_t *out, size_t len, const uint64_t *a, unsigned n);
void kz_bn_to_le(uint8_t *out, size_t len, const uint64_t *a, unsigned n);
/* Reads a big-endian hexadecimal string (public data, variable time).
 * Returns 0, or -1 for a bad digit or a number longer than n limbs. */
int kz_bn_from_hex(uint64_t *r, unsigned n, const char *hex);

/* Zeroes len bytes in a way the compiler does not remove. */
void kz_bn_wipe(void *p, size_t len);

#endif /* KZ_CRYPTO_GOST_BN_H */
