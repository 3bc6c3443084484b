/*
 * GOST R 34.10 elliptic curve parameter sets and their object identifiers.
 *
 * Curves (parameters from RFC 4357 section 11.4 and RFC 7836 appendix
 * A.1; TC26-256-A and TC26-512-C are twisted Edwards curves, used here in
 * the short Weierstrass form that RFC 7836 gives for them), with the OIDs
 * that name them:
 *
 * KZ_GOST_CURVE_CRYPTOPRO_A, p = 2^256 - 617:
 *   1.2.643.2.2.35.1 (CryptoPro-A), 1.2.643.2.2.36.0 (CryptoPro-XchA),
 *   1.2.643.7.1.2.1.1.2 (TC26-256-B),
 *   1.2.398.3.10.1.1.1.1.1 (Kazakh GOST 34.310-2004, parameter set A)
 * KZ_GOST_CURVE_CRYPTOPRO_B, p = 2^255 + 3225:
 *   1.2.643.2.2.35.2 (CryptoPro-B), 1.2.643.7.1.2.1.1.3 (TC26-256-C)
 * KZ_GOST_CURVE_CRYPTOPRO_C, p = 0x9B9F...759B:
 *   1.2.643.2.2.35.3 (CryptoPro-C), 1.2.643.2.2.36.1 (CryptoPro-XchB),
 *   1.2.643.7.1.2.1.1.4 (TC26-256-D)
 * KZ_GOST_CURVE_TC26_256_A, p = 2^256 - 617, cofactor 4:
 *   1.2.643.7.1.2.1.1.1
 * KZ_GOST_CURVE_TC26_512_A, p = 2^512 - 569:
 *   1.2.643.7.1.2.1.2.1,
 *   1.2.398.3.10.1.1.2.2.1 (Kazakh GOST 34.10-2015, 512-bit)
 * KZ_GOST_CURVE_TC26_512_B, p = 2^511 + 111:
 *   1.2.643.7.1.2.1.2.2
 * KZ_GOST_CURVE_TC26_512_C, p = 2^512 - 569, cofactor 4:
 *   1.2.643.7.1.2.1.2.3
 *
 * The groups are set up on first use (thread-safe) in static storage,
 * together with room for their fixed-base tables; a returned group stays
 * valid for the life of the process.
 */
#ifndef KZ_CRYPTO_GOST_CURVES_H
#define KZ_CRYPTO_GOST_CURVES_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/gost/ec.h"

typedef enum {
    KZ_GOST_CURVE_CRYPTOPRO_A = 0,
    KZ_GOST_CURVE_CRYPTOPRO_B = 1,
    KZ_GOST_CURVE_CRYPTOPRO_C = 2,
    KZ_GOST_CURVE_TC26_256_A = 3,
    KZ_GOST_CURVE_TC26_512_A = 4,
    KZ_GOST_CURVE_TC26_512_B = 5,
    KZ_GOST_CURVE_TC26_512_C = 6,
    KZ_GOST_CURVE_COUNT = 7
} kz_gost_curve_id;

/* One row of the OID table. */
typedef struct {
    const char *name;    /* ASN.1 name (id-GostR3410-2001-CryptoPro-A-ParamSet
                          * ...) or a description */
    const char *dotted;  /* e.g. "1.2.643.2.2.35.1" */
    const uint8_t *oid;  /* DER contents octets (no tag, no length) */
    size_t oid_len;
    kz_gost_curve_id curve;
} kz_gost_curve_oid;

/* The group for id, set up on first call; NULL for an unknown id. */
const kz_ec_group *kz_gost_curve_get(kz_gost_curve_id id);
/* The parameters (hex strings) of id, or NULL. */
const kz_ec_params *kz_gost_curve_params(kz_gost_curve_id id);
/* A short name of the curve ("CryptoPro-A", "TC26-512-A", ...), or NULL. */
const char *kz_gost_curve_name(kz_gost_curve_id id);

/* Lookup by OID, Russian or Kazakh. by_oid takes the contents octets of
 * the OBJECT IDENTIFIER (e.g. 2A 85 03 02 02 23 01), by_der the whole DER
 * encoding with tag 06 and length (as in CKA_GOSTR3410_PARAMS). The *_id
 * variants return the curve id, or -1 if the OID is not known. */
const kz_ec_group *kz_gost_curve_by_oid(const uint8_t *oid, size_t len);
const kz_ec_group *kz_gost_curve_by_der(const uint8_t *der, size_t len);
int kz_gost_curve_id_by_oid(const uint8_t *oid, size_t len);
int kz_gost_curve_id_by_der(const uint8_t *der, size_t len);

/* The OID table, for listing (i < kz_gost_curve_oid_count()). */
size_t kz_gost_curve_oid_count(void);
const kz_gost_curve_oid *kz_gost_curve_oid_at(size_t i);

#endif /* KZ_CRYPTO_GOST_CURVES_H */
