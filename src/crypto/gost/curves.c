/*
 * GOST R 34.10 parameter sets; see curves.h.
 *
 * The numbers are written as in the documents that define them, big-endian
 * hexadecimal: RFC 4357 section 11.4 (CryptoPro sets, GOST R 34.10-2001)
 * and RFC 7836 appendix A.1 (TC26 sets, GOST R 34.10-2012; for the twisted
 * Edwards sets 256-A and 512-C the Weierstrass parameters a, b, x, y given
 * there). tests/unit/test_gost_sign.c checks for every set that p and q are
 * prime, G is on the curve and q*G = O.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* getpid, sched_yield */
#endif

#include "crypto/gost/curves.h"

#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <sched.h>
#include <unistd.h>
#define YIELD() sched_yield()
#define SELF() ((int)getpid())
#else
#define YIELD() ((void)0)
#define SELF() 1
#endif

static const kz_ec_params params[KZ_GOST_CURVE_COUNT] = {
    [KZ_GOST_CURVE_CRYPTOPRO_A] = {
        .p = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
        .a = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
        .b = "00000000000000000000000000000000000000000000000000000000000000A6",
        .q = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
        .x = "0000000000000000000000000000000000000000000000000000000000000001",
        .y = "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
        .cofactor = 1,
    },
    [KZ_GOST_CURVE_CRYPTOPRO_B] = {
        .p = "8000000000000000000000000000000000000000000000000000000000000C99",
        .a = "8000000000000000000000000000000000000000000000000000000000000C96",
        .b = "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
        .q = "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
        .x = "0000000000000000000000000000000000000000000000000000000000000001",
        .y = "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
        .cofactor = 1,
    },
    [KZ_GOST_CURVE_CRYPTOPRO_C] = {
        .p = "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
        .a = "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
        .b = "000000000000000000000000000000000000000000000000000000000000805A",
        .q = "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
        .x = "0000000000000000000000000000000000000000000000000000000000000000",
        .y = "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
        .cofactor = 1,
    },
    [KZ_GOST_CURVE_TC26_256_A] = {
        .p = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
        .a = "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
        .b = "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
        .q = "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
        .x = "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
        .y = "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
        .cofactor = 4,
    },
    [KZ_GOST_CURVE_TC26_512_A] = {
        .p = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
             "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
        .a = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
             "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
        .b = "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265"
             "EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
        .q = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
             "27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
        .x = "0000000000000000000000000000000000000000000000000000000000000000"
             "0000000000000000000000000000000000000000000000000000000000000003",
        .y = "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921"
             "DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
        .cofactor = 1,
    },
    [KZ_GOST_CURVE_TC26_512_B] = {
        .p = "8000000000000000000000000000000000000000000000000000000000000000"
             "000000000000000000000000000000000000000000000000000000000000006F",
        .a = "8000000000000000000000000000000000000000000000000000000000000000"
             "000000000000000000000000000000000000000000000000000000000000006C",
        .b = "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F"
             "3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
        .q = "8000000000000000000000000000000000000000000000000000000000000001"
             "49A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
        .x = "0000000000000000000000000000000000000000000000000000000000000000"
             "0000000000000000000000000000000000000000000000000000000000000002",
        .y = "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335"
             "DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
        .cofactor = 1,
    },
    [KZ_GOST_CURVE_TC26_512_C] = {
        .p = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
             "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
        .a = "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E1430645"
             "46E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
        .b = "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE0"
             "38CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
        .q = "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
             "C98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
        .x = "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043A"
             "A27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
        .y = "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9B"
             "E18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
        .cofactor = 4,
    },
};

static const char *const names[KZ_GOST_CURVE_COUNT] = {
    [KZ_GOST_CURVE_CRYPTOPRO_A] = "CryptoPro-A",
    [KZ_GOST_CURVE_CRYPTOPRO_B] = "CryptoPro-B",
    [KZ_GOST_CURVE_CRYPTOPRO_C] = "CryptoPro-C",
    [KZ_GOST_CURVE_TC26_256_A] = "TC26-256-A",
    [KZ_GOST_CURVE_TC26_512_A] = "TC26-512-A",
    [KZ_GOST_CURVE_TC26_512_B] = "TC26-512-B",
    [KZ_GOST_CURVE_TC26_512_C] = "TC26-512-C",
};

/* ---- OIDs (DER contents octets) ---------------------------------------- */

#define RU_CP 0x2a, 0x85, 0x03, 0x02, 0x02             /* 1.2.643.2.2 */
#define RU_TC26 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01 /* 1.2.643.7.1.2.1 */
#define KZ_GOST 0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01 /* 1.2.398.3.10.1.1 */

