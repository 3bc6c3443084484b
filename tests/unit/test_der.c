/*
 * Unit tests for src/util/der.c, the BER/DER reader under the PKCS#12
 * parser.  Every input lives in a heap buffer of exactly its own size, so
 * a build with -fsanitize=address reports any read past the end; the walks
 * over damaged input also check on their own that every item found lies
 * inside the buffer.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/der.h"

/* ---- helpers ---- */

/* Decodes hex (spaces allowed) into a heap buffer of exactly its size. */
static unsigned char *unhex(const char *hex, size_t *len)
{
	size_t digits = 0, n = 0;
	unsigned char *buf;

	for (const char *p = hex; *p; p++)
		digits += *p != ' ';
	buf = malloc(digits / 2 ? digits / 2 : 1);
	ck_assert_ptr_nonnull(buf);
	while (*hex) {
		unsigned v;
		if (*hex == ' ') {
			hex++;
			continue;
		}
		ck_assert(sscanf(hex, "%2x", &v) == 1);
		buf[n++] = (unsigned char)v;
		hex += 2;
	}
	*len = n;
	return buf;
}

/* Copies bytes into an exact-size heap buffer. */
static unsigned char *exact_copy(const unsigned char *src, size_t n)
{
	unsigned char *buf = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(buf);
	if (n)
		memcpy(buf, src, n);
	return buf;
}

/* Reads the one item in hex; returns kz_der_next's result. */
static int read_one(const char *hex, struct kz_der_item *it)
{
	size_t len;
	unsigned char *buf = unhex(hex, &len);
	struct kz_der d;
	int rc;

	kz_der_init(&d, buf, len);
	rc = kz_der_next(&d, it);
	if (rc == 0) {
		ck_assert_ptr_eq(it->header, buf);
		ck_assert_uint_le(it->total, len);
		ck_assert_ptr_eq(d.p, buf + it->total);
	}
	free(buf);   /* callers look only at the numbers */
	return rc;
}

/* The joined value of the OCTET STRING in hex, as hex; NULL if refused. */
static char *octets_of(const char *hex)
{
	size_t len;
	unsigned char *buf = unhex(hex, &len), *owned = NULL;
	const unsigned char *val;
	size_t val_len;
	struct kz_der d;
	struct kz_der_item it;
	char *out = NULL;

	kz_der_init(&d, buf, len);
	if (kz_der_next(&d, &it) == 0 && kz_der_octets(&it, &val, &val_len, &owned) == 0) {
		out = malloc(2 * val_len + 1);
		for (size_t i = 0; i < val_len; i++)
			sprintf(out + 2 * i, "%02x", val[i]);
		out[2 * val_len] = '\0';
		if (!it.constructed)
			ck_assert_ptr_null(owned);
	}
	free(owned);
	free(buf);
	return out;
}

static void assert_octets(const char *hex, const char *want)
{
	char *got = octets_of(hex);

	ck_assert_msg(got != NULL, "%s refused", hex);
	ck_assert_str_eq(got, want);
	free(got);
}

static void assert_octets_refused(const char *hex)
{
	char *got = octets_of(hex);

	ck_assert_msg(got == NULL, "%s accepted as '%s'", hex, got);
}

static int uint_of(const char *hex, unsigned long *out)
{
	size_t len;
	unsigned char *buf = unhex(hex, &len);
	struct kz_der d;
	struct kz_der_item it;
	int rc;

	kz_der_init(&d, buf, len);
	ck_assert_int_eq(kz_der_next(&d, &it), 0);
	rc = kz_der_uint(&it, out);
	free(buf);
	return rc;
}

/* `levels` nested indefinite-length SEQUENCEs around an INTEGER. */
static unsigned char *nested_indefinite(int levels, size_t *len)
{
	size_t n = (size_t)levels * 4 + 3, i = 0;
	unsigned char *buf = malloc(n);

	ck_assert_ptr_nonnull(buf);
	for (int k = 0; k < levels; k++) {
		buf[i++] = 0x30;
		buf[i++] = 0x80;
	}
	buf[i++] = 0x02;
	buf[i++] = 0x01;
	buf[i++] = 0x05;
	for (int k = 0; k < levels; k++) {
		buf[i++] = 0x00;
		buf[i++] = 0x00;
	}
	*len = n;
	return buf;
}

