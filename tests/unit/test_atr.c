/*
 * Unit tests for src/pcsc/atr.c: the atr.conf syntax, masks, and the
 * shipped table against the device ATRs published by NCA and pcsc-tools'
 * smartcard_list.txt (the bytes below are copied from those lists, not
 * from our file).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcsc/atr.h"
#include "util/conf.h"
#include "util/log.h"

static struct kz_atr_table t;
static char log_path[256];

static void setup(void)
{
	snprintf(log_path, sizeof log_path, "%s/kzp11-atr-log-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	close(mkstemp(log_path));
	kz_log_set_level(KZ_LOG_INFO);
	kz_log_set_target(log_path);
	memset(&t, 0, sizeof t);
}

static void teardown(void)
{
	kz_atr_free(&t);
	kz_log_close();
	unlink(log_path);
}

static int log_has(const char *text)
{
	char buf[8192];
	FILE *f = fopen(log_path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static const char *match(const unsigned char *atr, size_t len)
{
	const struct kz_atr_device *d = kz_atr_match(&t, atr, len);
	return d ? d->name : NULL;
}

#define MATCH(...) ({ static const unsigned char a_[] = { __VA_ARGS__ }; match(a_, sizeof a_); })

/* ---- hex ---- */

START_TEST(test_hex_forms)
{
	unsigned char b[KZ_ATR_MAX];
	size_t n;

	ck_assert_int_eq(kz_atr_parse_hex("3B 88 01", b, sizeof b, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(b[0], 0x3B);
	ck_assert_int_eq(b[2], 0x01);
	ck_assert_int_eq(kz_atr_parse_hex("3b:88:0a", b, sizeof b, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(b[2], 0x0A);
	ck_assert_int_eq(kz_atr_parse_hex("3B8801FF", b, sizeof b, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(b[3], 0xFF);
}
END_TEST

START_TEST(test_hex_rejects)
{
	unsigned char b[KZ_ATR_MAX];
	size_t n;
	char longest[3 * 34 + 1] = "";

	ck_assert_int_eq(kz_atr_parse_hex("", b, sizeof b, &n), -1);
	ck_assert_int_eq(kz_atr_parse_hex("3B 8", b, sizeof b, &n), -1);
	ck_assert_int_eq(kz_atr_parse_hex("3B 8G", b, sizeof b, &n), -1);
	ck_assert_int_eq(kz_atr_parse_hex("3 B", b, sizeof b, &n), -1);
	for (int i = 0; i < 34; i++)
		strcat(longest, "AA ");
	ck_assert_int_eq(kz_atr_parse_hex(longest, b, sizeof b, &n), -1);   /* 34 > 33 */
	longest[3 * 33] = '\0';
	ck_assert_int_eq(kz_atr_parse_hex(longest, b, sizeof b, &n), 0);
	ck_assert_uint_eq(n, 33);
}
END_TEST

START_TEST(test_hex_print)
{
	static const unsigned char a[] = { 0x3B, 0x88, 0x01 };
	char out[16];

	kz_atr_hex(a, sizeof a, out, sizeof out);
	ck_assert_str_eq(out, "3B 88 01");
	kz_atr_hex(a, sizeof a, out, 5);   /* no room for " 88" and its NUL: whole bytes only */
	ck_assert_str_eq(out, "3B");
}
END_TEST

/* ---- parsing and matching ---- */

START_TEST(test_exact_match)
{
	ck_assert_int_eq(kz_atr_parse(&t, "[Token A]\natr = 3B 02 14 50\n", "t"), 0);
	ck_assert_uint_eq(t.n_devices, 1);
	ck_assert_uint_eq(t.n_entries, 1);
	ck_assert_str_eq(MATCH(0x3B, 0x02, 0x14, 0x50), "Token A");
	ck_assert_ptr_null(MATCH(0x3B, 0x02, 0x14, 0x51));        /* one bit off */
	ck_assert_ptr_null(MATCH(0x3B, 0x02, 0x14));              /* shorter */
	ck_assert_ptr_null(MATCH(0x3B, 0x02, 0x14, 0x50, 0x00));  /* longer */
	ck_assert_ptr_null(kz_atr_match(&t, NULL, 0));
}
END_TEST

START_TEST(test_mask)
{
	ck_assert_int_eq(kz_atr_parse(&t, "[Masked]\natr = 3B 02 14 50 / FF FF 00 F0\n", "t"), 0);
	ck_assert_str_eq(MATCH(0x3B, 0x02, 0x14, 0x50), "Masked");
	ck_assert_str_eq(MATCH(0x3B, 0x02, 0x99, 0x5F), "Masked");   /* masked bits differ */
	ck_assert_ptr_null(MATCH(0x3B, 0x02, 0x14, 0x60));           /* an unmasked bit differs */
	ck_assert_ptr_null(MATCH(0x3B, 0x03, 0x14, 0x50));
}
END_TEST

START_TEST(test_first_match_wins_and_module)
{
	const struct kz_atr_device *d;
	static const unsigned char a[] = { 0x3B, 0x01 };

	ck_assert_int_eq(kz_atr_parse(&t,
		"# comment\n[First]  \n atr = 3B 01 # trailing\nmodule = /opt/a.so\n"
		"[Second]\natr = 3B 01\n", "t"), 0);
	d = kz_atr_match(&t, a, sizeof a);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->name, "First");
	ck_assert_str_eq(d->module, "/opt/a.so");
	ck_assert_ptr_null(t.devices[1].module);
}
END_TEST

START_TEST(test_bad_lines_are_skipped_and_logged)
{
	ck_assert_int_eq(kz_atr_parse(&t,
		"atr = 3B 01\n"                    /* 1: before any device */
		"[Dev]\n"
		"atr = 3B 0\n"                     /* 3: odd digit */
		"atr = 3B 01 / FF\n"               /* 4: mask of another length */
		"atr = zz\n"                       /* 5 */
		"colour = blue\n"                  /* 6: unknown */
		"no equals sign\n"                 /* 7 */
		"[]\n"                             /* 8: empty name */
		"[Unclosed\n"                      /* 9 */
		"atr = 3B 02\n", "bad.conf"), 0);
	ck_assert_uint_eq(t.n_devices, 1);
	ck_assert_uint_eq(t.n_entries, 1);
	ck_assert_str_eq(MATCH(0x3B, 0x02), "Dev");
	ck_assert_ptr_null(MATCH(0x3B, 0x01));
	ck_assert(log_has("bad.conf:1:"));
	ck_assert(log_has("bad.conf:3: invalid ATR"));
	ck_assert(log_has("bad.conf:4: invalid ATR"));
	ck_assert(log_has("bad.conf:5: invalid ATR"));
	ck_assert(log_has("bad.conf:6: unknown setting 'colour'"));
	ck_assert(log_has("bad.conf:7:"));
	ck_assert(log_has("bad.conf:8:"));
	ck_assert(log_has("bad.conf:9:"));
}
END_TEST

START_TEST(test_second_text_does_not_extend_previous_device)
{
	ck_assert_int_eq(kz_atr_parse(&t, "[A]\natr = 3B 01\n", "one"), 0);
	ck_assert_int_eq(kz_atr_parse(&t, "atr = 3B 02\n[B]\natr = 3B 03\n", "two"), 0);
	ck_assert_ptr_null(MATCH(0x3B, 0x02));
	ck_assert_str_eq(MATCH(0x3B, 0x03), "B");
	ck_assert(log_has("two:1:"));
}
END_TEST

START_TEST(test_missing_file)
{
	ck_assert_int_eq(kz_atr_load(&t, "/nonexistent/kzp11/atr.conf"), 0);
	ck_assert_uint_eq(t.n_entries, 0);
	ck_assert(log_has("no ATR table at /nonexistent/kzp11/atr.conf"));
}
END_TEST

/* ---- the shipped table, against the published ATRs ---- */

static void load_shipped(void)
{
	const char *srcdir = getenv("srcdir");
	char path[1024];

	snprintf(path, sizeof path, "%s/conf/atr.conf", srcdir ? srcdir : ".");
	ck_assert_int_eq(kz_atr_load(&t, path), 0);
	ck_assert_msg(t.n_entries > 0, "no entries read from %s", path);
	ck_assert(!log_has("invalid"));
	ck_assert(!log_has("ignored"));
}

START_TEST(test_shipped_table)
{
	const struct kz_atr_device *d;
	static const unsigned char etoken[] = {
		0x3B, 0xD5, 0x18, 0x00, 0x81, 0x31, 0x3A, 0x7D, 0x80, 0x73, 0xC8, 0x21, 0x10, 0x30 };

	load_shipped();
	ck_assert_str_eq(MATCH(0x3B, 0x88, 0x01, 0x4B, 0x41, 0x5A, 0x54, 0x4F, 0x4B, 0x45,
			       0x4E, 0x82), "Kaztoken");
	ck_assert_str_eq(MATCH(0x3B, 0x98, 0x96, 0x00, 0x4B, 0x41, 0x5A, 0x54, 0x4F, 0x4B,
			       0x45, 0x4E), "Kaztoken");
	ck_assert_str_eq(MATCH(0x3B, 0x3E, 0x95, 0x00, 0x53, 0x4F, 0x4D, 0x41, 0x2D, 0x63,
			       0x30, 0x30, 0x37, 0x2D, 0x44, 0x53, 0x31, 0x61), "Kazakh ID card");
	ck_assert_str_eq(MATCH(0x3B, 0x3E, 0x95, 0x00, 0x53, 0x4F, 0x4D, 0x41, 0x2D, 0x63,
			       0x30, 0x30, 0x37, 0x2D, 0x44, 0x53, 0x31, 0x62), "Kazakh ID card");
	ck_assert_str_eq(MATCH(0x3B, 0x77, 0x18, 0x00, 0x00, 0x4B, 0x41, 0x53, 0x41, 0x4B,
			       0x49, 0x44), "Kazakh ID card");
	ck_assert_str_eq(MATCH(0x3B, 0xDC, 0x18, 0xFF, 0x81, 0x91, 0xFE, 0x1F, 0xC3, 0x80,
			       0x73, 0xC8, 0x21, 0x13, 0x66, 0x01, 0x06, 0x11, 0x59, 0x00,
			       0x01, 0x28), "JaCarta PKI");
	d = kz_atr_match(&t, etoken, sizeof etoken);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(d->name, "eToken"));
	ck_assert_str_eq(d->module, "/usr/lib/libeTPkcs11.so");
	/* A YubiKey 5 NFC (CCID): not a Kazakh device. */
	ck_assert_ptr_null(MATCH(0x3B, 0xFD, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15, 0x80,
				 0x73, 0xC0, 0x21, 0xC0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4B,
				 0x65, 0x79, 0x40));
}
END_TEST

/* ---- the two kzp11.conf settings ---- */

START_TEST(test_conf_settings)
{
	struct kz_conf conf;

	setenv("KZP11_CONF", "/dev/null", 1);
	unsetenv("KZP11_KEYS");
	setenv("HOME", "/home/test", 1);
	ck_assert_int_eq(kz_conf_load(&conf), 0);
	ck_assert_int_eq(conf.pcsc, 1);   /* on by default */
	ck_assert_str_eq(conf.atr_table, KZP11_SYSCONFDIR "/kzp11/atr.conf");
	ck_assert_int_eq(kz_conf_parse(&conf, "pcsc = no\natr_table = ~/my atr.conf\n", "t"), 0);
	ck_assert_int_eq(conf.pcsc, 0);
	ck_assert_str_eq(conf.atr_table, "/home/test/my atr.conf");
	ck_assert_int_eq(kz_conf_parse(&conf, "pcsc = maybe\natr_table =\n", "c.conf"), 0);
	ck_assert_int_eq(conf.pcsc, 0);
	ck_assert_str_eq(conf.atr_table, "/home/test/my atr.conf");
	ck_assert(log_has("c.conf:1: invalid value 'maybe' for 'pcsc'"));
	ck_assert(log_has("c.conf:2: invalid value '' for 'atr_table'"));
	kz_conf_free(&conf);
}
END_TEST

static Suite *atr_suite(void)
{
	Suite *s = suite_create("atr");
	TCase *tc = tcase_create("hex");

	tcase_add_test(tc, test_hex_forms);
	tcase_add_test(tc, test_hex_rejects);
	tcase_add_test(tc, test_hex_print);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_exact_match);
	tcase_add_test(tc, test_mask);
	tcase_add_test(tc, test_first_match_wins_and_module);
	tcase_add_test(tc, test_bad_lines_are_skipped_and_logged);
	tcase_add_test(tc, test_second_text_does_not_extend_previous_device);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_shipped_table);
	tcase_add_test(tc, test_conf_settings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(atr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
