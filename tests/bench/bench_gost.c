/*
 * GOST speed of kzp11 through its PKCS#11 interface against gost-engine
 * (Debian libengine-gost-openssl) called through EVP in the same process.
 *
 *   bench_gost [--seconds S] [--rounds N]
 *
 * The module is dlopened (KZP11_MODULE, default .libs/kzp11.so) and used
 * through C_GetFunctionList only, with a private HOME, XDG_CACHE_HOME,
 * XDG_CONFIG_HOME and an empty KZP11_CONF.
 *
 * 1. GOST R 34.10 signatures on CryptoPro-A (GOST 34.310-2004 keys) and
 *    TC26-512-A (GOST 34.10-2015 512-bit keys).  kzp11 signs with the key
 *    of a real NCA container from $KZP11_TESTKEYS (default
 *    /work/shared/nca-testkeys, password Qwerty12): C_SignInit + C_Sign with
 *    CKM_GOSTR3410 / CKM_GOSTR3410_512 over a fixed digest, and
 *    C_VerifyInit + C_Verify with the token's public key object.
 *    gost-engine signs the same digest with a key of its own on the same
 *    curve: EVP_PKEY_sign / EVP_PKEY_verify on prepared EVP_PKEY_CTXs.
 *    Each side's signature is checked once by the same side's verification.
 * 2. Hash throughput: C_DigestInit + C_DigestUpdate (8 KiB chunks) +
 *    C_DigestFinal over 1 MiB with CKM_GOSTR3411 (CryptoPro S-box, parameter
 *    1.2.643.2.2.30.1) and CKM_GOSTR3411_12_512, against gost-engine's
 *    md_gost94 and md_gost12_512 (Streebog-512) through EVP_Digest*.  The
 *    digests of both sides are compared once.
 *
 * The two sides are timed in alternating rounds; each ratio reported is
 * kzp11 / gost-engine, the median of the per-round ratios, so clock
 * frequency drift cancels out.  Without the NCA containers the signature
 * lines are skipped and a session for the hash lines is opened on a
 * container made by KZP11_MKCONTAINER (default
 * tests/fixtures/kzp11-mkcontainer).
 *
 * Timing figures never make the program fail; it exits non-zero only when
 * something is functionally wrong (a call fails, a signature does not
 * verify, the digests differ, gost-engine cannot be loaded).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define OPENSSL_SUPPRESS_DEPRECATED /* the ENGINE API */

#include "timing.h"
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include <p11-kit/pkcs11.h>

#include "kzp11/kzp11.h"

#define DEFAULT_MODULE      ".libs/kzp11.so"
#define DEFAULT_MKCONTAINER "tests/fixtures/kzp11-mkcontainer"
#define DEFAULT_TESTKEYS    "/work/shared/nca-testkeys"
#define PASSWORD            "Qwerty12"
#define HASH_LEN            (1024 * 1024)
#define HASH_CHUNK          8192
#define TARGET_SIG          1.2
#define TARGET_STREEBOG     1.2
#define TARGET_GOST94       2.0

/* 1.2.643.2.2.30.1: GOST R 34.11-94 with the CryptoPro S-box */
static const unsigned char oid_gost94_cryptopro[] = {
	0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x1e, 0x01
};

static char tmp_root[PATH_MAX];
static CK_FUNCTION_LIST_PTR p11;

/* ---------- helpers ---------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench_gost: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ERR_print_errors_fp(stderr);
	exit(1);
}

#define P11(call)                                                               \
	do {                                                                    \
		CK_RV rv_ = (call);                                             \
		if (rv_ != CKR_OK)                                              \
			die("%s returned 0x%08lx", #call, (unsigned long)rv_);  \
	} while (0)

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (!p)
		die("out of memory");
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	if (tmp_root[0])
		nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A private environment for the module: no user configuration or caches. */
static void private_env(void)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *sub[] = { "home", "cache", "config" };
	const char *var[] = { "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME" };
	char *conf;
	FILE *f;

	snprintf(tmp_root, sizeof tmp_root, "%s/kzp11-bench-gost.XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmp_root))
		die("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	for (int i = 0; i < 3; i++) {
		char *p = path_join(tmp_root, sub[i]);

		if (mkdir(p, 0700) < 0)
			die("cannot create %s: %s", p, strerror(errno));
		setenv(var[i], p, 1);
		free(p);
	}
	conf = path_join(tmp_root, "kzp11.conf");
	f = fopen(conf, "w");
	if (!f || fclose(f) != 0)
		die("cannot create %s", conf);
	setenv("KZP11_CONF", conf, 1);
	free(conf);
}

