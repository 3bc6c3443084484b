/*
 * kzp11 benchmark.
 *
 *   bench [--seconds S] [--keys DIR] [--runs N]
 *
 * 1. RSA-2048 signing through the module (C_SignInit + C_Sign on a 1 KiB
 *    message, CKM_SHA256_RSA_PKCS and CKM_SHA256_RSA_PKCS_PSS) against
 *    OpenSSL's EVP_DigestSign with the same private key, loaded from the same
 *    container with PKCS12_parse in a library context of our own.  Each
 *    OpenSSL signature is a fresh EVP_MD_CTX, EVP_DigestSignInit_ex and
 *    EVP_DigestSign, the work behind one C_SignInit + C_Sign.  The two
 *    are measured in alternating rounds and the ratio is the median of the
 *    per-round ratios, so clock-frequency drift cancels out.
 * 2. Start-up with 1,000 containers: each run is a fresh process (this
 *    program re-executed in a hidden mode) that dlopens the module and times
 *    C_Initialize + C_GetSlotList, then reports its resident memory.
 *
 * Environment: KZP11_MODULE (default .libs/kzp11.so) and KZP11_MKCONTAINER
 * (default tests/fixtures/kzp11-mkcontainer).  The module is run with a
 * private HOME, XDG_CACHE_HOME, XDG_CONFIG_HOME and an empty KZP11_CONF.
 *
 * Timing figures never make the program fail; it exits non-zero only when
 * something is functionally wrong (a call fails, a signature does not
 * verify, the slot count is off).
 */
#include "timing.h"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <p11-kit/pkcs11.h>

#define DEFAULT_MODULE      ".libs/kzp11.so"
#define DEFAULT_MKCONTAINER "tests/fixtures/kzp11-mkcontainer"
#define PASSWORD            "Qwerty12"
#define MSG_LEN             1024
#define ROUNDS              7       /* alternating rounds per comparison */
#define STARTUP_CONTAINERS  1000
#define DEFAULT_RUNS        7
#define TARGET_RATIO        0.97
#define TARGET_STARTUP_MS   50.0
#define TARGET_RSS_MB       30.0
#define CHILD_MODE          "--startup-child"

static char tmp_root[PATH_MAX];
static char self_path[PATH_MAX];
static pid_t main_pid;

/* ---------- small helpers ---------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void die_ossl(const char *what)
{
	fflush(stdout);
	fprintf(stderr, "bench: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(2);
}

static double min_of(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static double max_of(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (!p)
		die("out of memory");
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		die("cannot create %s: %s", path, strerror(errno));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	if (getpid() == main_pid && tmp_root[0])
		nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Regular files named *.p12 / *.pfx directly inside dir. */
static long count_containers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && (has_suffix(e->d_name, ".p12") || has_suffix(e->d_name, ".pfx")))
			n++;
	closedir(d);
	return n;
}

/* Waits for a child; dies unless it exited with status 0. */
static void wait_ok(pid_t pid, const char *what)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		die("%s was killed by signal %d", what, WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("%s exited with status %d", what, WEXITSTATUS(status));
}

/*
 * Runs argv with stdout into a pipe; returns what it printed (NUL-terminated).
 * Dies if it cannot be run or fails.
 */
