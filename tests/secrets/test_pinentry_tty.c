/*
 * The real pinentry-tty (Debian's pinentry-tty package) asking for a
 * container password through kzp11, on a pseudo-terminal.  A child process
 * on the terminal loads kzp11.so with `pinentry = /usr/bin/pinentry-tty`
 * and calls C_Login with a NULL PIN three times; this process plays the
 * user: it waits for the prompt, checks what the dialog shows, and types
 * the password, then a wrong one, then Ctrl-D (cancel).  Expected:
 * CKR_OK, CKR_PIN_INCORRECT, CKR_FUNCTION_CANCELED, and a PIN given
 * directly still works.  The password never appears on the terminal.
 *
 * Exits 77 without pinentry-tty, except under KZP11_INTEROP_STRICT=1.
 * KZP11_PINENTRY overrides the program (e.g. /usr/bin/pinentry-curses is
 * not supported here: it draws with curses).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "pkcs11.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char tmpdir[256];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (*tmpdir)
		nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the child: the application on the terminal ---- */

static CK_RV child_login(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s)
{
	return p11->C_Login(s, CKU_USER, NULL, 0);
}

static int child(const char *module, int report)
{
	CK_FUNCTION_LIST_PTR p11;
	CK_C_GetFunctionList get_list;
	CK_SLOT_ID slot;
	CK_ULONG n = 1;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	void *lib = dlopen(module, RTLD_NOW | RTLD_LOCAL);

	get_list = lib ? (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList") : NULL;
	if (!get_list || get_list(&p11) != CKR_OK || p11->C_Initialize(NULL) != CKR_OK ||
	    p11->C_GetSlotList(CK_TRUE, &slot, &n) != CKR_OK || n != 1 ||
	    p11->C_GetTokenInfo(slot, &ti) != CKR_OK ||
	    p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) {
		dprintf(report, "setup failed\n");
		return 1;
	}
	dprintf(report, "flag %d\n", (ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) ? 1 : 0);
	dprintf(report, "right %#lx\n", (unsigned long)child_login(p11, s));
	p11->C_Logout(s);
	dprintf(report, "wrong %#lx\n", (unsigned long)child_login(p11, s));
	dprintf(report, "cancel %#lx\n", (unsigned long)child_login(p11, s));
	dprintf(report, "given %#lx\n",
		(unsigned long)p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"Qwerty12", 8));
	p11->C_Finalize(NULL);
	return 0;
}

/* ---- the parent: the user ---- */

static char screen[65536];
static size_t screen_len;

/* Reads the terminal until `want` shows up after `from`; 0 when it did. */
static int wait_for(int master, size_t from, const char *want, int seconds)
{
	time_t end = time(NULL) + seconds;

	while (time(NULL) < end) {
		struct pollfd p = { master, POLLIN, 0 };
		ssize_t got;
		screen[screen_len] = '\0';
		if (strstr(screen + from, want))
			return 0;
		if (poll(&p, 1, 200) <= 0)
			continue;
		got = read(master, screen + screen_len, sizeof screen - 1 - screen_len);
		if (got <= 0)
			return -1;   /* the terminal closed */
		screen_len += (size_t)got;
	}
	return -1;
}