/* A container made by the generator, for a session when no NCA sample is
 * there; NULL if it cannot be made. */
static char *make_container(void)
{
	const char *env = getenv("KZP11_MKCONTAINER");
	char tool[PATH_MAX], cmd[2 * PATH_MAX + 16], line[PATH_MAX];
	char *dir = path_join(tmp_root, "generated");
	FILE *p;

	if (!realpath(env && *env ? env : DEFAULT_MKCONTAINER, tool)) {
		free(dir);
		return NULL;
	}
	snprintf(cmd, sizeof cmd, "'%s' '%s'", tool, dir);
	free(dir);
	fflush(NULL);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	if (!fgets(line, sizeof line, p))
		line[0] = '\0';
	if (pclose(p) != 0 || !line[0])
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

/* ---------- measurement ---------- */

typedef int (*op_fn)(void *);

/* operations per second of op over about `seconds`; 0 on a failure */
static double rate(op_fn op, void *arg, double seconds)
{
	double t0 = now(), t;
	long n = 0;

	do {
		if (!op(arg))
			return 0;
		n++;
		t = now();
	} while (t - t0 < seconds);
	return (double)n / (t - t0);
}

/*
 * Alternating rounds of kzp11 and gost-engine; prints one line.  scale
 * turns operations per second into the unit shown.  Returns -1 when an
 * operation failed.
 */
static int measure(const char *what, const char *unit, double scale, double target,
		   op_fn ours, void *ours_arg, op_fn eng, void *eng_arg,
		   double seconds, int rounds)
{
	double r_ours[64], r_eng[64], ratio[64], rm;

	/* warm-up, both sides */
	if (rate(ours, ours_arg, seconds / 4) == 0 || rate(eng, eng_arg, seconds / 4) == 0) {
		fprintf(stderr, "bench_gost: %s: an operation failed\n", what);
		return -1;
	}
	for (int i = 0; i < rounds; i++) {
		if (i % 2 == 0) {
			r_ours[i] = rate(ours, ours_arg, seconds);
			r_eng[i] = rate(eng, eng_arg, seconds);
		} else {
			r_eng[i] = rate(eng, eng_arg, seconds);
			r_ours[i] = rate(ours, ours_arg, seconds);
		}
		if (r_ours[i] == 0 || r_eng[i] == 0) {
			fprintf(stderr, "bench_gost: %s: an operation failed\n", what);
			return -1;
		}
		ratio[i] = r_ours[i] / r_eng[i];
	}
	rm = median(ratio, rounds);
	printf("  %-22s kzp11 %8.1f %-5s gost-engine %8.1f %-5s ratio %.2f (target >= %.1f)%s\n",
	       what, median(r_ours, rounds) * scale, unit, median(r_eng, rounds) * scale, unit,
	       rm, target, rm >= target ? "" : "  ** below target **");
	fflush(stdout);
	return 0;
}

/* ---------- signatures ---------- */

struct sig_case {
	const char *name, *container, *alg, *paramset;
	CK_MECHANISM_TYPE mech;
	CK_KEY_TYPE key_type;
	size_t size; /* digest bytes; the signature is twice that */
};

struct sig_state {
	const struct sig_case *c;
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE priv, pub;
	EVP_PKEY_CTX *sctx, *vctx;
	unsigned char digest[64], sig_ours[128], sig_eng[128];
};

static int ours_sign(void *arg)
{
	struct sig_state *s = arg;
	CK_MECHANISM m = { s->c->mech, NULL, 0 };
	CK_ULONG len = sizeof s->sig_ours;

	return p11->C_SignInit(s->session, &m, s->priv) == CKR_OK &&
	       p11->C_Sign(s->session, s->digest, s->c->size, s->sig_ours, &len) == CKR_OK &&
	       len == 2 * s->c->size;
}

static int ours_verify(void *arg)
{
	struct sig_state *s = arg;
	CK_MECHANISM m = { s->c->mech, NULL, 0 };

	return p11->C_VerifyInit(s->session, &m, s->pub) == CKR_OK &&
	       p11->C_Verify(s->session, s->digest, s->c->size, s->sig_ours,
			     2 * s->c->size) == CKR_OK;
}

static int eng_sign(void *arg)
{
	struct sig_state *s = arg;
	size_t len = sizeof s->sig_eng;

	return EVP_PKEY_sign(s->sctx, s->sig_eng, &len, s->digest, s->c->size) == 1 &&
	       len == 2 * s->c->size;
}

static int eng_verify(void *arg)
{
	struct sig_state *s = arg;

	return EVP_PKEY_verify(s->vctx, s->sig_eng, 2 * s->c->size, s->digest,
			       s->c->size) == 1;
}

/* The one object of class cls and key type kt in the session, or 0. */
static CK_OBJECT_HANDLE find_key(CK_SESSION_HANDLE session, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt)
{
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &kt, sizeof kt },
	};
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;

	P11(p11->C_FindObjectsInit(session, tmpl, 2));
	P11(p11->C_FindObjects(session, h, 2, &n));
	P11(p11->C_FindObjectsFinal(session));
	return n == 1 ? h[0] : 0;
}

