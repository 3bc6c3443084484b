/*
 * The secret pool: chunks of mmap'd pages, each with an allocation map
 * kept in ordinary memory (so wiping or zeroing a page can never damage
 * the allocator, e.g. after MADV_WIPEONFORK in a child).  Blocks are whole
 * 16-byte units, first fit; the pool is small (a few PINs and keys), so a
 * linear search is enough.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "util/secmem.h"
#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define UNIT 16
#define CHUNK_MIN (64 * 1024)

enum { FREE = 0, START = 1, CONT = 2 };

struct chunk {
	unsigned char *base;
	size_t size;             /* bytes, a multiple of the page size */
	size_t units;
	unsigned char *map;      /* one entry per unit: FREE, START or CONT */
	int locked;
	struct chunk *next;
};

static struct chunk *chunks;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static int lock_warned;

void kz_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

static void on_fork_prepare(void)
{
	pthread_mutex_lock(&pool_lock);
}

static void on_fork_parent(void)
{
	pthread_mutex_unlock(&pool_lock);
}

/* A child does not inherit memory locks; its pages were zeroed by the
 * kernel where MADV_WIPEONFORK is known.  Lock them again. */
static void on_fork_child(void)
{
	for (struct chunk *c = chunks; c; c = c->next)
		c->locked = mlock(c->base, c->size) == 0;
	pthread_mutex_unlock(&pool_lock);
}

static void register_atfork(void)
{
	pthread_atfork(on_fork_prepare, on_fork_parent, on_fork_child);
}

static struct chunk *chunk_new(size_t need)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = need < CHUNK_MIN ? CHUNK_MIN : need;
	struct chunk *c = calloc(1, sizeof *c);

	if (page <= 0)
		page = 4096;
	size = (size + (size_t)page - 1) / (size_t)page * (size_t)page;
	if (!c)
		return NULL;
	c->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->base == MAP_FAILED) {
		free(c);
		return NULL;
	}
	c->size = size;
	c->units = size / UNIT;
	c->map = calloc(c->units, 1);
	if (!c->map) {
		munmap(c->base, size);
		free(c);
		return NULL;
	}
	c->locked = mlock(c->base, size) == 0;
	if (!c->locked && !lock_warned) {
		lock_warned = 1;
		kz_info("cannot lock %zu bytes of memory for secrets (%s; see RLIMIT_MEMLOCK): "
			"continuing with unlocked pages, which may be swapped out",
			size, strerror(errno));
	}
#ifdef MADV_DONTDUMP
	madvise(c->base, size, MADV_DONTDUMP);
#endif
#ifdef MADV_WIPEONFORK
	madvise(c->base, size, MADV_WIPEONFORK);
#endif
	c->next = chunks;
	chunks = c;
	return c;
}

/* First run of `units` free units in the chunk, or SIZE_MAX. */
static size_t find_run(const struct chunk *c, size_t units)
{
	size_t run = 0;

	for (size_t i = 0; i < c->units; i++) {
		run = c->map[i] == FREE ? run + 1 : 0;
		if (run == units)
			return i + 1 - units;
	}
	return SIZE_MAX;
}

void *kz_secmem_alloc(size_t n)
{
	size_t units = (n ? n + UNIT - 1 : UNIT) / UNIT;
	size_t at = SIZE_MAX;
	struct chunk *c;
	void *p = NULL;

	if (n > SIZE_MAX / 2)
		return NULL;
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&pool_lock);
	for (c = chunks; c; c = c->next) {
		at = find_run(c, units);
		if (at != SIZE_MAX)
			break;
	}
	if (at == SIZE_MAX) {
		c = chunk_new(units * UNIT);
		at = c ? 0 : SIZE_MAX;
	}
	if (at != SIZE_MAX) {
		c->map[at] = START;
		memset(c->map + at + 1, CONT, units - 1);
		p = c->base + at * UNIT;
	}
	pthread_mutex_unlock(&pool_lock);
	return p;   /* free units are always zero */
}

void kz_secmem_free(void *p)
{
	unsigned char *q = p;

	if (!p)
		return;
	pthread_mutex_lock(&pool_lock);
	for (struct chunk *c = chunks; c; c = c->next) {
		size_t i, end;
		if (q < c->base || q >= c->base + c->size)
			continue;
		i = (size_t)(q - c->base) / UNIT;
		if ((size_t)(q - c->base) % UNIT || c->map[i] != START)
			break;   /* not a block start: leave it alone */
		for (end = i + 1; end < c->units && c->map[end] == CONT; end++)
			;
		kz_wipe(c->base + i * UNIT, (end - i) * UNIT);
		memset(c->map + i, FREE, end - i);
		pthread_mutex_unlock(&pool_lock);
		return;
	}
	pthread_mutex_unlock(&pool_lock);
	/* A bug, never input: report it and leave the memory as it is. */
	kz_error("internal error: freeing memory that is not a secret block");
}

static int chunk_empty(const struct chunk *c)
{
	for (size_t i = 0; i < c->units; i++)
		if (c->map[i] != FREE)
			return 0;
	return 1;
}

void kz_secmem_trim(void)
{
	struct chunk **link = &chunks;

	pthread_mutex_lock(&pool_lock);
	while (*link) {
		struct chunk *c = *link;
		if (!chunk_empty(c)) {
			link = &c->next;
			continue;
		}
		*link = c->next;
		kz_wipe(c->base, c->size);
		if (c->locked)
			munlock(c->base, c->size);
		munmap(c->base, c->size);
		free(c->map);
		free(c);
	}
	pthread_mutex_unlock(&pool_lock);
}

void kz_secmem_stats(struct kz_secmem_stats *st)
{
	memset(st, 0, sizeof *st);
	st->locked = 1;
	pthread_mutex_lock(&pool_lock);
	for (struct chunk *c = chunks; c; c = c->next) {
		st->mapped += c->size;
		st->locked &= c->locked;
		for (size_t i = 0; i < c->units; i++) {
			if (c->map[i] != FREE) {
				st->in_use += UNIT;
				continue;
			}
			for (size_t k = 0; k < UNIT; k++)
				st->dirty_free += c->base[i * UNIT + k] != 0;
		}
	}
	pthread_mutex_unlock(&pool_lock);
}