static const uint8_t oid_cp_a[] = {RU_CP, 0x23, 0x01};
static const uint8_t oid_cp_b[] = {RU_CP, 0x23, 0x02};
static const uint8_t oid_cp_c[] = {RU_CP, 0x23, 0x03};
static const uint8_t oid_cp_xcha[] = {RU_CP, 0x24, 0x00};
static const uint8_t oid_cp_xchb[] = {RU_CP, 0x24, 0x01};
static const uint8_t oid_tc26_256_a[] = {RU_TC26, 0x01, 0x01};
static const uint8_t oid_tc26_256_b[] = {RU_TC26, 0x01, 0x02};
static const uint8_t oid_tc26_256_c[] = {RU_TC26, 0x01, 0x03};
static const uint8_t oid_tc26_256_d[] = {RU_TC26, 0x01, 0x04};
static const uint8_t oid_tc26_512_a[] = {RU_TC26, 0x02, 0x01};
static const uint8_t oid_tc26_512_b[] = {RU_TC26, 0x02, 0x02};
static const uint8_t oid_tc26_512_c[] = {RU_TC26, 0x02, 0x03};
static const uint8_t oid_kz_2004_a[] = {KZ_GOST, 0x01, 0x01, 0x01};
static const uint8_t oid_kz_2015_512[] = {KZ_GOST, 0x02, 0x02, 0x01};
static const uint8_t oid_kz_2015_256[] = {KZ_GOST, 0x02, 0x01, 0x01};

#define OID(v) v, sizeof(v)

static const kz_gost_curve_oid oids[] = {
    {"id-GostR3410-2001-CryptoPro-A-ParamSet", "1.2.643.2.2.35.1",
     OID(oid_cp_a), KZ_GOST_CURVE_CRYPTOPRO_A},
    {"id-GostR3410-2001-CryptoPro-B-ParamSet", "1.2.643.2.2.35.2",
     OID(oid_cp_b), KZ_GOST_CURVE_CRYPTOPRO_B},
    {"id-GostR3410-2001-CryptoPro-C-ParamSet", "1.2.643.2.2.35.3",
     OID(oid_cp_c), KZ_GOST_CURVE_CRYPTOPRO_C},
    {"id-GostR3410-2001-CryptoPro-XchA-ParamSet", "1.2.643.2.2.36.0",
     OID(oid_cp_xcha), KZ_GOST_CURVE_CRYPTOPRO_A},
    {"id-GostR3410-2001-CryptoPro-XchB-ParamSet", "1.2.643.2.2.36.1",
     OID(oid_cp_xchb), KZ_GOST_CURVE_CRYPTOPRO_C},
    {"id-tc26-gost-3410-2012-256-paramSetA", "1.2.643.7.1.2.1.1.1",
     OID(oid_tc26_256_a), KZ_GOST_CURVE_TC26_256_A},
    {"id-tc26-gost-3410-2012-256-paramSetB", "1.2.643.7.1.2.1.1.2",
     OID(oid_tc26_256_b), KZ_GOST_CURVE_CRYPTOPRO_A},
    {"id-tc26-gost-3410-2012-256-paramSetC", "1.2.643.7.1.2.1.1.3",
     OID(oid_tc26_256_c), KZ_GOST_CURVE_CRYPTOPRO_B},
    {"id-tc26-gost-3410-2012-256-paramSetD", "1.2.643.7.1.2.1.1.4",
     OID(oid_tc26_256_d), KZ_GOST_CURVE_CRYPTOPRO_C},
    {"id-tc26-gost-3410-2012-512-paramSetA", "1.2.643.7.1.2.1.2.1",
     OID(oid_tc26_512_a), KZ_GOST_CURVE_TC26_512_A},
    {"id-tc26-gost-3410-2012-512-paramSetB", "1.2.643.7.1.2.1.2.2",
     OID(oid_tc26_512_b), KZ_GOST_CURVE_TC26_512_B},
    {"id-tc26-gost-3410-2012-512-paramSetC", "1.2.643.7.1.2.1.2.3",
     OID(oid_tc26_512_c), KZ_GOST_CURVE_TC26_512_C},
    {"Kazakh GOST 34.310-2004 parameter set A", "1.2.398.3.10.1.1.1.1.1",
     OID(oid_kz_2004_a), KZ_GOST_CURVE_CRYPTOPRO_A},
    {"Kazakh GOST 34.10-2015 512-bit parameter set", "1.2.398.3.10.1.1.2.2.1",
     OID(oid_kz_2015_512), KZ_GOST_CURVE_TC26_512_A},
    /* No public sample shows this set; it is said to be TC26-256-A.  A key
     * on another curve would not match its certificate, and the module
     * then refuses to pair them. */
    {"Kazakh GOST 34.10-2015 256-bit parameter set", "1.2.398.3.10.1.1.2.1.1",
     OID(oid_kz_2015_256), KZ_GOST_CURVE_TC26_256_A},
};

#define N_OIDS (sizeof(oids) / sizeof(oids[0]))

/* ---- lazily built groups ----------------------------------------------- */

