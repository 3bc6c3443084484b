/*
 * C_Initialize / C_Finalize, the function lists and interfaces, fork, and
 * the functions kzp11 does not offer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <openssl/err.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- application mutex callbacks that count their use ---- */

static struct {
	int created, destroyed, locked, unlocked, held;
} mutex_calls;

static CK_RV count_create(CK_VOID_PTR_PTR out)
{
	pthread_mutex_t *m = malloc(sizeof *m);

	if (!m)
		return CKR_HOST_MEMORY;
	pthread_mutex_init(m, NULL);
	__atomic_add_fetch(&mutex_calls.created, 1, __ATOMIC_SEQ_CST);
	*out = m;
	return CKR_OK;
}

static CK_RV count_destroy(CK_VOID_PTR m)
{
	pthread_mutex_destroy(m);
	free(m);
	__atomic_add_fetch(&mutex_calls.destroyed, 1, __ATOMIC_SEQ_CST);
	return CKR_OK;
}

static CK_RV count_lock(CK_VOID_PTR m)
{
	pthread_mutex_lock(m);
	__atomic_add_fetch(&mutex_calls.locked, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&mutex_calls.held, 1, __ATOMIC_SEQ_CST);
	return CKR_OK;
}

static CK_RV count_unlock(CK_VOID_PTR m)
{
	__atomic_sub_fetch(&mutex_calls.held, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&mutex_calls.unlocked, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(m);
	return CKR_OK;
}

/* Initialisation arguments with the counting callbacks; restarts the counts. */
static CK_C_INITIALIZE_ARGS callbacks(CK_FLAGS flags)
{
	CK_C_INITIALIZE_ARGS args = {
		count_create, count_destroy, count_lock, count_unlock, flags, NULL,
	};
	memset(&mutex_calls, 0, sizeof mutex_calls);
	return args;
}

/* Some work that needs locks: a session, a login, a signature. */
static void use_module(void)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	unsigned char sig[512];
	CK_ULONG sig_len = sizeof sig;

	h_login(s);
	ck_assert_ok(h_try_sign(s, h_find_class(s, CKO_PRIVATE_KEY), CKM_SHA256_RSA_PKCS,
				(const unsigned char *)"abc", 3, sig, &sig_len));
	ck_assert_ok(p11->C_CloseSession(s));
}

/* ---- C_Initialize and C_Finalize ---- */

START_TEST(test_initialize_twice)
{
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_rv(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	ck_assert_uint_eq(h_slot_count(), 3);
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_rv(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	/* And again from the start. */
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_uint_eq(h_slot_count(), 3);
}
END_TEST

START_TEST(test_app_mutex_callbacks_are_used)
{
	CK_C_INITIALIZE_ARGS args = callbacks(0);

	ck_assert_ok(p11->C_Initialize(&args));
	use_module();
	ck_assert_int_gt(mutex_calls.created, 0);
	ck_assert_int_gt(mutex_calls.locked, 0);
	ck_assert_int_eq(mutex_calls.locked, mutex_calls.unlocked);
	ck_assert_int_eq(mutex_calls.held, 0);
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_int_eq(mutex_calls.destroyed, mutex_calls.created);
	ck_assert_int_eq(mutex_calls.held, 0);
}
END_TEST

START_TEST(test_nss_initialize_args)
{
	/* What NSS passes: its callbacks and both flags. */
	CK_C_INITIALIZE_ARGS args = callbacks(CKF_OS_LOCKING_OK |
					      CKF_LIBRARY_CANT_CREATE_OS_THREADS);

	ck_assert_ok(p11->C_Initialize(&args));
	use_module();
	ck_assert_int_eq(mutex_calls.locked, mutex_calls.unlocked);
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_int_eq(mutex_calls.destroyed, mutex_calls.created);
}
END_TEST

START_TEST(test_flags_without_callbacks)
{
	static const CK_FLAGS cases[] = {
		0, CKF_OS_LOCKING_OK, CKF_LIBRARY_CANT_CREATE_OS_THREADS,
		CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS,
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, cases[i], NULL };
		ck_assert_ok(p11->C_Initialize(&args));
		use_module();
		ck_assert_ok(p11->C_Finalize(NULL));
	}
}
END_TEST

START_TEST(test_partial_callbacks_rejected)
{
	/* Every combination of one to three of the four callbacks. */
	for (int mask = 1; mask < 15; mask++) {
		CK_C_INITIALIZE_ARGS args = callbacks(CKF_OS_LOCKING_OK);
		if (!(mask & 1)) args.CreateMutex = NULL;
		if (!(mask & 2)) args.DestroyMutex = NULL;
		if (!(mask & 4)) args.LockMutex = NULL;
		if (!(mask & 8)) args.UnlockMutex = NULL;
		ck_assert_rv(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
		ck_assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, &(CK_ULONG){ 0 }),
			     CKR_CRYPTOKI_NOT_INITIALIZED);
	}
	ck_assert_ok(p11->C_Initialize(NULL));
}
END_TEST

