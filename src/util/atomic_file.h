/*
 * Replacing a file the user cares about (a key container) so that a crash,
 * a kill or a full disk at any moment leaves either the old or the new
 * contents under its name, never a mix, and so that two processes doing it
 * at once take turns.
 *
 * The lock is a flock on the folder, not on the file: the rename gives the
 * name a new inode, so a lock held on the old inode would not stop a second
 * writer that opened the name after the rename.  The folder's inode stays.
 * Temporaries are hidden files (".NAME.kzp11-new-XXXXXX") beside the
 * original, which the container scan skips; one left by a killed writer is
 * removed by the next writer, under the lock, so never while in use.
 */
#ifndef KZP11_ATOMIC_FILE_H
#define KZP11_ATOMIC_FILE_H

#include <stddef.h>

/*
 * Locks the folder holding `path` against other kzp11 writers, waiting up to
 * timeout_ms.  Returns the folder's descriptor (for kz_atomic_replace and
 * kz_folder_unlock), or -1 with errno (EWOULDBLOCK: still busy).
 */
int kz_folder_lock(const char *path, int timeout_ms);
void kz_folder_unlock(int dir_fd);

/* Removes temporaries left beside `path` by killed writers (lock held);
 * returns how many. */
int kz_atomic_cleanup(const char *path);

/*
 * Replaces `path` (not a symlink: resolve it first) by buf: a temporary made
 * with O_CREAT|O_EXCL and mode 0600, written and fsynced, given the
 * original's mode and owner, checked by verify(temp path, arg) == 0, renamed
 * over the original; then the folder is fsynced.  0, or -1 with errno
 * (EBADMSG: verify refused the temporary) and the original untouched.
 */
int kz_atomic_replace(int dir_fd, const char *path, const unsigned char *buf, size_t len,
		      int (*verify)(const char *tmp_path, void *arg), void *arg);

#endif
