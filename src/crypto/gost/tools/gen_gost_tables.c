/*
 * Generator of the precomputed tables (and the unrolled GOST R 34.11-94
 * shuffle) used by gost89.c, gost3411_94.c and streebog.c.
 *
 *   gen_gost_tables gost89    > src/crypto/gost/gost89_tables.inc
 *   gen_gost_tables gost94    > src/crypto/gost/gost3411_94_psi.inc
 *   gen_gost_tables streebog  > src/crypto/gost/streebog_tables.inc
 *   gen_gost_tables streebog-avx512 > src/crypto/gost/streebog_avx512.inc
 *
 * Build (from the top of the source tree):
 *   cc -std=c11 -Isrc -DKZ_GOST89_NO_TABLES -o gen_gost_tables \
 *      src/crypto/gost/tools/gen_gost_tables.c src/crypto/gost/gost89.c
 *
 * The committed .inc files must be byte-identical to this program's output;
 * src/crypto/gost/README.md shows how to check that.
 *
 * Inputs:
 *  - GOST 28147-89 S-boxes: the raw rows in gost89.c, expanded by the same
 *    kz_gost89_sbox_expand() that the library exports;
 *  - Streebog (GOST R 34.11-2012, RFC 6986): the substitution pi, the
 *    matrix A of the linear transformation l and the round constants C1..C12,
 *    written below exactly as RFC 6986 prints them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/gost/gost89.h"

/* RFC 6986: the nonlinear bijection pi, as decimal numbers pi(0)..pi(255). */
static const uint8_t PI[256] = {
    252, 238, 221, 17,  207, 110, 49,  22,  251, 196, 250, 218, 35,  197, 4,   77,
    233, 119, 240, 219, 147, 46,  153, 186, 23,  54,  241, 187, 20,  205, 95,  193,
    249, 24,  101, 90,  226, 92,  239, 33,  129, 28,  60,  66,  139, 1,   142, 79,
    5,   132, 2,   174, 227, 106, 143, 160, 6,   11,  237, 152, 127, 212, 211, 31,
    235, 52,  44,  81,  234, 200, 72,  171, 242, 42,  104, 162, 253, 58,  206, 204,
    181, 112, 14,  86,  8,   12,  118, 18,  191, 114, 19,  71,  156, 183, 93,  135,
    21,  161, 150, 41,  16,  123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177,
    50,  117, 25,  61,  255, 53,  138, 126, 109, 84,  198, 128, 195, 189, 13,  87,
    223, 245, 36,  169, 62,  168, 67,  201, 215, 121, 214, 246, 124, 34,  185, 3,
    224, 15,  236, 222, 122, 148, 176, 188, 220, 232, 40,  80,  78,  51,  10,  74,
    167, 151, 96,  115, 30,  0,   98,  68,  26,  184, 56,  130, 100, 159, 38,  65,
    173, 69,  70,  146, 39,  94,  85,  47,  140, 163, 165, 125, 105, 213, 149, 59,
    7,   88,  179, 64,  134, 172, 29,  247, 48,  55,  107, 228, 136, 217, 231, 137,
    225, 27,  131, 73,  76,  63,  248, 254, 141, 83,  170, 144, 202, 216, 133, 97,
    32,  113, 103, 164, 45,  43,  9,   91,  203, 155, 37,  208, 190, 229, 108, 82,
    89,  166, 116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57,  75,  99,  182,
};

/* RFC 6986: the rows A_0..A_63 of the matrix of l. */
static const uint64_t A[64] = {
    0x8e20faa72ba0b470, 0x47107ddd9b505a38, 0xad08b0e0c3282d1c, 0xd8045870ef14980e,
    0x6c022c38f90a4c07, 0x3601161cf205268d, 0x1b8e0b0e798c13c8, 0x83478b07b2468764,
    0xa011d380818e8f40, 0x5086e740ce47c920, 0x2843fd2067adea10, 0x14aff010bdd87508,
    0x0ad97808d06cb404, 0x05e23c0468365a02, 0x8c711e02341b2d01, 0x46b60f011a83988e,
    0x90dab52a387ae76f, 0x486dd4151c3dfdb9, 0x24b86a840e90f0d2, 0x125c354207487869,
    0x092e94218d243cba, 0x8a174a9ec8121e5d, 0x4585254f64090fa0, 0xaccc9ca9328a8950,
    0x9d4df05d5f661451, 0xc0a878a0a1330aa6, 0x60543c50de970553, 0x302a1e286fc58ca7,
    0x18150f14b9ec46dd, 0x0c84890ad27623e0, 0x0642ca05693b9f70, 0x0321658cba93c138,
    0x86275df09ce8aaa8, 0x439da0784e745554, 0xafc0503c273aa42a, 0xd960281e9d1d5215,
    0xe230140fc0802984, 0x71180a8960409a42, 0xb60c05ca30204d21, 0x5b068c651810a89e,
    0x456c34887a3805b9, 0xac361a443d1c8cd2, 0x561b0d22900e4669, 0x2b838811480723ba,
    0x9bcf4486248d9f5d, 0xc3e9224312c8c1a0, 0xeffa11af0964ee50, 0xf97d86d98a327728,
    0xe4fa2054a80b329c, 0x727d102a548b194e, 0x39b008152acb8227, 0x9258048415eb419d,
    0x492c024284fbaec0, 0xaa16012142f35760, 0x550b8e9e21f7a530, 0xa48b474f9ef5dc18,
    0x70a6a56e2440598e, 0x3853dc371220a247, 0x1ca76e95091051ad, 0x0edd37c48a08a6d8,
    0x07e095624504536c, 0x8d70c431ac02a736, 0xc83862965601dd1b, 0x641c314b2b8ee083,
};

