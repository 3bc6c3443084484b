#include "core/handles.h"

#include <stdlib.h>
#include <string.h>

CK_ULONG kz_handles_add(struct kz_handles *t, void *ptr)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct kz_handle_entry *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return 0;
		t->v = v;
		t->cap = cap;
	}
	if (t->next == 0)
		t->next = 1;
	t->v[t->n].handle = t->next;
	t->v[t->n].ptr = ptr;
	t->n++;
	return t->next++;
}

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