START_TEST(test_reserved_must_be_null)
{
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, &args };

	ck_assert_rv(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, &(CK_ULONG){ 0 }),
		     CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_ok(p11->C_Initialize(NULL));
}
END_TEST

START_TEST(test_finalize_reserved_must_be_null)
{
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_rv(p11->C_Finalize((CK_VOID_PTR)&p11), CKR_ARGUMENTS_BAD);
	/* Still initialised. */
	ck_assert_uint_eq(h_slot_count(), 3);
}
END_TEST

/* kzp11.conf(5): a bad line is reported and ignored; the module always loads. */
START_TEST(test_bad_configuration_still_loads)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof path, "%s/bad.conf", h_tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("colour = blue\nscan_depth = 99\ncert_cache = maybe\nno equals sign\nkeys = /", f);
	for (int i = 0; i < 5000; i++)   /* longer than any path */
		fputc('k', f);
	fputs("\n", f);
	fclose(f);
	setenv("KZP11_CONF", path, 1);
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_uint_eq(h_slot_count(), 3);
}
END_TEST

/* ---- everything answers CKR_CRYPTOKI_NOT_INITIALIZED when not initialised ---- */

/* The functions kzp11 does not offer, through both function lists. */
static void check_unsupported(CK_SESSION_HANDLE s, CK_SLOT_ID slot, CK_RV want)
{
	CK_MECHANISM m = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE t = { CKA_LABEL, "x", 1 };
	CK_OBJECT_HANDLE h1 = 0, h2 = 0;
	CK_BYTE buf[64] = { 0 };
	CK_ULONG len = sizeof buf;
	CK_UTF8CHAR label[32];
	CK_FUNCTION_LIST_3_0 *f = p11_3;

	memset(label, ' ', sizeof label);
	ck_assert_rv(p11->C_GenerateKeyPair(s, &m, &t, 1, &t, 1, &h1, &h2), want);
	ck_assert_rv(p11->C_GenerateKey(s, &m, &t, 1, &h1), want);
	ck_assert_rv(p11->C_UnwrapKey(s, &m, 1, buf, 16, &t, 1, &h1), want);
	/* Wrapping and derivation answer per key (tests/secrets). */
	if (want != CKR_FUNCTION_NOT_SUPPORTED) {
		ck_assert_rv(p11->C_WrapKey(s, &m, 1, 2, buf, &len), want);
		ck_assert_rv(p11->C_DeriveKey(s, &m, 1, &t, 1, &h1), want);
	}
	ck_assert_rv(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)PIN, PIN_LEN, label), want);
	ck_assert_rv(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)PIN, PIN_LEN), want);
	ck_assert_rv(p11->C_GetOperationState(s, buf, &len), want);
	ck_assert_rv(p11->C_SetOperationState(s, buf, 16, 0, 0), want);
	ck_assert_rv(p11->C_SignRecoverInit(s, &m, 1), want);
	ck_assert_rv(p11->C_SignRecover(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_VerifyRecoverInit(s, &m, 1), want);
	ck_assert_rv(p11->C_VerifyRecover(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_DigestEncryptUpdate(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_DecryptDigestUpdate(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_SignEncryptUpdate(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_DecryptVerifyUpdate(s, buf, 16, buf, &len), want);
	/* PKCS#11 3.0 message-based functions. */
	ck_assert_rv(f->C_MessageEncryptInit(s, &m, 1), want);
	ck_assert_rv(f->C_EncryptMessage(s, NULL, 0, NULL, 0, buf, 16, buf, &len), want);
	ck_assert_rv(f->C_EncryptMessageBegin(s, NULL, 0, NULL, 0), want);
	ck_assert_rv(f->C_EncryptMessageNext(s, NULL, 0, buf, 16, buf, &len, 0), want);
	ck_assert_rv(f->C_MessageEncryptFinal(s), want);
	ck_assert_rv(f->C_MessageDecryptInit(s, &m, 1), want);
	ck_assert_rv(f->C_DecryptMessage(s, NULL, 0, NULL, 0, buf, 16, buf, &len), want);
	ck_assert_rv(f->C_DecryptMessageBegin(s, NULL, 0, NULL, 0), want);
	ck_assert_rv(f->C_DecryptMessageNext(s, NULL, 0, buf, 16, buf, &len, 0), want);
	ck_assert_rv(f->C_MessageDecryptFinal(s), want);
	ck_assert_rv(f->C_MessageSignInit(s, &m, 1), want);
	ck_assert_rv(f->C_SignMessage(s, NULL, 0, buf, 16, buf, &len), want);
	ck_assert_rv(f->C_SignMessageBegin(s, NULL, 0), want);
	ck_assert_rv(f->C_SignMessageNext(s, NULL, 0, buf, 16, buf, &len), want);
	ck_assert_rv(f->C_MessageSignFinal(s), want);
	ck_assert_rv(f->C_MessageVerifyInit(s, &m, 1), want);
	ck_assert_rv(f->C_VerifyMessage(s, NULL, 0, buf, 16, buf, 16), want);
	ck_assert_rv(f->C_VerifyMessageBegin(s, NULL, 0), want);
	ck_assert_rv(f->C_VerifyMessageNext(s, NULL, 0, buf, 16, buf, 16), want);
	ck_assert_rv(f->C_MessageVerifyFinal(s), want);
}

/* Every other function, with arguments that would otherwise be valid enough. */
static void check_not_initialized(void)
{
	const CK_RV want = CKR_CRYPTOKI_NOT_INITIALIZED;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, len = 64;
	CK_MECHANISM_TYPE mechs[64];
	CK_INFO info;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM_INFO mi;
	CK_SESSION_INFO sess;
	CK_SESSION_HANDLE s = 1;
	CK_OBJECT_HANDLE h = 1;
	CK_ATTRIBUTE t = { CKA_LABEL, NULL, 0 };
	CK_BYTE buf[64] = { 0 };
	CK_SLOT_ID event_slot;

	ck_assert_rv(p11->C_GetInfo(&info), want);
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, slots, &n), want);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &n), want);
	ck_assert_rv(p11->C_GetSlotInfo(0, &si), want);
	ck_assert_rv(p11->C_GetTokenInfo(0, &ti), want);
	ck_assert_rv(p11->C_GetMechanismList(0, mechs, &n), want);
	ck_assert_rv(p11->C_GetMechanismInfo(0, CKM_RSA_PKCS, &mi), want);
	ck_assert_rv(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), want);
	ck_assert_rv(p11->C_CloseSession(s), want);
	ck_assert_rv(p11->C_CloseAllSessions(0), want);
	ck_assert_rv(p11->C_GetSessionInfo(s, &sess), want);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN), want);
	ck_assert_rv(p11->C_Logout(s), want);
	ck_assert_rv(p11->C_FindObjectsInit(s, NULL, 0), want);
	ck_assert_rv(p11->C_FindObjects(s, &h, 1, &n), want);
	ck_assert_rv(p11->C_FindObjectsFinal(s), want);
	ck_assert_rv(p11->C_GetAttributeValue(s, h, &t, 1), want);
	ck_assert_rv(p11->C_SetAttributeValue(s, h, &t, 1), want);
	ck_assert_rv(p11->C_GetObjectSize(s, h, &n), want);
	ck_assert_rv(p11->C_CopyObject(s, h, NULL, 0, &h), want);
	ck_assert_rv(p11->C_DestroyObject(s, h), want);
	ck_assert_rv(p11->C_SignInit(s, &m, h), want);
	ck_assert_rv(p11->C_Sign(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_SignUpdate(s, buf, 16), want);
	ck_assert_rv(p11->C_SignFinal(s, buf, &len), want);
	ck_assert_rv(p11->C_VerifyInit(s, &m, h), want);
	ck_assert_rv(p11->C_Verify(s, buf, 16, buf, 16), want);
	ck_assert_rv(p11->C_VerifyUpdate(s, buf, 16), want);
	ck_assert_rv(p11->C_VerifyFinal(s, buf, 16), want);
	ck_assert_rv(p11->C_EncryptInit(s, &m, h), want);
	ck_assert_rv(p11->C_Encrypt(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_DecryptInit(s, &m, h), want);
	ck_assert_rv(p11->C_Decrypt(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_DigestInit(s, &m), want);
	ck_assert_rv(p11->C_Digest(s, buf, 16, buf, &len), want);
	ck_assert_rv(p11->C_DigestUpdate(s, buf, 16), want);
	ck_assert_rv(p11->C_DigestKey(s, h), want);
	ck_assert_rv(p11->C_DigestFinal(s, buf, &len), want);
	ck_assert_rv(p11->C_GenerateRandom(s, buf, 16), want);
	ck_assert_rv(p11->C_SeedRandom(s, buf, 16), want);
	ck_assert_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event_slot, NULL), want);
	ck_assert_rv(p11->C_GetFunctionStatus(s), want);
	ck_assert_rv(p11->C_CancelFunction(s), want);
	ck_assert_rv(p11_3->C_LoginUser(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN,
					(CK_UTF8CHAR_PTR)"u", 1), want);
	ck_assert_rv(p11_3->C_SessionCancel(s, CKF_SIGN), want);
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)PIN, PIN_LEN, (CK_UTF8CHAR_PTR)PIN, PIN_LEN),
		     want);
	ck_assert_rv(p11->C_Finalize(NULL), want);
	check_unsupported(s, 0, want);
}