static char *run_capture(char *const argv[], const char *what)
{
	int fds[2];
	pid_t pid;
	char *out = NULL;
	size_t len = 0, cap = 0;

	if (pipe(fds) < 0)
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		fprintf(stderr, "bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n;
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (!(out = realloc(out, cap)))
				die("out of memory");
		}
		n = read(fds[0], out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	out[len] = '\0';
	wait_ok(pid, what);
	return out;
}

/* ---------- the PKCS#11 module ---------- */

struct module {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
};

static const char *rv_str(CK_RV rv)
{
	static char buf[32];
	snprintf(buf, sizeof buf, "0x%08lx", (unsigned long)rv);
	return buf;
}

#define P11(call)                                                                   \
	do {                                                                        \
		CK_RV rv_ = (call);                                                 \
		if (rv_ != CKR_OK)                                                  \
			die("%s returned %s", #call, rv_str(rv_));                  \
	} while (0)

static void module_load(struct module *m, const char *path)
{
	CK_C_GetFunctionList get;

	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl)
		die("cannot load the module: %s", dlerror());
	get = (CK_C_GetFunctionList)dlsym(m->dl, "C_GetFunctionList");
	if (!get)
		die("%s has no C_GetFunctionList", path);
	P11(get(&m->f));
}

/* ---------- OpenSSL anchor ---------- */

static OSSL_LIB_CTX *anchor_ctx;

static void anchor_init(void)
{
	anchor_ctx = OSSL_LIB_CTX_new();
	if (!anchor_ctx)
		die_ossl("OSSL_LIB_CTX_new");
	if (!OSSL_PROVIDER_load(anchor_ctx, "default"))
		die_ossl("loading the default provider");
	if (!OSSL_PROVIDER_load(anchor_ctx, "legacy"))
		die_ossl("loading the legacy provider");
}

/* The container's private key, through PKCS12_parse in our own context. */
static EVP_PKEY *anchor_load_key(const char *path)
{
	FILE *f = fopen(path, "rb");
	PKCS12 *p12;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	OSSL_LIB_CTX *prev;

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	/* PKCS12_parse has no context parameter: make ours the default for
	 * this thread while it runs, so the key (and RC2-40) come from it. */
	prev = OSSL_LIB_CTX_set0_default(anchor_ctx);
	p12 = d2i_PKCS12_fp(f, NULL);
	fclose(f);
	if (!p12 || !PKCS12_parse(p12, PASSWORD, &pkey, &cert, NULL) || !pkey)
		die_ossl("PKCS12_parse");
	OSSL_LIB_CTX_set0_default(prev);
	PKCS12_free(p12);
	X509_free(cert);
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pkey) != 2048)
		die("the container's key is not RSA-2048");
	return pkey;
}

/* Parameters of one signature scheme, for both sides. */
struct scheme {
	const char *name;
	CK_MECHANISM mech;
	int pss;
};

static void anchor_params(const struct scheme *sc, OSSL_PARAM p[4])
{
	static int salt = 32;
	int n = 0;

	if (sc->pss) {
		p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
							  (char *)OSSL_PKEY_RSA_PAD_MODE_PSS, 0);
		p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
							  (char *)"SHA256", 0);
		p[n++] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &salt);
	} else {
		p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
							  (char *)OSSL_PKEY_RSA_PAD_MODE_PKCSV15, 0);
	}
	p[n] = OSSL_PARAM_construct_end();
}

/* One complete signature the way an OpenSSL application makes it. */
static void anchor_sign(EVP_PKEY *pkey, const struct scheme *sc, const unsigned char *msg,
			size_t len, unsigned char *sig, size_t *siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	OSSL_PARAM params[4];

	anchor_params(sc, params);
	*siglen = 512;
	if (!md || EVP_DigestSignInit_ex(md, NULL, "SHA256", anchor_ctx, NULL, pkey, params) != 1 ||
	    EVP_DigestSign(md, sig, siglen, msg, len) != 1)
		die_ossl("EVP_DigestSign");
	EVP_MD_CTX_free(md);
}

