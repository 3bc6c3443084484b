/*
 * Threads signing at once, every signature checked by OpenSSL:
 *
 *  1. "own sessions": 8 threads, each with its own session, round robin
 *     over the keys: two RSA and one GOST 34.10-2015 512-bit container made
 *     by kzp11-mkcontainer, and when $KZP11_TESTKEYS has them, one NCA GOST
 *     2004 (256-bit) and one 2015 container;
 *  2. "shared session": 8 threads on ONE session per key kind.  PKCS#11
 *     allows one operation per session at a time: C_SignInit either starts
 *     it or says CKR_OPERATION_ACTIVE.  Here a thread calls C_Sign only
 *     after its own C_SignInit succeeded, so each signature is over the
 *     thread's own message; CKR_OPERATION_ACTIVE is counted and retried,
 *     anything else is a failure.  The threads also read the session's
 *     state between operations.
 *
 * KZP11_STRESS_OPS signatures per thread (default 200; `make check-stress`
 * runs 10,000), KZP11_STRESS_THREADS threads per phase (default 8).
 * RSA signatures (SHA256-RSA-PKCS and SHA256-RSA-PKCS-PSS) are verified with
 * the certificate the generator wrote; GOST ones (CKM_GOSTR3410[_512] over
 * a random digest) with OpenSSL's EC arithmetic on the curve of RFC 4357
 * (CryptoPro-A, 256 bits) or RFC 7836 (TC26-512-A), the public key from the
 * generator's certificate (the NCA samples': from the token's).
 *
 * Exit: 0 all signed and verified, 1 failures, 77 nothing to test.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "pkcs11.h"
#include "kzp11/kzp11.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PIN "Qwerty12"
#define MAX_KEYS 8
#define MAX_THREADS 64

static CK_FUNCTION_LIST_PTR p11;

struct key {
	char name[64];
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE login_session;   /* holds the login for the run */
	int gost;
	size_t size;                       /* GOST: 32 or 64 bytes */
	EVP_PKEY *rsa_pub;                 /* RSA: from the generator's .cer */
	EC_GROUP *group;                   /* GOST: the curve */
	EC_POINT *pub;                     /* GOST: Q from the certificate */
};

static struct key keys[MAX_KEYS];
static int n_keys;

struct worker {
	pthread_t tid;
	int index;
	struct key *key;
	CK_SESSION_HANDLE session;         /* shared; 0: open an own one */
	long ops, done, busy, failures;
	char error[300];
};

