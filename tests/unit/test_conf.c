/*
 * Unit tests for src/util/conf.c: the kzp11.conf syntax, the environment
 * overrides and the defaults.  The module log is sent to a file so the
 * tests can see what was reported.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/conf.h"
#include "util/log.h"

static char tmpdir[256];
static char log_path[512];
static struct kz_conf conf;

static const char *const env_vars[] = {
	"KZP11_CONF", "KZP11_KEYS", "KZP11_DEBUG", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
	"HOME", "USER", "LOGNAME",
};

/* ---- fixture ---- */

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/kzp11-conf-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(log_path, sizeof log_path, "%s/log", tmpdir);
	for (size_t i = 0; i < sizeof env_vars / sizeof *env_vars; i++)
		unsetenv(env_vars[i]);
	setenv("HOME", "/home/test", 1);
	setenv("USER", "alice", 1);
	memset(&conf, 0, sizeof conf);
	kz_log_set_level(KZ_LOG_ERROR);
	kz_log_set_target(log_path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void teardown(void)
{
	kz_conf_free(&conf);
	kz_log_close();
	nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- helpers ---- */

/* Everything logged so far (static buffer). */
static const char *logged(void)
{
	static char buf[64 * 1024];
	FILE *f = fopen(log_path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void assert_logged(const char *text)
{
	ck_assert_msg(strstr(logged(), text) != NULL, "'%s' not logged; the log: %s", text,
		      logged());
}

static void assert_nothing_logged(void)
{
	ck_assert_msg(logged()[0] == '\0', "unexpected log: %s", logged());
}

static const char *write_file(const char *name, const void *text, size_t len)
{
	static char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

static const char *write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* The defaults kz_conf_load starts from, for comparing. */
static void defaults(struct kz_conf *c)
{
	memset(c, 0, sizeof *c);
	c->scan_depth = 3;
	c->log_level = KZ_LOG_ERROR;
	c->cert_cache = 1;
}

static void assert_keys(const struct kz_conf *c, const char *const *want, size_t n)
{
	ck_assert_uint_eq(c->n_key_paths, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(c->key_paths[i], want[i]);
}

#define ASSERT_KEYS(c, ...) do { \
	static const char *const want_[] = { __VA_ARGS__ }; \
	assert_keys((c), want_, sizeof want_ / sizeof *want_); \
} while (0)

static void load(void)
{
	kz_conf_free(&conf);
	ck_assert_int_eq(kz_conf_load(&conf), 0);
	/* kz_conf_load sets the log level from the configuration. */
	kz_log_set_level(KZ_LOG_ERROR);
}

/* ---- parsing ---- */

START_TEST(test_all_settings)
{
	ck_assert_int_eq(kz_conf_parse(&conf,
		"keys = /srv/keys\n"
		"scan_depth = 5\n"
		"debug = 2\n"
		"log = /var/log/kzp11.log\n"
		"cert_cache = no\n"
		"cache_dir = /var/cache/kz\n", "test.conf"), 0);
	ASSERT_KEYS(&conf, "/srv/keys");
	ck_assert_int_eq(conf.scan_depth, 5);
	ck_assert_int_eq(conf.log_level, 2);
	ck_assert_str_eq(conf.log_target, "/var/log/kzp11.log");
	ck_assert_int_eq(conf.cert_cache, 0);
	ck_assert_str_eq(conf.cache_dir, "/var/cache/kz");
	ck_assert_int_eq(conf.key_paths_from_env, 0);
	assert_nothing_logged();
}
END_TEST

START_TEST(test_comments_and_spacing)
{
	ck_assert_int_eq(kz_conf_parse(&conf,
		"# a comment\n"
		"\n"
		"   \t\n"
		"   keys=/a   # a comment after the value\n"
		"\tkeys =  /b c  \n"
		"keys = /windows/line\r\n"
		"#keys = /commented\n"
		"keys = /last", "test.conf"), 0);
	ASSERT_KEYS(&conf, "/a", "/b c", "/windows/line", "/last");
	assert_nothing_logged();
}
END_TEST

START_TEST(test_keys_accumulate)
{
	ck_assert_int_eq(kz_conf_parse(&conf, "keys = /one\nkeys = /two\n", "system.conf"), 0);
	ck_assert_int_eq(kz_conf_parse(&conf, "keys = /three\nkeys = /one\n", "user.conf"), 0);
	ASSERT_KEYS(&conf, "/one", "/two", "/three", "/one");
}
END_TEST

START_TEST(test_utf8_values)
{
	ck_assert_int_eq(kz_conf_parse(&conf, "keys = ~/ЭЦП\nkeys = /media/$USER/NCA\n",
				       "test.conf"), 0);
	ASSERT_KEYS(&conf, "/home/test/ЭЦП", "/media/alice/NCA");
}
END_TEST

START_TEST(test_unknown_names)
{
	ck_assert_int_eq(kz_conf_parse(&conf,
		"keys = /a\n"
		"colour = blue\n"
		"Keys = /b\n"
		"keys = /c\n", "my.conf"), 0);
	ASSERT_KEYS(&conf, "/a", "/c");
	assert_logged("my.conf:2: unknown setting 'colour' ignored");
	assert_logged("my.conf:3: unknown setting 'Keys' ignored");
}
END_TEST

START_TEST(test_bad_values)
{
	static const char *const lines[] = {
		"scan_depth = 9", "scan_depth = -1", "scan_depth = abc", "scan_depth = 3x",
		"scan_depth =", "debug = 4", "debug = -1", "debug = high", "cert_cache = maybe",
		"cert_cache = YES", "keys =", "cache_dir =",
	};
	struct kz_conf want;

	defaults(&want);
	defaults(&conf);
	conf.cache_dir = strdup("/cache");
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		char expect[128];
		ck_assert_int_eq(kz_conf_parse(&conf, lines[i], "bad.conf"), 0);
		snprintf(expect, sizeof expect, "bad.conf:1: invalid value '%s' for '%.*s' ignored",
			 strchr(lines[i], '=')[1] ? strchr(lines[i], '=') + 2 : "",
			 (int)strcspn(lines[i], " "), lines[i]);
		assert_logged(expect);
	}
	ck_assert_int_eq(conf.scan_depth, want.scan_depth);
	ck_assert_int_eq(conf.log_level, want.log_level);
	ck_assert_int_eq(conf.cert_cache, want.cert_cache);
	ck_assert_uint_eq(conf.n_key_paths, 0);
	ck_assert_str_eq(conf.cache_dir, "/cache");
}
END_TEST

START_TEST(test_line_without_equals)
{
	ck_assert_int_eq(kz_conf_parse(&conf, "keys /a\nkeys = /b\n", "x.conf"), 0);
	ASSERT_KEYS(&conf, "/b");
	assert_logged("x.conf:1: expected 'name = value', line ignored");
}
END_TEST

START_TEST(test_value_limits)
{
	static const struct { const char *text; int depth, level, cache; } cases[] = {
		{ "scan_depth = 0", 0, 1, 1 }, { "scan_depth = 8", 8, 1, 1 },
		{ "debug = 0", 3, 0, 1 }, { "debug = 3", 3, 3, 1 },
		{ "cert_cache = no", 3, 1, 0 }, { "cert_cache = false", 3, 1, 0 },
		{ "cert_cache = off", 3, 1, 0 }, { "cert_cache = 0", 3, 1, 0 },
		{ "cert_cache = yes", 3, 1, 1 }, { "cert_cache = true", 3, 1, 1 },
		{ "cert_cache = on", 3, 1, 1 }, { "cert_cache = 1", 3, 1, 1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		defaults(&conf);
		if (strncmp(cases[i].text, "cert_cache", 10) == 0)
			conf.cert_cache = !cases[i].cache;   /* so the change shows */
		ck_assert_int_eq(kz_conf_parse(&conf, cases[i].text, "t"), 0);
		ck_assert_msg(conf.scan_depth == cases[i].depth && conf.log_level == cases[i].level &&
			      conf.cert_cache == cases[i].cache, "'%s' not applied", cases[i].text);
	}
	assert_nothing_logged();
}
END_TEST

/* A value too long to be a path is a bad value like any other: reported,
 * skipped, and the rest of the file still applies (the module must load). */
START_TEST(test_overlong_value)
{
	size_t n = 6000;
	char *text = malloc(n + 64);

	memcpy(text, "keys = /", 8);
	memset(text + 8, 'a', n);
	strcpy(text + 8 + n, "\nscan_depth = 2\nkeys = /b\n");
	ck_assert_int_eq(kz_conf_parse(&conf, text, "long.conf"), 0);
	ASSERT_KEYS(&conf, "/b");
	ck_assert_int_eq(conf.scan_depth, 2);
	assert_logged("long.conf:1:");
	free(text);
}
END_TEST

/* ---- path expansion ---- */

static void assert_expands(const char *path, const char *want)
{
	char *got = kz_conf_expand_path(path);

	ck_assert_msg(got != NULL, "'%s' not expanded", path);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_expand_path)
{
	assert_expands("~/keys", "/home/test/keys");
	assert_expands("~", "/home/test");
	assert_expands("$HOME/keys", "/home/test/keys");
	assert_expands("/media/$USER", "/media/alice");
	assert_expands("/run/media/$USER/NCA", "/run/media/alice/NCA");
	assert_expands("/$USER/$USER", "/alice/alice");
	/* Only a leading ~ alone or before '/' means home. */
	assert_expands("~alice/keys", "~alice/keys");
	assert_expands("/a/~/b", "/a/~/b");
	assert_expands("/plain/path", "/plain/path");
	assert_expands("", "");
	unsetenv("USER");
	setenv("LOGNAME", "bob", 1);
	assert_expands("/media/$USER", "/media/bob");
	unsetenv("LOGNAME");
	assert_expands("/media/$USER", "/media/");
}
END_TEST

START_TEST(test_settings_are_expanded)
{
	ck_assert_int_eq(kz_conf_parse(&conf, "keys = ~/Documents\ncache_dir = ~/c\nlog = $HOME/l\n",
				       "t"), 0);
	ASSERT_KEYS(&conf, "/home/test/Documents");
	ck_assert_str_eq(conf.cache_dir, "/home/test/c");
	ck_assert_str_eq(conf.log_target, "/home/test/l");
}
END_TEST

/* ---- loading: files, environment, defaults ---- */

START_TEST(test_defaults_without_keys)
{
	setenv("KZP11_CONF", write_text("empty.conf", ""), 1);
	load();
	ASSERT_KEYS(&conf, "/home/test/keys", "/home/test/Keys", "/home/test/.keys",
		    "/home/test/Documents", "/home/test/Downloads", "/home/test/Desktop",
		    "/media/alice", "/run/media/alice");
	ck_assert_int_eq(conf.key_paths_from_env, 0);
	ck_assert_int_eq(conf.scan_depth, 3);
	ck_assert_int_eq(conf.log_level, KZ_LOG_ERROR);
	ck_assert_int_eq(conf.cert_cache, 1);
	ck_assert_str_eq(conf.cache_dir, "/home/test/.cache/kzp11");
	ck_assert_ptr_null(conf.log_target);
	assert_nothing_logged();
}
END_TEST

START_TEST(test_cache_dir_from_xdg)
{
	setenv("KZP11_CONF", write_text("empty.conf", ""), 1);
	setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
	load();
	ck_assert_str_eq(conf.cache_dir, "/xdg/cache/kzp11");
	/* A relative XDG_CACHE_HOME is not used (XDG base directory rules). */
	setenv("XDG_CACHE_HOME", "relative", 1);
	load();
	ck_assert_str_eq(conf.cache_dir, "/home/test/.cache/kzp11");
}
END_TEST

START_TEST(test_configured_keys_replace_defaults)
{
	setenv("KZP11_CONF", write_text("k.conf", "keys = /only/here\n"), 1);
	load();
	ASSERT_KEYS(&conf, "/only/here");
}
END_TEST

START_TEST(test_keys_from_environment)
{
	setenv("KZP11_CONF", write_text("k.conf", "keys = /from/file\nscan_depth = 1\n"), 1);
	setenv("KZP11_KEYS", "/x:~/y/AUTH_RSA256_1.p12::/z:", 1);
	load();
	ASSERT_KEYS(&conf, "/x", "/home/test/y/AUTH_RSA256_1.p12", "/z");
	ck_assert_int_eq(conf.key_paths_from_env, 1);
	ck_assert_int_eq(conf.scan_depth, 1);   /* the rest of the file still applies */
	/* Set but empty: no folders at all, not the defaults. */
	setenv("KZP11_KEYS", "", 1);
	load();
	ck_assert_uint_eq(conf.n_key_paths, 0);
	ck_assert_int_eq(conf.key_paths_from_env, 1);
}
END_TEST

START_TEST(test_debug_from_environment)
{
	setenv("KZP11_CONF", write_text("d.conf", "debug = 0\n"), 1);
	load();
	ck_assert_int_eq(conf.log_level, 0);
	setenv("KZP11_DEBUG", "2", 1);
	load();
	ck_assert_int_eq(conf.log_level, 2);
	setenv("KZP11_DEBUG", "3", 1);
	load();
	ck_assert_int_eq(conf.log_level, 3);
	setenv("KZP11_DEBUG", "0", 1);
	load();
	ck_assert_int_eq(conf.log_level, 0);
	/* Anything else turns everything on. */
	setenv("KZP11_DEBUG", "yes", 1);
	load();
	ck_assert_int_eq(conf.log_level, KZ_LOG_DEBUG);
}
END_TEST

START_TEST(test_debug_env_shows_file_errors)
{
	setenv("KZP11_CONF", write_text("e.conf", "debug = 0\nbogus = 1\n"), 1);
	setenv("KZP11_DEBUG", "1", 1);
	ck_assert_int_eq(kz_conf_load(&conf), 0);
	kz_log_set_level(KZ_LOG_ERROR);
	ck_assert_int_eq(conf.log_level, 1);
	assert_logged("e.conf:2: unknown setting 'bogus' ignored");
}
END_TEST

START_TEST(test_user_file)
{
	char dir[600];

	snprintf(dir, sizeof dir, "%s/kzp11", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	write_text("kzp11/kzp11.conf", "keys = /user/keys\n");
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	load();
	/* After whatever the system file adds. */
	ck_assert_uint_ge(conf.n_key_paths, 1);
	ck_assert_str_eq(conf.key_paths[conf.n_key_paths - 1], "/user/keys");
}
END_TEST

START_TEST(test_missing_file)
{
	char path[600];

	snprintf(path, sizeof path, "%s/no-such.conf", tmpdir);
	defaults(&conf);
	ck_assert_int_eq(kz_conf_read_file(&conf, path), 0);
	ck_assert_uint_eq(conf.n_key_paths, 0);
	ck_assert_int_eq(conf.scan_depth, 3);
	assert_nothing_logged();
	kz_conf_free(&conf);
	setenv("KZP11_CONF", path, 1);
	load();
	ck_assert_uint_eq(conf.n_key_paths, 8);   /* the defaults */
}
END_TEST

START_TEST(test_binary_file)
{
	static const char bin[] = "keys = /a\n\0\x01\x02\xff\xfe keys = /b\n";
	const char *path = write_file("bin.conf", bin, sizeof bin - 1);

	ck_assert_int_eq(kz_conf_read_file(&conf, path), 0);
	ck_assert_uint_eq(conf.n_key_paths, 0);
	assert_logged("is not a text file, ignored");
	setenv("KZP11_CONF", path, 1);
	load();
	ck_assert_uint_eq(conf.n_key_paths, 8);
}
END_TEST

START_TEST(test_huge_file)
{
	size_t n = 300 * 1024;
	char *text = malloc(n);
	const char *path;

	memset(text, '#', n);
	memcpy(text, "keys = /a\n", 10);
	path = write_file("huge.conf", text, n);
	ck_assert_int_eq(kz_conf_read_file(&conf, path), 0);
	ck_assert_uint_eq(conf.n_key_paths, 0);
	assert_logged("ignored");
	free(text);
}
END_TEST

START_TEST(test_directory_as_file)
{
	defaults(&conf);
	ck_assert_int_eq(kz_conf_read_file(&conf, tmpdir), 0);
	ck_assert_uint_eq(conf.n_key_paths, 0);
	ck_assert_int_eq(conf.scan_depth, 3);
}
END_TEST

START_TEST(test_free_twice)
{
	ck_assert_int_eq(kz_conf_parse(&conf, "keys = /a\nlog = /l\n", "t"), 0);
	kz_conf_free(&conf);
	kz_conf_free(&conf);
	ck_assert_uint_eq(conf.n_key_paths, 0);
	ck_assert_ptr_null(conf.key_paths);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_settings);
	tcase_add_test(tc, test_comments_and_spacing);
	tcase_add_test(tc, test_keys_accumulate);
	tcase_add_test(tc, test_utf8_values);
	tcase_add_test(tc, test_unknown_names);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_line_without_equals);
	tcase_add_test(tc, test_value_limits);
	tcase_add_test(tc, test_overlong_value);
	tcase_add_test(tc, test_expand_path);
	tcase_add_test(tc, test_settings_are_expanded);
	tcase_add_test(tc, test_free_twice);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults_without_keys);
	tcase_add_test(tc, test_cache_dir_from_xdg);
	tcase_add_test(tc, test_configured_keys_replace_defaults);
	tcase_add_test(tc, test_keys_from_environment);
	tcase_add_test(tc, test_debug_from_environment);
	tcase_add_test(tc, test_debug_env_shows_file_errors);
	tcase_add_test(tc, test_user_file);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_binary_file);
	tcase_add_test(tc, test_huge_file);
	tcase_add_test(tc, test_directory_as_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