/* gost-engine's key on the case's curve and its prepared contexts. */
static void engine_key(ENGINE *e, struct sig_state *s)
{
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(OBJ_sn2nid(s->c->alg), e);
	EVP_PKEY *pk = NULL;

	if (!kctx || EVP_PKEY_keygen_init(kctx) <= 0 ||
	    EVP_PKEY_CTX_ctrl_str(kctx, "paramset", s->c->paramset) <= 0 ||
	    EVP_PKEY_keygen(kctx, &pk) <= 0)
		die("%s: gost-engine key generation failed", s->c->name);
	EVP_PKEY_CTX_free(kctx);
	s->sctx = EVP_PKEY_CTX_new(pk, e);
	s->vctx = EVP_PKEY_CTX_new(pk, e);
	EVP_PKEY_free(pk);
	if (!s->sctx || EVP_PKEY_sign_init(s->sctx) <= 0 || !s->vctx ||
	    EVP_PKEY_verify_init(s->vctx) <= 0)
		die("%s: gost-engine sign/verify set-up failed", s->c->name);
}

/* Logs in to the slot; returns the case its key is for, or -1. */
static int open_token(CK_SLOT_ID slot, const struct sig_case *cases, int n_cases,
		      struct sig_state *states)
{
	CK_SESSION_HANDLE session;

	P11(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session));
	P11(p11->C_Login(session, CKU_USER, (CK_UTF8CHAR_PTR)PASSWORD, strlen(PASSWORD)));
	for (int i = 0; i < n_cases; i++) {
		CK_OBJECT_HANDLE priv = find_key(session, CKO_PRIVATE_KEY, cases[i].key_type);

		if (!priv || states[i].session)
			continue;
		states[i].session = session;
		states[i].priv = priv;
		states[i].pub = find_key(session, CKO_PUBLIC_KEY, cases[i].key_type);
		if (!states[i].pub)
			die("%s: the token has no public key object", cases[i].name);
		return i;
	}
	P11(p11->C_CloseSession(session));
	return -1;
}

static int bench_sig(struct sig_state *s, ENGINE *e, double seconds, int rounds)
{
	int bad = 0;

	engine_key(e, s);
	if (RAND_bytes(s->digest, (int)s->c->size) != 1)
		die("RAND_bytes failed");
	if (!ours_sign(s) || !ours_verify(s))
		die("%s: kzp11's signature does not verify with C_Verify", s->c->name);
	if (!eng_sign(s) || !eng_verify(s))
		die("%s: gost-engine's signature does not verify with EVP_PKEY_verify", s->c->name);
	/* and a damaged signature does not */
	s->sig_ours[0] ^= 1;
	s->sig_eng[0] ^= 1;
	if (ours_verify(s) || eng_verify(s))
		die("%s: a damaged signature verifies", s->c->name);
	s->sig_ours[0] ^= 1;
	s->sig_eng[0] ^= 1;
	ERR_clear_error();

	printf("%s\n", s->c->name);
	if (measure("sign", "op/s", 1, TARGET_SIG, ours_sign, s, eng_sign, s, seconds, rounds) ||
	    measure("verify", "op/s", 1, TARGET_SIG, ours_verify, s, eng_verify, s, seconds,
		    rounds))
		bad = 1;
	EVP_PKEY_CTX_free(s->sctx);
	EVP_PKEY_CTX_free(s->vctx);
	return bad;
}

