/* Clock and median, shared by the benchmarks. */
#ifndef KZP11_BENCH_TIMING_H
#define KZP11_BENCH_TIMING_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of at most 64 values (0 for none or too many). */
static inline double median(const double *v, size_t n)
{
	double tmp[64];

	if (n == 0 || n > sizeof tmp / sizeof *tmp)
		return 0;
	memcpy(tmp, v, n * sizeof *v);
	qsort(tmp, n, sizeof *tmp, cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

#endif
