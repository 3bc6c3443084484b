/*
 * No secret left behind: a process loads kzp11.so, logs in to a fresh
 * container with a random password, signs, logs out and finalises, and
 * then searches its own writable memory (/proc/self/maps, /proc/self/mem)
 * for the password and for the RSA private key.  The same run keeps the
 * module's debug log (level 3) in a file, which must not contain the
 * password either (nor the wrong one tried first).
 *
 * What is searched: the password as typed and as the BMPString PKCS#12
 * derives keys from; the first 32 bytes of d, p, q, dP, dQ and qInv both
 * big-endian (DER, byte strings) and little-endian (the in-memory form of
 * OpenSSL's BIGNUM limbs on this machine).  The key's values come from the
 * `openssl` program in a child process, read through a pipe and kept here
 * only XOR-masked; the test's own copies (password buffers) are wiped
 * before each search.
 *
 * What it proves: no plain copy of those values stays in the heap, stacks,
 * static data or anonymous mappings of this process after C_Logout and
 * after C_Finalize, while the same search does find the key during the
 * session (a positive control, so a search that sees nothing cannot pass
 * by accident).  What it cannot prove: that no value in another encoding
 * (Montgomery form, blinding factors, a partial limb) or in a register or
 * kernel buffer survives, or that pages were never swapped out before.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "pkcs11.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MASK 0xA5
#define PIN_CHARS 14
#define WINDOW 32

static CK_FUNCTION_LIST_PTR p11;
static char tmpdir[256];
static int failures;

/* ---- masked values ---- */

struct secret {
	const char *name;
	unsigned char masked[64];   /* the value XOR MASK */
	size_t len;
};

#define MAX_SECRETS 16
static struct secret secrets[MAX_SECRETS];
static size_t n_secrets;
/* The passwords, masked: the right one and a wrong one. */
static unsigned char pin_masked[PIN_CHARS], wrong_masked[PIN_CHARS];

static void add_secret(const char *name, const unsigned char *v, size_t len, int reverse)
{
	struct secret *s = &secrets[n_secrets++];

	s->name = name;
	s->len = len > WINDOW ? WINDOW : len;
	for (size_t i = 0; i < s->len; i++)
		s->masked[i] = (reverse ? v[len - 1 - i] : v[i]) ^ MASK;
}

/* A random password of letters and digits, never present in clear here. */
static void random_pin(unsigned char *masked)
{
	static const char set[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char r[PIN_CHARS];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, r, sizeof r) != (ssize_t)sizeof r) {
		perror("/dev/urandom");
		exit(1);
	}
	close(fd);
	for (int i = 0; i < PIN_CHARS; i++)
		masked[i] = (unsigned char)set[r[i] % (sizeof set - 1)] ^ MASK;
	explicit_bzero(r, sizeof r);
}

/* The clear password into buf (PIN_CHARS + 1 bytes); wipe it after use. */
static void unmask_pin(const unsigned char *masked, char *buf)
{
	for (int i = 0; i < PIN_CHARS; i++)
		buf[i] = (char)(masked[i] ^ MASK);
	buf[PIN_CHARS] = '\0';
}

static void add_pin_secrets(const char *name, const char *bmp_name, const unsigned char *masked)
{
	struct secret *s = &secrets[n_secrets++], *u = &secrets[n_secrets++];

	s->name = name;
	s->len = PIN_CHARS;
	memcpy(s->masked, masked, PIN_CHARS);
	/* BMPString: big-endian UTF-16, what PKCS#12 derives its keys from. */
	u->name = bmp_name;
	u->len = 2 * PIN_CHARS;
	for (int i = 0; i < PIN_CHARS; i++) {
		u->masked[2 * i] = 0 ^ MASK;
		u->masked[2 * i + 1] = masked[i];
	}
}

/* ---- the memory search ---- */

static unsigned char *scan_buf;   /* its own mapping, left out of the search */
#define SCAN_CHUNK (1 << 20)

static int matches(const unsigned char *p, const struct secret *s)
{
	for (size_t i = 0; i < s->len; i++)
		if ((p[i] ^ MASK) != s->masked[i])
			return 0;
	return 1;
}

