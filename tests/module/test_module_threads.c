/*
 * Many at once: threads signing with their own sessions, a thread polling
 * the way NSS does, threads sharing one slot's login, and processes using
 * the same containers and certificate cache (p11-kit server starts one per
 * client).  Threads and child processes never call Check's assertions; they
 * count failures and keep the first message.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_SIGNERS 8
#define SIGNS_PER_SIGNER 200
#define N_SHARERS 4
#define SIGNS_PER_SHARER 50
#define N_PROCESSES 8
#define SIGNS_PER_PROCESS 20

static const CK_MECHANISM_TYPE rotation[] = {
	CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS,
	CKM_SHA1_RSA_PKCS, CKM_SHA512_RSA_PKCS_PSS,
};
#define N_ROTATION (sizeof rotation / sizeof *rotation)

struct worker {
	pthread_t tid;
	int index;
	enum fx_id fx;
	int signs;
	int login;                 /* call C_Login first (sharing threads) */
	pthread_barrier_t *start;
	CK_RV login_rv;
	int done, failures;
	char error[256];
};

static void note_failure(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failures++ == 0) {
		va_start(ap, fmt);
		vsnprintf(w->error, sizeof w->error, fmt, ap);
		va_end(ap);
	}
}

/* Signs and verifies w->signs messages on its own session. */
static void *signer(void *arg)
{
	struct worker *w = arg;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	if (h_try_slot(w->fx, &slot) != 0 ||
	    (rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s)) != CKR_OK) {
		note_failure(w, "no session");
		return NULL;
	}
	if (w->start)
		pthread_barrier_wait(w->start);
	if (w->login)
		w->login_rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN);
	key = h_try_find_class(s, CKO_PRIVATE_KEY);
	if (key == CK_INVALID_HANDLE)
		note_failure(w, "no private key");
	for (int i = 0; key != CK_INVALID_HANDLE && i < w->signs; i++) {
		CK_MECHANISM_TYPE mech = rotation[(size_t)(i + w->index) % N_ROTATION];
		unsigned char text[64], in[128], sig[512];
		CK_ULONG in_len, sig_len = sizeof sig;
		int len = snprintf((char *)text, sizeof text, "thread %d message %d", w->index, i);

		h_mech_input(mech, text, (size_t)len, in, &in_len);
		rv = h_try_sign(s, key, mech, in, in_len, sig, &sig_len);
		if (rv != CKR_OK)
			note_failure(w, "signature %d (mechanism 0x%lx): %s", i, (unsigned long)mech,
			     h_rv_name(rv));
		else if (!h_ossl_verify(fx[w->fx].cert, mech, in, in_len, sig, sig_len))
			note_failure(w, "signature %d (mechanism 0x%lx) does not verify", i,
			     (unsigned long)mech);
		else
			w->done++;
	}
	if ((rv = p11->C_CloseSession(s)) != CKR_OK)
		note_failure(w, "C_CloseSession: %s", h_rv_name(rv));
	return NULL;
}

/* Polls session and token information the way NSS watches for removal. */
static volatile int polling;

static void *poller(void *arg)
{
	struct worker *w = arg;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;

	if (h_try_slot(w->fx, &slot) != 0 ||
	    p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) {
		note_failure(w, "no session");
		return NULL;
	}
	while (__atomic_load_n(&polling, __ATOMIC_SEQ_CST)) {
		CK_SESSION_INFO si = { 0 };
		CK_TOKEN_INFO ti;
		CK_RV rv;
		if ((rv = p11->C_GetSessionInfo(s, &si)) != CKR_OK || si.state != CKS_RO_USER_FUNCTIONS)
			note_failure(w, "C_GetSessionInfo: %s, state %lu", h_rv_name(rv),
			     (unsigned long)si.state);
		if ((rv = p11->C_GetTokenInfo(slot, &ti)) != CKR_OK)
			note_failure(w, "C_GetTokenInfo: %s", h_rv_name(rv));
		if (h_try_find_class(s, CKO_CERTIFICATE) == CK_INVALID_HANDLE)
			note_failure(w, "the certificate disappeared");
		w->done++;
	}
	p11->C_CloseSession(s);
	return NULL;
}

static void run(struct worker *w, int n, void *(*fn)(void *))
{
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&w[i].tid, NULL, fn, &w[i]), 0);
}

static void join_and_check(struct worker *w, int n, int expect_done)
{
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_join(w[i].tid, NULL), 0);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(w[i].failures == 0, "thread %d: %d failures, first: %s", w[i].index,
			      w[i].failures, w[i].error);
		if (expect_done >= 0)
			ck_assert_int_eq(w[i].done, expect_done);
	}
}

