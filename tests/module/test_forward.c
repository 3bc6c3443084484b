/*
 * Forwarding to vendor modules, driven through kzp11.so with the stand-in
 * vendor module tests/module/mock_vendor.c (KZP11_MOCK_VENDOR): how slots
 * and sessions are mapped, that calls and CKRs pass through, and what a
 * vendor that fails, misbehaves, is slow or loses its token does to the
 * application.  Real tokens' behaviour is tested with SoftHSM2 in
 * tests/interop/forward.sh.
 */
#include "harness.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FWD_TAG (~(~(CK_ULONG)0 >> 1))
#define MOCK_MECH (CKM_VENDOR_DEFINED | 0x1234)
#define MOCK_PIN "1234"
#define MOCK_KEY 0x55

static const char *mock_path;
static void (*mock_set)(const char *what, int value);

/* The environment, the mock's faults, and C_Initialize. */
static void init_with(const char *modules, const char *faults)
{
	/* The mock as new (matters when Check does not fork: CK_FORK=no). */
	mock_set("present", 1);
	mock_set("second", 0);
	mock_set("slow_ms", 0);
	h_env_default();
	setenv("KZP11_MODULES", modules, 1);
	if (faults)
		setenv("MOCK_VENDOR_FAULT", faults, 1);
	else
		unsetenv("MOCK_VENDOR_FAULT");
	ck_assert_ok(p11->C_Initialize(NULL));
}

static void init_mock(const char *faults)
{
	init_with(mock_path, faults);
}

/* The forwarded slots in the list, in order; returns how many. */
static CK_ULONG fwd_slots(CK_BBOOL present, CK_SLOT_ID *out, CK_ULONG max)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, k = 0;
	int seen_fwd = 0;

	ck_assert_ok(p11->C_GetSlotList(present, slots, &n));
	for (CK_ULONG i = 0; i < n; i++) {
		if (slots[i] & FWD_TAG) {
			seen_fwd = 1;
			if (k < max)
				out[k] = slots[i];
			k++;
		} else {
			ck_assert_msg(!seen_fwd, "a container slot after a forwarded one");
		}
	}
	return k;
}

static CK_SLOT_ID the_fwd_slot(void)
{
	CK_SLOT_ID id;

	ck_assert_uint_eq(fwd_slots(CK_TRUE, &id, 1), 1);
	return id;
}

static CK_SESSION_HANDLE open_logged_in(void)
{
	CK_SESSION_HANDLE s = h_open(the_fwd_slot(), CKF_SERIAL_SESSION);

	ck_assert_ok(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)MOCK_PIN, 4));
	return s;
}

static void sign_init(CK_SESSION_HANDLE s)
{
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };

	ck_assert_ok(p11->C_SignInit(s, &m, MOCK_KEY));
}

static void tag_check(CK_ULONG v)
{
	ck_assert_msg(v & FWD_TAG, "%#lx has no forwarding tag", (unsigned long)v);
}