static int anchor_verify(EVP_PKEY *pkey, const struct scheme *sc, const unsigned char *msg,
			 size_t len, const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	OSSL_PARAM params[4];
	int ok;

	anchor_params(sc, params);
	ok = md && EVP_DigestVerifyInit_ex(md, NULL, "SHA256", anchor_ctx, NULL, pkey, params) == 1 &&
	     EVP_DigestVerify(md, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

/* ---------- signing benchmark ---------- */

struct signer {
	struct module *m;
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE key;
	EVP_PKEY *pkey;
	const unsigned char *msg;
};

static void module_sign(struct signer *s, const struct scheme *sc, unsigned char *sig,
			CK_ULONG *siglen)
{
	CK_MECHANISM mech = sc->mech;

	*siglen = 512;
	P11(s->m->f->C_SignInit(s->session, &mech, s->key));
	P11(s->m->f->C_Sign(s->session, (CK_BYTE_PTR)s->msg, MSG_LEN, sig, siglen));
}

/* Signs for about `secs` seconds; returns signatures per second. */
static double measure(struct signer *s, const struct scheme *sc, int use_module, double secs)
{
	unsigned char sig[512];
	double start = now(), t;
	long n = 0;

	do {
		if (use_module) {
			CK_ULONG len;
			module_sign(s, sc, sig, &len);
		} else {
			size_t len;
			anchor_sign(s->pkey, sc, s->msg, MSG_LEN, sig, &len);
		}
		n++;
		t = now();
	} while (t - start < secs);
	return (double)n / (t - start);
}

static int check_signatures(struct signer *s, const struct scheme *sc)
{
	unsigned char msig[512], osig[512];
	CK_ULONG mlen;
	size_t olen;

	module_sign(s, sc, msig, &mlen);
	if (mlen != 256) {
		fprintf(stderr, "bench: %s: the module's signature is %lu bytes, expected 256\n",
			sc->name, (unsigned long)mlen);
		return -1;
	}
	if (!anchor_verify(s->pkey, sc, s->msg, MSG_LEN, msig, mlen)) {
		fprintf(stderr, "bench: %s: the module's signature does not verify with OpenSSL\n",
			sc->name);
		return -1;
	}
	if (!sc->pss) {
		/* PKCS#1 v1.5 is deterministic: same key, same bytes. */
		anchor_sign(s->pkey, sc, s->msg, MSG_LEN, osig, &olen);
		if (olen != mlen || memcmp(osig, msig, olen) != 0) {
			fprintf(stderr, "bench: %s: the module and OpenSSL signatures differ\n",
				sc->name);
			return -1;
		}
	}
	return 0;
}

static CK_OBJECT_HANDLE find_private_key(struct module *m, CK_SESSION_HANDLE session)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof cls } };
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;

	P11(m->f->C_FindObjectsInit(session, tmpl, 1));
	P11(m->f->C_FindObjects(session, h, 2, &n));
	P11(m->f->C_FindObjectsFinal(session));
	if (n != 1)
		die("expected one private key after login, found %lu", (unsigned long)n);
	return h[0];
}