/* ---- lengths ---- */

START_TEST(test_definite_short)
{
	struct kz_der_item it;

	ck_assert_int_eq(read_one("04 03 aa bb cc", &it), 0);
	ck_assert_uint_eq(it.tag, 0x04);
	ck_assert_int_eq(it.constructed, 0);
	ck_assert_uint_eq(it.len, 3);
	ck_assert_uint_eq(it.total, 5);
	ck_assert_int_eq(read_one("05 00", &it), 0);
	ck_assert_uint_eq(it.len, 0);
	ck_assert_uint_eq(it.total, 2);
}
END_TEST

START_TEST(test_definite_long)
{
	unsigned char buf[4 + 300];
	struct kz_der d;
	struct kz_der_item it;
	unsigned char *exact;

	/* 0x81 and 0x82 forms, and BER's needless leading zero. */
	memset(buf, 0x5a, sizeof buf);
	buf[0] = 0x04; buf[1] = 0x81; buf[2] = 0x80;
	exact = exact_copy(buf, 3 + 0x80);
	kz_der_init(&d, exact, 3 + 0x80);
	ck_assert_int_eq(kz_der_next(&d, &it), 0);
	ck_assert_uint_eq(it.len, 0x80);
	ck_assert_ptr_eq(it.content, exact + 3);
	free(exact);
	buf[1] = 0x82; buf[2] = 0x01; buf[3] = 0x2c;
	exact = exact_copy(buf, 4 + 300);
	kz_der_init(&d, exact, 4 + 300);
	ck_assert_int_eq(kz_der_next(&d, &it), 0);
	ck_assert_uint_eq(it.len, 300);
	ck_assert_uint_eq(it.total, 304);
	free(exact);
	ck_assert_int_eq(read_one("04 82 00 02 aa bb", &it), 0);
	ck_assert_uint_eq(it.len, 2);
}
END_TEST

START_TEST(test_indefinite)
{
	struct kz_der_item it;

	ck_assert_int_eq(read_one("30 80 02 01 05 00 00", &it), 0);
	ck_assert_int_eq(it.constructed, 1);
	ck_assert_uint_eq(it.len, 3);
	ck_assert_uint_eq(it.total, 7);
	ck_assert_int_eq(read_one("30 80 00 00", &it), 0);
	ck_assert_uint_eq(it.len, 0);
	/* Nested, with a definite item inside, and data after the item. */
	ck_assert_int_eq(read_one("30 80 30 80 02 01 01 00 00 04 01 aa 00 00 ff ff", &it), 0);
	ck_assert_uint_eq(it.len, 10);
	ck_assert_uint_eq(it.total, 14);
	/* The end-of-contents octets belong to the inner item, not the outer. */
	ck_assert_int_eq(read_one("a0 80 30 80 00 00 00 00", &it), 0);
	ck_assert_uint_eq(it.total, 8);
}
END_TEST

