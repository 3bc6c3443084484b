/*
 * Unit tests for the forwarding room: the module settings of kzp11.conf and
 * KZP11_MODULES (src/util/conf_modules.c), and what src/fwd/fwd.c offers
 * the slot-event monitor (kz_fwd_poll_events, kz_fwd_serves_atr), driven
 * with the stand-in vendor module (KZP11_MOCK_VENDOR).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/module.h"
#include "fwd/fwd.h"
#include "util/conf.h"
#include "util/log.h"

static char tmpdir[256];
static char log_path[512];
static struct kz_conf conf;

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/kzp11-fwd-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(log_path, sizeof log_path, "%s/log", tmpdir);
	unsetenv("KZP11_MODULES");
	unsetenv("KZP11_DEBUG");
	unsetenv("MOCK_VENDOR_FAULT");
	setenv("HOME", tmpdir, 1);
	setenv("KZP11_KEYS", tmpdir, 1);
	setenv("KZP11_CONF", "/dev/null", 1);   /* not the machine's file */
	memset(&conf, 0, sizeof conf);
	kz_log_set_level(KZ_LOG_ERROR);
	kz_log_set_target(log_path);
}

static void teardown(void)
{
	char conf_path[600];

	kz_conf_free(&conf);
	kz_log_close();
	snprintf(conf_path, sizeof conf_path, "%s/kzp11.conf", tmpdir);
	unlink(conf_path);
	unlink(log_path);
	rmdir(tmpdir);
}