/* RFC 6986: the iteration constants C_1..C_12, as printed there
 * (512-bit numbers, most significant digit first). */
static const char *const C_HEX[12] = {
    "b1085bda1ecadae9ebcb2f81c0657c1f2f6a76432e45d016714eb88d7585c4fc"
    "4b7ce09192676901a2422a08a460d31505767436cc744d23dd806559f2a64507",
    "6fa3b58aa99d2f1a4fe39d460f70b5d7f3feea720a232b9861d55e0f16b50131"
    "9ab5176b12d699585cb561c2db0aa7ca55dda21bd7cbcd56e679047021b19bb7",
    "f574dcac2bce2fc70a39fc286a3d843506f15e5f529c1f8bf2ea7514b1297b7b"
    "d3e20fe490359eb1c1c93a376062db09c2b6f443867adb31991e96f50aba0ab2",
    "ef1fdfb3e81566d2f948e1a05d71e4dd488e857e335c3c7d9d721cad685e353f"
    "a9d72c82ed03d675d8b71333935203be3453eaa193e837f1220cbebc84e3d12e",
    "4bea6bacad4747999a3f410c6ca923637f151c1f1686104a359e35d7800fffbd"
    "bfcd1747253af5a3dfff00b723271a167a56a27ea9ea63f5601758fd7c6cfe57",
    "ae4faeae1d3ad3d96fa4c33b7a3039c02d66c4f95142a46c187f9ab49af08ec6"
    "cffaa6b71c9ab7b40af21f66c2bec6b6bf71c57236904f35fa68407a46647d6e",
    "f4c70e16eeaac5ec51ac86febf240954399ec6c7e6bf87c9d3473e33197a93c9"
    "0992abc52d822c3706476983284a05043517454ca23c4af38886564d3a14d493",
    "9b1f5b424d93c9a703e7aa020c6e41414eb7f8719c36de1e89b4443b4ddbc49a"
    "f4892bcb929b069069d18d2bd1a5c42f36acc2355951a8d9a47f0dd4bf02e71e",
    "378f5a541631229b944c9ad8ec165fde3a7d3a1b258942243cd955b7e00d0984"
    "800a440bdbb2ceb17b2b8a9aa6079c540e38dc92cb1f2a607261445183235adb",
    "abbedea680056f52382ae548b2e4f3f38941e71cff8a78db1fffe18a1b336103"
    "9fe76702af69334b7a1e6c303b7652f43698fad1153bb6c374b4c7fb98459ced",
    "7bcd9ed0efc889fb3002c6cd635afe94d8fa6bbbebab07612001802114846679"
    "8a1d71efea48b9caefbacd1d7d476e98dea2594ac06fd85d6bcaa4cd81f32d1b",
    "378ee767f11631bad21380b00449b17acda43c32bcdf1d77f82012d430219f9b"
    "5d80ef9d1891cc86e71da4aa88e12852faf417d5d9b21b9948bc924af11bd720",
};

static void emit_header(const char *what)
{
    printf("/* Generated by src/crypto/gost/tools/gen_gost_tables.c (%s);"
           " do not edit. */\n\n", what);
}

static int emit_sbox(const char *name, const char *comment,
                     const kz_gost89_sbox_rows rows)
{
    kz_gost89_sbox sb;
    unsigned j, b;

    if (kz_gost89_sbox_expand(&sb, rows) != 0)
        return -1;
    printf("/* %s */\n", comment);
    printf("const kz_gost89_sbox %s = { {\n", name);
    for (j = 0; j < 4; j++) {
        printf("    {\n");
        for (b = 0; b < 256; b++)
            printf("%s0x%08" PRIx32 "%s", b % 8 == 0 ? "        " : " ",
                   sb.t[j][b], b % 8 == 7 ? ",\n" : ",");
        printf("    },\n");
    }
    printf("} };\n");
    return 0;
}