/* Number of places where any of the secrets appears; each is reported. */
static int search_memory(const char *when, int quiet)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	char line[512];
	int found = 0;

	if (!maps || mem < 0) {
		fprintf(stderr, "cannot read /proc/self/maps or /proc/self/mem: %s\n",
			strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8] = "", path[300] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %299[^\n]", &lo, &hi, perms, path) < 3)
			continue;
		if (perms[0] != 'r' || perms[1] != 'w' || strstr(path, "[vvar") ||
		    strstr(path, "[vsyscall]") || lo == (unsigned long)(uintptr_t)scan_buf)
			continue;
		for (unsigned long at = lo; at < hi;) {
			size_t want = hi - at > SCAN_CHUNK ? SCAN_CHUNK : hi - at;
			ssize_t got = pread(mem, scan_buf, want, (off_t)at);
			if (got <= 0)
				break;
			for (ssize_t i = 0; i < got; i++) {
				for (size_t k = 0; k < n_secrets; k++) {
					const struct secret *s = &secrets[k];
					if ((size_t)(got - i) < s->len || !matches(scan_buf + i, s))
						continue;
					found++;
					if (!quiet)
						fprintf(stderr, "%s: %s found at %#lx in %s\n", when,
							s->name, at + (unsigned long)i,
							*path ? path : "an anonymous mapping");
				}
			}
			/* Overlap so that a value across two chunks is seen. */
			at += (size_t)got > WINDOW * 2 ? (size_t)got - 2 * WINDOW : (size_t)got;
		}
	}
	explicit_bzero(scan_buf, SCAN_CHUNK);
	close(mem);
	fclose(maps);
	return found;
}

/* Occurrences of one secret only (for the positive controls). */
static int search_for(const char *name)
{
	struct secret saved[MAX_SECRETS];
	size_t n = n_secrets, kept = 0;
	int found;

	memcpy(saved, secrets, sizeof saved);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(saved[i].name, name))
			secrets[kept++] = saved[i];
	n_secrets = kept;
	found = search_memory(name, 1);
	memcpy(secrets, saved, sizeof saved);
	n_secrets = n;
	return found;
}

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

/* ---- helpers: programs, files ---- */

/* Runs argv with stdout into buf (read(2), no stdio copies); its exit status. */
static int run(char *const argv[], unsigned char *buf, size_t size, size_t *len)
{
	int fds[2], status;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	ssize_t got;
	size_t used = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (used < size && (got = read(fds[0], buf + used, size - used)) > 0)
		used += (size_t)got;
	close(fds[0]);
	if (len)
		*len = used;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

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

/* ---- the RSA key, read back with the openssl program ---- */

/* One DER TLV: tag, content and the position after it. */
static const unsigned char *der_next(const unsigned char *p, const unsigned char *end,
				     int *tag, const unsigned char **content, size_t *len)
{
	size_t n;

	if (end - p < 2)
		return NULL;
	*tag = p[0];
	n = p[1];
	p += 2;
	if (n & 0x80) {
		int k = n & 0x7f;
		if (k < 1 || k > 3 || end - p < k)
			return NULL;
		for (n = 0; k > 0; k--)
			n = (n << 8) | *p++;
	}
	if ((size_t)(end - p) < n)
		return NULL;
	*content = p;
	*len = n;
	return p + n;
}

/* d, p, q, dP, dQ, qInv of the container's key, as masked search patterns. */
static int read_key(const char *p12, const char *pwfile)
{
	static const char *names[][2] = {
		{ "d (big-endian)", "d (BIGNUM limbs)" }, { "p (big-endian)", "p (BIGNUM limbs)" },
		{ "q (big-endian)", "q (BIGNUM limbs)" }, { "dP (big-endian)", "dP (BIGNUM limbs)" },
		{ "dQ (big-endian)", "dQ (BIGNUM limbs)" }, { "qInv (big-endian)", "qInv (BIGNUM limbs)" },
	};
	char script[9000], *argv[] = { "sh", "-c", script, NULL };
	unsigned char der[8192];
	const unsigned char *p = der, *end, *c;
	size_t len = 0, n;
	int tag, rc;

	snprintf(script, sizeof script,
		 "openssl pkcs12 -legacy -in '%s' -nocerts -nodes -passin 'file:%s' 2>/dev/null | "
		 "openssl rsa -outform DER -traditional 2>/dev/null", p12, pwfile);
	rc = run(argv, der, sizeof der, &len);
	if (rc != 0 || len == 0) {
		explicit_bzero(der, sizeof der);
		return -1;
	}
	end = der + len;
	/* RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv } */
	p = der_next(p, end, &tag, &c, &n);
	if (!p || tag != 0x30) {
		explicit_bzero(der, sizeof der);
		return -1;
	}
	p = c;
	end = c + n;
	for (int i = 0; i < 9; i++) {
		p = p ? der_next(p, end, &tag, &c, &n) : NULL;
		if (!p || tag != 0x02)
			break;
		while (n > 0 && *c == 0) {
			c++;
			n--;
		}
		if (i >= 3 && n >= WINDOW) {
			add_secret(names[i - 3][0], c, n, 0);
			add_secret(names[i - 3][1], c, n, 1);
		}
	}
	explicit_bzero(der, sizeof der);
	return n_secrets >= 12 ? 0 : -1;
}

/* ---- the module ---- */

static CK_SLOT_ID only_slot(void)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	CHECK(p11->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n == 1,
	      "expected one slot, got %lu", (unsigned long)n);
	return slots[0];
}

