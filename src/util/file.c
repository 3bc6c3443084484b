#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kz_read_file(const char *path, size_t max, unsigned char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	*buf = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	n = read(fd, *buf, (size_t)st.st_size + 1);
	close(fd);
	if (n < 0 || (size_t)n > (size_t)st.st_size) {
		free(*buf);
		*buf = NULL;
		if (n >= 0)
			errno = EAGAIN;   /* the file grew while we read it */
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

int kz_mkdirs(const char *path, int mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int kz_write_file_atomic(const char *path, const unsigned char *buf, size_t len, int mode)
{
	char tmp[4096];
	int fd, ok;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	ok = write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int kz_read_text_file(const char *path, size_t max, char **text)
{
	FILE *f = fopen(path, "re");
	size_t len;
	int err = 0;

	*text = NULL;
	if (!f)
		return errno == ENOENT ? 0 : -1;
	*text = malloc(max + 1);
	if (!*text) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	len = fread(*text, 1, max + 1, f);
	fclose(f);
	if (len > max)
		err = EFBIG;
	else if (memchr(*text, '\0', len))
		err = EILSEQ;
	if (err) {
		free(*text);
		*text = NULL;
		errno = err;
		return -1;
	}
	(*text)[len] = '\0';
	return 1;
}