static void note(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failures++ == 0) {
		va_start(ap, fmt);
		vsnprintf(w->error, sizeof w->error, fmt, ap);
		va_end(ap);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- OpenSSL's side ---- */

static int verify_rsa(struct key *k, CK_MECHANISM_TYPE mech, const unsigned char *msg,
		      size_t len, const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, k->rsa_pub) == 1;

	if (ok && mech == CKM_SHA256_RSA_PKCS_PSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1;
	ok = ok && EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static BIGNUM *bn_le(const unsigned char *p, size_t n)
{
	return BN_lebin2bn(p, (int)n, NULL);
}

/*
 * GOST 34.10 verification (s || r big-endian, digest read little-endian):
 * e = digest mod q (1 if 0), v = e^-1, C = (s v) G + (-r v) Q, x_C mod q == r.
 */
static int verify_gost(struct key *k, const unsigned char *digest, const unsigned char *sig,
		       size_t sig_len)
{
	const BIGNUM *q = EC_GROUP_get0_order(k->group);
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *s = BN_bin2bn(sig, (int)k->size, NULL);
	BIGNUM *r = BN_bin2bn(sig + k->size, (int)k->size, NULL);
	BIGNUM *e = bn_le(digest, k->size);
	BIGNUM *v = BN_new(), *z1 = BN_new(), *z2 = BN_new(), *x = BN_new();
	EC_POINT *c = EC_POINT_new(k->group);
	int ok = bc && s && r && e && v && z1 && z2 && x && c && sig_len == 2 * k->size &&
		 !BN_is_zero(r) && !BN_is_zero(s) && BN_cmp(r, q) < 0 && BN_cmp(s, q) < 0;

	ok = ok && BN_nnmod(e, e, q, bc);
	if (ok && BN_is_zero(e))
		ok = BN_one(e);
	ok = ok && BN_mod_inverse(v, e, q, bc) && BN_mod_mul(z1, s, v, q, bc) &&
	     BN_mod_sub(z2, q, r, q, bc) && BN_mod_mul(z2, z2, v, q, bc) &&
	     EC_POINT_mul(k->group, c, z1, k->pub, z2, bc) &&
	     EC_POINT_get_affine_coordinates(k->group, c, x, NULL, bc) &&
	     BN_nnmod(x, x, q, bc) && BN_cmp(x, r) == 0;
	EC_POINT_free(c);
	BN_free(s);
	BN_free(r);
	BN_free(e);
	BN_free(v);
	BN_free(z1);
	BN_free(z2);
	BN_free(x);
	BN_CTX_free(bc);
	return ok;
}

/* The published curves (RFC 4357 section 11.4, RFC 7836 appendix A.1). */
static const struct {
	size_t size;
	const char *p, *a, *b, *q, *x, *y;
} curves[] = {
	{ 32,
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
	  "A6",
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
	  "1",
	  "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14" },
	{ 64,
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
	  "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265"
	  "EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
	  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	  "27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
	  "3",
	  "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921"
	  "DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4" },
};

static EC_GROUP *make_curve(size_t size)
{
	for (size_t i = 0; i < sizeof curves / sizeof *curves; i++) {
		BIGNUM *p = NULL, *a = NULL, *b = NULL, *q = NULL, *x = NULL, *y = NULL;
		EC_GROUP *g = NULL;
		EC_POINT *gen = NULL;

		if (curves[i].size != size)
			continue;
		if (BN_hex2bn(&p, curves[i].p) && BN_hex2bn(&a, curves[i].a) &&
		    BN_hex2bn(&b, curves[i].b) && BN_hex2bn(&q, curves[i].q) &&
		    BN_hex2bn(&x, curves[i].x) && BN_hex2bn(&y, curves[i].y) &&
		    (g = EC_GROUP_new_curve_GFp(p, a, b, NULL)) && (gen = EC_POINT_new(g)) &&
		    EC_POINT_set_affine_coordinates(g, gen, x, y, NULL) == 1 &&
		    EC_GROUP_set_generator(g, gen, q, BN_value_one()) == 1 &&
		    EC_GROUP_check(g, NULL) == 1) {
			EC_POINT_free(gen);
		} else {
			EC_POINT_free(gen);
			EC_GROUP_free(g);
			g = NULL;
		}
		BN_free(p);
		BN_free(a);
		BN_free(b);
		BN_free(q);
		BN_free(x);
		BN_free(y);
		return g;
	}
	return NULL;
}

/* ---- the module's side ---- */

static const char *rv_name(CK_RV rv)
{
	static char buf[32];

	switch (rv) {
	case CKR_OK: return "CKR_OK";
	case CKR_OPERATION_ACTIVE: return "CKR_OPERATION_ACTIVE";
	case CKR_OPERATION_NOT_INITIALIZED: return "CKR_OPERATION_NOT_INITIALIZED";
	case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
	case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
	case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
	case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
	case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
	default:
		snprintf(buf, sizeof buf, "CKR 0x%lx", (unsigned long)rv);
		return buf;
	}
}

static CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;

	if (p11->C_FindObjectsInit(s, &t, 1) != CKR_OK)
		return CK_INVALID_HANDLE;
	if (p11->C_FindObjects(s, h, 2, &n) != CKR_OK)
		n = 0;
	p11->C_FindObjectsFinal(s);
	return n == 1 ? h[0] : CK_INVALID_HANDLE;
}

/* The token's certificate, parsed by OpenSSL (d2i works for any algorithm). */
static X509 *token_cert(CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE h = find_one(s, CKO_CERTIFICATE);
	CK_ATTRIBUTE a = { CKA_VALUE, NULL, 0 };
	const unsigned char *p;
	unsigned char *buf;
	X509 *x = NULL;

	if (h == CK_INVALID_HANDLE || p11->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		return NULL;
	buf = malloc(a.ulValueLen);
	a.pValue = buf;
	if (buf && p11->C_GetAttributeValue(s, h, &a, 1) == CKR_OK) {
		p = buf;
		x = d2i_X509(NULL, &p, (long)a.ulValueLen);
	}
	free(buf);
	return x;
}

/* GOST public key: BIT STRING { OCTET STRING X_le || Y_le }. */
static EC_POINT *gost_point(EC_GROUP *g, X509 *cert, size_t size)
{
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(cert);
	const unsigned char *p = bits ? ASN1_STRING_get0_data(bits) : NULL;
	ASN1_OCTET_STRING *os = p ? d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(bits))
				 : NULL;
	EC_POINT *pt = NULL;

	if (os && (size_t)ASN1_STRING_length(os) == 2 * size) {
		const unsigned char *v = ASN1_STRING_get0_data(os);
		BIGNUM *x = bn_le(v, size), *y = bn_le(v + size, size);

		pt = EC_POINT_new(g);
		if (!x || !y || !pt || EC_POINT_set_affine_coordinates(g, pt, x, y, NULL) != 1) {
			EC_POINT_free(pt);
			pt = NULL;
		}
		BN_free(x);
		BN_free(y);
	}
	ASN1_OCTET_STRING_free(os);
	return pt;
}

/* ---- signing ---- */

static CK_RV sign_once(struct worker *w, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, long i)
{
	struct key *k = w->key;
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM mech = { 0 };
	unsigned char msg[96], sig[1024];
	CK_ULONG len, sig_len = sizeof sig;
	CK_RV rv;

	if (k->gost) {
		mech.mechanism = k->size == 64 ? CKM_GOSTR3410_512 : CKM_GOSTR3410;
		len = k->size;
		RAND_bytes(msg, (int)len);
	} else {
		mech.mechanism = (i + w->index) % 2 ? CKM_SHA256_RSA_PKCS_PSS : CKM_SHA256_RSA_PKCS;
		if (mech.mechanism == CKM_SHA256_RSA_PKCS_PSS) {
			mech.pParameter = &pss;
			mech.ulParameterLen = sizeof pss;
		}
		len = (CK_ULONG)snprintf((char *)msg, sizeof msg, "thread %d key %s message %ld",
					 w->index, k->name, i);
	}
	rv = p11->C_SignInit(s, &mech, key);
	if (rv != CKR_OK)
		return rv;
	/* Ours now: nobody else calls C_Sign without their own C_SignInit. */
	rv = p11->C_Sign(s, msg, len, sig, &sig_len);
	if (rv != CKR_OK) {
		note(w, "C_Sign %ld: %s", i, rv_name(rv));
		return CKR_OK;
	}
	if (k->gost ? !verify_gost(k, msg, sig, sig_len)
		    : !verify_rsa(k, mech.mechanism, msg, len, sig, sig_len))
		note(w, "signature %ld with %s (mechanism 0x%lx) does not verify", i, k->name,
		     (unsigned long)mech.mechanism);
	else
		w->done++;
	return CKR_OK;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	CK_SESSION_HANDLE s = w->session;
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	if (!s && (rv = p11->C_OpenSession(w->key->slot, CKF_SERIAL_SESSION, NULL, NULL, &s)) !=
		  CKR_OK) {
		note(w, "C_OpenSession: %s", rv_name(rv));
		return NULL;
	}
	/* Each thread finds the key on its own (a find is an operation too on
	 * a shared session: retry while another thread's search runs). */
	do {
		key = find_one(s, CKO_PRIVATE_KEY);
	} while (key == CK_INVALID_HANDLE && w->session && (sched_yield(), 1) &&
		 w->busy++ < 1000000);
	if (key == CK_INVALID_HANDLE) {
		note(w, "no private key in %s", w->key->name);
		return NULL;
	}
	for (long i = 0; i < w->ops;) {
		CK_SESSION_INFO si;

		rv = sign_once(w, s, key, i);
		if (rv == CKR_OPERATION_ACTIVE && w->session) {
			w->busy++;
			sched_yield();
			continue;
		}
		if (rv != CKR_OK)
			note(w, "C_SignInit %ld: %s", i, rv_name(rv));
		if ((rv = p11->C_GetSessionInfo(s, &si)) != CKR_OK ||
		    si.state != CKS_RO_USER_FUNCTIONS)
			note(w, "C_GetSessionInfo: %s, state %lu", rv_name(rv),
			     (unsigned long)si.state);
		i++;
	}
	if (!w->session && (rv = p11->C_CloseSession(s)) != CKR_OK)
		note(w, "C_CloseSession: %s", rv_name(rv));
	return NULL;
}

/* Runs n workers; prints the phase's line; returns the failures. */
static long run_phase(const char *what, struct worker *w, int n)
{
	long failures = 0, done = 0, busy = 0, expected = 0;
	double t0 = now(), dt;

	for (int i = 0; i < n; i++)
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			exit(1);
		}
	for (int i = 0; i < n; i++)
		pthread_join(w[i].tid, NULL);
	dt = now() - t0;
	for (int i = 0; i < n; i++) {
		if (w[i].failures)
			printf("not ok - %s: thread %d (%s): %ld failures, first: %s\n", what, i,
			       w[i].key->name, w[i].failures, w[i].error);
		if (w[i].done != w[i].ops && !w[i].failures) {
			printf("not ok - %s: thread %d signed %ld of %ld\n", what, i, w[i].done,
			       w[i].ops);
			failures++;
		}
		failures += w[i].failures;
		done += w[i].done;
		busy += w[i].busy;
		expected += w[i].ops;
	}
	if (failures == 0)
		printf("ok - %s: %d threads, %ld signatures verified in %.1f s (%.0f/s)%s",
		       what, n, done, dt, done / dt, busy ? "" : "\n");
	if (failures == 0 && busy)
		printf(", CKR_OPERATION_ACTIVE %ld times\n", busy);
	fflush(stdout);
	return failures + (done != expected && failures == 0);
}