/* ---------- hashes ---------- */

struct hash_state {
	CK_SESSION_HANDLE session;
	CK_MECHANISM mech;
	const EVP_MD *md;
	ENGINE *e;
	EVP_MD_CTX *mctx;
	const unsigned char *data;
	unsigned char out_ours[64], out_eng[64];
	CK_ULONG len_ours;
	unsigned int len_eng;
};

static int ours_hash(void *arg)
{
	struct hash_state *h = arg;

	h->len_ours = sizeof h->out_ours;
	if (p11->C_DigestInit(h->session, &h->mech) != CKR_OK)
		return 0;
	for (size_t off = 0; off < HASH_LEN; off += HASH_CHUNK)
		if (p11->C_DigestUpdate(h->session, (CK_BYTE_PTR)h->data + off, HASH_CHUNK) != CKR_OK)
			return 0;
	return p11->C_DigestFinal(h->session, h->out_ours, &h->len_ours) == CKR_OK;
}

static int eng_hash(void *arg)
{
	struct hash_state *h = arg;

	if (EVP_DigestInit_ex(h->mctx, h->md, h->e) != 1)
		return 0;
	for (size_t off = 0; off < HASH_LEN; off += HASH_CHUNK)
		if (EVP_DigestUpdate(h->mctx, h->data + off, HASH_CHUNK) != 1)
			return 0;
	return EVP_DigestFinal_ex(h->mctx, h->out_eng, &h->len_eng) == 1;
}

static int bench_hash(const char *name, CK_MECHANISM mech, int nid, double target,
		      CK_SESSION_HANDLE session, ENGINE *e, const unsigned char *data,
		      double seconds, int rounds)
{
	struct hash_state h;
	int bad;

	memset(&h, 0, sizeof h);
	h.session = session;
	h.mech = mech;
	h.e = e;
	h.data = data;
	h.md = ENGINE_get_digest(e, nid);
	h.mctx = EVP_MD_CTX_new();
	if (!h.md || !h.mctx)
		die("%s: gost-engine has no such digest", name);
	if (!ours_hash(&h))
		die("%s: C_DigestInit/C_DigestUpdate/C_DigestFinal failed", name);
	if (!eng_hash(&h))
		die("%s: gost-engine's EVP_Digest failed", name);
	if (h.len_ours != h.len_eng || memcmp(h.out_ours, h.out_eng, h.len_eng) != 0)
		die("%s: kzp11's and gost-engine's digests differ", name);
	bad = measure(name, "MB/s", HASH_LEN / 1e6, target, ours_hash, &h, eng_hash, &h,
		      seconds, rounds) != 0;
	EVP_MD_CTX_free(h.mctx);
	return bad;
}

/* ---------- main ---------- */