START_TEST(test_both_kinds_listed)
{
	CK_SLOT_ID slots[64], id;
	CK_ULONG n = 64;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM_TYPE mechs[8];
	CK_MECHANISM_INFO mi;
	CK_ULONG n_mechs = 0;

	init_mock(NULL);
	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	ck_assert_uint_eq(n, FX_COUNT + 1);
	id = the_fwd_slot();
	tag_check(id);
	ck_assert_uint_eq(slots[n - 1], id);
	/* Size query and a short buffer count both kinds. */
	n = 0;
	ck_assert_ok(p11->C_GetSlotList(CK_FALSE, NULL, &n));
	ck_assert_uint_eq(n, FX_COUNT + 1);
	n = FX_COUNT;
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(n, FX_COUNT + 1);

	ck_assert_ok(p11->C_GetSlotInfo(id, &si));
	ck_assert_int_eq(memcmp(si.slotDescription, "Mock reader ", 12), 0);
	ck_assert(si.flags & CKF_TOKEN_PRESENT);
	ck_assert_ok(p11->C_GetTokenInfo(id, &ti));
	ck_assert_int_eq(memcmp(ti.label, "Mock token ", 11), 0);
	ck_assert_ok(p11->C_GetMechanismList(id, NULL, &n_mechs));
	ck_assert_uint_eq(n_mechs, 2);
	n_mechs = 1;
	ck_assert_rv(p11->C_GetMechanismList(id, mechs, &n_mechs), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(n_mechs, 2);
	n_mechs = 8;
	ck_assert_ok(p11->C_GetMechanismList(id, mechs, &n_mechs));
	ck_assert_uint_eq(mechs[1], MOCK_MECH);
	ck_assert_ok(p11->C_GetMechanismInfo(id, MOCK_MECH, &mi));
	ck_assert_uint_eq(mi.flags, CKF_SIGN | CKF_HW);
	ck_assert_rv(p11->C_GetMechanismInfo(id, CKM_SHA256, &mi), CKR_MECHANISM_INVALID);
	/* Unknown forwarded IDs are invalid, like unknown native ones. */
	ck_assert_rv(p11->C_GetSlotInfo(id + 1000, &si), CKR_SLOT_ID_INVALID);
	ck_assert_rv(p11->C_GetSlotInfo(FX_COUNT + 5, &si), CKR_SLOT_ID_INVALID);
}
END_TEST

START_TEST(test_session_passthrough)
{
	CK_SLOT_ID id;
	CK_SESSION_HANDLE s, native;
	CK_SESSION_INFO info;
	CK_OBJECT_HANDLE found[4];
	CK_ULONG n_found = 0, sig_len = 0;
	unsigned char label[32], sig[64];
	CK_ATTRIBUTE a = { CKA_LABEL, label, sizeof label };
	CK_MECHANISM vm = { MOCK_MECH, "kz", 2 }, bad = { MOCK_MECH, "xx", 2 };
	const unsigned char data[16] = "0123456789abcdef";

	init_mock(NULL);
	id = the_fwd_slot();
	s = h_open(id, CKF_SERIAL_SESSION);
	tag_check(s);
	ck_assert_uint_ne(s & ~FWD_TAG, 0xC0DE0001UL & ~FWD_TAG);   /* ours, not the vendor's */
	native = h_open_fx(FX_AUTH);
	ck_assert_msg(!(native & FWD_TAG), "native handle %#lx is tagged", (unsigned long)native);
	ck_assert_ok(p11->C_GetSessionInfo(s, &info));
	ck_assert_uint_eq(info.slotID, id);
	ck_assert_uint_eq(info.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"9999", 4), CKR_PIN_INCORRECT);
	ck_assert_ok(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)MOCK_PIN, 4));
	ck_assert_uint_eq(h_state(s), CKS_RO_USER_FUNCTIONS);
	/* The container session is not logged in by the vendor's login. */
	ck_assert_uint_eq(h_state(native), CKS_RO_PUBLIC_SESSION);

	ck_assert_ok(p11->C_FindObjectsInit(s, NULL, 0));
	ck_assert_ok(p11->C_FindObjects(s, found, 4, &n_found));
	ck_assert_ok(p11->C_FindObjectsFinal(s));
	ck_assert_uint_eq(n_found, 1);
	ck_assert_uint_eq(found[0], MOCK_KEY);   /* vendor object handles pass unchanged */
	ck_assert_ok(p11->C_GetAttributeValue(s, found[0], &a, 1));
	ck_assert_uint_eq(a.ulValueLen, 7);
	ck_assert_int_eq(memcmp(label, "mockkey", 7), 0);

	/* Vendor mechanisms and their parameters reach the vendor. */
	ck_assert_rv(p11->C_SignInit(s, &bad, MOCK_KEY), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_ok(p11->C_SignInit(s, &vm, MOCK_KEY));
	ck_assert_ok(p11->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, NULL, &sig_len));
	ck_assert_uint_eq(sig_len, 16);
	sig_len = 4;
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, sig, &sig_len),
		     CKR_BUFFER_TOO_SMALL);
	sig_len = sizeof sig;
	ck_assert_ok(p11->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, sig, &sig_len));
	ck_assert_uint_eq(sig_len, 16);
	ck_assert_int_eq(memcmp(sig, "fedcba9876543210", 16), 0);
	/* Functions the vendor lacks say so. */
	ck_assert_rv(p11->C_GenerateRandom(s, sig, 8), CKR_FUNCTION_NOT_SUPPORTED);

	ck_assert_ok(p11->C_CloseSession(s));
	ck_assert_rv(p11->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_Logout(FWD_TAG | 12345), CKR_SESSION_HANDLE_INVALID);
	ck_assert_ok(p11->C_CloseSession(native));
	/* C_CloseAllSessions on the forwarded slot closes only its sessions. */
	s = h_open(id, CKF_SERIAL_SESSION);
	native = h_open_fx(FX_SIGN);
	ck_assert_ok(p11->C_CloseAllSessions(id));
	ck_assert_rv(p11->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_ok(p11->C_GetSessionInfo(native, &info));
}
END_TEST