START_TEST(test_walk_items)
{
	size_t len;
	unsigned char *buf = unhex("30 06 02 01 01 02 01 02 04 00", &len);
	struct kz_der d, in;
	struct kz_der_item seq, a, b, c;
	unsigned long v;

	kz_der_init(&d, buf, len);
	ck_assert_int_eq(kz_der_expect(&d, KZ_DER_SEQUENCE, &seq), 0);
	kz_der_enter(&seq, &in);
	ck_assert_int_eq(kz_der_expect(&in, KZ_DER_INTEGER, &a), 0);
	ck_assert_int_eq(kz_der_uint(&a, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(kz_der_expect(&in, KZ_DER_OCTETSTRING, &b), -1);   /* it is an INTEGER */
	ck_assert_int_eq(kz_der_next(&in, &c), -1);                         /* the end */
	ck_assert_int_eq(kz_der_expect(&d, KZ_DER_OCTETSTRING, &c), 0);
	ck_assert_uint_eq(c.len, 0);
	ck_assert_int_eq(kz_der_next(&d, &c), -1);
	free(buf);
}
END_TEST

/* ---- what is refused ---- */

START_TEST(test_truncated)
{
	static const char *const cases[] = {
		"", "04", "04 05 aa bb", "04 81", "04 82 01", "04 82 01 00 aa",
		"30 80", "30 80 02 01 05", "30 80 02 01 05 00", "30 80 30 80 00 00",
		"30 03 02 01",
	};
	struct kz_der_item it;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		ck_assert_msg(read_one(cases[i], &it) == -1, "'%s' accepted", cases[i]);
}
END_TEST

START_TEST(test_bad_lengths_and_tags)
{
	static const char *const cases[] = {
		"04 80 aa 00 00",                          /* indefinite primitive */
		"04 89 00 00 00 00 00 00 00 00 01 aa",     /* more length bytes than size_t */
		"04 ff aa",                                /* 127 length bytes */
		"04 88 ff ff ff ff ff ff ff ff aa",        /* 2^64 - 1 */
		"04 88 80 00 00 00 00 00 00 00 aa",        /* 2^63 */
		"04 84 ff ff ff ff aa",                    /* 4 GiB */
		"1f 01 00",                                /* high tag number */
		"3f 81 00 00",
		"30 80 02 80 00 00 00 00",                 /* inner indefinite primitive */
	};
	struct kz_der_item it;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		ck_assert_msg(read_one(cases[i], &it) == -1, "'%s' accepted", cases[i]);
}
END_TEST

START_TEST(test_nesting_depth)
{
	struct kz_der d;
	struct kz_der_item it;
	size_t len;
	unsigned char *buf;

	buf = nested_indefinite(20, &len);
	kz_der_init(&d, buf, len);
	ck_assert_int_eq(kz_der_next(&d, &it), 0);
	ck_assert_uint_eq(it.total, len);
	free(buf);
	/* Too deep: refused, and without exhausting the stack. */
	static const int deep[] = { 30, 1000, 200000 };
	for (size_t i = 0; i < sizeof deep / sizeof *deep; i++) {
		buf = nested_indefinite(deep[i], &len);
		kz_der_init(&d, buf, len);
		ck_assert_msg(kz_der_next(&d, &it) == -1, "%d levels accepted", deep[i]);
		free(buf);
	}
}
END_TEST

/* ---- OCTET STRING values ---- */

START_TEST(test_octets_primitive)
{
	assert_octets("04 03 01 02 03", "010203");
	assert_octets("04 00", "");
}
END_TEST

START_TEST(test_octets_constructed)
{
	/* Definite and indefinite, nested, empty: chunks joined in order. */
	assert_octets("24 0a 04 02 aa bb 04 01 cc 04 01 dd", "aabbccdd");
	assert_octets("24 80 04 02 aa bb 04 01 cc 00 00", "aabbcc");
	assert_octets("24 80 24 80 04 01 aa 00 00 04 01 bb 24 04 04 02 cc dd 00 00", "aabbccdd");
	assert_octets("24 80 00 00", "");
	assert_octets("24 80 04 00 04 00 00 00", "");
}
END_TEST

START_TEST(test_octets_refused)
{
	assert_octets_refused("02 01 05");                    /* an INTEGER */
	assert_octets_refused("30 03 04 01 aa");              /* a SEQUENCE */
	assert_octets_refused("24 80 02 01 05 00 00");        /* a chunk that is no OCTET STRING */
	assert_octets_refused("24 05 04 01 aa 05 00");
	assert_octets_refused("24 80 04 02 aa 00 00");        /* a chunk past its parent */
	assert_octets_refused("24 03 04 02 aa bb");           /* a chunk longer than its parent */
}
END_TEST

/* X.690 8.7.3.2: the segments are OCTET STRINGs (universal class, tag 4). */
START_TEST(test_octets_only_universal_class)
{
	assert_octets_refused("84 02 aa bb");                 /* [4] IMPLICIT, primitive */
	assert_octets_refused("a4 04 04 02 aa bb");           /* [4], constructed */
	assert_octets_refused("24 80 84 02 aa bb 00 00");     /* a [4] chunk */
	assert_octets_refused("24 06 44 01 aa 04 01 bb");     /* an APPLICATION 4 chunk */
}
END_TEST

START_TEST(test_octets_too_deep)
{
	enum { LEVELS = 40 };   /* short-form lengths all the way */
	unsigned char raw[2 * LEVELS + 3], *buf;
	struct kz_der d;
	struct kz_der_item it;
	const unsigned char *val;
	size_t val_len;
	unsigned char *owned = (unsigned char *)&it;   /* must be reset to NULL */

	/* Constructed OCTET STRINGs nested in definite form, innermost 04 01 aa. */
	for (int i = 0; i < LEVELS; i++) {
		raw[2 * i] = 0x24;
		raw[2 * i + 1] = (unsigned char)(2 * (LEVELS - 1 - i) + 3);
	}
	raw[2 * LEVELS] = 0x04;
	raw[2 * LEVELS + 1] = 0x01;
	raw[2 * LEVELS + 2] = 0xaa;
	buf = exact_copy(raw, sizeof raw);
	kz_der_init(&d, buf, sizeof raw);
	ck_assert_int_eq(kz_der_next(&d, &it), 0);
	ck_assert_int_eq(kz_der_octets(&it, &val, &val_len, &owned), -1);
	ck_assert_ptr_null(owned);
	free(buf);
}
END_TEST

/* ---- INTEGER ---- */

START_TEST(test_uint)
{
	unsigned long v = 0;

	ck_assert_int_eq(uint_of("02 01 00", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(uint_of("02 01 03", &v), 0);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(uint_of("02 02 04 00", &v), 0);
	ck_assert_uint_eq(v, 1024);
	ck_assert_int_eq(uint_of("02 02 00 80", &v), 0);
	ck_assert_uint_eq(v, 128);
	ck_assert_int_eq(uint_of("02 08 7f ff ff ff ff ff ff ff", &v), 0);
	ck_assert_uint_eq(v, 0x7fffffffffffffffUL);
	ck_assert_int_eq(uint_of("02 01 80", &v), -1);      /* negative */
	ck_assert_int_eq(uint_of("02 01 ff", &v), -1);
	ck_assert_int_eq(uint_of("02 00", &v), -1);         /* no content */
	ck_assert_int_eq(uint_of("02 09 00 ff ff ff ff ff ff ff ff", &v), -1);   /* too big */
	ck_assert_int_eq(uint_of("04 01 03", &v), -1);      /* not an INTEGER */
}
END_TEST

/* ---- damaged input never escapes the buffer ---- */

/* A PKCS#12-like BER structure: indefinite lengths, constructed OCTET STRINGs. */
static const char *const sample_hex =
	"30 80 02 01 03 30 80 06 03 2a 86 48 a0 80 24 80 04 03 30 80 02 04 04 01 01 04 03 04 00"
	" 00 00 00 00 00 00 30 0c 30 07 06 03 2a 03 04 04 00 04 01 aa 02 01 7f 00 00";

/* Walks everything reachable; every item must lie inside [start, end). */
static void walk(const unsigned char *start, const unsigned char *end, struct kz_der *d, int depth)
{
	struct kz_der_item it;

	while (depth < 64 && kz_der_next(d, &it) == 0) {
		ck_assert(it.header >= start && it.content >= it.header);
		ck_assert(it.content + it.len <= end && it.header + it.total <= end);
		ck_assert(it.content + it.len <= it.header + it.total);
		if ((it.tag & 0x1f) == KZ_DER_OCTETSTRING) {
			const unsigned char *val;
			size_t len;
			unsigned char *owned = NULL;
			if (kz_der_octets(&it, &val, &len, &owned) == 0) {
				if (!owned)
					ck_assert(val >= start && val + len <= end);
				else
					ck_assert_uint_le(len, it.total);
				free(owned);
			}
		} else if (it.tag == KZ_DER_INTEGER) {
			unsigned long v;
			kz_der_uint(&it, &v);
		}
		if (it.constructed) {
			struct kz_der in;
			kz_der_enter(&it, &in);
			walk(start, end, &in, depth + 1);
		}
	}
}

static void walk_buffer(const unsigned char *src, size_t len)
{
	unsigned char *buf = exact_copy(src, len);
	struct kz_der d;

	kz_der_init(&d, buf, len);
	walk(buf, buf + len, &d, 0);
	free(buf);
}

START_TEST(test_sample_parses)
{
	size_t len;
	unsigned char *buf = unhex(sample_hex, &len);
	struct kz_der d;
	struct kz_der_item it;

	kz_der_init(&d, buf, len);
	ck_assert_int_eq(kz_der_next(&d, &it), 0);
	ck_assert_uint_eq(it.total, len);
	walk_buffer(buf, len);
	free(buf);
}
END_TEST

START_TEST(test_every_truncation)
{
	size_t len;
	unsigned char *buf = unhex(sample_hex, &len);

	for (size_t n = 0; n < len; n++) {
		unsigned char *cut = exact_copy(buf, n);
		struct kz_der d;
		struct kz_der_item it;
		kz_der_init(&d, cut, n);
		ck_assert_msg(kz_der_next(&d, &it) == -1, "accepted when cut to %zu bytes", n);
		free(cut);
		walk_buffer(buf, n);
	}
	free(buf);
}
END_TEST

START_TEST(test_every_byte_damaged)
{
	static const unsigned char values[] = { 0x00, 0x01, 0x04, 0x24, 0x30, 0x7f, 0x80, 0x81,
						0x84, 0x88, 0xff };
	size_t len;
	unsigned char *buf = unhex(sample_hex, &len);

	for (size_t i = 0; i < len; i++) {
		unsigned char keep = buf[i];
		for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
			buf[i] = values[v];
			walk_buffer(buf, len);
		}
		for (int bit = 0; bit < 8; bit++) {
			buf[i] = keep ^ (unsigned char)(1u << bit);
			walk_buffer(buf, len);
		}
		buf[i] = keep;
	}
	free(buf);
}
END_TEST

START_TEST(test_random_input)
{
	unsigned char buf[96];
	uint32_t x = 2463534242u;

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(round % (int)sizeof buf);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			buf[i] = (unsigned char)x;
		}
		/* Lean towards structure: tags and length forms that recurse. */
		if (n > 2 && round % 2) {
			buf[0] = round % 4 ? 0x30 : 0x24;
			buf[1] = 0x80;
		}
		walk_buffer(buf, n);
	}
}
END_TEST

static Suite *der_suite(void)
{
	Suite *s = suite_create("der");
	TCase *tc;

	tc = tcase_create("items");
	tcase_add_test(tc, test_definite_short);
	tcase_add_test(tc, test_definite_long);
	tcase_add_test(tc, test_indefinite);
	tcase_add_test(tc, test_walk_items);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_bad_lengths_and_tags);
	tcase_add_test(tc, test_nesting_depth);
	tcase_add_test(tc, test_uint);
	suite_add_tcase(s, tc);

	tc = tcase_create("octets");
	tcase_add_test(tc, test_octets_primitive);
	tcase_add_test(tc, test_octets_constructed);
	tcase_add_test(tc, test_octets_refused);
	tcase_add_test(tc, test_octets_only_universal_class);
	tcase_add_test(tc, test_octets_too_deep);
	suite_add_tcase(s, tc);

	tc = tcase_create("damaged");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sample_parses);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_every_byte_damaged);
	tcase_add_test(tc, test_random_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(der_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
