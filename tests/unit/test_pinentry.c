/*
 * Unit tests for src/util/pinentry.c's Assuan escaping (the Assuan
 * manual: '%', CR, LF and other control characters travel as %XX, in
 * either case of hex digit) and for the `pinentry` setting of kzp11.conf.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf.h"
#include "util/log.h"
#include "util/pinentry.h"

START_TEST(test_escape)
{
	char out[64];

	kz_pinentry_escape("100% sure\nnext\rline", out);
	ck_assert_str_eq(out, "100%25 sure%0Anext%0Dline");
	kz_pinentry_escape("Тест \"AUTH\"", out);   /* UTF-8 passes as it is */
	ck_assert_str_eq(out, "Тест \"AUTH\"");
}
END_TEST

START_TEST(test_unescape)
{
	char a[] = "p%25ss%0aw%2Bord", b[] = "bad%G1", c[] = "cut%2", d[] = "%";

	ck_assert_int_eq(kz_pinentry_unescape(a, strlen(a)), 10);
	ck_assert_int_eq(memcmp(a, "p%ss\nw+ord", 10), 0);
	ck_assert_int_eq(kz_pinentry_unescape(b, strlen(b)), -1);
	ck_assert_int_eq(kz_pinentry_unescape(c, strlen(c)), -1);
	ck_assert_int_eq(kz_pinentry_unescape(d, strlen(d)), -1);
}
END_TEST

START_TEST(test_conf_setting)
{
	struct kz_conf conf;

	memset(&conf, 0, sizeof conf);
	kz_log_set_level(KZ_LOG_OFF);
	ck_assert_ptr_null(conf.pinentry);   /* off unless configured */
	ck_assert_int_eq(kz_conf_parse(&conf, "pinentry = /usr/bin/pinentry\n", "t"), 0);
	ck_assert_str_eq(conf.pinentry, "/usr/bin/pinentry");
	/* A relative name is refused: no search through PATH. */
	ck_assert_int_eq(kz_conf_parse(&conf, "pinentry = pinentry-tty\n", "t"), 0);
	ck_assert_str_eq(conf.pinentry, "/usr/bin/pinentry");
	ck_assert_int_eq(kz_conf_parse(&conf, "pinentry = no\n", "t"), 0);
	ck_assert_ptr_null(conf.pinentry);
	ck_assert_int_eq(kz_conf_parse(&conf, "pinentry = /bin/p\npinentry =\n", "t"), 0);
	ck_assert_ptr_null(conf.pinentry);
	kz_conf_free(&conf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pinentry");
	TCase *tc = tcase_create("assuan");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_unescape);
	tcase_add_test(tc, test_conf_setting);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