static kz_ec_group groups[KZ_GOST_CURVE_COUNT];
/*
 * 0 not set up, READY, FAILED, or the process id of the process whose
 * thread is setting it up. A fork() in the middle of a set-up leaves the
 * child with a foreign id and no thread to finish: the child then does it.
 */
#define READY (-1)
#define FAILED (-2)
static atomic_int group_state[KZ_GOST_CURVE_COUNT];

/* Storage for the fixed-base tables of G (filled on first signature). */
static uint64_t table_cp_a[KZ_EC_TABLE_LIMBS(4)];
static uint64_t table_cp_b[KZ_EC_TABLE_LIMBS(4)];
static uint64_t table_cp_c[KZ_EC_TABLE_LIMBS(4)];
static uint64_t table_tc26_256_a[KZ_EC_TABLE_LIMBS(4)];
static uint64_t table_tc26_512_a[KZ_EC_TABLE_LIMBS(8)];
static uint64_t table_tc26_512_b[KZ_EC_TABLE_LIMBS(8)];
static uint64_t table_tc26_512_c[KZ_EC_TABLE_LIMBS(8)];

static uint64_t *const tables[KZ_GOST_CURVE_COUNT] = {
    table_cp_a, table_cp_b, table_cp_c, table_tc26_256_a,
    table_tc26_512_a, table_tc26_512_b, table_tc26_512_c,
};
static const size_t table_limbs[KZ_GOST_CURVE_COUNT] = {
    KZ_EC_TABLE_LIMBS(4), KZ_EC_TABLE_LIMBS(4), KZ_EC_TABLE_LIMBS(4),
    KZ_EC_TABLE_LIMBS(4), KZ_EC_TABLE_LIMBS(8), KZ_EC_TABLE_LIMBS(8),
    KZ_EC_TABLE_LIMBS(8),
};

const kz_ec_group *kz_gost_curve_get(kz_gost_curve_id id)
{
    int state, self;

    if ((unsigned)id >= KZ_GOST_CURVE_COUNT)
        return NULL;
    state = atomic_load_explicit(&group_state[id], memory_order_acquire);
    if (state == READY)
        return &groups[id];
    self = SELF();
    for (;;) {
        if (state == READY || state == FAILED)
            return state == READY ? &groups[id] : NULL;
        if (state == self) {
            /* another thread of this process is at it: microseconds */
            YIELD();
            state = atomic_load_explicit(&group_state[id],
                                         memory_order_acquire);
            continue;
        }
        /* not set up, or abandoned by the parent of a fork */
        if (atomic_compare_exchange_strong_explicit(
                &group_state[id], &state, self, memory_order_acq_rel,
                memory_order_acquire)) {
            int ok = kz_ec_group_init(&groups[id], &params[id], tables[id],
                                      table_limbs[id]) == 0;

            atomic_store_explicit(&group_state[id], ok ? READY : FAILED,
                                  memory_order_release);
            return ok ? &groups[id] : NULL;
        }
        /* state now holds the current value */
    }
}

const kz_ec_params *kz_gost_curve_params(kz_gost_curve_id id)
{
    return (unsigned)id < KZ_GOST_CURVE_COUNT ? &params[id] : NULL;
}

const char *kz_gost_curve_name(kz_gost_curve_id id)
{
    return (unsigned)id < KZ_GOST_CURVE_COUNT ? names[id] : NULL;
}

int kz_gost_curve_id_by_oid(const uint8_t *oid, size_t len)
{
    if (!oid)
        return -1;
    for (size_t i = 0; i < N_OIDS; i++)
        if (oids[i].oid_len == len && memcmp(oids[i].oid, oid, len) == 0)
            return (int)oids[i].curve;
    return -1;
}

int kz_gost_curve_id_by_der(const uint8_t *der, size_t len)
{
    /* all known OIDs are short: tag 06, one length byte */
    if (!der || len < 2 || der[0] != 0x06 || der[1] >= 0x80 ||
        (size_t)der[1] != len - 2)
        return -1;
    return kz_gost_curve_id_by_oid(der + 2, len - 2);
}

const kz_ec_group *kz_gost_curve_by_oid(const uint8_t *oid, size_t len)
{
    int id = kz_gost_curve_id_by_oid(oid, len);

    return id < 0 ? NULL : kz_gost_curve_get((kz_gost_curve_id)id);
}

const kz_ec_group *kz_gost_curve_by_der(const uint8_t *der, size_t len)
{
    int id = kz_gost_curve_id_by_der(der, len);

    return id < 0 ? NULL : kz_gost_curve_get((kz_gost_curve_id)id);
}

size_t kz_gost_curve_oid_count(void)
{
    return N_OIDS;
}

const kz_gost_curve_oid *kz_gost_curve_oid_at(size_t i)
{
    return i < N_OIDS ? &oids[i] : NULL;
}