int main(int argc, char **argv)
{
	static const struct sig_case cases[] = {
		{ "CryptoPro-A (GOST 34.310-2004, 256-bit), CKM_GOSTR3410",
		  "gost-2004/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12",
		  "gost2001", "A", CKM_GOSTR3410, CKK_GOSTR3410, 32 },
		{ "TC26-512-A (GOST 34.10-2015, 512-bit), CKM_GOSTR3410_512",
		  "gost-2015/individual_valid.p12",
		  "gost2012_512", "A", CKM_GOSTR3410_512, CKK_GOSTR3410_512, 64 },
	};
	enum { N_CASES = sizeof cases / sizeof cases[0] };
	struct sig_state states[N_CASES];
	const char *module_env = getenv("KZP11_MODULE");
	const char *keys_env = getenv("KZP11_TESTKEYS");
	const char *testkeys = keys_env && *keys_env ? keys_env : DEFAULT_TESTKEYS;
	char module_path[PATH_MAX], keys[2 * PATH_MAX + 2] = "";
	int have[N_CASES] = { 0 };
	double seconds = 0.3;
	int rounds = 7, bad = 0;
	CK_FUNCTION_LIST_PTR fl;
	CK_C_GetFunctionList get;
	CK_SLOT_ID slots[16];
	CK_ULONG n_slots = 16;
	CK_SESSION_HANDLE hash_session;
	unsigned char *data;
	void *dl;
	ENGINE *e;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--seconds S] [--rounds N]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 64 || !(seconds > 0)) {
		fprintf(stderr, "bad --rounds or --seconds\n");
		return 2;
	}
	if (!realpath(module_env && *module_env ? module_env : DEFAULT_MODULE, module_path))
		die("module %s: %s", module_env && *module_env ? module_env : DEFAULT_MODULE,
		    strerror(errno));
	private_env();

	/* The NCA containers present, as KZP11_KEYS=file:file. */
	for (int i = 0; i < N_CASES; i++) {
		char *p = path_join(testkeys, cases[i].container);

		if (access(p, R_OK) == 0) {
			if (keys[0])
				strcat(keys, ":");
			strcat(keys, p);
			have[i] = 1;
		}
		free(p);
	}
	if (!keys[0]) {
		char *gen = make_container();

		if (!gen)
			die("no NCA samples in %s and no container generator (KZP11_MKCONTAINER)",
			    testkeys);
		snprintf(keys, sizeof keys, "%s", gen);
		free(gen);
	}
	setenv("KZP11_KEYS", keys, 1);

	ENGINE_load_builtin_engines();
	e = ENGINE_by_id("gost");
	if (!e || !ENGINE_init(e))
		die("gost-engine not available");
	/* its key types must be known to EVP for EVP_PKEY_CTX_new_id */
	if (!ENGINE_set_default(e, ENGINE_METHOD_PKEY_METHS | ENGINE_METHOD_PKEY_ASN1_METHS |
				       ENGINE_METHOD_DIGESTS))
		die("cannot register gost-engine's methods");

	dl = dlopen(module_path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		die("cannot load the module: %s", dlerror());
	get = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	if (!get)
		die("%s has no C_GetFunctionList", module_path);
	P11(get(&fl));
	p11 = fl;
	P11(p11->C_Initialize(NULL));
	P11(p11->C_GetSlotList(CK_TRUE, slots, &n_slots));
	if (n_slots == 0)
		die("the module shows no slot for %s", keys);

	printf("kzp11 GOST benchmark: module %s\n", module_path);
	printf("%s; %d alternating rounds of %.2f s each side; ratio = kzp11 / gost-engine, "
	       "median of per-round ratios\n\n", OpenSSL_version(OPENSSL_VERSION), rounds, seconds);

	/* 1. signatures */
	memset(states, 0, sizeof states);
	for (int i = 0; i < N_CASES; i++)
		states[i].c = &cases[i];
	for (CK_ULONG i = 0; i < n_slots; i++)
		open_token(slots[i], cases, N_CASES, states);
	for (int i = 0; i < N_CASES; i++) {
		if (!have[i]) {
			printf("%s\n  skipped: needs the NCA sample %s/%s (set KZP11_TESTKEYS)\n",
			       cases[i].name, testkeys, cases[i].container);
			continue;
		}
		if (!states[i].session)
			die("%s: no %s private key found after login to %s", cases[i].name,
			    cases[i].key_type == CKK_GOSTR3410 ? "CKK_GOSTR3410" : "CKK_GOSTR3410_512",
			    cases[i].container);
		bad |= bench_sig(&states[i], e, seconds, rounds);
	}
	printf("\n");

	/* 2. hashes, in a session of its own */
	data = malloc(HASH_LEN);
	if (!data || RAND_bytes(data, HASH_LEN) != 1)
		die("cannot prepare the hash input");
	P11(p11->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &hash_session));
	printf("Hash throughput, %d KiB per digest in %d-byte updates\n", HASH_LEN / 1024,
	       HASH_CHUNK);
	{
		CK_MECHANISM gost94 = { CKM_GOSTR3411, (CK_VOID_PTR)oid_gost94_cryptopro,
					sizeof oid_gost94_cryptopro };
		CK_MECHANISM streebog = { CKM_GOSTR3411_12_512, NULL, 0 };

		bad |= bench_hash("GOST R 34.11-94 (CP)", gost94, NID_id_GostR3411_94,
				  TARGET_GOST94, hash_session, e, data, seconds, rounds);
		bad |= bench_hash("Streebog-512", streebog, NID_id_GostR3411_2012_512,
				  TARGET_STREEBOG, hash_session, e, data, seconds, rounds);
	}
	free(data);

	P11(p11->C_CloseAllSessions(slots[0]));
	for (CK_ULONG i = 1; i < n_slots; i++)
		P11(p11->C_CloseAllSessions(slots[i]));
	P11(p11->C_Finalize(NULL));
	dlclose(dl);
	ENGINE_finish(e);
	ENGINE_free(e);
	return bad;
}