static CK_RV login_masked(CK_SESSION_HANDLE s, const unsigned char *masked)
{
	char *pin = malloc(PIN_CHARS + 1);
	CK_RV rv;

	unmask_pin(masked, pin);
	rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, PIN_CHARS);
	explicit_bzero(pin, PIN_CHARS + 1);
	free(pin);
	return rv;
}

static CK_OBJECT_HANDLE private_key(CK_SESSION_HANDLE s)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	if (p11->C_FindObjectsInit(s, &t, 1) == CKR_OK) {
		p11->C_FindObjects(s, &h, 1, &n);
		p11->C_FindObjectsFinal(s);
	}
	return n == 1 ? h : CK_INVALID_HANDLE;
}

/* The session: wrong password, right password, signatures, logout. */
static void session(const char *log_path)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char sig[512], data[] = "message to sign";
	CK_ULONG sig_len;
	int found;

	CHECK(p11->C_Initialize(NULL) == CKR_OK, "C_Initialize");
	CHECK(p11->C_OpenSession(only_slot(), CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK,
	      "C_OpenSession");
	CHECK(login_masked(s, wrong_masked) == CKR_PIN_INCORRECT, "wrong password accepted");
	CHECK(login_masked(s, pin_masked) == CKR_OK, "C_Login with the right password failed");
	key = private_key(s);
	CHECK(key != CK_INVALID_HANDLE, "no private key after login");
	for (int i = 0; i < 3; i++) {
		sig_len = sizeof sig;
		CHECK(p11->C_SignInit(s, &mech, key) == CKR_OK &&
		      p11->C_Sign(s, data, sizeof data - 1, sig, &sig_len) == CKR_OK,
		      "signing failed");
	}

	/* Positive control: the key is in this process while logged in. */
	found = search_for("d (BIGNUM limbs)") + search_for("p (BIGNUM limbs)");
	CHECK(found > 0, "the search cannot see the logged-in key: it would prove nothing");
	found = search_memory("logged in", 0);
	fprintf(stderr, "while logged in: %d occurrence(s) of key values (expected: OpenSSL's key)\n",
		found);
	/* The password itself is gone as soon as C_Login returns. */
	CHECK(search_for("password") == 0, "the password is still in memory after C_Login");
	CHECK(search_for("password (BMPString)") == 0,
	      "the password (BMPString) is still in memory after C_Login");
	CHECK(search_for("wrong password") == 0 && search_for("wrong password (BMPString)") == 0,
	      "the wrong password is still in memory after the failed C_Login");

	CHECK(p11->C_Logout(s) == CKR_OK, "C_Logout");
	found = search_memory("after C_Logout", 0);
	CHECK(found == 0, "%d secret value(s) in memory after C_Logout", found);
	p11->C_CloseSession(s);
	CHECK(p11->C_Finalize(NULL) == CKR_OK, "C_Finalize");
	found = search_memory("after C_Finalize", 0);
	CHECK(found == 0, "%d secret value(s) in memory after C_Finalize", found);
	(void)log_path;
}

/* The debug log holds the session's calls but neither password. */
static void check_log(const char *log_path)
{
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text, pin[PIN_CHARS + 1];
	ssize_t got;

	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0, "no debug log written");
	if (fd < 0)
		return;
	text = calloc(1, (size_t)st.st_size + 1);
	got = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	CHECK(got == st.st_size, "cannot read the log");
	CHECK(strstr(text, "C_Login = CKR_PIN_INCORRECT") && strstr(text, "C_Login = CKR_OK") &&
	      strstr(text, "C_Sign = CKR_OK") && strstr(text, "C_Logout = CKR_OK"),
	      "the debug log does not show the session");
	unmask_pin(pin_masked, pin);
	CHECK(!memmem(text, (size_t)got, pin, PIN_CHARS), "the password is in the debug log");
	unmask_pin(wrong_masked, pin);
	CHECK(!memmem(text, (size_t)got, pin, PIN_CHARS), "the wrong password is in the debug log");
	explicit_bzero(pin, sizeof pin);
	explicit_bzero(text, (size_t)st.st_size);
	free(text);
}

