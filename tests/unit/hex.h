/* Hex decoding for the unit suites (asserts on malformed input). */
#ifndef KZP11_TEST_HEX_H
#define KZP11_TEST_HEX_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes hex into out (at most cap bytes); returns the length. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex), i;

    ck_assert_msg(n % 2 == 0, "odd hex length");
    ck_assert_msg(n / 2 <= cap, "hex too long");
    for (i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

        ck_assert_msg(hi >= 0 && lo >= 0, "bad hex digit");
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return n / 2;
}

#endif
