/*
 * Unit tests for src/util/secmem.c, the locked pool secrets live in, and
 * for its users: a freed block is zero, the pool never holds a non-zero
 * byte outside live blocks, threads share it safely, a forked child does
 * not see the parent's secrets, a failing mlock is reported once and
 * survived.  Then the module's own secrets: GOST private scalars, HMAC key
 * values and the login password are in the pool while in use, and the
 * pool is clean after logout and empty after finalize (real NCA GOST
 * containers from $KZP11_TESTKEYS when present; a generated RSA container
 * always).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/module.h"
#include "core/slot.h"
#include "crypto/key.h"
#include "util/log.h"
#include "util/secmem.h"

extern char **environ;

static struct kz_secmem_stats stats(void)
{
	struct kz_secmem_stats st;
	kz_secmem_stats(&st);
	return st;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

START_TEST(test_alloc_zeroed_and_wiped_on_free)
{
	size_t base = stats().in_use;
	unsigned char *a = kz_secmem_alloc(100), *b = kz_secmem_alloc(1);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq((int)((uintptr_t)a % 16), 0);
	ck_assert(all_zero(a, 100));
	memset(a, 0xff, 100);
	b[0] = 0x42;
	ck_assert_uint_eq(stats().in_use, base + 112 + 16);
	kz_secmem_free(a);
	/* The pages stay mapped (no trim yet): what was there is zero now. */
	ck_assert(all_zero(a, 112));
	ck_assert_uint_eq(b[0], 0x42);
	ck_assert_uint_eq(stats().dirty_free, 0);
	kz_secmem_free(b);
	ck_assert_uint_eq(b[0], 0);
	ck_assert_uint_eq(stats().in_use, base);
	ck_assert_uint_eq(stats().dirty_free, 0);
	kz_secmem_free(NULL);
}
END_TEST

START_TEST(test_large_blocks_and_reuse)
{
	unsigned char *big = kz_secmem_alloc(200000), *again;

	ck_assert_ptr_nonnull(big);
	memset(big, 0x5a, 200000);
	ck_assert_uint_ge(stats().mapped, 200000);
	kz_secmem_free(big);
	ck_assert_uint_eq(stats().dirty_free, 0);
	again = kz_secmem_alloc(64);
	ck_assert(all_zero(again, 64));
	kz_secmem_free(again);
	kz_secmem_trim();
	ck_assert_uint_eq(stats().mapped, 0);
}
END_TEST

START_TEST(test_bad_free_is_survived)
{
	unsigned char *a = kz_secmem_alloc(64);
	int x;

	a[0] = 1;
	kz_secmem_free(a + 16);   /* not a block start: logged, ignored */
	kz_secmem_free(&x);       /* not pool memory at all */
	ck_assert_uint_eq(a[0], 1);
	kz_secmem_free(a);
	ck_assert_uint_eq(stats().in_use, 0);
}
END_TEST

static void *churn(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	unsigned char *held[16] = { 0 };

	for (int i = 0; i < 20000; i++) {
		int slot = (int)(rand_r(&seed) % 16);
		if (held[slot]) {
			for (int k = 0; k < 40; k++)
				if (held[slot][k] != (unsigned char)(slot + 1))
					return (void *)1;   /* someone else wrote here */
			kz_secmem_free(held[slot]);
			held[slot] = NULL;
		} else {
			held[slot] = kz_secmem_alloc(40);
			if (!held[slot] || !all_zero(held[slot], 40))
				return (void *)1;
			memset(held[slot], slot + 1, 40);
		}
	}
	for (int s = 0; s < 16; s++)
		kz_secmem_free(held[s]);
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t t[4];
	void *ret;

	for (uintptr_t i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &ret), 0);
		ck_assert_ptr_null(ret);
	}
	ck_assert_uint_eq(stats().in_use, 0);
	ck_assert_uint_eq(stats().dirty_free, 0);
}
END_TEST

START_TEST(test_locked)
{
	struct rlimit rl;
	unsigned char *a = kz_secmem_alloc(32);

	getrlimit(RLIMIT_MEMLOCK, &rl);
	/* Root, or a limit of at least one chunk, must give locked pages. */
	if (geteuid() == 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 64 * 1024)
		ck_assert_int_eq(stats().locked, 1);
	kz_secmem_free(a);
}
END_TEST

/* A forked child: the parent's secret is not readable there (MADV_WIPEONFORK). */
START_TEST(test_fork_child_sees_no_secret)
{
	unsigned char *a = kz_secmem_alloc(32);
	int status;
	pid_t pid;

	memset(a, 0x77, 32);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int ok = all_zero(a, 32);
		kz_secmem_free(a);   /* the child's stale state frees it: no crash */
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 0, "the child saw the parent's secret");
	ck_assert_uint_eq(a[31], 0x77);
	kz_secmem_free(a);
}
END_TEST

/* Without CAP_IPC_LOCK and with RLIMIT_MEMLOCK 0, mlock fails: one info
 * line, and the pool still works. */
START_TEST(test_mlock_failure)
{
	char log_path[] = "/tmp/kzp11-secmem-log-XXXXXX";
	int fd = mkstemp(log_path), status;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	kz_secmem_trim();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2];
		struct rlimit rl = { 0, 0 };
		unsigned char *a, *b;
		if (syscall(SYS_capget, &hdr, data) == 0) {
			data[0].effective &= ~(1u << CAP_IPC_LOCK);
			syscall(SYS_capset, &hdr, data);
		}
		if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
			_exit(3);
		kz_log_set_level(KZ_LOG_INFO);
		kz_log_set_target(log_path);
		a = kz_secmem_alloc(100000);   /* two chunks: still one line */
		b = kz_secmem_alloc(100000);
		if (!a || !b || stats().locked)
			_exit(2);
		memset(a, 1, 100000);
		kz_secmem_free(a);
		kz_secmem_free(b);
		_exit(stats().dirty_free == 0 ? 0 : 4);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	{
		char text[4096] = "";
		ssize_t n = read(fd, text, sizeof text - 1);
		const char *first = strstr(text, "cannot lock");
		ck_assert_int_gt(n, 0);
		ck_assert_ptr_nonnull(first);
		ck_assert_ptr_null(strstr(first + 1, "cannot lock"));
	}
	close(fd);
	unlink(log_path);
}
END_TEST