/* ---- set-up ---- */

static char tmpdir[256];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int run_cmd(const char *cmd)
{
	int st = system(cmd);

	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Links the first .p12 of dir (sorted by name) into the keys folder. */
static void link_first(const char *dir, const char *into)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort), linked = 0;
	char from[1024], to[1024];

	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);

		if (!linked && len > 4 && strcmp(name + len - 4, ".p12") == 0) {
			snprintf(from, sizeof from, "%s/%s", dir, name);
			snprintf(to, sizeof to, "%s/%s", into, name);
			linked = symlink(from, to) == 0;
		}
		free(list[i]);
	}
	free(list);
}

/* The generator's .cer equal to the token's certificate, or NULL. */
static X509 *cert_matching(const char *dir, const X509 *token_x)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	X509 *found = NULL;
	char path[1024];

	for (int i = 0; i < n; i++) {
		size_t len = strlen(list[i]->d_name);
		FILE *f;
		X509 *x;

		if (!found && len > 4 && strcmp(list[i]->d_name + len - 4, ".cer") == 0) {
			snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
			if ((f = fopen(path, "r"))) {
				x = PEM_read_X509(f, NULL, NULL, NULL);
				fclose(f);
				if (x && X509_cmp(x, token_x) == 0)
					found = x;
				else
					X509_free(x);
			}
		}
		free(list[i]);
	}
	free(list);
	return found;
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max) {
		fprintf(stderr, "%s must be a number from %ld to %ld\n", name, min, max);
		exit(1);
	}
	return v;
}