START_TEST(test_signers_with_own_sessions)
{
	struct worker w[N_SIGNERS], poll = { .index = -1, .fx = FX_AUTH };
	CK_SESSION_HANDLE keep[FX_COUNT];

	/* One login per slot, held by a session the main thread keeps open. */
	for (int i = 0; i < FX_COUNT; i++) {
		keep[i] = h_open_fx(i);
		h_login(keep[i]);
	}
	memset(w, 0, sizeof w);
	for (int i = 0; i < N_SIGNERS; i++) {
		w[i].index = i;
		w[i].fx = (enum fx_id)(i % FX_COUNT);
		w[i].signs = SIGNS_PER_SIGNER;
	}
	polling = 1;
	run(&poll, 1, poller);
	run(w, N_SIGNERS, signer);
	join_and_check(w, N_SIGNERS, SIGNS_PER_SIGNER);
	__atomic_store_n(&polling, 0, __ATOMIC_SEQ_CST);
	join_and_check(&poll, 1, -1);
	ck_assert_int_gt(poll.done, 0);
	for (int i = 0; i < FX_COUNT; i++)
		ck_assert_uint_eq(h_state(keep[i]), CKS_RO_USER_FUNCTIONS);
}
END_TEST

START_TEST(test_threads_share_a_login)
{
	struct worker w[N_SHARERS];
	pthread_barrier_t start;
	int ok = 0, already = 0;

	memset(w, 0, sizeof w);
	pthread_barrier_init(&start, NULL, N_SHARERS);
	for (int i = 0; i < N_SHARERS; i++) {
		w[i].index = i;
		w[i].fx = FX_MODERN;
		w[i].signs = SIGNS_PER_SHARER;
		w[i].login = 1;
		w[i].start = &start;
	}
	run(w, N_SHARERS, signer);
	join_and_check(w, N_SHARERS, SIGNS_PER_SHARER);
	pthread_barrier_destroy(&start);
	/* Everyone tried to log in at once: one did, the others found it done. */
	for (int i = 0; i < N_SHARERS; i++) {
		ok += w[i].login_rv == CKR_OK;
		already += w[i].login_rv == CKR_USER_ALREADY_LOGGED_IN;
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(already, N_SHARERS - 1);
	/* The last session closed: logged out again. */
	ck_assert_uint_eq(h_state(h_open_fx(FX_MODERN)), CKS_RO_PUBLIC_SESSION);
}
END_TEST

/* One process: waits for the start, initialises, logs in, signs, checks. */
static int process_main(int start_fd)
{
	struct worker w = { .index = (int)getpid(), .fx = FX_AUTH, .signs = SIGNS_PER_PROCESS,
			    .login = 1 };
	char go;
	CK_RV rv;

	if (read(start_fd, &go, 1) < 0)
		return 2;
	if ((rv = p11->C_Initialize(NULL)) != CKR_OK) {
		fprintf(stderr, "process %d: C_Initialize: %s\n", w.index, h_rv_name(rv));
		return 1;
	}
	signer(&w);
	if (w.login_rv != CKR_OK)
		note_failure(&w, "C_Login: %s", h_rv_name(w.login_rv));
	if ((rv = p11->C_Finalize(NULL)) != CKR_OK)
		note_failure(&w, "C_Finalize: %s", h_rv_name(rv));
	if (w.failures)
		fprintf(stderr, "process %d: %d failures, first: %s\n", w.index, w.failures, w.error);
	return w.failures ? 1 : 0;
}

START_TEST(test_processes_share_containers)
{
	pid_t pids[N_PROCESSES];
	int start[2];
	CK_SESSION_HANDLE s;
	X509 *cert;

	ck_assert_int_eq(pipe(start), 0);
	for (int i = 0; i < N_PROCESSES; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			close(start[1]);
			_exit(process_main(start[0]));
		}
	}
	/* All start together: closing the pipe wakes every reader. */
	close(start[0]);
	close(start[1]);
	for (int i = 0; i < N_PROCESSES; i++) {
		int status;
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "process %d failed (status 0x%x)", i, status);
	}
	/* They all wrote the certificate cache at once; it is intact. */
	ck_assert_ok(p11->C_Initialize(NULL));
	s = h_open_fx(FX_AUTH);
	cert = h_cert_object(s, h_find_class(s, CKO_CERTIFICATE));
	ck_assert_int_eq(X509_cmp(cert, fx[FX_AUTH].cert), 0);
	X509_free(cert);
}
END_TEST

Suite *suite_threads(void)
{
	Suite *s = suite_create("threads");
	TCase *tc = tcase_create("threads");

	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_signers_with_own_sessions);
	tcase_add_test(tc, test_threads_share_a_login);
	suite_add_tcase(s, tc);

	tc = tcase_create("processes");
	tcase_add_checked_fixture(tc, setup_env, teardown_fini);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_processes_share_containers);
	suite_add_tcase(s, tc);
	return s;
}
