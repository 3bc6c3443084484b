/*
 * kzp11.h - PKCS#11 constants for Kazakh GOST keys, for applications using
 * the kzp11 module.
 *
 * Include it after any PKCS#11 header (or on its own: it needs none).  It
 * defines
 *   - the TC26 vendor values for GOST R 34.10-2012 / 34.11-2012 in both
 *     spellings in use (_12_ as OpenSC writes them, _2012_ as p11-kit's
 *     pkcs11x.h does);
 *   - kzp11's own mechanisms, which sign and verify in the byte layout of
 *     Kazakh certificates, CRLs and CMS (r little-endian || s little-endian)
 *     instead of the standard PKCS#11 layout (s big-endian || r big-endian);
 *   - the Kazakh object identifiers, DER-encoded as CKA_GOSTR3410_PARAMS and
 *     CKA_GOSTR3411_PARAMS hold them.
 * docs/mechanisms.md describes every mechanism with a worked example.
 */
#ifndef KZP11_KZP11_H
#define KZP11_KZP11_H

/* ---- TC26 (NSSCK_VENDOR_PKCS11_RU_TEAM) values ---- */
#ifndef CK_VENDOR_PKCS11_RU_TEAM_TC26
#define CK_VENDOR_PKCS11_RU_TEAM_TC26            0xD4321000UL
#endif
#ifndef CKK_GOSTR3410_512
#define CKK_GOSTR3410_512                        0xD4321003UL
#endif
#ifndef CKM_GOSTR3410_512_KEY_PAIR_GEN
#define CKM_GOSTR3410_512_KEY_PAIR_GEN           0xD4321005UL
#endif
#ifndef CKM_GOSTR3410_512
#define CKM_GOSTR3410_512                        0xD4321006UL
#endif
#ifndef CKM_GOSTR3410_WITH_GOSTR3411_12_256
#define CKM_GOSTR3410_WITH_GOSTR3411_12_256      0xD4321008UL
#endif
#ifndef CKM_GOSTR3410_WITH_GOSTR3411_12_512
#define CKM_GOSTR3410_WITH_GOSTR3411_12_512      0xD4321009UL
#endif
#ifndef CKM_GOSTR3410_WITH_GOSTR3411_2012_256
#define CKM_GOSTR3410_WITH_GOSTR3411_2012_256    0xD4321008UL
#endif
#ifndef CKM_GOSTR3410_WITH_GOSTR3411_2012_512
#define CKM_GOSTR3410_WITH_GOSTR3411_2012_512    0xD4321009UL
#endif
#ifndef CKM_GOSTR3411_12_256
#define CKM_GOSTR3411_12_256                     0xD4321012UL
#endif
#ifndef CKM_GOSTR3411_12_512
#define CKM_GOSTR3411_12_512                     0xD4321013UL
#endif
#ifndef CKM_GOSTR3411_2012_256
#define CKM_GOSTR3411_2012_256                   0xD4321012UL
#endif
#ifndef CKM_GOSTR3411_2012_512
#define CKM_GOSTR3411_2012_512                   0xD4321013UL
#endif
#ifndef CKM_GOSTR3411_12_256_HMAC
#define CKM_GOSTR3411_12_256_HMAC                0xD4321014UL
#endif
#ifndef CKM_GOSTR3411_12_512_HMAC
#define CKM_GOSTR3411_12_512_HMAC                0xD4321015UL
#endif
#ifndef CKM_GOSTR3411_2012_256_HMAC
#define CKM_GOSTR3411_2012_256_HMAC              0xD4321014UL
#endif
#ifndef CKM_GOSTR3411_2012_512_HMAC
#define CKM_GOSTR3411_2012_512_HMAC              0xD4321015UL
#endif

/* ---- kzp11 vendor mechanisms: the Kazakh signature layout ----
 * Values: CKM_VENDOR_DEFINED | 0x4B5A0000 ("KZ") | n. */
#define CKM_KZP11_VENDOR_BASE                    0xCB5A0000UL
/* GOST 34.311-95 hash + GOST 34.310-2004 signature (2004 keys), r_le||s_le. */
#define CKM_KZ_GOST34310_2004_WITH_GOST34311_95  0xCB5A0001UL
/* GOST 34.310-2004 signature of a given 32-byte digest, r_le||s_le. */
#define CKM_KZ_GOST34310_2004                    0xCB5A0002UL
/* GOST 34.11-2015 (Streebog-512) + GOST 34.10-2015 512-bit, r_le||s_le. */
#define CKM_KZ_GOST3410_2015_512_WITH_GOST3411_2015_512 0xCB5A0011UL
/* GOST 34.10-2015 512-bit signature of a given 64-byte digest, r_le||s_le. */
#define CKM_KZ_GOST3410_2015_512                 0xCB5A0012UL
/* GOST 34.11-2015 (Streebog-256) + GOST 34.10-2015 256-bit, r_le||s_le. */
#define CKM_KZ_GOST3410_2015_256_WITH_GOST3411_2015_256 0xCB5A0021UL
/* GOST 34.10-2015 256-bit signature of a given 32-byte digest, r_le||s_le. */
#define CKM_KZ_GOST3410_2015_256                 0xCB5A0022UL

/* ---- Kazakh object identifiers, DER (tag 06, length, value) ---- */
/* 1.2.398.3.10.1.1.1.1      GOST 34.310-2004 public key */
#define KZP11_OID_GOST34310_2004_KEY \
	"\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x01\x01"
/* 1.2.398.3.10.1.1.1.1.1    its parameter set A (= CryptoPro-A curve) */
#define KZP11_OID_GOST34310_2004_PARAMSET_A \
	"\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x01\x01\x01\x01"
/* 1.2.398.3.10.1.3.1.1.0    GOST 34.311-95 hash parameters (test S-box) */
#define KZP11_OID_GOST34311_95_PARAMS \
	"\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x03\x01\x01\x00"
/* 1.2.398.3.10.1.3.1        GOST 34.311-95 digest */
#define KZP11_OID_GOST34311_95 \
	"\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x01"
/* 1.2.398.3.10.1.1.1.2      signature GOST 34.311-95 + GOST 34.310-2004 */
#define KZP11_OID_GOST34310_2004_WITH_GOST34311_95 \
	"\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x01\x02"
/* 1.2.398.3.10.1.1.2.2      GOST 34.10-2015 512-bit public key */
#define KZP11_OID_GOST3410_2015_512_KEY \
	"\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x02\x02"
/* 1.2.398.3.10.1.1.2.2.1    its curve (= TC26-512 paramSetA) */
#define KZP11_OID_GOST3410_2015_512_PARAMSET_A \
	"\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x01\x02\x02\x01"
/* 1.2.398.3.10.1.3.3        GOST 34.11-2015 512 (Streebog-512) */
#define KZP11_OID_GOST3411_2015_512 \
	"\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x03"
/* 1.2.398.3.10.1.1.2.3.2    signature 34.10-2015-512 with 34.11-2015-512 */
#define KZP11_OID_GOST3410_2015_512_WITH_GOST3411_2015_512 \
	"\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x01\x02\x03\x02"

#endif
