/*
 * The Assuan conversation with a pinentry program:
 *
 *   <- OK Pleased to meet you
 *   -> OPTION ttyname=/dev/pts/3      (and ttytype, when known)
 *   -> SETTITLE kzp11 / SETDESC ... / SETPROMPT Password:
 *   -> GETPIN
 *   <- D p%25ssword                   (percent-escaped) then OK,
 *      or ERR 83886179 Operation cancelled
 *   -> BYE
 *
 * The program runs without a shell over a socketpair used as its standard
 * input and output (send with MSG_NOSIGNAL: a dying pinentry cannot raise
 * SIGPIPE in the application), with no other descriptor of the
 * application, and only that child is waited for.  Everything the program
 * sends is read into locked memory, since the password arrives in it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "util/pinentry.h"
#include "util/log.h"
#include "util/secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define LINE_MAX_BYTES 2048   /* Assuan lines are at most 1000 bytes */
#define PIN_MAX_BYTES 1024

/* GnuPG error codes (low 16 bits) meaning the user said no. */
#define GPG_ERR_CANCELED 99
#define GPG_ERR_FULLY_CANCELED 198

struct conn {
	int fd;
	char *buf;      /* locked: LINE_MAX_BYTES + 1 */
	size_t used;    /* bytes in buf, the current line first */
	size_t line;    /* length of the line handed out last, with its '\n' */
};

void kz_pinentry_escape(const char *in, char *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *in; in++) {
		unsigned char ch = (unsigned char)*in;
		if (ch == '%' || ch < 0x20) {
			*out++ = '%';
			*out++ = hex[ch >> 4];
			*out++ = hex[ch & 15];
		} else {
			*out++ = (char)ch;
		}
	}
	*out = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long kz_pinentry_unescape(char *buf, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '%') {
			buf[out++] = buf[i];
			continue;
		}
		int hi = i + 2 < n ? hexval(buf[i + 1]) : -1;
		int lo = i + 2 < n ? hexval(buf[i + 2]) : -1;
		if (hi < 0 || lo < 0)
			return -1;
		buf[out++] = (char)(hi << 4 | lo);
		i += 2;
	}
	kz_wipe(buf + out, n - out);
	return (long)out;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t sent = send(fd, p, n, MSG_NOSIGNAL);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0)
			return -1;
		p += sent;
		n -= (size_t)sent;
	}
	return 0;
}

/* "CMD arg\n" with arg percent-escaped; arg NULL for none.  Nothing secret. */
static int send_cmd(struct conn *c, const char *cmd, const char *arg)
{
	size_t n = strlen(cmd) + (arg ? 3 * strlen(arg) + 1 : 0) + 2;
	char *line = malloc(n);
	int rc;

	if (!line)
		return -1;
	strcpy(line, cmd);
	if (arg) {
		strcat(line, " ");
		kz_pinentry_escape(arg, line + strlen(line));
	}
	strcat(line, "\n");
	/* Assuan's limit: a longer description is cut, not refused. */
	if (strlen(line) > 1000) {
		line[998] = '\n';
		line[999] = '\0';
		if (line[997] == '%' || line[996] == '%')
			memcpy(line + 996, "  \n", 3);
	}
	rc = send_all(c->fd, line, strlen(line));
	free(line);
	return rc;
}

/* The next line without its '\n', NUL-terminated in c->buf; NULL at EOF,
 * on errors or for an over-long line. */