/* ---- the module's secrets ---- */

/* HMAC key values (C_CreateObject) live in the pool and are wiped. */
START_TEST(test_hmac_key_in_pool)
{
	unsigned char value[48];
	CK_KEY_TYPE type = CKK_GENERIC_SECRET;
	CK_ATTRIBUTE t[] = { { CKA_VALUE, value, sizeof value } };
	struct kz_key *key = NULL;
	unsigned char *stored;

	memset(value, 0xc3, sizeof value);
	ck_assert_int_eq(kz_key_import_secret(type, t, 1, &key), CKR_OK);
	stored = key->secret;
	ck_assert_uint_ge(stats().in_use, sizeof value);
	ck_assert_int_eq(memcmp(stored, value, sizeof value), 0);
	kz_key_unref(key);
	ck_assert(all_zero(stored, sizeof value));
	ck_assert_uint_eq(stats().in_use, 0);
	ck_assert_uint_eq(stats().dirty_free, 0);
}
END_TEST

static char tmpdir[] = "/tmp/kzp11-secmem-XXXXXX";

/* A generated RSA container (password Qwerty12) in tmpdir/keys. */
static int make_rsa_container(void)
{
	const char *gen = getenv("KZP11_MKCONTAINER");
	char keys[64];
	char *argv[] = { (char *)gen, keys, NULL };
	int status, devnull;
	pid_t pid;
	posix_spawn_file_actions_t fa;

	if (!gen)
		return -1;
	snprintf(keys, sizeof keys, "%s/keys", tmpdir);
	posix_spawn_file_actions_init(&fa);
	devnull = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
	if (devnull != 0 || posix_spawn(&pid, gen, &fa, NULL, argv, environ) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status)
		? 0 : -1;
}

/* Logs in to every slot as C_Login does, checks the pool, logs out as
 * C_Logout does; returns how many slots held secrets in the pool. */
static int login_all(void)
{
	static const CK_UTF8CHAR pin[] = "Qwerty12";
	int with_secrets = 0;

	for (size_t i = 0; i < kz_module.n_slots; i++) {
		struct kz_slot *slot = kz_module.slots[i];
		size_t before = stats().in_use;
		CK_RV rv = slot->backend->login(slot, pin, 8);
		if (rv != CKR_OK) {
			kz_slot_withdraw_private(slot);
			ck_assert_uint_eq(stats().in_use, before);
			continue;
		}
		slot->logged_in = 1;
		if (stats().in_use > before)
			with_secrets++;
		ck_assert_uint_eq(stats().dirty_free, 0);
		kz_slot_withdraw_private(slot);
		slot->logged_in = 0;
		slot->backend->logout(slot);
		ck_assert_uint_eq(stats().in_use, before);
		ck_assert_uint_eq(stats().dirty_free, 0);
	}
	return with_secrets;
}

START_TEST(test_login_logout_finalize)
{
	const char *testkeys = getenv("KZP11_TESTKEYS");
	char keys[4096];
	int gost = testkeys && access(testkeys, R_OK) == 0;

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_msg(make_rsa_container() == 0, "cannot make a container");
	if (gost)
		snprintf(keys, sizeof keys, "%s/keys:%s/gost-2004:%s/gost-2015", tmpdir, testkeys,
			 testkeys);
	else
		snprintf(keys, sizeof keys, "%s/keys", tmpdir);
	setenv("KZP11_KEYS", keys, 1);
	setenv("KZP11_CONF", "/dev/null", 1);
	setenv("HOME", tmpdir, 1);
	setenv("KZP11_DEBUG", "0", 1);
	ck_assert_int_eq(kz_module_initialize(NULL), CKR_OK);
	ck_assert_uint_ge(kz_module.n_slots, 1);
	if (gost)
		ck_assert_int_gt(login_all(), 0);   /* the GOST scalars were in the pool */
	else
		login_all();
	ck_assert_int_eq(kz_module_finalize(), CKR_OK);
	ck_assert_uint_eq(stats().in_use, 0);
	ck_assert_uint_eq(stats().mapped, 0);   /* wiped and unmapped */
	if (!gost)
		printf("real NCA GOST containers not found (KZP11_TESTKEYS): GOST part skipped\n");
}
END_TEST

static void remove_tmp(void)
{
	char cmd[128];
	if (strchr(tmpdir, 'X'))
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

int main(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc = tcase_create("pool");
	TCase *mod = tcase_create("module");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_alloc_zeroed_and_wiped_on_free);
	tcase_add_test(tc, test_large_blocks_and_reuse);
	tcase_add_test(tc, test_bad_free_is_survived);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_locked);
	tcase_add_test(tc, test_fork_child_sees_no_secret);
#ifndef __SANITIZE_ADDRESS__
	/* AddressSanitizer turns mlock into a no-op that succeeds. */
	tcase_add_test(tc, test_mlock_failure);
#endif
	tcase_add_test(tc, test_hmac_key_in_pool);
	suite_add_tcase(s, tc);
	tcase_set_timeout(mod, 120);
	tcase_add_checked_fixture(mod, NULL, remove_tmp);
	tcase_add_test(mod, test_login_logout_finalize);
	suite_add_tcase(s, mod);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