/* The log so far (static buffer). */
static const char *log_text(void)
{
	static char buf[8192];
	FILE *f = fopen(log_path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

START_TEST(test_module_settings)
{
	ck_assert_int_eq(kz_conf_parse(&conf,
		"module = /opt/etoken/libeTPkcs11.so\n"
		"module_name = eToken\n"
		"module_atr = 3B D5 18 00 81 31 3A 7D 80 73 C8 21 10 30\n"
		"module_atr = 3b:88:??:4b\n"
		"module_label = NCA*\n"
		"module = ~/lib/vendor.so\n"
		"forward_registered = yes\n", "test"), 0);
	ck_assert_uint_eq(conf.n_modules, 2);
	ck_assert_str_eq(conf.modules[0].path, "/opt/etoken/libeTPkcs11.so");
	ck_assert_str_eq(conf.modules[0].name, "eToken");
	ck_assert_uint_eq(conf.modules[0].n_atrs, 2);
	ck_assert_str_eq(conf.modules[0].atrs[1], "3b:88:??:4b");
	ck_assert_uint_eq(conf.modules[0].n_labels, 1);
	ck_assert_str_eq(conf.modules[0].labels[0], "NCA*");
	ck_assert_int_eq(strncmp(conf.modules[1].path, tmpdir, strlen(tmpdir)), 0);
	ck_assert_str_eq(conf.modules[1].path + strlen(tmpdir), "/lib/vendor.so");
	ck_assert_ptr_null(conf.modules[1].name);
	ck_assert_int_eq(conf.modules[1].from_env, 0);
	ck_assert_int_eq(conf.forward_registered, 1);
	ck_assert_str_eq(log_text(), "");
}
END_TEST

START_TEST(test_module_settings_bad)
{
	ck_assert_int_eq(kz_conf_parse(&conf,
		"module_name = orphan\n"
		"module =\n"
		"module = /x.so\n"
		"module_atr = 3B 8\n"
		"module_atr = hello\n"
		"module_label =\n"
		"forward_registered = maybe\n", "bad.conf"), 0);
	ck_assert_uint_eq(conf.n_modules, 1);
	ck_assert_uint_eq(conf.modules[0].n_atrs, 0);
	ck_assert_uint_eq(conf.modules[0].n_labels, 0);
	ck_assert_int_eq(conf.forward_registered, 0);
	ck_assert_ptr_nonnull(strstr(log_text(), "bad.conf:1: invalid value 'orphan' for 'module_name'"));
	ck_assert_ptr_nonnull(strstr(log_text(), "bad.conf:4: invalid value '3B 8'"));
	ck_assert_ptr_nonnull(strstr(log_text(), "bad.conf:5:"));
	ck_assert_ptr_nonnull(strstr(log_text(), "bad.conf:7:"));
}
END_TEST

/* KZP11_MODULES adds to the configured modules (KZP11_KEYS replaces). */
START_TEST(test_modules_env)
{
	char conf_path[600];
	FILE *f;

	snprintf(conf_path, sizeof conf_path, "%s/kzp11.conf", tmpdir);
	f = fopen(conf_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("module = /conf/a.so\n", f);
	fclose(f);
	setenv("KZP11_CONF", conf_path, 1);
	setenv("KZP11_MODULES", "/env/b.so::/env/c.so:", 1);
	ck_assert_int_eq(kz_conf_load(&conf), 0);
	ck_assert_uint_eq(conf.n_modules, 3);
	ck_assert_str_eq(conf.modules[0].path, "/conf/a.so");
	ck_assert_int_eq(conf.modules[0].from_env, 0);
	ck_assert_str_eq(conf.modules[1].path, "/env/b.so");
	ck_assert_int_eq(conf.modules[1].from_env, 1);
	ck_assert_str_eq(conf.modules[2].path, "/env/c.so");
}
END_TEST

static void (*mock_set)(const char *what, int value);

static void load_mock(void)
{
	const char *mock = getenv("KZP11_MOCK_VENDOR");
	void *dl;

	ck_assert_msg(mock && *mock, "KZP11_MOCK_VENDOR is not set: run through make check");
	dl = dlopen(mock, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(dl != NULL, "%s", dlerror());
	*(void **)&mock_set = dlsym(dl, "mock_vendor_set");
	ck_assert_ptr_nonnull(mock_set);
	setenv("KZP11_MODULES", mock, 1);
}

START_TEST(test_poll_events)
{
	CK_SLOT_ID ids[8], first;

	load_mock();
	ck_assert_uint_eq(kz_fwd_poll_events(ids, 8), 0);   /* not initialised */
	ck_assert_uint_eq(kz_module_initialize(NULL), CKR_OK);
	ck_assert_uint_eq(kz_fwd_poll_events(ids, 8), 0);
	/* A second reader: a new slot with a new tagged ID. */
	mock_set("second", 1);
	ck_assert_uint_eq(kz_fwd_poll_events(ids, 8), 1);
	ck_assert(kz_fwd_tagged(ids[0]));
	first = ids[0];
	ck_assert_uint_eq(kz_fwd_poll_events(ids, 8), 0);
	/* The first token pulled out: its ID, known since C_Initialize. */
	mock_set("present", 0);
	ck_assert_uint_eq(kz_fwd_poll_events(ids, 0), 0);   /* no room: nothing asked */
	ck_assert_uint_eq(kz_fwd_poll_events(ids, 8), 1);
	ck_assert(kz_fwd_tagged(ids[0]));
	ck_assert_uint_ne(ids[0], first);
	ck_assert_uint_eq(ids[0] & ~KZ_FWD_TAG, 0);   /* numbered first at C_Initialize */
	ck_assert_uint_eq(kz_module_finalize(), CKR_OK);
	ck_assert_uint_eq(kz_fwd_poll_events(ids, 8), 0);
}
END_TEST

START_TEST(test_serves_atr)
{
	static const unsigned char kaztoken[] = {
		0x3B, 0x88, 0x01, 0x4B, 0x41, 0x5A, 0x54, 0x4F, 0x4B, 0x45, 0x4E, 0x82 };
	static const unsigned char etoken[] = {
		0x3B, 0xD5, 0x18, 0x00, 0x81, 0x31, 0x3A, 0x7D, 0x80, 0x73, 0xC8, 0x21, 0x10, 0x30 };
	char conf_path[600];
	FILE *f;

	load_mock();
	unsetenv("KZP11_MODULES");
	snprintf(conf_path, sizeof conf_path, "%s/kzp11.conf", tmpdir);
	f = fopen(conf_path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "module = %s\nmodule_atr = 3B 88 ?? 4B 41 5A 54 4F 4B 45 4E 82\n",
		getenv("KZP11_MOCK_VENDOR"));
	fclose(f);
	setenv("KZP11_CONF", conf_path, 1);
	ck_assert_uint_eq(kz_module_initialize(NULL), CKR_OK);
	ck_assert_int_eq(kz_fwd_serves_atr(kaztoken, sizeof kaztoken), 1);
	ck_assert_int_eq(kz_fwd_serves_atr(kaztoken, sizeof kaztoken - 1), 0);
	ck_assert_int_eq(kz_fwd_serves_atr(etoken, sizeof etoken), 0);
	ck_assert_uint_eq(kz_module_finalize(), CKR_OK);
}
END_TEST

static Suite *fwd_suite(void)
{
	Suite *s = suite_create("fwd");
	TCase *tc = tcase_create("fwd");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_module_settings);
	tcase_add_test(tc, test_module_settings_bad);
	tcase_add_test(tc, test_modules_env);
	tcase_add_test(tc, test_poll_events);
	tcase_add_test(tc, test_serves_atr);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fwd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
