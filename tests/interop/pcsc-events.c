/*
 * pcsc-events: drives kzp11.so ($KZP11_MODULE) through the PKCS#11 API on
 * commands read from standard input, one per line, so that tests/interop/
 * pcsc.sh can insert and remove virtual cards and restart pcscd between
 * them.  Each command answers with one line (slots: several, then END):
 *
 *   init [nothreads]    C_Initialize (nothreads: CKF_LIBRARY_CANT_CREATE_OS_THREADS)
 *                       -> "init CKR_OK <milliseconds>"
 *   slots               C_GetSlotList(FALSE) count, then list; per slot
 *                       "slot <id> token=<0|1> desc=<description>|manuf=<manufacturer>"
 *   tokens              -> "tokens <number of slots with a token>"
 *   count               C_GetSlotList(FALSE, NULL) -> "count <CKR> <n> <milliseconds>"
 *   wait                starts a blocking C_WaitForSlotEvent in a thread; its
 *                       answer "event <id>" / "wait <CKR>" comes when it returns
 *   poll                C_WaitForSlotEvent(CKF_DONT_BLOCK) -> "event <id>" or "poll <CKR>"
 *   badargs             reserved pointer set -> "badargs <CKR>"
 *   session <id>        C_OpenSession -> "session <CKR>"
 *   tokeninfo <id>      C_GetTokenInfo -> "tokeninfo <CKR>"
 *   login <id> <pin>    C_OpenSession + C_Login -> "login <CKR>"
 *   finwait             a blocking wait in a thread, then C_Finalize here;
 *                       -> "finwait <waiter's CKR> <ms from C_Finalize until the waiter returned> <ms C_Finalize took>"
 *   final               C_Finalize -> "final <CKR>"
 *   fork                in a child: C_Initialize, the threads it has, the
 *                       slot descriptions, C_Finalize -> "fork <CKR of
 *                       C_Initialize> threads=<1 + threads C_Initialize made>
 *                       slots=<desc>;<desc>; <CKR of C_Finalize>"
 *   threads             -> "threads <number of threads of this process>"
 *   quit
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "pkcs11.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <pthread.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static CK_FUNCTION_LIST_PTR p11;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *rv_name(CK_RV rv)
{
	static char buf[32];

	switch (rv) {
	case CKR_OK: return "CKR_OK";
	case CKR_NO_EVENT: return "CKR_NO_EVENT";
	case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
	case CKR_CRYPTOKI_ALREADY_INITIALIZED: return "CKR_CRYPTOKI_ALREADY_INITIALIZED";
	case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
	case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
	case CKR_SLOT_ID_INVALID: return "CKR_SLOT_ID_INVALID";
	case CKR_FUNCTION_NOT_SUPPORTED: return "CKR_FUNCTION_NOT_SUPPORTED";
	case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
	default:
		snprintf(buf, sizeof buf, "0x%lx", (unsigned long)rv);
		return buf;
	}
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A PKCS#11 padded string without its trailing spaces. */
static void unpad(const unsigned char *s, size_t n, char *out)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void cmd_slots(void)
{
	CK_SLOT_ID ids[256];
	CK_ULONG n = 0;
	CK_RV rv = p11->C_GetSlotList(CK_FALSE, NULL, &n);

	if (rv == CKR_OK) {
		n = n > 256 ? 256 : n;
		rv = p11->C_GetSlotList(CK_FALSE, ids, &n);
	}
	if (rv != CKR_OK) {
		say("slots %s", rv_name(rv));
		say("END");
		return;
	}
	for (CK_ULONG i = 0; i < n; i++) {
		CK_SLOT_INFO info;
		char desc[65], manuf[33];
		rv = p11->C_GetSlotInfo(ids[i], &info);
		if (rv != CKR_OK) {
			say("slot %lu info %s", (unsigned long)ids[i], rv_name(rv));
			continue;
		}
		unpad(info.slotDescription, sizeof info.slotDescription, desc);
		unpad(info.manufacturerID, sizeof info.manufacturerID, manuf);
		say("slot %lu token=%d desc=%s|manuf=%s", (unsigned long)ids[i],
		    (info.flags & CKF_TOKEN_PRESENT) != 0, desc, manuf);
	}
	say("END");
}

/* finwait's waiter reports through this instead of printing. */
struct waited {
	CK_RV rv;
	double returned;
};

static void *blocking_wait(void *arg)
{
	struct waited *w = arg;
	CK_SLOT_ID id;
	CK_RV rv = p11->C_WaitForSlotEvent(0, &id, NULL);

	if (w) {
		w->returned = now_ms();
		w->rv = rv;
	} else if (rv == CKR_OK) {
		say("event %lu", (unsigned long)id);
	} else {
		say("wait %s", rv_name(rv));
	}
	return NULL;
}