START_TEST(test_load_failures_skipped)
{
	char modules[8192];
	CK_SLOT_ID ids[4];

	/* No entry point, no such file, then the good one. */
	snprintf(modules, sizeof modules, "%s:%s/nonexistent.so:%s",
		 getenv("KZP11_MOCK_VENDOR_NOENTRY"), h_tmpdir, mock_path);
	init_with(modules, NULL);
	ck_assert_uint_eq(fwd_slots(CK_FALSE, ids, 4), 1);
	ck_assert_uint_eq(h_slot_count(), FX_COUNT + 1);
}
END_TEST

START_TEST(test_initialize_failure_skipped)
{
	CK_SLOT_ID ids[4];

	init_mock("init");
	ck_assert_uint_eq(fwd_slots(CK_FALSE, ids, 4), 0);
	ck_assert_uint_eq(h_slot_count(), FX_COUNT);
}
END_TEST

START_TEST(test_token_removed)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID id, ids[4];
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	unsigned char sig[64];
	CK_ULONG sig_len = sizeof sig;

	init_mock(NULL);
	id = the_fwd_slot();
	s = open_logged_in();
	sign_init(s);
	mock_set("present", 0);
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR)"x", 1, sig, &sig_len), CKR_DEVICE_REMOVED);
	ck_assert_rv(p11->C_Logout(s), CKR_SESSION_HANDLE_INVALID);
	/* The slot stays, without its token. */
	ck_assert_uint_eq(fwd_slots(CK_TRUE, ids, 4), 0);
	ck_assert_uint_eq(fwd_slots(CK_FALSE, ids, 4), 1);
	ck_assert_uint_eq(ids[0], id);
	ck_assert_ok(p11->C_GetSlotInfo(id, &si));
	ck_assert(!(si.flags & CKF_TOKEN_PRESENT));
	ck_assert_rv(p11->C_GetTokenInfo(id, &ti), CKR_TOKEN_NOT_PRESENT);
	ck_assert_rv(p11->C_OpenSession(id, CKF_SERIAL_SESSION, NULL, NULL, &s),
		     CKR_TOKEN_NOT_PRESENT);
	/* The card comes back: same slot, usable again. */
	mock_set("present", 1);
	ck_assert_uint_eq(the_fwd_slot(), id);
	s = open_logged_in();
	sign_init(s);
	sig_len = sizeof sig;
	ck_assert_ok(p11->C_Sign(s, (CK_BYTE_PTR)"x", 1, sig, &sig_len));
}
END_TEST

START_TEST(test_bad_signature_length)
{
	CK_SESSION_HANDLE s;
	unsigned char sig[64];
	CK_ULONG sig_len = 32;

	init_mock("siglen");
	s = open_logged_in();
	sign_init(s);
	memset(sig, 0xAA, sizeof sig);
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR)"abc", 3, sig, &sig_len), CKR_DEVICE_ERROR);
	for (int i = 0; i < 32; i++)
		ck_assert_uint_eq(sig[i], 0);   /* nothing half-valid handed out */
}
END_TEST

START_TEST(test_bad_attribute_length)
{
	CK_SESSION_HANDLE s;
	unsigned char label[16];
	CK_ATTRIBUTE a = { CKA_LABEL, label, sizeof label };

	init_mock("attrlen");
	s = open_logged_in();
	ck_assert_rv(p11->C_GetAttributeValue(s, MOCK_KEY, &a, 1), CKR_DEVICE_ERROR);
}
END_TEST

START_TEST(test_bad_object_count)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 99;

	init_mock("found");
	s = open_logged_in();
	ck_assert_ok(p11->C_FindObjectsInit(s, NULL, 0));
	ck_assert_rv(p11->C_FindObjects(s, found, 2, &n), CKR_DEVICE_ERROR);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_bad_mechanism_count)
{
	CK_MECHANISM_TYPE mechs[4];
	CK_ULONG n = 4;

	init_mock("mechcount");
	ck_assert_rv(p11->C_GetMechanismList(the_fwd_slot(), mechs, &n), CKR_DEVICE_ERROR);
}
END_TEST

/* A vendor whose slot list is garbage: its slots are not listed, the
 * containers still are. */
