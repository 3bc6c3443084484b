/*
 * No secret left behind: a process loads kzp11.so, logs in to a fresh
 * container with a random password, signs, changes the password with
 * C_SetPIN (refused first with a wrong old password and with a new one that
 * breaks NCA's rules), logs in again with the new password, logs out and
 * finalises, and then searches its own writable memory (/proc/self/maps,
 * /proc/self/mem) for the passwords and for the RSA private key.  The same
 * run keeps the module's debug log (level 3, the highest) in a file, which
 * must not contain any of the four passwords.
 *
 * What is searched: each password (right, wrong, new, rule-breaking) as
 * typed and as the BMPString PKCS#12 derives keys from (in the log also in
 * hex); the MAC key and the key bag's 3DES key and IV that the old password
 * derives for the original file and the new password for the changed file
 * (computed by `openssl kdf`, checked with `openssl mac` and `openssl enc`);
 * the first 32 bytes of d, p, q, dP, dQ and qInv both big-endian (DER, a
 * decrypted key bag) and little-endian (the in-memory form of OpenSSL's
 * BIGNUM limbs on this machine).  The key's values come from the `openssl`
 * program in a child process, read through a pipe and kept here only
 * XOR-masked; the test's own copies (password buffers) are wiped before
 * each search.  Blocks the module frees through OpenSSL are held back from
 * reuse, so a buffer freed without a wipe stays visible.
 *
 * What it proves: no plain copy of those values stays in the heap, stacks,
 * static data or anonymous mappings of this process after C_Login, after
 * C_SetPIN (the big-endian key form too, though logged in), after C_Logout
 * and after C_Finalize, while the same search does find the key during the
 * session (a positive control, so a search that sees nothing cannot pass
 * by accident).  What it cannot prove: that no value in another encoding
 * (Montgomery form, blinding factors, a partial limb) or in a register or
 * kernel buffer survives, that a stack buffer left unwiped was not merely
 * overwritten by later calls, that memory OpenSSL frees internally holds
 * nothing (it is returned to malloc at once and soon reused), or that
 * pages were never swapped out before.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "pkcs11.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
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

#define MAX_SECRETS 32
static struct secret secrets[MAX_SECRETS];
static size_t n_secrets;
/* The passwords, masked: the right one, a wrong one, the new one set by
 * C_SetPIN and one that breaks NCA's rules (refused by C_SetPIN). */
static unsigned char pin_masked[PIN_CHARS], wrong_masked[PIN_CHARS];
static unsigned char new_masked[PIN_CHARS], bad_masked[PIN_CHARS];

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

/* ---- OpenSSL blocks the module frees, held back ---- */

/*
 * libcrypto is shared with the module, so its allocations come here.  A
 * block the module itself gives back (OPENSSL_free or OPENSSL_clear_free
 * in kzp11's src/, named by the file argument) is not returned to malloc
 * at once but held in a ring of HELD blocks: a buffer freed without being
 * wiped stays readable for the search instead of being overwritten by the
 * next allocation, which would hide the missing wipe.  Blocks libcrypto
 * frees internally go back at once: what OpenSSL leaves in freed memory
 * is OpenSSL's business and, in 3.0, not nothing (see README.md).
 */
#define HELD (1 << 16)
#define HEADER 16
static void *held[HELD];
static size_t held_next;

static void *held_malloc(size_t n, const char *file, int line)
{
	unsigned char *p = malloc(n + HEADER);

	(void)file; (void)line;
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof n);
	return p + HEADER;
}

static int module_file(const char *file)
{
	return file && (!strncmp(file, "src/", 4) || strstr(file, "/src/"));
}

static void held_free(void *p, const char *file, int line)
{
	(void)line;
	if (!p)
		return;
	if (!module_file(file)) {
		free((unsigned char *)p - HEADER);
		return;
	}
	free(held[held_next]);
	held[held_next] = (unsigned char *)p - HEADER;
	held_next = (held_next + 1) % HELD;
}

