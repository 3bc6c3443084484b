/* Small whole-file reads and atomic writes. */
#ifndef KZP11_FILE_H
#define KZP11_FILE_H

#include <stddef.h>

/* Reads a regular file of at most max bytes; -1 with errno set otherwise. */
int kz_read_file(const char *path, size_t max, unsigned char **buf, size_t *len);
/*
 * A text file (no NUL byte) of at most max bytes, NUL-terminated in *text
 * (free() it).  1: read; 0: no such file; -1 with errno: EFBIG too large,
 * EILSEQ not text, ENOMEM, or what fopen said.
 */
int kz_read_text_file(const char *path, size_t max, char **text);
/* Writes through a temporary file in the same folder and renames it. */
int kz_write_file_atomic(const char *path, const unsigned char *buf, size_t len, int mode);
/* mkdir -p with the given mode for the folders it creates. */
int kz_mkdirs(const char *path, int mode);

#endif