static void bench_sign(const char *module_path, const char *container, const char *keys_dir,
		       double secs)
{
	static CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	struct scheme schemes[] = {
		{ "SHA256-RSA-PKCS", { CKM_SHA256_RSA_PKCS, NULL, 0 }, 0 },
		{ "SHA256-RSA-PKCS-PSS", { CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss }, 1 },
	};
	struct module m;
	struct signer s;
	CK_SLOT_ID slots[4];
	CK_ULONG n_slots = 4;
	unsigned char msg[MSG_LEN];
	double slice = secs / ROUNDS;

	if (RAND_bytes(msg, sizeof msg) != 1)
		die_ossl("RAND_bytes");
	setenv("KZP11_KEYS", keys_dir, 1);
	module_load(&m, module_path);
	P11(m.f->C_Initialize(NULL));
	P11(m.f->C_GetSlotList(CK_TRUE, slots, &n_slots));
	if (n_slots != 1)
		die("expected one slot for %s, found %lu", keys_dir, (unsigned long)n_slots);

	memset(&s, 0, sizeof s);
	s.m = &m;
	s.msg = msg;
	P11(m.f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s.session));
	P11(m.f->C_Login(s.session, CKU_USER, (CK_UTF8CHAR_PTR)PASSWORD, strlen(PASSWORD)));
	s.key = find_private_key(&m, s.session);
	s.pkey = anchor_load_key(container);

	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
		if (check_signatures(&s, &schemes[i]) < 0)
			exit(1);

	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
		const struct scheme *sc = &schemes[i];
		double mod[ROUNDS], ossl[ROUNDS], ratio[ROUNDS];

		/* warm-up, both sides */
		measure(&s, sc, 1, slice / 2);
		measure(&s, sc, 0, slice / 2);
		for (int r = 0; r < ROUNDS; r++) {
			/* alternate who goes first: A,B then B,A */
			if (r % 2 == 0) {
				mod[r] = measure(&s, sc, 1, slice);
				ossl[r] = measure(&s, sc, 0, slice);
			} else {
				ossl[r] = measure(&s, sc, 0, slice);
				mod[r] = measure(&s, sc, 1, slice);
			}
			ratio[r] = mod[r] / ossl[r];
		}
		{
			double rm = median(ratio, ROUNDS);
			printf("rsa2048 sign %-20s module %7.1f ops/s, openssl %7.1f ops/s, "
			       "ratio %.3f (target >= %.2f)%s\n",
			       sc->name, median(mod, ROUNDS), median(ossl, ROUNDS), rm,
			       TARGET_RATIO, rm >= TARGET_RATIO ? "" : "  ** below target **");
			printf("    %d alternating rounds of %.2f s each; per-round ratio %.3f .. %.3f\n",
			       ROUNDS, slice, min_of(ratio, ROUNDS), max_of(ratio, ROUNDS));
		}
		fflush(stdout);
	}

	P11(m.f->C_Logout(s.session));
	P11(m.f->C_CloseSession(s.session));
	P11(m.f->C_Finalize(NULL));
	EVP_PKEY_free(s.pkey);
	/* the module's library context is gone; unload it too */
	dlclose(m.dl);
}

/* ---------- start-up benchmark ---------- */

struct proc_mem {
	long rss_kb, hwm_kb, anon_kb, file_kb;
};

static void read_mem(struct proc_mem *pm)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	memset(pm, 0, sizeof *pm);
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "VmRSS: %ld", &pm->rss_kb);
		sscanf(line, "VmHWM: %ld", &pm->hwm_kb);
		sscanf(line, "RssAnon: %ld", &pm->anon_kb);
		sscanf(line, "RssFile: %ld", &pm->file_kb);
	}
	fclose(f);
}

/* Resident kB of the mappings of a shared library already loaded (by name). */
static long lib_rss_kb(const char *name)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int in_lib = 0;
	long total = 0, kb;

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, ' '))
			in_lib = strstr(line, name) != NULL;
		else if (in_lib && sscanf(line, "Rss: %ld", &kb) == 1)
			total += kb;
	}
	fclose(f);
	return total;
}

/*
 * The hidden child mode: load the module, time C_Initialize + C_GetSlotList,
 * print one line of figures on stdout.  Uses no OpenSSL itself.
 */
static int startup_child(const char *module_path)
{
	struct proc_mem before, after;
	struct module m;
	CK_ULONG n = 0, n2;
	CK_SLOT_ID *slots;
	double t0, t1, t2;
	long crypto_kb;

	read_mem(&before);
	/* This program links libcrypto, which the module also uses: its pages
	 * already resident count as the module's in a process without it. */
	crypto_kb = lib_rss_kb("libcrypto.so");
	t0 = now();
	module_load(&m, module_path);
	t1 = now();
	P11(m.f->C_Initialize(NULL));
	P11(m.f->C_GetSlotList(CK_TRUE, NULL, &n));
	slots = calloc(n ? n : 1, sizeof *slots);
	n2 = n;
	if (!slots)
		die("out of memory");
	P11(m.f->C_GetSlotList(CK_TRUE, slots, &n2));
	t2 = now();
	read_mem(&after);
	if (n2 != n)
		die("C_GetSlotList gave %lu slots, then %lu", (unsigned long)n, (unsigned long)n2);
	printf("slots=%lu dlopen_ms=%.3f init_ms=%.3f rss_before=%ld rss_after=%ld hwm=%ld "
	       "anon_before=%ld anon_after=%ld crypto_before=%ld\n",
	       (unsigned long)n, (t1 - t0) * 1e3, (t2 - t1) * 1e3, before.rss_kb, after.rss_kb,
	       after.hwm_kb, before.anon_kb, after.anon_kb, crypto_kb);
	fflush(stdout);
	P11(m.f->C_Finalize(NULL));
	free(slots);
	return 0;
}