START_TEST(test_calls_before_initialize)
{
	check_not_initialized();
}
END_TEST

START_TEST(test_calls_after_finalize)
{
	CK_SESSION_HANDLE s;

	ck_assert_ok(p11->C_Initialize(NULL));
	s = h_open_fx(FX_AUTH);
	h_login(s);
	ck_assert_ok(p11->C_Finalize(NULL));
	check_not_initialized();
	/* The old session is gone for good, even after a new C_Initialize. */
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_rv(p11->C_GetSessionInfo(s, &(CK_SESSION_INFO){ 0 }),
		     CKR_SESSION_HANDLE_INVALID);
}
END_TEST

START_TEST(test_unsupported_functions)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH);
	CK_SESSION_HANDLE s = h_open(slot, CKF_RW_SESSION);

	check_unsupported(s, slot, CKR_FUNCTION_NOT_SUPPORTED);
	/* Also once logged in. */
	h_login(s);
	check_unsupported(s, slot, CKR_FUNCTION_NOT_SUPPORTED);
}
END_TEST

START_TEST(test_wait_for_slot_event_dont_block)
{
	CK_SLOT_ID slot = 99;

	/* Container slots never change: a poll reports no event. */
	ck_assert_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
	ck_assert_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

/* The blocking form runs in a thread of its own, as Firefox does. */
struct waiter {
	CK_RV rv;
	volatile int done;
};

static void *wait_for_event(void *arg)
{
	struct waiter *w = arg;
	CK_SLOT_ID slot;

	w->rv = p11->C_WaitForSlotEvent(0, &slot, NULL);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int finished_within(struct waiter *w, int ms)
{
	for (int i = 0; i < ms / 10 && !__atomic_load_n(&w->done, __ATOMIC_SEQ_CST); i++)
		usleep(10000);
	return __atomic_load_n(&w->done, __ATOMIC_SEQ_CST);
}

/*
 * Firefox waits in C_WaitForSlotEvent and ends the wait at exit by calling
 * C_Finalize from another thread: the wait must block (no event comes from
 * containers) and C_Finalize must release it promptly with
 * CKR_CRYPTOKI_NOT_INITIALIZED.  Hanging is never right.
 */
START_TEST(test_wait_for_slot_event_blocking)
{
	struct waiter w = { 0, 0 };
	pthread_t tid;

	ck_assert_int_eq(pthread_create(&tid, NULL, wait_for_event, &w), 0);
	ck_assert_msg(!finished_within(&w, 500), "the blocking wait returned %s at once",
		      h_rv_name(w.rv));
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_msg(finished_within(&w, 1000), "C_Finalize did not end the wait within 1 s");
	ck_assert_rv(w.rv, CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
}
END_TEST

/* ---- C_GetInfo, function lists and interfaces ---- */

static int is_padded_text(const CK_UTF8CHAR *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0')
			return 0;
	return n > 0 && (s[n - 1] == ' ' || s[n - 1] > ' ');
}

START_TEST(test_get_info)
{
	CK_INFO info;

	ck_assert_rv(p11->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	ck_assert_ok(p11->C_GetInfo(&info));
	/* One of the versions the module offers. */
	ck_assert_msg((info.cryptokiVersion.major == 2 && info.cryptokiVersion.minor == 40) ||
		      (info.cryptokiVersion.major == 3 && info.cryptokiVersion.minor == 0),
		      "cryptokiVersion %u.%u", info.cryptokiVersion.major, info.cryptokiVersion.minor);
	ck_assert(is_padded_text(info.manufacturerID, sizeof info.manufacturerID));
	ck_assert(is_padded_text(info.libraryDescription, sizeof info.libraryDescription));
	ck_assert_uint_eq(info.flags, 0);
}
END_TEST

START_TEST(test_function_lists)
{
	CK_FUNCTION_LIST_PTR again = NULL;

	/* Usable before C_Initialize. */
	ck_assert_rv(p11->C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD);
	ck_assert_ok(p11->C_GetFunctionList(&again));
	ck_assert_ptr_eq(again, p11);
	ck_assert_uint_eq(p11->version.major, 2);
	ck_assert_uint_eq(p11->version.minor, 40);
	ck_assert_uint_eq(p11_3->version.major, 3);
	ck_assert_uint_eq(p11_3->version.minor, 0);
	/* The 3.0 list starts with the 2.40 functions, in the same order. */
	ck_assert_mem_eq((const char *)&p11_3->C_Initialize, (const char *)&p11->C_Initialize,
			 sizeof *p11 - offsetof(CK_FUNCTION_LIST, C_Initialize));
	ck_assert_ptr_nonnull(p11_3->C_GetInterfaceList);
	ck_assert_ptr_nonnull(p11_3->C_MessageVerifyFinal);
}
END_TEST

START_TEST(test_interface_list)
{
	CK_INTERFACE list[4];
	CK_ULONG n = 0;
	int seen_30 = 0, seen_240 = 0;

	ck_assert_rv(h_get_interface_list(NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_ok(h_get_interface_list(NULL, &n));
	ck_assert_uint_eq(n, 2);
	n = 1;
	ck_assert_rv(h_get_interface_list(list, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(n, 2);
	n = 4;
	ck_assert_ok(h_get_interface_list(list, &n));
	ck_assert_uint_eq(n, 2);
	for (CK_ULONG i = 0; i < n; i++) {
		const CK_VERSION *v = list[i].pFunctionList;
		ck_assert_str_eq((const char *)list[i].pInterfaceName, "PKCS 11");
		seen_30 += v->major == 3 && v->minor == 0;
		seen_240 += v->major == 2 && v->minor == 40;
	}
	ck_assert_int_eq(seen_30, 1);
	ck_assert_int_eq(seen_240, 1);
}
END_TEST

START_TEST(test_get_interface)
{
	CK_INTERFACE_PTR i = NULL;
	CK_VERSION v240 = { 2, 40 }, v30 = { 3, 0 }, v31 = { 3, 1 };

	ck_assert_rv(h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", NULL, NULL, 0), CKR_ARGUMENTS_BAD);
	/* What NSS asks for first, then without the flag. */
	ck_assert_ok(h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &i,
				     CKF_INTERFACE_FORK_SAFE));
	ck_assert_uint_eq(((CK_VERSION *)i->pFunctionList)->major, 3);
	ck_assert_ok(h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &i, 0));
	ck_assert_ptr_eq(i->pFunctionList, p11_3);
	ck_assert_ok(h_get_interface(NULL, NULL, &i, 0));
	ck_assert_uint_eq(((CK_VERSION *)i->pFunctionList)->major, 3);
	ck_assert_ok(h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", &v240, &i, 0));
	ck_assert_ptr_eq(i->pFunctionList, p11);
	ck_assert_ok(h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", &v30, &i, 0));
	ck_assert_ptr_eq(i->pFunctionList, p11_3);
	ck_assert_rv(h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", &v31, &i, 0), CKR_ARGUMENTS_BAD);
	ck_assert_rv(h_get_interface((CK_UTF8CHAR_PTR)"Vendor X", NULL, &i, 0), CKR_ARGUMENTS_BAD);
	ck_assert_rv(h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &i, 2), CKR_ARGUMENTS_BAD);
}
END_TEST

/* ---- fork ---- */

/* What the child did, reported as its exit status. */
enum child_step {
	CHILD_OK, CHILD_STALE_SLOT_LIST, CHILD_STALE_SESSION, CHILD_STALE_FINALIZE, CHILD_INIT,
	CHILD_SLOT, CHILD_OPEN, CHILD_LOGIN, CHILD_KEY, CHILD_SIGN, CHILD_VERIFY, CHILD_FINALIZE,
};
static const char *const child_steps[] = {
	"ok", "C_GetSlotList on the inherited state did not say CKR_CRYPTOKI_NOT_INITIALIZED",
	"the parent's session still worked in the child",
	"C_Finalize on the inherited state did not say CKR_CRYPTOKI_NOT_INITIALIZED",
	"C_Initialize failed", "no AUTH slot", "C_OpenSession failed", "C_Login failed",
	"no private key after login", "signing failed", "the signature did not verify",
	"C_Finalize failed",
};

static const unsigned char fork_msg[] = "signed in a forked child";

static enum child_step child_main(CK_SESSION_HANDLE parent_session)
{
	CK_ULONG n = 0;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	unsigned char sig[512];
	CK_ULONG sig_len = sizeof sig;
	CK_RV rv;

	if (p11->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return CHILD_STALE_SLOT_LIST;
	if (p11->C_GetSessionInfo(parent_session, &(CK_SESSION_INFO){ 0 }) !=
	    CKR_CRYPTOKI_NOT_INITIALIZED)
		return CHILD_STALE_SESSION;
	if (p11->C_Finalize(NULL) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return CHILD_STALE_FINALIZE;
	if (p11->C_Initialize(NULL) != CKR_OK)
		return CHILD_INIT;
	if (h_try_slot(FX_AUTH, &slot) != 0)
		return CHILD_SLOT;
	if (p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return CHILD_OPEN;
	if (p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN) != CKR_OK)
		return CHILD_LOGIN;
	key = h_try_find_class(s, CKO_PRIVATE_KEY);
	if (key == CK_INVALID_HANDLE)
		return CHILD_KEY;
	rv = h_try_sign(s, key, CKM_SHA256_RSA_PKCS, fork_msg, sizeof fork_msg, sig, &sig_len);
	if (rv != CKR_OK) {
		fprintf(stderr, "child: signing: %s\n", h_rv_name(rv));
		return CHILD_SIGN;
	}
	if (!h_ossl_verify(fx[FX_AUTH].cert, CKM_SHA256_RSA_PKCS, fork_msg, sizeof fork_msg, sig,
			   sig_len))
		return CHILD_VERIFY;
	if (p11->C_Finalize(NULL) != CKR_OK)
		return CHILD_FINALIZE;
	return CHILD_OK;
}

static void parent_signs(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	unsigned char sig[512];
	CK_ULONG sig_len = sizeof sig;

	ck_assert_ok(h_try_sign(s, key, CKM_SHA256_RSA_PKCS, fork_msg, sizeof fork_msg, sig,
				&sig_len));
	ck_assert(h_ossl_verify(fx[FX_AUTH].cert, CKM_SHA256_RSA_PKCS, fork_msg, sizeof fork_msg,
				sig, sig_len));
}

START_TEST(test_fork)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	CK_OBJECT_HANDLE key;
	int status;
	pid_t pid;

	h_login(s);
	key = h_find_class(s, CKO_PRIVATE_KEY);
	parent_signs(s, key);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child_main(s));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "the child died (status 0x%x)", status);
	ck_assert_msg(WEXITSTATUS(status) == CHILD_OK, "child: %s",
		      WEXITSTATUS(status) < sizeof child_steps / sizeof *child_steps
		      ? child_steps[WEXITSTATUS(status)] : "unknown failure");
	/* The parent's state is untouched. */
	ck_assert_uint_eq(h_state(s), CKS_RO_USER_FUNCTIONS);
	parent_signs(s, key);
	ck_assert_uint_eq(h_slot_count(), 3);
}
END_TEST

/*
 * The module decrypts RC2-40 (legacy provider) in its own library context;
 * the application's default context must not gain the legacy provider.
 */
START_TEST(test_host_openssl_untouched)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	EVP_CIPHER *rc2;

	h_login(s);
	ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 1);
	ck_assert_int_eq(OSSL_PROVIDER_available(NULL, "legacy"), 0);
	rc2 = EVP_CIPHER_fetch(NULL, "RC2-40-CBC", NULL);
	ck_assert_msg(rc2 == NULL, "RC2-40 became available in the default context");
	ERR_clear_error();
}
END_TEST

Suite *suite_init(void)
{
	Suite *s = suite_create("init");
	TCase *tc;

	tc = tcase_create("initialize");
	tcase_add_checked_fixture(tc, setup_env, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_initialize_twice);
	tcase_add_test(tc, test_app_mutex_callbacks_are_used);
	tcase_add_test(tc, test_nss_initialize_args);
	tcase_add_test(tc, test_flags_without_callbacks);
	tcase_add_test(tc, test_partial_callbacks_rejected);
	tcase_add_test(tc, test_reserved_must_be_null);
	tcase_add_test(tc, test_finalize_reserved_must_be_null);
	tcase_add_test(tc, test_bad_configuration_still_loads);
	tcase_add_test(tc, test_calls_before_initialize);
	tcase_add_test(tc, test_calls_after_finalize);
	tcase_add_test(tc, test_function_lists);
	tcase_add_test(tc, test_interface_list);
	tcase_add_test(tc, test_get_interface);
	suite_add_tcase(s, tc);

	tc = tcase_create("initialized");
	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_get_info);
	tcase_add_test(tc, test_unsupported_functions);
	tcase_add_test(tc, test_wait_for_slot_event_dont_block);
	tcase_add_test(tc, test_wait_for_slot_event_blocking);
#ifndef __SANITIZE_THREAD__
	/* ThreadSanitizer cannot follow a fork made while the module's PC/SC
	 * monitor thread runs (the child's own monitor gets a reused thread id
	 * it refuses); the plain, ASan and valgrind runs cover it. */
	tcase_add_test(tc, test_fork);
#endif
	tcase_add_test(tc, test_host_openssl_untouched);
	suite_add_tcase(s, tc);
	return s;
}