static int type(int master, const char *text)
{
	/* pinentry-tty reads from the terminal only after it drew the prompt. */
	usleep(200 * 1000);
	return write(master, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
}

int main(void)
{
	const char *module = getenv("KZP11_MODULE"), *gen = getenv("KZP11_MKCONTAINER");
	const char *program = getenv("KZP11_PINENTRY");
	char keys[300], conf[300], p12[4096] = "", results[1024] = "";
	int report[2], master, status, failures = 0;
	size_t mark;
	ssize_t got;
	pid_t pid;
	FILE *f;

	if (!program)
		program = "/usr/bin/pinentry-tty";
	if (!module)
		module = ".libs/kzp11.so";
	if (!gen)
		gen = "tests/fixtures/kzp11-mkcontainer";
	if (access(program, X_OK) != 0) {
		fprintf(stderr, "%s is not installed (Debian package pinentry-tty)%s\n", program,
			getenv("KZP11_INTEROP_STRICT") ? "" : ": skipped");
		return getenv("KZP11_INTEROP_STRICT") ? 1 : 77;
	}
	snprintf(tmpdir, sizeof tmpdir, "%s/kzp11-pinentry-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);

	/* A container (password Qwerty12) and a configuration naming the program. */
	snprintf(keys, sizeof keys, "%s/keys", tmpdir);
	{
		char *argv[] = { (char *)gen, keys, NULL };
		int fds[2];
		posix_spawn_file_actions_t fa;
		if (pipe(fds) < 0)
			return 1;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
		if (posix_spawn(&pid, gen, &fa, NULL, argv, environ) != 0) {
			fprintf(stderr, "cannot run %s\n", gen);
			return 1;
		}
		posix_spawn_file_actions_destroy(&fa);
		close(fds[1]);
		got = read(fds[0], p12, sizeof p12 - 1);
		close(fds[0]);
		waitpid(pid, &status, 0);
		if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "%s failed\n", gen);
			return 1;
		}
		p12[strcspn(p12, "\n")] = '\0';
	}
	snprintf(conf, sizeof conf, "%s/kzp11.conf", tmpdir);
	f = fopen(conf, "w");
	if (!f)
		return 1;
	fprintf(f, "pinentry = %s\ncert_cache = no\n", program);
	fclose(f);
	setenv("KZP11_CONF", conf, 1);
	setenv("KZP11_KEYS", keys, 1);
	setenv("HOME", tmpdir, 1);
	setenv("TERM", "dumb", 1);
	setenv("KZP11_DEBUG", "0", 1);

	if (pipe2(report, O_CLOEXEC) < 0)
		return 1;
	pid = forkpty(&master, NULL, NULL, NULL);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		close(report[0]);
		_exit(child(module, report[1]));
	}
	close(report[1]);

	/* 1: the right password.  The dialog names the token's file. */
	mark = screen_len;
	if (wait_for(master, mark, "Password:", 30) < 0) {
		fprintf(stderr, "FAIL: no prompt; the terminal showed:\n%s\n", screen);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	if (!strstr(screen + mark, "Password of the NCA key") ||
	    !strstr(screen + mark, strrchr(p12, '/') + 1)) {
		fprintf(stderr, "FAIL: the dialog does not name the token:\n%s\n", screen + mark);
		failures++;
	}
	type(master, "Qwerty12\n");
	/* 2: a wrong one. */
	mark = screen_len;
	if (wait_for(master, mark, "Password:", 30) < 0 || type(master, "Qwerty13\n") < 0)
		failures++;
	/* 3: Ctrl-D, pinentry-tty's cancel. */
	mark = screen_len;
	if (wait_for(master, mark, "Password:", 30) < 0 || type(master, "\x04") < 0)
		failures++;
	/* The rest of the output, then the results. */
	wait_for(master, screen_len, "\x01never", 2);
	waitpid(pid, &status, 0);
	got = read(report[0], results, sizeof results - 1);
	results[got > 0 ? got : 0] = '\0';
	close(report[0]);
	close(master);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failures++;
	{
		char want[256];
		snprintf(want, sizeof want, "flag 1\nright %#lx\nwrong %#lx\ncancel %#lx\ngiven %#lx\n",
			 (unsigned long)CKR_OK, (unsigned long)CKR_PIN_INCORRECT,
			 (unsigned long)CKR_FUNCTION_CANCELED, (unsigned long)CKR_OK);
		if (strcmp(results, want) != 0) {
			fprintf(stderr, "FAIL: results\n%s\nexpected\n%s", results, want);
			failures++;
		}
	}
	if (strstr(screen, "Qwerty1")) {
		fprintf(stderr, "FAIL: a password was echoed on the terminal\n");
		failures++;
	}
	if (failures)
		fprintf(stderr, "the terminal showed:\n%s\n", screen);
	printf("%s: pinentry-tty: login, wrong password, cancel\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