START_TEST(test_bad_slot_count)
{
	static const char *const faults[] = { "slotcount", "grow" };
	CK_SLOT_ID ids[4];

	for (size_t i = 0; i < 2; i++) {
		init_mock(faults[i]);
		ck_assert_uint_eq(fwd_slots(CK_FALSE, ids, 4), 0);
		ck_assert_uint_eq(h_slot_count(), FX_COUNT);
		ck_assert_ok(p11->C_Finalize(NULL));
	}
}
END_TEST

START_TEST(test_null_function)
{
	CK_SESSION_HANDLE s;
	unsigned char sig[64];
	CK_ULONG sig_len = sizeof sig;

	init_mock("nullsign");
	s = open_logged_in();
	sign_init(s);
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR)"abc", 3, sig, &sig_len), CKR_GENERAL_ERROR);
}
END_TEST

START_TEST(test_v30_vendor)
{
	CK_SESSION_HANDLE s;

	init_mock(NULL);
	s = h_open(the_fwd_slot(), CKF_SERIAL_SESSION);
	ck_assert_rv(p11_3->C_LoginUser(s, CKU_USER, (CK_UTF8CHAR_PTR)"9", 1,
					(CK_UTF8CHAR_PTR)"u", 1), CKR_PIN_INCORRECT);
	ck_assert_ok(p11_3->C_LoginUser(s, CKU_USER, (CK_UTF8CHAR_PTR)MOCK_PIN, 4,
					(CK_UTF8CHAR_PTR)"u", 1));
	ck_assert_ok(p11_3->C_SessionCancel(s, CKF_SIGN));
	/* Message functions the vendor leaves to its default. */
	ck_assert_rv(p11_3->C_MessageSignFinal(s), CKR_FUNCTION_NOT_SUPPORTED);
}
END_TEST

/* A 2.11 vendor whose list is followed in memory by working 3.0 entries:
 * kzp11 must not read them. */
START_TEST(test_v2_vendor)
{
	CK_SESSION_HANDLE s;

	init_mock("v2");
	s = h_open(the_fwd_slot(), CKF_SERIAL_SESSION);
	ck_assert_rv(p11_3->C_LoginUser(s, CKU_USER, (CK_UTF8CHAR_PTR)MOCK_PIN, 4,
					(CK_UTF8CHAR_PTR)"u", 1), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_rv(p11_3->C_SessionCancel(s, CKF_SIGN), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_ok(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)MOCK_PIN, 4));
}
END_TEST

START_TEST(test_slot_ids_stable)
{
	CK_SLOT_ID a, ids[4], b;

	init_mock(NULL);
	a = the_fwd_slot();
	mock_set("second", 1);
	ck_assert_uint_eq(fwd_slots(CK_TRUE, ids, 4), 2);
	ck_assert_uint_eq(ids[0], a);
	b = ids[1];
	tag_check(b);
	ck_assert_uint_ne(a, b);
	/* A new initialisation in the same process keeps the numbers. */
	ck_assert_ok(p11->C_Finalize(NULL));
	mock_set("second", 0);
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_uint_eq(the_fwd_slot(), a);
	mock_set("second", 1);
	ck_assert_uint_eq(fwd_slots(CK_TRUE, ids, 4), 2);
	ck_assert_uint_eq(ids[0], a);
	ck_assert_uint_eq(ids[1], b);
}
END_TEST

/* A configured module: display name and token label filter. */
START_TEST(test_configured_module)
{
	char conf[4096];
	FILE *f;
	CK_SLOT_ID ids[4];
	CK_SLOT_INFO si;

	snprintf(conf, sizeof conf, "%s/fwd-%d.conf", h_tmpdir, (int)getpid());
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "module = %s\nmodule_name = Kaztoken\nmodule_label = Other*\n", mock_path);
	fclose(f);
	mock_set("second", 0);
	h_env_default();
	unsetenv("KZP11_MODULES");
	unsetenv("MOCK_VENDOR_FAULT");
	setenv("KZP11_CONF", conf, 1);
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_uint_eq(fwd_slots(CK_FALSE, ids, 4), 0);   /* "Mock token" does not match */
	mock_set("second", 1);
	ck_assert_uint_eq(fwd_slots(CK_FALSE, ids, 4), 1);   /* "Other token" does */
	ck_assert_ok(p11->C_GetSlotInfo(ids[0], &si));
	ck_assert_int_eq(memcmp(si.slotDescription, "Kaztoken ", 9), 0);
	unlink(conf);
}
END_TEST

