/*
 * Shared by the fuzz targets.  Each target defines the libFuzzer entry
 * point (and, when it needs a set-up, kz_fuzz_init); the same file builds
 * as a libFuzzer binary (`make fuzz`, clang) and as a plain program that
 * replays a corpus (replay.c, `make check`).
 *
 * Inputs are read with a small cursor: running out of bytes yields zeros,
 * so every input is valid and the fuzzer never wastes time on rejected ones.
 */
#ifndef KZP11_FUZZ_H
#define KZP11_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Called once before the first input; returns 0 when ready. */
int kz_fuzz_init(void);

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;
	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t hi = fz_u8(f);
	return (uint16_t)(hi << 8 | fz_u8(f));
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = fz_u16(f);
	return v << 16 | fz_u16(f);
}

/* Up to want bytes (fewer at the end of the input); *got says how many. */
static inline const uint8_t *fz_bytes(struct fz *f, size_t want, size_t *got)
{
	const uint8_t *p = f->p;
	*got = want < f->n ? want : f->n;
	f->p += *got;
	f->n -= *got;
	return p;
}

#endif
