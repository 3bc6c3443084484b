/*
 * GOST R 34.10-2001 / 34.10-2012 digital signatures (RFC 5832, RFC 7091),
 * which are also the Kazakh GOST 34.310-2004 and GOST 34.10-2015.
 *
 * Sizes: for a curve with a 256-bit p (CryptoPro-A/B/C, TC26-256-A) every
 * number below is 32 bytes, for a 512-bit p (TC26-512-A/B/C) 64 bytes:
 * kz_gost3410_size(curve). A signature is twice that, a public key too.
 *
 * Byte orders (the API's convention):
 *  - digest: the hash output exactly as the hash function produces it
 *    (kz_gost94_final, kz_streebog_final; `openssl dgst` prints the same).
 *    It is read as a LITTLE-endian number alpha, e = alpha mod q, and e = 1
 *    if that is 0 (RFC 7091 section 6.1 step 2; gost-engine, CryptoPro and
 *    NCA's Kalkan do the same). digest_len must equal kz_gost3410_size().
 *  - private key d: BIG-endian, at most kz_gost3410_size() bytes, leading
 *    zeros allowed, 0 < d < q. (PKCS#11 CKA_VALUE of a GOST private key and
 *    the Kazakh 2015 PKCS#8 OCTET STRING hold d little-endian, the Kazakh
 *    2004 PKCS#8 INTEGER big-endian: reverse with kz_gost3410_reverse().)
 *  - public key Q: X little-endian || Y little-endian (RFC 4491: the bytes
 *    inside the certificate's OCTET STRING; PKCS#11 CKA_VALUE).
 *  - signature: s big-endian || r big-endian, the PKCS#11 CKM_GOSTR3410
 *    output and RFC 4491 / gost-engine layout. Kazakh certificates, CRLs
 *    and CMS carry r little-endian || s little-endian, which is the same
 *    bytes in reverse order: kz_gost3410_sig_from_kz() and
 *    kz_gost3410_sig_to_kz() convert.
 *
 * Nonces come from a caller-supplied source of random bytes. Each attempt
 * asks it for kz_gost3410_nonce_bytes() = size + 8 bytes, reads them as a
 * big-endian number and reduces it mod q (the extra 64 bits make the bias
 * of k below 2^-64); k = 0, r = 0 or s = 0 start a new attempt (at most
 * KZ_GOST3410_MAX_ATTEMPTS). A source that returns 8 zero bytes followed by
 * k big-endian therefore signs with that exact k (the RFC examples).
 *
 * Signing and key derivation are constant time in d and k; verification
 * works on public data only. Secret temporaries are wiped before return.
 */
#ifndef KZ_CRYPTO_GOST_GOST3410_H
#define KZ_CRYPTO_GOST_GOST3410_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/gost/ec.h"

/* Results. */
enum {
    KZ_GOST3410_OK = 0,
    KZ_GOST3410_ERR_ARGS = -1,      /* NULL pointer or wrong length */
    KZ_GOST3410_ERR_KEY = -2,       /* d not in [1, q-1], or a public key
                                     * that is not a valid point */
    KZ_GOST3410_ERR_RANDOM = -3,    /* the random source failed, or gave
                                     * only unusable values */
    KZ_GOST3410_ERR_SIGNATURE = -4  /* verification failed */
};

#define KZ_GOST3410_MAX_ATTEMPTS 32
#define KZ_GOST3410_MAX_SIZE 64

/*
 * Random source: fills buf with len uniformly random bytes and returns 0,
 * or returns nonzero on failure. (For OpenSSL, wrap RAND_priv_bytes_ex,
 * which returns 1 on success.)
 */
typedef int (*kz_gost3410_rand_fn)(void *ctx, uint8_t *buf, size_t len);

/* 32 or 64: bytes of a digest, d, r, s and a coordinate. */
size_t kz_gost3410_size(const kz_ec_group *curve);
/* Bytes one nonce attempt takes from the random source: size + 8. */
size_t kz_gost3410_nonce_bytes(const kz_ec_group *curve);

/*
 * Signs a digest. sig_len must be 2 * size; writes s || r big-endian.
 * Returns KZ_GOST3410_OK or an error (then sig is zeroed).
 */
int kz_gost3410_sign(const kz_ec_group *curve, const uint8_t *d_be,
                     size_t d_len, const uint8_t *digest, size_t digest_len,
                     kz_gost3410_rand_fn rand, void *rand_ctx, uint8_t *sig,
                     size_t sig_len);

/*
 * Verifies a signature s || r (big-endian, 2 * size bytes) of a digest
 * under the public key pub (X_le || Y_le, 2 * size bytes). Returns
 * KZ_GOST3410_OK for a valid signature, KZ_GOST3410_ERR_SIGNATURE for an
 * invalid one (r or s outside [1, q-1] included), KZ_GOST3410_ERR_KEY if
 * pub is not a valid public key, KZ_GOST3410_ERR_ARGS for wrong lengths.
 */
int kz_gost3410_verify(const kz_ec_group *curve, const uint8_t *pub,
                       size_t pub_len, const uint8_t *digest,
                       size_t digest_len, const uint8_t *sig, size_t sig_len);

/* Public key Q = d*G as X_le || Y_le (pub_len = 2 * size). */
int kz_gost3410_public_key(const kz_ec_group *curve, const uint8_t *d_be,
                           size_t d_len, uint8_t *pub, size_t pub_len);

/* New key pair: d uniform in [1, q-1] (from size + 8 random bytes reduced
 * mod q), written big-endian in size bytes (d_len = size), and its public
 * key. */
int kz_gost3410_generate_key(const kz_ec_group *curve,
                             kz_gost3410_rand_fn rand, void *rand_ctx,
                             uint8_t *d_be, size_t d_len, uint8_t *pub,
                             size_t pub_len);

/* Whether d (big-endian) is a valid private key: 0 < d < q. Returns
 * KZ_GOST3410_OK or KZ_GOST3410_ERR_KEY / _ARGS. */
int kz_gost3410_check_private_key(const kz_ec_group *curve,
                                  const uint8_t *d_be, size_t d_len);
/* Whether pub (X_le || Y_le) is a valid public key: coordinates below p,
 * on the curve, in the subgroup of order q. */
int kz_gost3410_check_public_key(const kz_ec_group *curve,
                                 const uint8_t *pub, size_t pub_len);

/*
 * Signature layouts: Kazakh r_le || s_le <-> PKCS#11 s_be || r_be (len is
 * 2 * size; any even length is accepted). out may equal in. Returns 0, or
 * -1 for a NULL pointer or odd length.
 */
int kz_gost3410_sig_from_kz(uint8_t *out, const uint8_t *in, size_t len);
int kz_gost3410_sig_to_kz(uint8_t *out, const uint8_t *in, size_t len);

/* Reverses the order of len bytes (out may equal in). */
void kz_gost3410_reverse(uint8_t *out, const uint8_t *in, size_t len);

#endif /* KZ_CRYPTO_GOST_GOST3410_H */