static int gen_gost89(void)
{
    emit_header("gost89");
    if (emit_sbox("kz_gost89_sbox_test", "id-GostR3411-94-TestParamSet",
                  kz_gost89_rows_test) != 0)
        return -1;
    printf("\n");
    return emit_sbox("kz_gost89_sbox_cryptopro",
                     "id-GostR3411-94-CryptoProParamSet",
                     kz_gost89_rows_cryptopro);
}

/* Parses 16 hex digits. */
static int parse_hex64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 16; i++) {
        int c = s[i], d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return -1;
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return 0;
}

static int gen_streebog(void)
{
    unsigned i, j, x, q;
    uint8_t seen[256] = { 0 };

    /* pi must be a permutation. */
    for (x = 0; x < 256; x++) {
        if (seen[PI[x]])
            return -1;
        seen[PI[x]] = 1;
    }

    emit_header("streebog");
    /*
     * The state is eight 64-bit words w[0..7], w[j] holding bytes 8j..8j+7
     * of the 512-bit value little-endian (byte 0 is the least significant).
     * After S and P, byte j of word i is pi(byte i of w[j]); l then maps
     * bit q of that byte (bit 8j+q of the word) to row A[63 - 8j - q].
     * So LPS(w)[i] = XOR over j of T[j][byte i of w[j]], with
     * T[j][x] = XOR of A[63 - 8j - q] over the bits q set in pi(x).
     */
    printf("/* LPS lookup: LPS(w)[i] = XOR_j sb_lps[j][(w[j] >> 8i) & 0xff]. */\n");
    printf("static const uint64_t sb_lps[8][256] = {\n");
    for (j = 0; j < 8; j++) {
        printf("    {\n");
        for (x = 0; x < 256; x++) {
            uint64_t t = 0;

            for (q = 0; q < 8; q++)
                if ((PI[x] >> q) & 1)
                    t ^= A[63 - 8 * j - q];
            printf("%s0x%016" PRIx64 "%s", x % 4 == 0 ? "        " : " ", t,
                   x % 4 == 3 ? ",\n" : ",");
        }
        printf("    },\n");
    }
    printf("};\n\n");

    printf("/* C_1..C_12 as little-endian 64-bit words (word 0 least significant). */\n");
    printf("static const uint64_t sb_c[12][8] = {\n");
    for (i = 0; i < 12; i++) {
        const char *h = C_HEX[i];

        if (strlen(h) != 128)
            return -1;
        printf("    {");
        for (j = 0; j < 8; j++) {
            uint64_t w;

            /* Word j is the 16 digits ending 16j digits before the end. */
            if (parse_hex64(h + 128 - 16 * (j + 1), &w) != 0)
                return -1;
            printf("%s0x%016" PRIx64 "%s", j % 4 == 0 ? "\n        " : " ", w,
                   ",");
        }
        printf("\n    },\n");
    }
    printf("};\n");
    return 0;
}

/*
 * GOST R 34.11-94 shuffle psi (RFC 5831, mixing transformation) on
 * 16-bit words y[0..15] (y[0] least significant): psi(y) = (y[1], ..., y[15],
 * y[0]^y[1]^y[2]^y[3]^y[12]^y[15]). psi is linear, so psi^n maps each
 * output word to the XOR of a fixed set of input words; this emits that
 * XOR for psi^61 and psi^74 as straight-line code.
 */
static void psi_power(unsigned n, uint16_t set[16])
{
    unsigned i, k;

    for (i = 0; i < 16; i++)
        set[i] = (uint16_t)(1u << i); /* word i = input word i */
    for (k = 0; k < n; k++) {
        uint16_t nw = set[0] ^ set[1] ^ set[2] ^ set[3] ^ set[12] ^ set[15];

        for (i = 0; i < 15; i++)
            set[i] = set[i + 1];
        set[15] = nw;
    }
}

static void emit_psi(const char *name, unsigned n, const char *op)
{
    uint16_t set[16];
    unsigned o, i;

    psi_power(n, set);
    printf("/* r %s psi^%u(y) */\n", op, n);
    printf("static inline void %s(uint16_t r[16], const uint16_t y[16])\n{\n",
           name);
    for (o = 0; o < 16; o++) {
        int first = 1;

        printf("    r[%u] %s", o, op);
        for (i = 0; i < 16; i++) {
            if (set[o] & (1u << i)) {
                printf("%sy[%u]", first ? " " : " ^ ", i);
                first = 0;
            }
        }
        if (first)
            printf(" 0");
        printf(";\n");
    }
    printf("}\n");
}

static int gen_gost94(void)
{
    emit_header("gost94");
    emit_psi("psi61", 61, "=");
    printf("\n");
    emit_psi("psi74_xor", 74, "^=");
    return 0;
}