static void cmd_finwait(void)
{
	struct waited w = { CKR_OK, 0 };
	pthread_t th;
	double t0, t1;
	CK_RV rv;

	pthread_create(&th, NULL, blocking_wait, &w);
	usleep(300000);   /* the waiter is blocked in the module by now */
	t0 = now_ms();
	rv = p11->C_Finalize(NULL);
	t1 = now_ms();
	pthread_join(th, NULL);
	if (rv != CKR_OK)
		say("finwait C_Finalize=%s", rv_name(rv));
	else
		say("finwait %s %.0f %.0f", rv_name(w.rv), w.returned - t0, t1 - t0);
}

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The child of a fork, where the parent's monitor thread does not exist. */
static void cmd_fork(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char descs[1024] = "";
		CK_SLOT_ID ids[64];
		CK_ULONG n = 64;
		int before = count_threads(), threads;
		CK_RV rv = p11->C_Initialize(NULL), rv2 = CKR_OK;

		usleep(500000);   /* time for the monitor to see the readers */
		threads = count_threads() - before + 1;   /* 1 + those the module made */
		if (rv == CKR_OK && p11->C_GetSlotList(CK_FALSE, NULL, &n) == CKR_OK &&
		    p11->C_GetSlotList(CK_FALSE, ids, &n) == CKR_OK)
			for (CK_ULONG i = 0; i < n; i++) {
				CK_SLOT_INFO info;
				char desc[65];
				if (p11->C_GetSlotInfo(ids[i], &info) != CKR_OK)
					continue;
				unpad(info.slotDescription, sizeof info.slotDescription, desc);
				strncat(descs, desc, sizeof descs - strlen(descs) - 2);
				strcat(descs, ";");
			}
		if (rv == CKR_OK)
			rv2 = p11->C_Finalize(NULL);
		printf("fork %s threads=%d slots=%s %s\n", rv_name(rv), threads, descs, rv_name(rv2));
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		say("fork failed");
}

int main(void)
{
	const char *path = getenv("KZP11_MODULE");
	CK_C_GetFunctionList get;
	char line[512];
	void *dl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	dl = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
	get = dl ? (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList") : NULL;
	if (!get || get(&p11) != CKR_OK) {
		fprintf(stderr, "pcsc-events: cannot load %s: %s\n", path ? path : "(KZP11_MODULE unset)",
			dlerror());
		return 1;
	}
	while (fgets(line, sizeof line, stdin)) {
		char cmd[32] = "", arg2[256] = "";
		unsigned long id = 0;
		CK_SESSION_HANDLE h;
		CK_RV rv;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%31s %lu %255s", cmd, &id, arg2) < 1)
			continue;
		if (!strcmp(cmd, "init")) {
			CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
			double t0 = now_ms();
			if (strstr(line, "nothreads"))
				args.flags |= CKF_LIBRARY_CANT_CREATE_OS_THREADS;
			rv = p11->C_Initialize(&args);
			say("init %s %.0f", rv_name(rv), now_ms() - t0);
		} else if (!strcmp(cmd, "slots")) {
			cmd_slots();
		} else if (!strcmp(cmd, "count")) {
			CK_ULONG n = 0;
			double t0 = now_ms();
			rv = p11->C_GetSlotList(CK_FALSE, NULL, &n);
			say("count %s %lu %.0f", rv_name(rv), (unsigned long)n, now_ms() - t0);
		} else if (!strcmp(cmd, "tokens")) {
			CK_ULONG n = 0;
			rv = p11->C_GetSlotList(CK_TRUE, NULL, &n);
			say("tokens %lu %s", (unsigned long)n, rv_name(rv));
		} else if (!strcmp(cmd, "wait")) {
			pthread_t th;
			pthread_create(&th, NULL, blocking_wait, NULL);
			pthread_detach(th);
		} else if (!strcmp(cmd, "poll")) {
			CK_SLOT_ID got;
			rv = p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &got, NULL);
			if (rv == CKR_OK)
				say("event %lu", (unsigned long)got);
			else
				say("poll %s", rv_name(rv));
		} else if (!strcmp(cmd, "badargs")) {
			CK_SLOT_ID got;
			rv = p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &got, &got);
			say("badargs %s", rv_name(rv));
		} else if (!strcmp(cmd, "session")) {
			rv = p11->C_OpenSession(id, CKF_SERIAL_SESSION, NULL, NULL, &h);
			if (rv == CKR_OK)
				p11->C_CloseSession(h);
			say("session %s", rv_name(rv));
		} else if (!strcmp(cmd, "tokeninfo")) {
			CK_TOKEN_INFO ti;
			rv = p11->C_GetTokenInfo(id, &ti);
			say("tokeninfo %s", rv_name(rv));
		} else if (!strcmp(cmd, "login")) {
			rv = p11->C_OpenSession(id, CKF_SERIAL_SESSION, NULL, NULL, &h);
			if (rv == CKR_OK) {
				rv = p11->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)arg2, strlen(arg2));
				p11->C_CloseSession(h);
			}
			say("login %s", rv_name(rv));
		} else if (!strcmp(cmd, "finwait")) {
			cmd_finwait();
		} else if (!strcmp(cmd, "final")) {
			say("final %s", rv_name(p11->C_Finalize(NULL)));
		} else if (!strcmp(cmd, "fork")) {
			cmd_fork();
		} else if (!strcmp(cmd, "threads")) {
			say("threads %d", count_threads());
		} else if (!strcmp(cmd, "quit")) {
			break;
		} else {
			say("unknown command %s", cmd);
		}
	}
	return 0;
}
