/*
 * Unit tests for src/core/events.c: the slot event set behind
 * C_WaitForSlotEvent, with real threads for posting, waiting and closing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/events.h"

static struct kz_events *ev;

static void setup(void)
{
	ev = kz_events_new();
	ck_assert_ptr_nonnull(ev);
}

static void teardown(void)
{
	kz_events_close(ev);
	kz_events_free(ev, 0);
	kz_events_set_poller(NULL);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_empty_does_not_block)
{
	CK_SLOT_ID id = 77;

	ck_assert_int_eq(kz_events_take(ev, 0, 0, &id), CKR_NO_EVENT);
	ck_assert_uint_eq(id, 77);   /* untouched */
}
END_TEST

START_TEST(test_fifo_without_duplicates)
{
	CK_SLOT_ID id;

	kz_events_post(ev, 5);
	kz_events_post(ev, 3);
	kz_events_post(ev, 5);
	kz_events_post(ev, 9);
	ck_assert_uint_eq(kz_events_pending(ev), 3);
	ck_assert_int_eq(kz_events_take(ev, 0, 0, &id), CKR_OK);
	ck_assert_uint_eq(id, 5);
	ck_assert_int_eq(kz_events_take(ev, 0, 0, &id), CKR_OK);
	ck_assert_uint_eq(id, 3);
	kz_events_post(ev, 5);   /* taken already: pending again */
	ck_assert_int_eq(kz_events_take(ev, 1, -1, &id), CKR_OK);
	ck_assert_uint_eq(id, 9);
	ck_assert_int_eq(kz_events_take(ev, 0, 0, &id), CKR_OK);
	ck_assert_uint_eq(id, 5);
	ck_assert_int_eq(kz_events_take(ev, 0, 0, &id), CKR_NO_EVENT);
}
END_TEST

START_TEST(test_bounded)
{
	CK_SLOT_ID id;
	size_t n = 0;

	for (CK_SLOT_ID i = 0; i < 5000; i++)
		kz_events_post(ev, i);
	ck_assert_uint_le(kz_events_pending(ev), 1024);
	ck_assert_uint_gt(kz_events_pending(ev), 0);
	while (kz_events_take(ev, 0, 0, &id) == CKR_OK)
		ck_assert_uint_eq(id, n++);   /* the oldest are kept, in order */
}
END_TEST

START_TEST(test_timed_wait_expires)
{
	CK_SLOT_ID id;
	double t0 = now(), dt;

	ck_assert_int_eq(kz_events_take(ev, 1, 200, &id), CKR_NO_EVENT);
	dt = now() - t0;
	ck_assert_msg(dt >= 0.19 && dt < 2.0, "waited %.3f s for 0.2 s", dt);
}
END_TEST

struct poster { struct kz_events *ev; CK_SLOT_ID id; useconds_t delay; };

static void *post_later(void *arg)
{
	struct poster *p = arg;

	usleep(p->delay);
	kz_events_post(p->ev, p->id);
	return NULL;
}

START_TEST(test_blocking_wait_woken_by_post)
{
	struct poster p = { ev, 42, 200000 };
	pthread_t th;
	CK_SLOT_ID id = 0;
	double t0 = now(), dt;

	ck_assert_int_eq(kz_events_enter(ev), CKR_OK);
	pthread_create(&th, NULL, post_later, &p);
	ck_assert_int_eq(kz_events_take(ev, 1, -1, &id), CKR_OK);
	dt = now() - t0;
	kz_events_leave(ev);
	pthread_join(th, NULL);
	ck_assert_uint_eq(id, 42);
	ck_assert_msg(dt >= 0.15 && dt < 2.0, "woke after %.3f s", dt);
}
END_TEST

struct waiter { struct kz_events *ev; CK_RV rv; double returned_at; useconds_t linger; };

static void *wait_forever(void *arg)
{
	struct waiter *w = arg;
	CK_SLOT_ID id;

	w->rv = kz_events_enter(w->ev);
	if (w->rv == CKR_OK) {
		w->rv = kz_events_take(w->ev, 1, -1, &id);
		w->returned_at = now();
		usleep(w->linger);   /* still inside after the wake-up */
		kz_events_leave(w->ev);
	}
	return NULL;
}

START_TEST(test_close_wakes_waiters_and_waits_for_them)
{
	struct waiter w[3];
	pthread_t th[3];
	CK_SLOT_ID id;
	double t0, closed_at;

	for (int i = 0; i < 3; i++) {
		w[i] = (struct waiter){ ev, 0, 0, i == 2 ? 300000 : 0 };
		pthread_create(&th[i], NULL, wait_forever, &w[i]);
	}
	usleep(200000);   /* all three are waiting */
	t0 = now();
	kz_events_close(ev);
	closed_at = now();
	/* close returned only after the lingering waiter left */
	ck_assert_msg(closed_at - t0 >= 0.25, "close returned after %.3f s", closed_at - t0);
	ck_assert_msg(closed_at - t0 < 2.0, "close took %.3f s", closed_at - t0);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(w[i].rv, CKR_CRYPTOKI_NOT_INITIALIZED);
		ck_assert_msg(w[i].returned_at - t0 < 0.1, "waiter %d woke after %.3f s", i,
			      w[i].returned_at - t0);
	}
	/* closed: no new waiters, no events */
	ck_assert_int_eq(kz_events_enter(ev), CKR_CRYPTOKI_NOT_INITIALIZED);
	kz_events_post(ev, 1);
	ck_assert_int_eq(kz_events_take(ev, 0, 0, &id), CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

static size_t fake_poller(CK_SLOT_ID *ids, size_t max)
{
	ck_assert_uint_ge(max, 2);
	ids[0] = 100;
	ids[1] = 101;
	return 2;
}

START_TEST(test_poller_hook)
{
	CK_SLOT_ID id;

	ck_assert(!kz_events_have_poller());
	kz_events_poll_hook(ev);   /* none registered: nothing happens */
	ck_assert_uint_eq(kz_events_pending(ev), 0);
	kz_events_set_poller(fake_poller);
	ck_assert(kz_events_have_poller());
	kz_events_poll_hook(ev);
	kz_events_poll_hook(ev);
	ck_assert_uint_eq(kz_events_pending(ev), 2);
	ck_assert_int_eq(kz_events_take(ev, 0, 0, &id), CKR_OK);
	ck_assert_uint_eq(id, 100);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("set");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_empty_does_not_block);
	tcase_add_test(tc, test_fifo_without_duplicates);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_timed_wait_expires);
	tcase_add_test(tc, test_blocking_wait_woken_by_post);
	tcase_add_test(tc, test_close_wakes_waiters_and_waits_for_them);
	tcase_add_test(tc, test_poller_hook);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(events_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