/*
 * Drops the container files from the page cache (they are ours, so no
 * privilege is needed), for a cold first run.  Returns how many files are
 * fully out of the cache afterwards.
 */
static long evict_dir(const char *dir, long *total)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long evicted = 0;
	long page = sysconf(_SC_PAGESIZE);

	*total = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *path;
		int fd;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		path = path_join(dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		free(path);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
			size_t pages = ((size_t)st.st_size + (size_t)page - 1) / (size_t)page;
			unsigned char vec[256];
			void *map;
			int resident = 1;

			(*total)++;
			fdatasync(fd);
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			map = pages <= sizeof vec ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0)
						  : MAP_FAILED;
			if (map != MAP_FAILED) {
				resident = 0;
				if (mincore(map, (size_t)st.st_size, vec) == 0) {
					for (size_t i = 0; i < pages; i++)
						if (vec[i] & 1)
							resident = 1;
				} else {
					resident = 1;
				}
				munmap(map, (size_t)st.st_size);
			}
			if (!resident)
				evicted++;
		}
		close(fd);
	}
	closedir(d);
	return evicted;
}

struct startup_run {
	unsigned long slots;
	double dlopen_ms, init_ms;
	long rss_before, rss_after, hwm, anon_before, anon_after, crypto_before;
};

static void run_startup_child(const char *module_path, struct startup_run *out)
{
	char *argv[] = { self_path, (char *)CHILD_MODE, (char *)module_path, NULL };
	char *text = run_capture(argv, "the start-up child");
	const char *line = strstr(text, "slots=");

	if (!line || sscanf(line, "slots=%lu dlopen_ms=%lf init_ms=%lf rss_before=%ld rss_after=%ld "
				  "hwm=%ld anon_before=%ld anon_after=%ld crypto_before=%ld",
			    &out->slots, &out->dlopen_ms, &out->init_ms, &out->rss_before,
			    &out->rss_after, &out->hwm, &out->anon_before, &out->anon_after,
			    &out->crypto_before) != 9)
		die("unexpected output from the start-up child: %s", text);
	free(text);
}

