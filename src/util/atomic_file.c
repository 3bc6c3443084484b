#include "util/atomic_file.h"
#include "util/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_TAG ".kzp11-new-"

/* The folder part of path ("." for a bare name) and the name part. */
static int split_path(const char *path, char *dir, size_t dir_size, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*base = path;
		return snprintf(dir, dir_size, ".") < (int)dir_size ? 0 : -1;
	}
	*base = slash + 1;
	if (slash == path)
		return snprintf(dir, dir_size, "/") < (int)dir_size ? 0 : -1;
	return (size_t)(slash - path) < dir_size
		? (snprintf(dir, dir_size, "%.*s", (int)(slash - path), path), 0) : -1;
}

int kz_folder_lock(const char *path, int timeout_ms)
{
	char dir[4096];
	const char *base;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int fd, waited = 0;

	if (split_path(path, dir, sizeof dir, &base) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		if (err == EINTR)
			continue;
		if (err != EWOULDBLOCK || waited >= timeout_ms) {
			close(fd);
			errno = err;
			return -1;
		}
		nanosleep(&pause, NULL);
		waited += 20;
	}
	return fd;
}

void kz_folder_unlock(int dir_fd)
{
	if (dir_fd >= 0)
		close(dir_fd);   /* releases the flock */
}

int kz_atomic_cleanup(const char *path)
{
	char dir[4096], prefix[4096], victim[8192];
	const char *base;
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (split_path(path, dir, sizeof dir, &base) < 0 ||
	    snprintf(prefix, sizeof prefix, ".%s" TMP_TAG, base) >= (int)sizeof prefix ||
	    !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
		    snprintf(victim, sizeof victim, "%s/%s", dir, e->d_name) >= (int)sizeof victim)
			continue;
		if (unlink(victim) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The original's permissions and owner, on the open temporary. */
static int copy_owner_mode(int fd, const struct stat *st)
{
	if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(fd, st->st_uid, st->st_gid) < 0)
		return -1;   /* rather fail than hand the user's key to another owner */
	return fchmod(fd, st->st_mode & 07777);
}

int kz_atomic_replace(int dir_fd, const char *path, const unsigned char *buf, size_t len,
		      int (*verify)(const char *tmp_path, void *arg), void *arg)
{
	char dir[4096], tmp[8192];
	const char *base;
	struct stat st;
	int fd, err;

	if (split_path(path, dir, sizeof dir, &base) < 0 ||
	    snprintf(tmp, sizeof tmp, "%s/.%s" TMP_TAG "XXXXXX", dir, base) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);   /* O_CREAT | O_EXCL, mode 0600 */
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0 || copy_owner_mode(fd, &st) < 0 ||
	    fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (verify && verify(tmp, arg) != 0) {
		errno = EBADMSG;
		goto fail;
	}
	if (rename(tmp, path) < 0)
		goto fail;
	/* The rename is only durable once the folder is on disk too.  It has
	 * happened already, so a failure here is reported but not undone. */
	if (fsync(dir_fd) < 0 && errno != EINVAL)
		kz_error("%s: replaced, but syncing its folder failed: %s", path, strerror(errno));
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
	return -1;
}
