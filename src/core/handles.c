#include "core/handles.h"

#include <stdlib.h>
#include <string.h>

static long find_index(const struct kz_handles *t, CK_ULONG handle)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].handle == handle)
			return (long)mid;
		if (t->v[mid].handle < handle)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Where handle belongs in the sorted table. */
static size_t insert_index(const struct kz_handles *t, CK_ULONG handle)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].handle < handle)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

CK_ULONG kz_handles_add(struct kz_handles *t, void *ptr)
{
	CK_ULONG handle = t->next ? t->next : 1;
	size_t i;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct kz_handle_entry *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return 0;
		t->v = v;
		t->cap = cap;
	}
	/* Only after the counter wrapped can a candidate still be in use. */
	while (find_index(t, handle) >= 0)
		handle = handle == ~(CK_ULONG)0 ? 1 : handle + 1;
	i = insert_index(t, handle);
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof *t->v);
	t->v[i].handle = handle;
	t->v[i].ptr = ptr;
	t->n++;
	t->next = handle + 1;   /* 0 after the last value: restarts at 1 */
	return handle;
}

void *kz_handles_get(const struct kz_handles *t, CK_ULONG handle)
{
	long i = find_index(t, handle);
	return i < 0 ? NULL : t->v[i].ptr;
}

void *kz_handles_remove(struct kz_handles *t, CK_ULONG handle)
{
	long i = find_index(t, handle);
	void *ptr;

	if (i < 0)
		return NULL;
	ptr = t->v[i].ptr;
	memmove(&t->v[i], &t->v[i + 1], (t->n - (size_t)i - 1) * sizeof *t->v);
	t->n--;
	return ptr;
}

void kz_handles_clear(struct kz_handles *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