static void *held_realloc(void *p, size_t n, const char *file, int line)
{
	size_t old;
	void *q;

	if (!p)
		return held_malloc(n, file, line);
	if (n == 0) {
		held_free(p, file, line);
		return NULL;
	}
	memcpy(&old, (unsigned char *)p - HEADER, sizeof old);
	q = held_malloc(n, file, line);
	if (q) {
		memcpy(q, p, old < n ? old : n);
		held_free(p, file, line);
	}
	return q;
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

/* Occurrences of the secrets whose name contains `part`; quiet unless `when`. */
static int search_some(const char *part, const char *when)
{
	struct secret saved[MAX_SECRETS];
	size_t n = n_secrets, kept = 0;
	int found;

	memcpy(saved, secrets, sizeof saved);
	for (size_t i = 0; i < n; i++)
		if (strstr(saved[i].name, part))
			secrets[kept++] = saved[i];
	n_secrets = kept;
	found = search_memory(when ? when : part, !when);
	memcpy(secrets, saved, sizeof saved);
	n_secrets = n;
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

/* ---- keys derived from a password, computed by the openssl program ---- */

/* The next TLV if its tag is `want`, else NULL. */
static const unsigned char *der_take(const unsigned char *p, const unsigned char *end, int want,
				     const unsigned char **content, size_t *len)
{
	int tag;

	p = p ? der_next(p, end, &tag, content, len) : NULL;
	return p && tag == want ? p : NULL;
}

static int der_ulong(const unsigned char *c, size_t n, unsigned long *v)
{
	if (n == 0 || n > 4)
		return -1;
	for (*v = 0; n > 0; n--)
		*v = (*v << 8) | *c++;
	return 0;
}

/* Where the PKCS#12 KDF's inputs sit in an NCA-shaped container. */
struct p12_params {
	const unsigned char *authsafe, *mac, *mac_salt, *bag_salt, *bag_ct;
	size_t authsafe_len, mac_len, mac_salt_len, bag_salt_len, bag_ct_len;
	unsigned long mac_iter, bag_iter;
};

static int parse_p12(const unsigned char *buf, size_t len, struct p12_params *x)
{
	/* pbeWithSHAAnd3-KeyTripleDES-CBC, the key bag's algorithm. */
	static const unsigned char oid_3des[] = { 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7,
						  0x0d, 0x01, 0x0c, 0x01, 0x03 };
	const unsigned char *end = buf + len, *p, *q, *c, *ci, *d, *at;
	size_t n, ci_len, d_len;

	/* PFX ::= SEQUENCE { version, ContentInfo { data, [0] { OCTET STRING } }, MacData },
	 * DER outside the authSafe. */
	p = der_take(buf, end, 0x30, &c, &n);
	if (!p)
		return -1;
	end = c + n;
	p = der_take(c, end, 0x02, &c, &n);
	p = der_take(p, end, 0x30, &ci, &ci_len);
	if (!p)
		return -1;
	q = der_take(ci, ci + ci_len, 0x06, &c, &n);
	q = der_take(q, ci + ci_len, 0xa0, &c, &n);
	if (!q || !der_take(c, c + n, 0x04, &x->authsafe, &x->authsafe_len))
		return -1;
	/* MacData ::= SEQUENCE { DigestInfo { alg, digest }, salt, iterations } */
	p = der_take(p, end, 0x30, &c, &n);
	if (!p)
		return -1;
	end = c + n;
	q = der_take(c, end, 0x30, &d, &d_len);
	if (!q || !der_take(der_take(d, d + d_len, 0x30, &c, &n), d + d_len, 0x04, &x->mac,
			    &x->mac_len))
		return -1;
	q = der_take(q, end, 0x04, &x->mac_salt, &x->mac_salt_len);
	if (!der_take(q, end, 0x02, &c, &n) || der_ulong(c, n, &x->mac_iter) < 0)
		return -1;
	/* The shrouded key bag (SafeContents in DER inside the BER authSafe):
	 * AlgorithmIdentifier { oid, { salt, iterations } }, then the ciphertext. */
	at = memmem(x->authsafe, x->authsafe_len, oid_3des, sizeof oid_3des);
	if (!at)
		return -1;
	end = x->authsafe + x->authsafe_len;
	p = der_take(at + sizeof oid_3des, end, 0x30, &d, &d_len);
	q = der_take(d, d + d_len, 0x04, &x->bag_salt, &x->bag_salt_len);
	if (!p || !der_take(q, d + d_len, 0x02, &c, &n) || der_ulong(c, n, &x->bag_iter) < 0 ||
	    !der_take(p, end, 0x04, &x->bag_ct, &x->bag_ct_len))
		return -1;
	return 0;
}

static void to_hex(char *out, const unsigned char *v, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[v[i] >> 4];
		out[2 * i + 1] = digits[v[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * RFC 7292 appendix B with SHA-1 (`openssl kdf ... PKCS12KDF`): n bytes for
 * purpose id (1 key, 2 IV, 3 MAC) from the password as a NUL-terminated
 * BMPString.  The password goes to the child as hex on its command line.
 */
static int pkcs12_kdf(const unsigned char *masked, const unsigned char *salt, size_t salt_len,
		      unsigned long iter, int id, unsigned char *out, size_t n)
{
	char pass[16 + 4 * (PIN_CHARS + 1)], salt_opt[16 + 2 * 64], iter_opt[32], id_opt[16],
		keylen[16];
	char *argv[] = { "openssl", "kdf", "-binary", "-keylen", keylen, "-kdfopt", "digest:SHA1",
			 "-kdfopt", pass, "-kdfopt", salt_opt, "-kdfopt", iter_opt,
			 "-kdfopt", id_opt, "PKCS12KDF", NULL };
	unsigned char bmp[2 * (PIN_CHARS + 1)];
	size_t got = 0;
	int rc;

	if (salt_len > 64)
		return -1;
	for (int i = 0; i < PIN_CHARS; i++) {
		bmp[2 * i] = 0;
		bmp[2 * i + 1] = masked[i] ^ MASK;
	}
	bmp[2 * PIN_CHARS] = bmp[2 * PIN_CHARS + 1] = 0;
	strcpy(pass, "hexpass:");
	to_hex(pass + 8, bmp, sizeof bmp);
	explicit_bzero(bmp, sizeof bmp);
	strcpy(salt_opt, "hexsalt:");
	to_hex(salt_opt + 8, salt, salt_len);
	snprintf(iter_opt, sizeof iter_opt, "iter:%lu", iter);
	snprintf(id_opt, sizeof id_opt, "id:%d", id);
	snprintf(keylen, sizeof keylen, "%zu", n);
	rc = run(argv, out, n, &got);
	explicit_bzero(pass, sizeof pass);
	return rc == 0 && got == n ? 0 : -1;
}

static int write_file(const char *path, const unsigned char *v, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, v, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/*
 * The MAC key and the key bag's 3DES key and IV that `masked` derives for
 * the container as it is now on disk, as masked search patterns.  Controls:
 * `openssl mac` with that MAC key reproduces the file's MAC, and `openssl enc`
 * with that key and IV decrypts the key bag to a PKCS#8 holding the key's d.
 */
static int add_derived(const char *p12, const unsigned char *masked, int which)
{
	static const char *names[2][3] = {
		{ "MAC key (old password)", "key-bag 3DES key (old password)",
		  "key-bag IV (old password)" },
		{ "MAC key (new password)", "key-bag 3DES key (new password)",
		  "key-bag IV (new password)" },
	};
	static unsigned char file[16384], plain[8192];
	char mac_key_opt[16 + 40 + 1], key_hex[48 + 1], iv_hex[16 + 1], data[300];
	char *mac_argv[] = { "openssl", "mac", "-binary", "-digest", "SHA1", "-macopt",
			     mac_key_opt, "-in", data, "HMAC", NULL };
	char *enc_argv[] = { "openssl", "enc", "-d", "-des-ede3-cbc", "-K", key_hex, "-iv", iv_hex,
			     "-in", data, NULL };
	unsigned char mac_key[20], key[24], iv[8], mac[20];
	struct p12_params x;
	const struct secret *d = NULL;
	size_t len = 0, got = 0;
	int fd = open(p12, O_RDONLY | O_CLOEXEC), rc = -1, found = 0;
	ssize_t r;

	while (fd >= 0 && len < sizeof file && (r = read(fd, file + len, sizeof file - len)) > 0)
		len += (size_t)r;
	if (fd >= 0)
		close(fd);
	if (len == 0 || parse_p12(file, len, &x) < 0) {
		fprintf(stderr, "%s: not the NCA layout this test knows\n", p12);
		return -1;
	}
	for (size_t i = 0; i < n_secrets; i++)
		if (!strcmp(secrets[i].name, "d (big-endian)"))
			d = &secrets[i];
	snprintf(data, sizeof data, "%s/data", tmpdir);
	if (!d || pkcs12_kdf(masked, x.mac_salt, x.mac_salt_len, x.mac_iter, 3, mac_key, 20) < 0 ||
	    pkcs12_kdf(masked, x.bag_salt, x.bag_salt_len, x.bag_iter, 1, key, 24) < 0 ||
	    pkcs12_kdf(masked, x.bag_salt, x.bag_salt_len, x.bag_iter, 2, iv, 8) < 0) {
		fprintf(stderr, "openssl kdf failed\n");
		goto out;
	}
	strcpy(mac_key_opt, "hexkey:");
	to_hex(mac_key_opt + 7, mac_key, sizeof mac_key);
	if (write_file(data, x.authsafe, x.authsafe_len) < 0 ||
	    run(mac_argv, mac, sizeof mac, &got) != 0 || got != x.mac_len ||
	    memcmp(mac, x.mac, got) != 0) {
		fprintf(stderr, "control: the derived MAC key does not give the file's MAC\n");
		goto out;
	}
	to_hex(key_hex, key, sizeof key);
	to_hex(iv_hex, iv, sizeof iv);
	if (write_file(data, x.bag_ct, x.bag_ct_len) < 0 ||
	    run(enc_argv, plain, sizeof plain, &got) != 0) {
		fprintf(stderr, "control: the derived key and IV do not decrypt the key bag\n");
		goto out;
	}
	for (size_t i = 0; i + d->len <= got && !found; i++)
		found = matches(plain + i, d);
	if (!found) {
		fprintf(stderr, "control: the decrypted key bag does not hold the key's d\n");
		goto out;
	}
	add_secret(names[which][0], mac_key, sizeof mac_key, 0);
	add_secret(names[which][1], key, sizeof key, 0);
	add_secret(names[which][2], iv, sizeof iv, 0);
	rc = 0;
out:
	unlink(data);
	explicit_bzero(plain, sizeof plain);
	explicit_bzero(mac_key, sizeof mac_key);
	explicit_bzero(key, sizeof key);
	explicit_bzero(iv, sizeof iv);
	explicit_bzero(mac_key_opt, sizeof mac_key_opt);
	explicit_bzero(key_hex, sizeof key_hex);
	explicit_bzero(iv_hex, sizeof iv_hex);
	return rc;
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

static CK_RV set_pin_masked(CK_SESSION_HANDLE s, const unsigned char *old_m,
			    const unsigned char *new_m)
{
	char *old_pin = malloc(PIN_CHARS + 1), *new_pin = malloc(PIN_CHARS + 1);
	CK_RV rv;

	unmask_pin(old_m, old_pin);
	unmask_pin(new_m, new_pin);
	rv = p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)old_pin, PIN_CHARS, (CK_UTF8CHAR_PTR)new_pin,
			   PIN_CHARS);
	explicit_bzero(old_pin, PIN_CHARS + 1);
	explicit_bzero(new_pin, PIN_CHARS + 1);
	free(old_pin);
	free(new_pin);
	return rv;
}

static int sign_three(CK_SESSION_HANDLE s)
{
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key = private_key(s);
	unsigned char sig[512], data[] = "message to sign";
	CK_ULONG sig_len;
	int ok = key != CK_INVALID_HANDLE;

	for (int i = 0; ok && i < 3; i++) {
		sig_len = sizeof sig;
		ok = p11->C_SignInit(s, &mech, key) == CKR_OK &&
		     p11->C_Sign(s, data, sizeof data - 1, sig, &sig_len) == CKR_OK;
	}
	return ok;
}

/* None of the passwords (nor keys derived from them) is in memory now. */
static void no_password_in_memory(const char *when)
{
	static const char *names[] = {
		"password", "password (BMPString)", "wrong password", "wrong password (BMPString)",
		"new password", "new password (BMPString)", "rule-breaking password",
		"rule-breaking password (BMPString)", "MAC key (old password)",
		"key-bag 3DES key (old password)", "key-bag IV (old password)",
		"MAC key (new password)", "key-bag 3DES key (new password)",
		"key-bag IV (new password)",
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		CHECK(search_for(names[i]) == 0, "%s: the %s is still in memory", when, names[i]);
}

/*
 * The session: wrong password, right password, signatures; C_SetPIN refused
 * with a wrong old password and with a rule-breaking new one, then old → new;
 * logout; the old password no longer opens, the new one does; logout.
 */
static void session(const char *p12)
{
	CK_SESSION_HANDLE s;
	int found;

	CHECK(p11->C_Initialize(NULL) == CKR_OK, "C_Initialize");
	CHECK(p11->C_OpenSession(only_slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				 &s) == CKR_OK, "C_OpenSession");
	CHECK(login_masked(s, wrong_masked) == CKR_PIN_INCORRECT, "wrong password accepted");
	CHECK(login_masked(s, pin_masked) == CKR_OK, "C_Login with the right password failed");
	CHECK(sign_three(s), "signing failed");

	/* Positive control: the key is in this process while logged in. */
	found = search_for("d (BIGNUM limbs)") + search_for("p (BIGNUM limbs)");
	CHECK(found > 0, "the search cannot see the logged-in key: it would prove nothing");
	found = search_memory("logged in", 0);
	fprintf(stderr, "while logged in: %d occurrence(s) of key values (expected: OpenSSL's key)\n",
		found);
	/* The password itself is gone as soon as C_Login returns. */
	no_password_in_memory("after C_Login");

	/* C_SetPIN: two refusals, then the change. */
	CHECK(set_pin_masked(s, wrong_masked, new_masked) == CKR_PIN_INCORRECT,
	      "C_SetPIN accepted a wrong old password");
	CHECK(set_pin_masked(s, pin_masked, bad_masked) == CKR_PIN_INVALID,
	      "C_SetPIN accepted a password that breaks NCA's rules");
	CHECK(set_pin_masked(s, pin_masked, new_masked) == CKR_OK, "C_SetPIN old -> new failed");
	/* The new file's MAC key, key-bag key and IV (controls inside). */
	CHECK(add_derived(p12, new_masked, 1) == 0,
	      "cannot derive the new password's keys for the changed file");
	no_password_in_memory("after C_SetPIN");
	/* Logged in, OpenSSL holds the key as BIGNUM limbs; the big-endian form
	 * is only in a decrypted PKCS#8, which C_SetPIN must have wiped. */
	found = search_some("(big-endian)", "after C_SetPIN");
	CHECK(found == 0, "%d big-endian key value(s) (a decrypted key bag) in memory after C_SetPIN",
	      found);

	CHECK(p11->C_Logout(s) == CKR_OK, "C_Logout");
	CHECK(login_masked(s, pin_masked) == CKR_PIN_INCORRECT,
	      "the old password still opens the container after C_SetPIN");
	CHECK(login_masked(s, new_masked) == CKR_OK, "the new password does not open it");
	CHECK(sign_three(s), "signing with the new password's login failed");
	no_password_in_memory("after C_Login with the new password");

	CHECK(p11->C_Logout(s) == CKR_OK, "C_Logout");
	found = search_memory("after C_Logout", 0);
	CHECK(found == 0, "%d secret value(s) in memory after C_Logout", found);
	p11->C_CloseSession(s);
	CHECK(p11->C_Finalize(NULL) == CKR_OK, "C_Finalize");
	found = search_memory("after C_Finalize", 0);
	CHECK(found == 0, "%d secret value(s) in memory after C_Finalize", found);
}

/* The password in the log as typed, as a BMPString, or in hex (either case). */
static void no_password_in_log(const char *text, size_t len, const unsigned char *masked,
			       const char *name)
{
	char pin[PIN_CHARS + 1], hex[2 * 2 * PIN_CHARS + 1];
	unsigned char bmp[2 * PIN_CHARS];

	unmask_pin(masked, pin);
	for (int i = 0; i < PIN_CHARS; i++) {
		bmp[2 * i] = 0;
		bmp[2 * i + 1] = (unsigned char)pin[i];
	}
	CHECK(!memmem(text, len, pin, PIN_CHARS), "the %s is in the debug log", name);
	CHECK(!memmem(text, len, bmp, sizeof bmp), "the %s (BMPString) is in the debug log", name);
	to_hex(hex, (unsigned char *)pin, PIN_CHARS);
	CHECK(!strcasestr(text, hex), "the %s is in the debug log in hex", name);
	to_hex(hex, bmp, sizeof bmp);
	CHECK(!strcasestr(text, hex), "the %s (BMPString) is in the debug log in hex", name);
	explicit_bzero(pin, sizeof pin);
	explicit_bzero(bmp, sizeof bmp);
	explicit_bzero(hex, sizeof hex);
}

/* The debug log (level 3, the highest) holds the session's calls but no password. */
static void check_log(const char *log_path)
{
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text;
	ssize_t got;

	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0, "no debug log written");
	if (fd < 0)
		return;
	text = calloc(1, (size_t)st.st_size + 1);
	got = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	CHECK(got == st.st_size, "cannot read the log");
	if (got != st.st_size)
		return;
	CHECK(strstr(text, "C_Login = CKR_PIN_INCORRECT") && strstr(text, "C_Login = CKR_OK") &&
	      strstr(text, "C_Sign = CKR_OK") && strstr(text, "C_Logout = CKR_OK") &&
	      strstr(text, "C_SetPIN = CKR_PIN_INCORRECT") &&
	      strstr(text, "C_SetPIN = CKR_PIN_INVALID") && strstr(text, "C_SetPIN = CKR_OK"),
	      "the debug log does not show the session");
	no_password_in_log(text, (size_t)got, pin_masked, "old password");
	no_password_in_log(text, (size_t)got, wrong_masked, "wrong password");
	no_password_in_log(text, (size_t)got, new_masked, "new password");
	no_password_in_log(text, (size_t)got, bad_masked, "rule-breaking password");
	explicit_bzero(text, (size_t)st.st_size);
	free(text);
}

int main(void)
{
	const char *module = getenv("KZP11_MODULE"), *gen = getenv("KZP11_MKCONTAINER");
	char keys[300], conf[300], log_path[300], pwfile[300], pw_arg[PIN_CHARS + 1];

#ifdef __SANITIZE_ADDRESS__
	/* AddressSanitizer's shadow memory is terabytes of mappings: reading it
	 * all is not practical, and its allocator keeps freed blocks apart on
	 * purpose.  The plain build runs this test. */
	puts("SKIP: the memory search does not run under AddressSanitizer");
	return 77;
#endif
	unsigned char out[4096];
	char p12[4096];
	size_t len = 0;
	void *lib;
	CK_C_GetFunctionList get_list;
	int fd;

	/* Before libcrypto allocates anything (it refuses afterwards). */
	if (!CRYPTO_set_mem_functions(held_malloc, held_realloc, held_free)) {
		fprintf(stderr, "cannot hold back OpenSSL's freed blocks\n");
		return 1;
	}
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
	do
		random_pin(new_masked);
	while (!memcmp(new_masked, pin_masked, PIN_CHARS) ||
	       !memcmp(new_masked, wrong_masked, PIN_CHARS));
	/* '~' is not among NCA's password characters: C_SetPIN must refuse it. */
	random_pin(bad_masked);
	bad_masked[PIN_CHARS / 2] = '~' ^ MASK;

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
	add_pin_secrets("new password", "new password (BMPString)", new_masked);
	add_pin_secrets("rule-breaking password", "rule-breaking password (BMPString)",
			bad_masked);
	/* The keys the password derives for this file: MAC key, key-bag key and IV. */
	if (add_derived(p12, pin_masked, 0) < 0)
		return 1;

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
	session(p12);
	check_log(log_path);
	printf("%s: %zu secret patterns searched; %d failure(s)\n",
	       failures ? "FAIL" : "PASS", n_secrets, failures);
	return failures ? 1 : 0;
}