static int bench_startup(const char *module_path, const char *mkcontainer, const char *keys_dir,
			 int runs)
{
	struct startup_run r[32];
	double init[32], rss[32], delta[32], hwm[32], anon[32], dl[32], share[32];
	long expected = count_containers(keys_dir), total = 0, evicted;
	int bad = 0;

	if (expected <= 0) {
		char count[16];
		char *argv[] = { (char *)mkcontainer, (char *)"--count", count,
				 (char *)"--reuse-key", (char *)keys_dir, NULL };
		double t0 = now();
		char *out;

		snprintf(count, sizeof count, "%d", STARTUP_CONTAINERS);
		out = run_capture(argv, "kzp11-mkcontainer");
		free(out);
		printf("generated %d containers in %s (%.1f s)\n", STARTUP_CONTAINERS, keys_dir,
		       now() - t0);
		expected = count_containers(keys_dir);
	} else {
		printf("using the %ld containers in %s\n", expected, keys_dir);
	}
	if (expected != STARTUP_CONTAINERS)
		printf("note: %s holds %ld containers, not %d\n", keys_dir, expected,
		       STARTUP_CONTAINERS);
	setenv("KZP11_KEYS", keys_dir, 1);

	evicted = evict_dir(keys_dir, &total);
	for (int i = 0; i < runs; i++) {
		run_startup_child(module_path, &r[i]);
		if ((long)r[i].slots != expected) {
			fprintf(stderr, "bench: run %d: %lu slots, expected %ld\n", i + 1, r[i].slots,
				expected);
			bad = 1;
		}
		init[i] = r[i].init_ms;
		rss[i] = r[i].rss_after / 1024.0;
		delta[i] = (r[i].rss_after - r[i].rss_before) / 1024.0;
		anon[i] = (r[i].anon_after - r[i].anon_before) / 1024.0;
		hwm[i] = r[i].hwm / 1024.0;
		dl[i] = r[i].dlopen_ms;
		share[i] = (r[i].rss_after - r[i].rss_before + r[i].crypto_before) / 1024.0;
	}
	{
		double mi = median(init, (size_t)runs), mr = median(rss, (size_t)runs);
		double md = median(delta, (size_t)runs);

		printf("startup %ld containers  C_Initialize+C_GetSlotList: first %.1f ms%s, "
		       "median %.1f ms of %d runs (%.1f .. %.1f), target <= %.0f ms%s\n",
		       expected, r[0].init_ms,
		       evicted == total && total > 0 ? " (container files evicted from page cache)" : "",
		       mi, runs, min_of(init, (size_t)runs), max_of(init, (size_t)runs),
		       TARGET_STARTUP_MS, mi <= TARGET_STARTUP_MS ? "" : "  ** above target **");
		printf("startup %ld containers  VmRSS after C_GetSlotList %.1f MB (whole process), "
		       "target <= %.0f MB%s\n",
		       expected, mr, TARGET_RSS_MB, mr <= TARGET_RSS_MB ? "" : "  ** above target **");
		printf("    increase over the RSS before dlopen +%.1f MB, +%.1f MB counting the %.1f MB "
		       "of libcrypto this program had resident already; anonymous +%.1f MB; peak %.1f MB\n",
		       md, median(share, (size_t)runs), r[0].crypto_before / 1024.0,
		       median(anon, (size_t)runs), median(hwm, (size_t)runs));
		printf("    slots %lu (expected %ld); dlopen %.1f ms, not included\n",
		       r[0].slots, expected, median(dl, (size_t)runs));
		if (evicted != total)
			printf("    note: only %ld of %ld container files could be evicted before the "
			       "first run\n", evicted, total);
	}
	return bad;
}

/* ---------- main ---------- */

static void usage(void)
{
	fprintf(stderr, "usage: bench [--seconds S] [--keys DIR] [--runs N]\n"
			"  --seconds S  time per signing measurement (default 3)\n"
			"  --keys DIR   folder for the 1,000 start-up containers; generated there\n"
			"               if it holds none, reused otherwise\n"
			"  --runs N     start-up runs, each a new process (default %d, max 31)\n",
		DEFAULT_RUNS);
	exit(2);
}

static void print_header(const char *module_path)
{
	double load[3] = { 0, 0, 0 };
	char model[128] = "?";
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];

	if (f) {
		while (fgets(line, sizeof line, f))
			if (strncmp(line, "model name", 10) == 0) {
				char *c = strchr(line, ':');
				if (c) {
					snprintf(model, sizeof model, "%s", c + 2);
					model[strcspn(model, "\n")] = '\0';
				}
				break;
			}
		fclose(f);
	}
	getloadavg(load, 3);
	printf("kzp11 benchmark: module %s\n", module_path);
	printf("%s, %ld CPUs, load average %.2f %.2f %.2f; %s\n", model,
	       sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2],
	       OpenSSL_version(OPENSSL_VERSION));
	printf("message %d bytes; ratios are module / openssl, medians of per-round ratios\n\n",
	       MSG_LEN);
}