struct slow_call {
	CK_SESSION_HANDLE s;
	CK_RV rv;
	double seconds;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *slow_sign(void *arg)
{
	struct slow_call *c = arg;
	unsigned char sig[64];
	CK_ULONG sig_len = sizeof sig;
	double t0 = now();

	c->rv = p11->C_Sign(c->s, (CK_BYTE_PTR)"abc", 3, sig, &sig_len);
	c->seconds = now() - t0;
	return NULL;
}

/* One thread waits on a slow token; another uses a container meanwhile. */
START_TEST(test_slow_vendor_blocks_nothing)
{
	struct slow_call c;
	pthread_t t;
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO ti;
	double t0, took;

	init_mock(NULL);
	c.s = open_logged_in();
	sign_init(c.s);
	mock_set("slow_ms", 1500);
	ck_assert_int_eq(pthread_create(&t, NULL, slow_sign, &c), 0);
	usleep(200 * 1000);
	t0 = now();
	ck_assert_uint_eq(h_slot_count(), FX_COUNT + 1);
	s = h_open_fx(FX_AUTH);
	h_login(s);
	ck_assert_ok(p11->C_GetTokenInfo(h_slot(FX_AUTH), &ti));
	ck_assert_ok(p11->C_GetTokenInfo(the_fwd_slot(), &ti));
	ck_assert_ok(p11->C_CloseSession(s));
	took = now() - t0;
	pthread_join(t, NULL);
	ck_assert_ok(c.rv);
	ck_assert_msg(c.seconds >= 1.4, "the slow call took %.2f s", c.seconds);
	ck_assert_msg(took < 0.8, "container calls waited %.2f s for the slow token", took);
}
END_TEST

/* After fork the child initialises afresh and uses the vendor; the mock
 * aborts if anyone finalises the parent's instance from the child. */
START_TEST(test_fork_child)
{
	pid_t pid;
	int status;

	init_mock(NULL);
	(void)open_logged_in();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		CK_SLOT_ID slots[64];
		CK_ULONG n = 64;
		CK_SESSION_HANDLE s;
		int ok = p11->C_Initialize(NULL) == CKR_OK &&
			 p11->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n == FX_COUNT + 1 &&
			 (slots[n - 1] & FWD_TAG) &&
			 p11->C_OpenSession(slots[n - 1], CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK &&
			 p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)MOCK_PIN, 4) == CKR_OK &&
			 p11->C_Finalize(NULL) == CKR_OK;
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	/* The parent's forwarded session is untouched. */
	ck_assert_uint_eq(h_slot_count(), FX_COUNT + 1);
}
END_TEST

static Suite *suite_forward(void)
{
	Suite *s = suite_create("forward");
	TCase *tc = tcase_create("mock vendor");

	tcase_add_checked_fixture(tc, NULL, teardown_fini);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_both_kinds_listed);
	tcase_add_test(tc, test_session_passthrough);
	tcase_add_test(tc, test_load_failures_skipped);
	tcase_add_test(tc, test_initialize_failure_skipped);
	tcase_add_test(tc, test_token_removed);
	tcase_add_test(tc, test_bad_signature_length);
	tcase_add_test(tc, test_bad_attribute_length);
	tcase_add_test(tc, test_bad_object_count);
	tcase_add_test(tc, test_bad_mechanism_count);
	tcase_add_test(tc, test_bad_slot_count);
	tcase_add_test(tc, test_null_function);
	tcase_add_test(tc, test_v30_vendor);
	tcase_add_test(tc, test_v2_vendor);
	tcase_add_test(tc, test_slot_ids_stable);
	tcase_add_test(tc, test_configured_module);
	tcase_add_test(tc, test_slow_vendor_blocks_nothing);
	tcase_add_test(tc, test_fork_child);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	void *dl;
	int rc, failed;

	mock_path = getenv("KZP11_MOCK_VENDOR");
	if (!mock_path || !*mock_path) {
		fprintf(stderr, "KZP11_MOCK_VENDOR is not set: run through make check\n");
		return 77;
	}
	/* The test's own handle on the mock: its controls, and its state
	 * survives kzp11's C_Finalize. */
	dl = dlopen(mock_path, RTLD_NOW | RTLD_LOCAL);
	if (!dl || !(*(void **)&mock_set = dlsym(dl, "mock_vendor_set"))) {
		fprintf(stderr, "%s: %s\n", mock_path, dlerror());
		return 1;
	}
	rc = h_load_module();
	if (rc == 0)
		rc = h_make_fixtures();
	if (rc != 0) {
		h_cleanup();
		return rc;
	}
	sr = srunner_create(suite_forward());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