/*
 * Tables for the AVX-512 (VBMI + GFNI) Streebog code in streebog.c.
 *
 * There the 512-bit state sits in one vector register in one of two byte
 * layouts: "N", byte 8w+p = byte p of word w (the memory layout), and "T",
 * byte 8p+w = byte p of word w (its 8x8 transpose). P is exactly that
 * transposition. S is a byte lookup in pi. L sends byte j of a word through
 * an 8x8 bit matrix M[k][j] into byte k of the result, for every k, and
 * XORs the eight contributions. With the S output in layout N, rotating the
 * vector by d words gives, in qword lane k, word (k+d) mod 8; one
 * GF2P8AFFINEQB with lane k holding M[k][(k+d) mod 8] then computes every
 * contribution of input word (k+d) mod 8 to output byte k, stored at byte
 * position i = the input byte index. Summed over d = 0..7, lane k byte i is
 * byte k of output word i: the result is in layout T.
 *
 * With the S output in layout T instead, one byte permutation per d
 * (sb_bcast_idx[d]: byte 8k+i <- byte 8i+((k+d) mod 8)) builds the same
 * rotated words directly, which saves the transposition.
 *
 * GF2P8AFFINEQB computes output bit b of a byte as the parity of (byte
 * 7-b of the lane's matrix) AND (input byte).
 */
static uint64_t gf_matrix(unsigned k, unsigned j)
{
    uint64_t mat = 0;
    unsigned b, q;

    for (b = 0; b < 8; b++) {
        unsigned row = 0;

        /* Input bit q of byte j is bit 8j+q of the word: row A[63-8j-q]. */
        for (q = 0; q < 8; q++)
            if ((A[63 - 8 * j - q] >> (8 * k + b)) & 1)
                row |= 1u << q;
        mat |= (uint64_t)row << (8 * (7 - b));
    }
    return mat;
}

static int gen_streebog_avx512(void)
{
    unsigned d, k, i, j, p;

    emit_header("streebog-avx512");
    printf("/* pi(0..255) for VPERMT2B lookups. */\n");
    printf("static const uint8_t sb_pi[256] = {\n");
    for (i = 0; i < 256; i++)
        printf("%s0x%02x,%s", i % 16 == 0 ? "    " : " ", PI[i],
               i % 16 == 15 ? "\n" : "");
    printf("};\n\n");

    printf("/* sb_gf_mat[d][k] = matrix of L from input byte (k+d) mod 8 to"
           " output byte k. */\n");
    printf("static const uint64_t sb_gf_mat[8][8] = {\n");
    for (d = 0; d < 8; d++) {
        printf("    {");
        for (k = 0; k < 8; k++)
            printf("%s0x%016" PRIx64 ",", k % 4 == 0 ? "\n        " : " ",
                   gf_matrix(k, (k + d) % 8));
        printf("\n    },\n");
    }
    printf("};\n\n");

    printf("/* sb_bcast_idx[d]: from layout T, word (k+d) mod 8 into lane k. */\n");
    printf("static const uint8_t sb_bcast_idx[8][64] = {\n");
    for (d = 0; d < 8; d++) {
        printf("    {");
        for (k = 0; k < 8; k++)
            for (i = 0; i < 8; i++)
                printf("%s%2u,", (8 * k + i) % 16 == 0 ? "\n        " : " ",
                       8 * i + (k + d) % 8);
        printf("\n    },\n");
    }
    printf("};\n\n");

    printf("/* C_1..C_12 in layout T (qword p = byte p of every word). */\n");
    printf("static const uint64_t sb_c_t[12][8] = {\n");
    for (i = 0; i < 12; i++) {
        uint64_t w[8], t;

        for (j = 0; j < 8; j++)
            if (parse_hex64(C_HEX[i] + 128 - 16 * (j + 1), &w[j]) != 0)
                return -1;
        printf("    {");
        for (p = 0; p < 8; p++) {
            t = 0;
            for (j = 0; j < 8; j++)
                t |= ((w[j] >> (8 * p)) & 0xff) << (8 * j);
            printf("%s0x%016" PRIx64 ",", p % 4 == 0 ? "\n        " : " ", t);
        }
        printf("\n    },\n");
    }
    printf("};\n");
    return 0;
}

int main(int argc, char **argv)
{
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s gost89|gost94|streebog|streebog-avx512\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "gost89") == 0)
        rc = gen_gost89();
    else if (strcmp(argv[1], "streebog") == 0)
        rc = gen_streebog();
    else if (strcmp(argv[1], "streebog-avx512") == 0)
        rc = gen_streebog_avx512();
    else if (strcmp(argv[1], "gost94") == 0)
        rc = gen_gost94();
    else {
        fprintf(stderr, "unknown table set: %s\n", argv[1]);
        return 2;
    }
    if (rc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "table generation failed\n");
        return 1;
    }
    return 0;
}