int main(int argc, char **argv)
{
	const char *module_env = getenv("KZP11_MODULE");
	const char *mk_env = getenv("KZP11_MKCONTAINER");
	char module_path[PATH_MAX], mkcontainer[PATH_MAX];
	const char *keys_arg = NULL;
	double secs = 3.0;
	int runs = DEFAULT_RUNS, bad;
	char *home, *cache, *config, *conf, *one, *many, *out, *container;

	if (argc == 3 && strcmp(argv[1], CHILD_MODE) == 0)
		return startup_child(argv[2]);

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const char *eq = strchr(a, '=');
		char name[32];

		if (strncmp(a, "--", 2) != 0)
			usage();
		if (eq) {
			snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
			v = eq + 1;
		} else {
			snprintf(name, sizeof name, "%s", a);
			if (i + 1 >= argc)
				usage();
			v = argv[++i];
		}
		if (strcmp(name, "--seconds") == 0) {
			char *end;
			secs = strtod(v, &end);
			if (*end || !(secs > 0 && secs <= 3600))
				usage();
		} else if (strcmp(name, "--keys") == 0) {
			keys_arg = v;
		} else if (strcmp(name, "--runs") == 0) {
			runs = atoi(v);
			if (runs < 1 || runs > 31)
				usage();
		} else {
			usage();
		}
	}

	if (!realpath(module_env && *module_env ? module_env : DEFAULT_MODULE, module_path))
		die("module %s: %s", module_env && *module_env ? module_env : DEFAULT_MODULE,
		    strerror(errno));
	if (!realpath(mk_env && *mk_env ? mk_env : DEFAULT_MKCONTAINER, mkcontainer))
		die("container generator %s: %s", mk_env && *mk_env ? mk_env : DEFAULT_MKCONTAINER,
		    strerror(errno));

	{
		ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
		if (n <= 0 || (size_t)n >= sizeof self_path - 1)
			die("cannot find this program's path");
		self_path[n] = '\0';
	}

	/* A private environment for the module: no user configuration, caches
	 * or key folders. */
	main_pid = getpid();
	snprintf(tmp_root, sizeof tmp_root, "%s/kzp11-bench.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp_root))
		die("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	home = path_join(tmp_root, "home");
	cache = path_join(tmp_root, "cache");
	config = path_join(tmp_root, "config");
	conf = path_join(tmp_root, "kzp11.conf");
	one = path_join(tmp_root, "one");
	make_dir(home);
	make_dir(cache);
	make_dir(config);
	{
		FILE *f = fopen(conf, "w");
		if (!f || fclose(f) != 0)
			die("cannot create %s", conf);
	}
	setenv("HOME", home, 1);
	setenv("XDG_CACHE_HOME", cache, 1);
	setenv("XDG_CONFIG_HOME", config, 1);
	setenv("KZP11_CONF", conf, 1);

	if (keys_arg) {
		char abs[PATH_MAX];
		make_dir(keys_arg);
		if (!realpath(keys_arg, abs))
			die("%s: %s", keys_arg, strerror(errno));
		many = strdup(abs);
	} else {
		many = path_join(tmp_root, "many");
	}

	print_header(module_path);

	/* 1. signing */
	{
		char *argv_mk[] = { mkcontainer, one, NULL };
		out = run_capture(argv_mk, "kzp11-mkcontainer");
		out[strcspn(out, "\n")] = '\0';
		if (!*out)
			die("kzp11-mkcontainer printed no container path");
		container = out;
	}
	anchor_init();
	bench_sign(module_path, container, one, secs);
	printf("\n");

	/* 2. start-up; a fresh certificate cache so nothing learnt above is used */
	{
		char *cache2 = path_join(tmp_root, "cache-startup");
		make_dir(cache2);
		setenv("XDG_CACHE_HOME", cache2, 1);
		free(cache2);
	}
	bad = bench_startup(module_path, mkcontainer, many, runs);

	free(home); free(cache); free(config); free(conf); free(one); free(many); free(container);
	OSSL_LIB_CTX_free(anchor_ctx);
	return bad ? 1 : 0;
}
