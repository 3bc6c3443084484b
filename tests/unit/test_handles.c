/*
 * Unit tests for src/core/handles.c: PKCS#11 handles are counters that are
 * never 0, never reused while the table lives, and always find what was
 * stored under them.
 */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/handles.h"

#define MANY 10000

static struct kz_handles t;

static void setup(void)
{
	t = (struct kz_handles){ 0 };
}

static void teardown(void)
{
	kz_handles_clear(&t);
}

/* A distinct fake pointer per number. */
static void *ptr(uintptr_t i)
{
	return (void *)(i * 16 + 8);
}

/* Every live handle resolves to its pointer. */
static void assert_live(const CK_ULONG *h, const int *alive, int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_ptr_eq(kz_handles_get(&t, h[i]), alive[i] ? ptr((uintptr_t)i) : NULL);
}

START_TEST(test_first_handle_is_not_zero)
{
	CK_ULONG h = kz_handles_add(&t, ptr(1));

	ck_assert_uint_ne(h, 0);
	ck_assert_uint_ne(h, CK_INVALID_HANDLE);
	ck_assert_ptr_eq(kz_handles_get(&t, h), ptr(1));
	ck_assert_ptr_null(kz_handles_get(&t, 0));
	ck_assert_ptr_null(kz_handles_get(&t, h + 1));
}
END_TEST

START_TEST(test_empty_table)
{
	ck_assert_ptr_null(kz_handles_get(&t, 1));
	ck_assert_ptr_null(kz_handles_remove(&t, 1));
	ck_assert_ptr_null(kz_handles_remove(&t, 0));
	kz_handles_clear(&t);
	ck_assert_uint_eq(t.n, 0);
}
END_TEST

START_TEST(test_handles_grow)
{
	CK_ULONG prev = 0;

	for (uintptr_t i = 0; i < 100; i++) {
		CK_ULONG h = kz_handles_add(&t, ptr(i));
		ck_assert_uint_gt(h, prev);
		prev = h;
	}
}
END_TEST

START_TEST(test_remove)
{
	CK_ULONG a = kz_handles_add(&t, ptr(1)), b = kz_handles_add(&t, ptr(2)),
		 c = kz_handles_add(&t, ptr(3));

	ck_assert_ptr_eq(kz_handles_remove(&t, b), ptr(2));
	ck_assert_ptr_null(kz_handles_get(&t, b));
	ck_assert_ptr_null(kz_handles_remove(&t, b));
	ck_assert_ptr_eq(kz_handles_get(&t, a), ptr(1));
	ck_assert_ptr_eq(kz_handles_get(&t, c), ptr(3));
	ck_assert_ptr_eq(kz_handles_remove(&t, a), ptr(1));
	ck_assert_ptr_eq(kz_handles_remove(&t, c), ptr(3));
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(kz_handles_get(&t, c));
}
END_TEST

START_TEST(test_never_reused)
{
	CK_ULONG a = kz_handles_add(&t, ptr(1)), b;

	ck_assert_ptr_eq(kz_handles_remove(&t, a), ptr(1));
	b = kz_handles_add(&t, ptr(2));
	ck_assert_uint_ne(a, b);
	ck_assert_ptr_null(kz_handles_get(&t, a));
	/* Not even after clearing the table. */
	kz_handles_clear(&t);
	ck_assert_ptr_null(kz_handles_get(&t, b));
	ck_assert_uint_ne(kz_handles_add(&t, ptr(3)), a);
}
END_TEST

START_TEST(test_many_with_holes)
{
	static CK_ULONG h[MANY];
	static int alive[MANY];

	for (int i = 0; i < MANY; i++) {
		h[i] = kz_handles_add(&t, ptr((uintptr_t)i));
		ck_assert_uint_ne(h[i], 0);
		alive[i] = 1;
	}
	/* Remove every third, then the first and the last, in an odd order. */
	for (int i = MANY - 1; i >= 0; i -= 3) {
		ck_assert_ptr_eq(kz_handles_remove(&t, h[i]), ptr((uintptr_t)i));
		alive[i] = 0;
	}
	for (int i = 0; i < MANY; i += MANY - 1)
		if (alive[i]) {
			ck_assert_ptr_eq(kz_handles_remove(&t, h[i]), ptr((uintptr_t)i));
			alive[i] = 0;
		}
	assert_live(h, alive, MANY);
	/* New handles go on after the largest ever given. */
	ck_assert_uint_gt(kz_handles_add(&t, ptr(0)), h[MANY - 1]);
}
END_TEST

START_TEST(test_remove_everything_in_random_order)
{
	enum { N = 1000 };
	CK_ULONG h[N];
	int alive[N];
	unsigned seed = 12345;

	for (int i = 0; i < N; i++) {
		h[i] = kz_handles_add(&t, ptr((uintptr_t)i));
		alive[i] = 1;
	}
	for (int left = N; left > 0; left--) {
		int pick = (int)((seed = seed * 1103515245u + 12345u) >> 8) % N;
		while (!alive[pick])
			pick = (pick + 1) % N;
		ck_assert_ptr_eq(kz_handles_remove(&t, h[pick]), ptr((uintptr_t)pick));
		alive[pick] = 0;
		if (left % 97 == 0)
			assert_live(h, alive, N);
	}
	ck_assert_uint_eq(t.n, 0);
}
END_TEST

/*
 * The counter's end: the table must never hand out a handle that is still
 * in use (nor 0), however long the module has been running.
 */
START_TEST(test_counter_wrap_keeps_handles_unique)
{
	CK_ULONG first = kz_handles_add(&t, ptr(0)), h[3];

	t.next = ULONG_MAX - 1;
	for (int i = 0; i < 3; i++) {
		h[i] = kz_handles_add(&t, ptr((uintptr_t)i + 1));
		ck_assert_uint_ne(h[i], 0);
		ck_assert_uint_ne(h[i], first);
		for (int k = 0; k < i; k++)
			ck_assert_uint_ne(h[i], h[k]);
	}
	ck_assert_ptr_eq(kz_handles_get(&t, first), ptr(0));
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_eq(kz_handles_get(&t, h[i]), ptr((uintptr_t)i + 1));
}
END_TEST

static Suite *handles_suite(void)
{
	Suite *s = suite_create("handles");
	TCase *tc = tcase_create("handles");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_first_handle_is_not_zero);
	tcase_add_test(tc, test_empty_table);
	tcase_add_test(tc, test_handles_grow);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_never_reused);
	tcase_add_test(tc, test_many_with_holes);
	tcase_add_test(tc, test_remove_everything_in_random_order);
	tcase_add_test(tc, test_counter_wrap_keeps_handles_unique);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(handles_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