int main(void)
{
	const char *module = getenv("KZP11_MODULE"), *gen = getenv("KZP11_MKCONTAINER");
	char keys[300], conf[300], log_path[300], pwfile[300], pw_arg[PIN_CHARS + 1];
	unsigned char out[4096];
	char p12[4096];
	size_t len = 0;
	void *lib;
	CK_C_GetFunctionList get_list;
	int fd;

	if (!module)
		module = ".libs/kzp11.so";
	if (!gen)
		gen = "tests/fixtures/kzp11-mkcontainer";
	if (access(module, R_OK) != 0 || access(gen, X_OK) != 0) {
		fprintf(stderr, "module or container generator not built: nothing to test\n");
		return 77;
	}
	scan_buf = mmap(NULL, SCAN_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	snprintf(tmpdir, sizeof tmpdir, "%s/kzp11-secrets-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (scan_buf == MAP_FAILED || !mkdtemp(tmpdir)) {
		perror("setup");
		return 1;
	}
	atexit(cleanup);
	random_pin(pin_masked);
	do
		random_pin(wrong_masked);
	while (!memcmp(pin_masked, wrong_masked, PIN_CHARS));

	/* A container with the random password. */
	snprintf(keys, sizeof keys, "%s/keys", tmpdir);
	unmask_pin(pin_masked, pw_arg);
	{
		char *argv[] = { (char *)gen, "--password", pw_arg, "--bits", "2048", keys, NULL };
		int rc = run(argv, out, sizeof out - 1, &len);
		explicit_bzero(pw_arg, sizeof pw_arg);
		if (rc != 0 || len == 0) {
			fprintf(stderr, "%s failed\n", gen);
			return 1;
		}
	}
	out[len] = '\0';
	snprintf(p12, sizeof p12, "%.*s", (int)strcspn((char *)out, "\n"), (char *)out);

	/* The key's values, through the openssl program (password in a file). */
	snprintf(pwfile, sizeof pwfile, "%s/pw", tmpdir);
	fd = open(pwfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	unmask_pin(pin_masked, pw_arg);
	if (fd < 0 || write(fd, pw_arg, PIN_CHARS) != PIN_CHARS) {
		perror(pwfile);
		return 1;
	}
	explicit_bzero(pw_arg, sizeof pw_arg);
	close(fd);
	if (read_key(p12, pwfile) < 0) {
		if (access("/usr/bin/openssl", X_OK) != 0 && !getenv("KZP11_INTEROP_STRICT")) {
			fprintf(stderr, "the openssl program is missing: skipped\n");
			return 77;
		}
		fprintf(stderr, "cannot read the container's key with the openssl program\n");
		return 1;
	}
	unlink(pwfile);
	add_pin_secrets("password", "password (BMPString)", pin_masked);
	add_pin_secrets("wrong password", "wrong password (BMPString)", wrong_masked);

	/* The module: only this container, debug log into a file. */
	snprintf(conf, sizeof conf, "%s/kzp11.conf", tmpdir);
	snprintf(log_path, sizeof log_path, "%s/kzp11.log", tmpdir);
	fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dprintf(fd, "debug = 3\nlog = %s\ncert_cache = no\n", log_path) < 0) {
		perror(conf);
		return 1;
	}
	close(fd);
	setenv("KZP11_CONF", conf, 1);
	setenv("KZP11_KEYS", keys, 1);
	setenv("HOME", tmpdir, 1);
	unsetenv("KZP11_DEBUG");
	lib = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	get_list = lib ? (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList") : NULL;
	if (!get_list || get_list(&p11) != CKR_OK) {
		fprintf(stderr, "cannot load %s: %s\n", module, dlerror());
		return 1;
	}
	/* Nothing to find before the module ever saw the password. */
	CHECK(search_memory("before the session", 0) == 0,
	      "the test itself leaves secret values in memory");
	session(log_path);
	check_log(log_path);
	printf("%s: %zu secret patterns searched; %d failure(s)\n",
	       failures ? "FAIL" : "PASS", n_secrets, failures);
	return failures ? 1 : 0;
}