static int load_module(void)
{
	const char *path = getenv("KZP11_MODULE");
	CK_C_GetFunctionList get_list;
	void *lib;

	if (!path || !*path)
		path = ".libs/kzp11.so";
	if (!(lib = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
		return -1;
	}
	get_list = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
	return get_list && get_list(&p11) == CKR_OK ? 0 : -1;
}

/* Logs in to every slot and fills keys[] with what OpenSSL needs: the
 * public key from the generator's certificate (for the NCA samples, which
 * come without one, from the token's). */
static int collect_keys(const char *made_dir)
{
	CK_SLOT_ID slots[MAX_KEYS];
	CK_ULONG n = MAX_KEYS;
	CK_RV rv;

	if ((rv = p11->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK) {
		fprintf(stderr, "C_GetSlotList: %s\n", rv_name(rv));
		return -1;
	}
	for (CK_ULONG i = 0; i < n; i++) {
		struct key *k = &keys[n_keys];
		CK_KEY_TYPE type = 0;
		CK_ATTRIBUTE a = { CKA_KEY_TYPE, &type, sizeof type };
		CK_OBJECT_HANDLE priv;
		CK_TOKEN_INFO ti;
		X509 *x, *made;

		k->slot = slots[i];
		if (p11->C_GetTokenInfo(k->slot, &ti) != CKR_OK ||
		    p11->C_OpenSession(k->slot, CKF_SERIAL_SESSION, NULL, NULL,
				       &k->login_session) != CKR_OK ||
		    (rv = p11->C_Login(k->login_session, CKU_USER, (CK_UTF8CHAR_PTR)PIN,
				       sizeof PIN - 1)) != CKR_OK) {
			fprintf(stderr, "slot %lu: cannot log in: %s\n", (unsigned long)k->slot,
				rv_name(rv));
			return -1;
		}
		snprintf(k->name, sizeof k->name, "%.32s", (char *)ti.label);
		for (char *e = k->name + strlen(k->name); e > k->name && e[-1] == ' ';)
			*--e = '\0';
		priv = find_one(k->login_session, CKO_PRIVATE_KEY);
		x = token_cert(k->login_session);
		if (priv == CK_INVALID_HANDLE || !x ||
		    p11->C_GetAttributeValue(k->login_session, priv, &a, 1) != CKR_OK) {
			fprintf(stderr, "%s: no private key or certificate\n", k->name);
			X509_free(x);
			return -1;
		}
		made = cert_matching(made_dir, x);
		if (made) {
			X509_free(x);
			x = made;
		}
		if (type == CKK_RSA) {
			k->rsa_pub = made ? X509_get_pubkey(made) : NULL;
			if (!k->rsa_pub) {
				fprintf(stderr, "%s: not a certificate the generator wrote\n", k->name);
				X509_free(x);
				return -1;
			}
		} else {
			k->gost = 1;
			k->size = type == CKK_GOSTR3410_512 ? 64 : 32;
			k->group = make_curve(k->size);
			k->pub = k->group ? gost_point(k->group, x, k->size) : NULL;
			if (!k->pub || EC_POINT_is_on_curve(k->group, k->pub, NULL) != 1) {
				fprintf(stderr, "%s: the certificate's GOST key is not on the curve\n",
					k->name);
				X509_free(x);
				return -1;
			}
		}
		X509_free(x);
		n_keys++;
	}
	return 0;
}

int main(void)
{
	const char *gen = getenv("KZP11_MKCONTAINER"), *testkeys = getenv("KZP11_TESTKEYS");
	long ops = env_long("KZP11_STRESS_OPS", 200, 1, 100000000);
	int threads = (int)env_long("KZP11_STRESS_THREADS", 8, 1, MAX_THREADS);
	char cmd[2048], made_dir[300], keys_dir[300], path[400], *env;
	struct worker w[MAX_THREADS];
	long failures = 0;
	int have_gost = 0;
	CK_RV rv;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!gen || access(gen, X_OK) != 0) {
		printf("SKIP: no container generator (KZP11_MKCONTAINER)\n");
		return 77;
	}
	snprintf(tmpdir, sizeof tmpdir, "%s/kzp11-threads.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		tmpdir[0] = '\0';
		return 1;
	}
	atexit(cleanup);
	snprintf(made_dir, sizeof made_dir, "%s/rsa", tmpdir);
	snprintf(keys_dir, sizeof keys_dir, "%s/gost", tmpdir);
	mkdir(keys_dir, 0700);
	snprintf(cmd, sizeof cmd,
		 "'%s' --cert-out --kind auth '%s' >/dev/null && "
		 "'%s' --cert-out --kind sign --holder 'STRESS TEST' '%s' >/dev/null && "
		 "'%s' --cert-out --alg gost2015 --kind sign --holder 'STRESS GOST' '%s' >/dev/null",
		 gen, made_dir, gen, made_dir, gen, made_dir);
	if (run_cmd(cmd) != 0) {
		fprintf(stderr, "kzp11-mkcontainer failed\n");
		return 1;
	}
	/* And one GOST container of each generation from the NCA test set. */
	if (testkeys && *testkeys) {
		snprintf(path, sizeof path, "%s/gost-2004", testkeys);
		link_first(path, keys_dir);
		snprintf(path, sizeof path, "%s/gost-2015", testkeys);
		link_first(path, keys_dir);
	}
	if (asprintf(&env, "%s:%s", made_dir, keys_dir) < 0)
		return 1;
	setenv("KZP11_KEYS", env, 1);
	free(env);
	snprintf(path, sizeof path, "%s/empty.conf", tmpdir);
	fclose(fopen(path, "w"));
	setenv("KZP11_CONF", path, 1);
	setenv("HOME", tmpdir, 1);
	snprintf(path, sizeof path, "%s/cache", tmpdir);
	setenv("XDG_CACHE_HOME", path, 1);

	if (load_module() != 0)
		return 1;
	if ((rv = p11->C_Initialize(&(CK_C_INITIALIZE_ARGS){ .flags = CKF_OS_LOCKING_OK })) !=
	    CKR_OK) {
		fprintf(stderr, "C_Initialize: %s\n", rv_name(rv));
		return 1;
	}
	if (collect_keys(made_dir) != 0)
		return 1;
	for (int i = 0; i < n_keys; i++)
		have_gost |= keys[i].gost;
	if (n_keys < 5)
		printf("# no NCA samples (KZP11_TESTKEYS/gost-2004, gost-2015): generated keys only\n");
	printf("# %d keys, %d threads per phase, %ld signatures per thread\n", n_keys, threads,
	       ops);

	memset(w, 0, sizeof w);
	for (int i = 0; i < threads; i++)
		w[i] = (struct worker){ .index = i, .key = &keys[i % n_keys], .ops = ops };
	failures += run_phase("own sessions", w, threads);

	/* One shared session per key kind: RSA, then GOST when there is one. */
	for (int gost = 0; gost <= have_gost; gost++) {
		struct key *k = NULL;
		CK_SESSION_HANDLE shared;

		for (int i = 0; i < n_keys && !k; i++)
			if (keys[i].gost == gost)
				k = &keys[i];
		if ((rv = p11->C_OpenSession(k->slot, CKF_SERIAL_SESSION, NULL, NULL, &shared)) !=
		    CKR_OK) {
			fprintf(stderr, "C_OpenSession: %s\n", rv_name(rv));
			return 1;
		}
		memset(w, 0, sizeof w);
		for (int i = 0; i < threads; i++)
			w[i] = (struct worker){ .index = i, .key = k, .ops = ops,
						.session = shared };
		snprintf(path, sizeof path, "one shared session (%s)", gost ? "GOST" : "RSA");
		failures += run_phase(path, w, threads);
		if ((rv = p11->C_CloseSession(shared)) != CKR_OK) {
			printf("not ok - C_CloseSession of the shared session: %s\n", rv_name(rv));
			failures++;
		}
	}
	if ((rv = p11->C_Finalize(NULL)) != CKR_OK) {
		printf("not ok - C_Finalize: %s\n", rv_name(rv));
		failures++;
	}
	for (int i = 0; i < n_keys; i++) {
		EVP_PKEY_free(keys[i].rsa_pub);
		EC_POINT_free(keys[i].pub);
		EC_GROUP_free(keys[i].group);
	}
	printf("%s\n", failures ? "FAILED" : "all signatures verified");
	return failures ? 1 : 0;
}