static char *read_line(struct conn *c)
{
	char *nl;

	/* Drop (and wipe) the line handed out before. */
	if (c->line) {
		memmove(c->buf, c->buf + c->line, c->used - c->line);
		kz_wipe(c->buf + c->used - c->line, c->line);
		c->used -= c->line;
		c->line = 0;
	}
	while (!(nl = memchr(c->buf, '\n', c->used))) {
		ssize_t got;
		if (c->used == LINE_MAX_BYTES)
			return NULL;
		got = recv(c->fd, c->buf + c->used, LINE_MAX_BYTES - c->used, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return NULL;
		c->used += (size_t)got;
	}
	*nl = '\0';
	c->line = (size_t)(nl - c->buf) + 1;
	return c->buf;
}

/* Reads up to the final OK (0) or ERR (its code); -1 for anything else.
 * D lines are decoded into data (locked, PIN_MAX_BYTES + 1) when given. */
static long read_reply(struct conn *c, char *data, size_t *data_len)
{
	char *line;

	while ((line = read_line(c)) != NULL) {
		if (!strcmp(line, "OK") || !strncmp(line, "OK ", 3))
			return 0;
		if (!strncmp(line, "ERR ", 4))
			return strtol(line + 4, NULL, 10) > 0 ? strtol(line + 4, NULL, 10) : -1;
		/* Comments and status lines. */
		if (line[0] == '#' || !strncmp(line, "S ", 2) || !strcmp(line, "S"))
			continue;
		if (!strncmp(line, "D ", 2) && data) {
			size_t n = strlen(line + 2);
			long plain;
			if (*data_len + n > PIN_MAX_BYTES)
				return -1;
			memcpy(data + *data_len, line + 2, n);
			plain = kz_pinentry_unescape(data + *data_len, n);
			if (plain < 0)
				return -1;
			*data_len += (size_t)plain;
			continue;
		}
		return -1;   /* INQUIRE or garbage: not a pinentry we can talk to */
	}
	return -1;
}

static int spawn(const char *program, int fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	char *const argv[] = { (char *)program, NULL };
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	rc = posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO) |
	     posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* No descriptor of the application reaches the program. */
	rc |= posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	if (rc == 0)
		rc = posix_spawn(pid, program, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc == 0 ? 0 : -1;
}

/* Tells a terminal pinentry where the user is. */
static void send_tty_options(struct conn *c)
{
	char name[256], opt[300];
	const char *term = getenv("TERM");

	if (isatty(STDIN_FILENO) && ttyname_r(STDIN_FILENO, name, sizeof name) == 0) {
		snprintf(opt, sizeof opt, "OPTION ttyname=%s", name);
	} else {
		int fd = open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return;   /* no terminal: a graphical pinentry uses DISPLAY */
		close(fd);
		snprintf(opt, sizeof opt, "OPTION ttyname=/dev/tty");
	}
	if (send_cmd(c, opt, NULL) == 0)
		read_reply(c, NULL, NULL);   /* an unknown option is not fatal */
	if (term && *term && strlen(term) < 200) {
		snprintf(opt, sizeof opt, "OPTION ttytype=%s", term);
		if (send_cmd(c, opt, NULL) == 0)
			read_reply(c, NULL, NULL);
	}
}

static int set(struct conn *c, const char *cmd, const char *arg)
{
	return arg && (send_cmd(c, cmd, arg) < 0 || read_reply(c, NULL, NULL) != 0) ? -1 : 0;
}

static enum kz_pinentry_status converse(struct conn *c, const struct kz_pinentry *req,
					char *pin, size_t *len)
{
	long err;

	if (read_reply(c, NULL, NULL) != 0) {
		kz_error("pinentry %s: no greeting", req->program);
		return KZ_PINENTRY_FAILED;
	}
	send_tty_options(c);
	if (set(c, "SETTITLE", req->title) < 0 || set(c, "SETDESC", req->description) < 0 ||
	    set(c, "SETPROMPT", req->prompt) < 0) {
		kz_error("pinentry %s: refused the dialog text", req->program);
		return KZ_PINENTRY_FAILED;
	}
	if (send_cmd(c, "GETPIN", NULL) < 0)
		return KZ_PINENTRY_FAILED;
	err = read_reply(c, pin, len);
	if (err == 0) {
		send_cmd(c, "BYE", NULL);
		return KZ_PINENTRY_OK;
	}
	if (err > 0 && ((err & 0xffff) == GPG_ERR_CANCELED ||
			(err & 0xffff) == GPG_ERR_FULLY_CANCELED)) {
		kz_info("pinentry: the user cancelled");
		send_cmd(c, "BYE", NULL);
		return KZ_PINENTRY_CANCELED;
	}
	kz_error("pinentry %s: %s", req->program,
		 err > 0 ? "error answer to GETPIN" : "unexpected answer to GETPIN");
	return KZ_PINENTRY_FAILED;
}

enum kz_pinentry_status kz_pinentry_ask(const struct kz_pinentry *req, char **pin, size_t *len)
{
	struct conn c = { .fd = -1 };
	enum kz_pinentry_status st = KZ_PINENTRY_FAILED;
	int sv[2], status;
	pid_t pid;
	char *buf;

	*pin = NULL;
	*len = 0;
	if (!req->program || req->program[0] != '/') {
		kz_error("pinentry: '%s' is not an absolute path", req->program ? req->program : "");
		return KZ_PINENTRY_FAILED;
	}
	c.buf = kz_secmem_alloc(LINE_MAX_BYTES + 1);
	buf = kz_secmem_alloc(PIN_MAX_BYTES + 1);
	if (!c.buf || !buf)
		goto out;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		kz_error("pinentry: socketpair: %s", strerror(errno));
		goto out;
	}
	if (spawn(req->program, sv[1], &pid) < 0) {
		kz_error("pinentry: cannot run %s: %s", req->program, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	close(sv[1]);
	c.fd = sv[0];
	st = converse(&c, req, buf, len);
	close(c.fd);
	/* Only our child, and EINTR or an application reaping it is fine. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (st == KZ_PINENTRY_OK) {
		buf[*len] = '\0';
		*pin = buf;
		buf = NULL;
	}
out:
	if (st != KZ_PINENTRY_OK)
		*len = 0;
	kz_secmem_free(buf);
	kz_secmem_free(c.buf);
	return st;
}

void kz_pinentry_clear(struct kz_pinentry *req)
{
	free(req->program);
	free(req->title);
	free(req->description);
	free(req->prompt);
	memset(req, 0, sizeof *req);
}
