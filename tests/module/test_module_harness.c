/*
 * The module test harness: loading kzp11.so, making the test containers,
 * the per-test environment, and helpers shared by the suites.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct fixture fx[FX_COUNT] = {
	[FX_AUTH] = { .role = "AUTH" },
	[FX_SIGN] = { .role = "SIGN" },
	[FX_MODERN] = { .role = "modern" },
};
char h_tmpdir[1024];
CK_FUNCTION_LIST_PTR p11;
CK_FUNCTION_LIST_3_0 *p11_3;
CK_C_GetInterface h_get_interface;
CK_C_GetInterfaceList h_get_interface_list;

static char keys_dir[1100];
static char keys_env[8192];
static char conf_path[4096];
static char home_dir[4096];
static char cache_dir[4096];

/* ---- return value names ---- */

#define RV(name) { name, #name }
static const struct { CK_RV rv; const char *name; } rv_names[] = {
	RV(CKR_OK), RV(CKR_HOST_MEMORY), RV(CKR_SLOT_ID_INVALID), RV(CKR_GENERAL_ERROR),
	RV(CKR_FUNCTION_FAILED), RV(CKR_ARGUMENTS_BAD), RV(CKR_NO_EVENT), RV(CKR_CANT_LOCK),
	RV(CKR_ATTRIBUTE_SENSITIVE), RV(CKR_ATTRIBUTE_TYPE_INVALID),
	RV(CKR_ATTRIBUTE_VALUE_INVALID), RV(CKR_ACTION_PROHIBITED), RV(CKR_DATA_INVALID),
	RV(CKR_DATA_LEN_RANGE), RV(CKR_DEVICE_ERROR), RV(CKR_DEVICE_REMOVED),
	RV(CKR_ENCRYPTED_DATA_INVALID), RV(CKR_ENCRYPTED_DATA_LEN_RANGE),
	RV(CKR_FUNCTION_NOT_PARALLEL), RV(CKR_FUNCTION_NOT_SUPPORTED),
	RV(CKR_KEY_HANDLE_INVALID), RV(CKR_KEY_SIZE_RANGE), RV(CKR_KEY_TYPE_INCONSISTENT),
	RV(CKR_KEY_FUNCTION_NOT_PERMITTED), RV(CKR_KEY_INDIGESTIBLE),
	RV(CKR_MECHANISM_INVALID), RV(CKR_MECHANISM_PARAM_INVALID),
	RV(CKR_OBJECT_HANDLE_INVALID), RV(CKR_OPERATION_ACTIVE),
	RV(CKR_OPERATION_NOT_INITIALIZED), RV(CKR_PIN_INCORRECT), RV(CKR_PIN_LEN_RANGE),
	RV(CKR_SESSION_CLOSED), RV(CKR_SESSION_HANDLE_INVALID),
	RV(CKR_SESSION_PARALLEL_NOT_SUPPORTED), RV(CKR_SESSION_READ_ONLY),
	RV(CKR_SIGNATURE_INVALID), RV(CKR_SIGNATURE_LEN_RANGE), RV(CKR_TEMPLATE_INCOMPLETE),
	RV(CKR_TOKEN_WRITE_PROTECTED), RV(CKR_USER_ALREADY_LOGGED_IN),
	RV(CKR_USER_NOT_LOGGED_IN), RV(CKR_USER_TYPE_INVALID),
	RV(CKR_RANDOM_SEED_NOT_SUPPORTED), RV(CKR_BUFFER_TOO_SMALL),
	RV(CKR_CRYPTOKI_NOT_INITIALIZED), RV(CKR_CRYPTOKI_ALREADY_INITIALIZED),
	RV(CKR_MUTEX_BAD), RV(CKR_MUTEX_NOT_LOCKED),
};

const char *h_rv_name(CK_RV rv)
{
	static __thread char buf[32];

	for (size_t i = 0; i < sizeof rv_names / sizeof *rv_names; i++)
		if (rv_names[i].rv == rv)
			return rv_names[i].name;
	snprintf(buf, sizeof buf, "0x%08lx", (unsigned long)rv);
	return buf;
}

/* ---- loading the module ---- */

int h_load_module(void)
{
	const char *path = getenv("KZP11_MODULE");
	CK_C_GetFunctionList get_list;
	CK_INTERFACE_PTR iface = NULL;
	void *lib;

	if (!path || !*path)
		path = ".libs/kzp11.so";
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "module %s not found: nothing to test\n", path);
		return 77;
	}
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "cannot load the module %s: %s\n", path, dlerror());
		return 1;
	}
	get_list = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
	h_get_interface = (CK_C_GetInterface)dlsym(lib, "C_GetInterface");
	h_get_interface_list = (CK_C_GetInterfaceList)dlsym(lib, "C_GetInterfaceList");
	if (!get_list || !h_get_interface || !h_get_interface_list) {
		fprintf(stderr, "%s does not export the PKCS#11 entry points\n", path);
		return 1;
	}
	if (get_list(&p11) != CKR_OK ||
	    h_get_interface((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, 0) != CKR_OK || !iface) {
		fprintf(stderr, "%s: cannot get its function lists\n", path);
		return 1;
	}
	p11_3 = iface->pFunctionList;
	return 0;
}

/* ---- files ---- */

int h_read_file(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	*buf = NULL;
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(*buf = malloc((size_t)n + 1)) || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

int h_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int copy_file(const char *from, const char *to, size_t max)
{
	unsigned char *buf;
	size_t len;
	int rc;

	if (h_read_file(from, &buf, &len) < 0)
		return -1;
	rc = h_write_file(to, buf, len < max ? len : max);
	free(buf);
	return rc;
}

void h_hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
	out[2 * n] = '\0';
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

void h_cleanup(void)
{
	if (h_tmpdir[0])
		nftw(h_tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (int i = 0; i < FX_COUNT; i++)
		X509_free(fx[i].cert);
}

/* ---- making the containers ---- */

static const char *generator(void)
{
	const char *gen = getenv("KZP11_MKCONTAINER");
	return gen && *gen ? gen : "tests/fixtures/kzp11-mkcontainer";
}

/* Runs the generator with extra arguments; the container path it prints goes to out. */
static int generate(const char *outdir, const char *const *args, char *out, size_t size)
{
	const char *gen = generator();
	const char *argv[16];
	int n = 0, fds[2], status;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	ssize_t got;
	size_t used = 0;

	argv[n++] = gen;
	argv[n++] = "--cert-out";
	while (*args && n < 14)
		argv[n++] = *args++;
	argv[n++] = outdir;
	argv[n] = NULL;
	if (pipe(fds) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawn(&pid, gen, &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (used < size - 1 && (got = read(fds[0], out + used, size - 1 - used)) > 0)
		used += (size_t)got;
	close(fds[0]);
	out[used] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    !*out) {
		fprintf(stderr, "%s failed\n", gen);
		return -1;
	}
	return 0;
}

static X509 *read_pem_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *cert;

	if (!f)
		return NULL;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return cert;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Makes one container in gen/, copies it into dest_dir under the generator's
 * name and records its identity. */
static int make_container(struct fixture *f, const char *const *args, const char *dest_dir,
			  int id_is_cert_hash)
{
	char gen_dir[4096 + 8], made[4096], cer[4096 + 8];
	const ASN1_OCTET_STRING *ski;
	unsigned char *der = NULL;
	int der_len;
	unsigned int md_len = 0;

	snprintf(gen_dir, sizeof gen_dir, "%s/gen", h_tmpdir);
	if (generate(gen_dir, args, made, sizeof made) < 0)
		return -1;
	snprintf(cer, sizeof cer, "%.*s.cer", (int)(strlen(made) - 4), made);
	snprintf(f->path, sizeof f->path, "%s/%s", dest_dir, base_name(made));
	f->cert = read_pem_cert(cer);
	if (!f->cert || copy_file(made, f->path, SIZE_MAX) < 0) {
		fprintf(stderr, "cannot use the generated %s\n", made);
		return -1;
	}
	ski = X509_get0_subject_key_id(f->cert);
	if (!ski || ski->length > (int)sizeof f->ski)
		return -1;
	memcpy(f->ski, ski->data, (size_t)ski->length);
	f->ski_len = (size_t)ski->length;
	if (!id_is_cert_hash) {
		memcpy(f->key_id, f->ski, f->ski_len);
		f->key_id_len = f->ski_len;
		return 0;
	}
	/* OpenSSL's own export names the key by the certificate's SHA-1. */
	der_len = i2d_X509(f->cert, &der);
	if (der_len <= 0 || !EVP_Digest(der, (size_t)der_len, f->key_id, &md_len, EVP_sha1(), NULL))
		return -1;
	OPENSSL_free(der);
	f->key_id_len = md_len;
	return 0;
}

/*
 * keys/   AUTH and SIGN containers (NCA format), a damaged copy, a DER
 *         certificate named .p12, a text file, and backup/ with a second
 *         copy of the AUTH container;
 * extra/modern.p12, named on its own in KZP11_KEYS.
 */
int h_make_fixtures(void)
{
	static const char *const auth_args[] = { "--kind", "auth", NULL };
	static const char *const sign_args[] = {
		"--kind", "sign", "--holder", "ӘЛИЕВ: ГҮЛНАР САРСЕНҚЫЗЫ", NULL };
	static const char *const modern_args[] = {
		"--format", "modern", "--name", "modern.p12", "--holder", "IVANOV IVAN", NULL };
	const char *tmp = getenv("TMPDIR");
	char path[8192], extra_dir[4096 + 8];
	unsigned char *der = NULL;
	int der_len;

	if (access(generator(), X_OK) != 0) {
		fprintf(stderr, "container generator %s not found: nothing to test with\n",
			generator());
		return 77;
	}
	snprintf(h_tmpdir, sizeof h_tmpdir, "%s/kzp11-module-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(h_tmpdir)) {
		perror("mkdtemp");
		h_tmpdir[0] = '\0';
		return 1;
	}
	snprintf(keys_dir, sizeof keys_dir, "%s/keys", h_tmpdir);
	snprintf(home_dir, sizeof home_dir, "%s/home", h_tmpdir);
	snprintf(conf_path, sizeof conf_path, "%s/empty.conf", h_tmpdir);
	snprintf(extra_dir, sizeof extra_dir, "%s/extra", h_tmpdir);
	if (mkdir(keys_dir, 0700) < 0 || mkdir(home_dir, 0700) < 0 || mkdir(extra_dir, 0700) < 0 ||
	    h_write_file(conf_path, "", 0) < 0)
		return 1;
	snprintf(path, sizeof path, "%s/keys/backup", h_tmpdir);
	if (mkdir(path, 0700) < 0)
		return 1;

	if (make_container(&fx[FX_AUTH], auth_args, keys_dir, 0) < 0 ||
	    make_container(&fx[FX_SIGN], sign_args, keys_dir, 0) < 0 ||
	    make_container(&fx[FX_MODERN], modern_args, extra_dir, 1) < 0)
		return 1;

	/* What must not become a slot. */
	snprintf(path, sizeof path, "%s/damaged.p12", keys_dir);
	if (copy_file(fx[FX_AUTH].path, path, 1200) < 0)
		return 1;
	snprintf(path, sizeof path, "%s/certificate.p12", keys_dir);
	der_len = i2d_X509(fx[FX_AUTH].cert, &der);
	if (der_len <= 0 || h_write_file(path, der, (size_t)der_len) < 0)
		return 1;
	OPENSSL_free(der);
	snprintf(path, sizeof path, "%s/readme.txt", keys_dir);
	if (h_write_file(path, "Password: see the envelope\n", 27) < 0)
		return 1;
	snprintf(path, sizeof path, "%s/backup/%s", keys_dir, base_name(fx[FX_AUTH].path));
	if (copy_file(fx[FX_AUTH].path, path, SIZE_MAX) < 0)
		return 1;

	snprintf(keys_env, sizeof keys_env, "%s:%s", keys_dir, fx[FX_MODERN].path);
	return 0;
}

/* ---- environment ---- */

void h_env(const char *keys)
{
	snprintf(cache_dir, sizeof cache_dir, "%s/cache-XXXXXX", h_tmpdir);
	ck_assert_msg(mkdtemp(cache_dir) != NULL, "mkdtemp: %s", strerror(errno));
	setenv("KZP11_KEYS", keys, 1);
	setenv("KZP11_CONF", conf_path, 1);
	setenv("HOME", home_dir, 1);
	setenv("XDG_CACHE_HOME", cache_dir, 1);
	unsetenv("XDG_CONFIG_HOME");
	/* The damaged files are reported on every scan; keep the output readable. */
	if (!getenv("KZP11_TEST_VERBOSE"))
		setenv("KZP11_DEBUG", "0", 1);
}

void h_env_default(void)
{
	h_env(keys_env);
}

const char *h_cache_dir(void)
{
	return cache_dir;
}

void setup_env(void)
{
	h_env_default();
}

void setup_init(void)
{
	h_env_default();
	ck_assert_ok(p11->C_Initialize(NULL));
}

void teardown_fini(void)
{
	p11->C_Finalize(NULL);
}

/* ---- slots and sessions ---- */

CK_ULONG h_slot_count(void)
{
	CK_ULONG n = 0;

	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, NULL, &n));
	return n;
}

/* The token serial is the first 8 bytes of the container's key ID in hex. */
int h_try_slot(enum fx_id id, CK_SLOT_ID *out)
{
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32;
	CK_TOKEN_INFO ti;
	char want[129];

	h_hex(fx[id].key_id, fx[id].key_id_len < 8 ? fx[id].key_id_len : 8, want);
	if (p11->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return -1;
	for (CK_ULONG i = 0; i < n; i++)
		if (p11->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    memcmp(ti.serialNumber, want, 16) == 0) {
			*out = slots[i];
			return 0;
		}
	return -1;
}

CK_SLOT_ID h_slot(enum fx_id id)
{
	CK_SLOT_ID slot = 0;

	ck_assert_msg(h_try_slot(id, &slot) == 0, "no slot shows the %s container", fx[id].role);
	return slot;
}

CK_SESSION_HANDLE h_open(CK_SLOT_ID slot, CK_FLAGS flags)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;

	ck_assert_ok(p11->C_OpenSession(slot, flags | CKF_SERIAL_SESSION, NULL, NULL, &s));
	ck_assert(s != CK_INVALID_HANDLE);
	return s;
}

CK_SESSION_HANDLE h_open_fx(enum fx_id id)
{
	return h_open(h_slot(id), 0);
}

void h_login(CK_SESSION_HANDLE s)
{
	ck_assert_ok(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN));
}

CK_STATE h_state(CK_SESSION_HANDLE s)
{
	CK_SESSION_INFO info;

	ck_assert_ok(p11->C_GetSessionInfo(s, &info));
	return info.state;
}

/* ---- objects ---- */

CK_ULONG h_find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *templ, CK_ULONG n, CK_OBJECT_HANDLE *out,
		CK_ULONG max)
{
	CK_OBJECT_HANDLE h;
	CK_ULONG got, total = 0;

	ck_assert_ok(p11->C_FindObjectsInit(s, templ, n));
	/* One at a time, to exercise the cursor. */
	for (;;) {
		ck_assert_ok(p11->C_FindObjects(s, &h, 1, &got));
		if (got == 0)
			break;
		ck_assert_uint_eq(got, 1);
		if (total < max)
			out[total] = h;
		total++;
		ck_assert_msg(total < 1000, "C_FindObjects never ends");
	}
	ck_assert_ok(p11->C_FindObjectsFinal(s));
	return total;
}

CK_ULONG h_count_class(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };

	return h_find(s, &t, 1, NULL, 0);
}

CK_OBJECT_HANDLE h_find_class(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = h_find(s, &t, 1, &h, 1);

	ck_assert_msg(n == 1, "%lu objects of class 0x%lx, expected 1", (unsigned long)n,
		      (unsigned long)cls);
	return h;
}

unsigned char *h_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		      CK_ULONG *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	unsigned char *v;

	ck_assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	ck_assert_msg(a.ulValueLen != CK_UNAVAILABLE_INFORMATION, "attribute 0x%lx unavailable",
		      (unsigned long)type);
	v = malloc(a.ulValueLen + 1);
	ck_assert_ptr_nonnull(v);
	a.pValue = v;
	ck_assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	*len = a.ulValueLen;
	return v;
}

CK_ULONG h_attr_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG v = 0;
	CK_ATTRIBUTE a = { type, &v, sizeof v };

	ck_assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	ck_assert_uint_eq(a.ulValueLen, sizeof v);
	return v;
}

CK_BBOOL h_attr_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = 0xAA;
	CK_ATTRIBUTE a = { type, &v, sizeof v };

	ck_assert_ok(p11->C_GetAttributeValue(s, o, &a, 1));
	ck_assert_uint_eq(a.ulValueLen, sizeof v);
	ck_assert_msg(v == CK_TRUE || v == CK_FALSE, "attribute 0x%lx is not a CK_BBOOL",
		      (unsigned long)type);
	return v;
}

X509 *h_cert_object(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE cert)
{
	CK_ULONG len;
	unsigned char *der = h_attr(s, cert, CKA_VALUE, &len);
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);

	ck_assert_msg(x != NULL && p == der + len, "CKA_VALUE is not a DER certificate");
	free(der);
	return x;
}

CK_OBJECT_HANDLE h_try_find_class(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;
	CK_RV rv = p11->C_FindObjectsInit(s, &t, 1);

	if (rv != CKR_OK)
		return CK_INVALID_HANDLE;
	rv = p11->C_FindObjects(s, h, 2, &n);
	if (p11->C_FindObjectsFinal(s) != CKR_OK || rv != CKR_OK || n != 1)
		return CK_INVALID_HANDLE;
	return h[0];
}

void h_mechanism(CK_MECHANISM_TYPE type, CK_RSA_PKCS_PSS_PARAMS *pss, CK_MECHANISM *out)
{
	CK_MECHANISM_TYPE hash = type == CKM_RSA_PKCS_PSS ? CKM_SHA256 : h_hash_of(type);
	const EVP_MD *md = h_md(hash);

	out->mechanism = type;
	out->pParameter = NULL;
	out->ulParameterLen = 0;
	if (!h_is_pss(type))
		return;
	pss->hashAlg = hash;
	pss->mgf = h_mgf_of(hash);
	pss->sLen = (CK_ULONG)EVP_MD_get_size(md);
	out->pParameter = pss;
	out->ulParameterLen = sizeof *pss;
}

void h_mech_input(CK_MECHANISM_TYPE mech, const unsigned char *msg, size_t len,
		  unsigned char *out, CK_ULONG *out_len)
{
	static const unsigned char sha256_prefix[] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
	};
	unsigned int n = 0;

	switch (mech) {
	case CKM_RSA_PKCS:
		memcpy(out, sha256_prefix, sizeof sha256_prefix);
		EVP_Digest(msg, len, out + sizeof sha256_prefix, &n, EVP_sha256(), NULL);
		*out_len = sizeof sha256_prefix + n;
		break;
	case CKM_RSA_PKCS_PSS:
		EVP_Digest(msg, len, out, &n, EVP_sha256(), NULL);
		*out_len = n;
		break;
	default:
		memcpy(out, msg, len);
		*out_len = len;
		break;
	}
}

CK_RV h_try_sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech,
		 const unsigned char *in, CK_ULONG in_len, unsigned char *sig, CK_ULONG *sig_len)
{
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_MECHANISM m;
	CK_RV rv;

	h_mechanism(mech, &pss, &m);
	rv = p11->C_SignInit(s, &m, key);
	if (rv == CKR_OK)
		rv = p11->C_Sign(s, (CK_BYTE_PTR)in, in_len, sig, sig_len);
	return rv;
}

/* ---- OpenSSL as the independent checker ---- */

CK_MECHANISM_TYPE h_hash_of(CK_MECHANISM_TYPE mech)
{
	switch (mech) {
	case CKM_SHA1_RSA_PKCS: case CKM_SHA1_RSA_PKCS_PSS: return CKM_SHA_1;
	case CKM_SHA224_RSA_PKCS: case CKM_SHA224_RSA_PKCS_PSS: return CKM_SHA224;
	case CKM_SHA256_RSA_PKCS: case CKM_SHA256_RSA_PKCS_PSS: return CKM_SHA256;
	case CKM_SHA384_RSA_PKCS: case CKM_SHA384_RSA_PKCS_PSS: return CKM_SHA384;
	case CKM_SHA512_RSA_PKCS: case CKM_SHA512_RSA_PKCS_PSS: return CKM_SHA512;
	default: return 0;
	}
}

const EVP_MD *h_md(CK_MECHANISM_TYPE hash_mech)
{
	switch (hash_mech) {
	case CKM_SHA_1: return EVP_sha1();
	case CKM_SHA224: return EVP_sha224();
	case CKM_SHA256: return EVP_sha256();
	case CKM_SHA384: return EVP_sha384();
	case CKM_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

CK_RSA_PKCS_MGF_TYPE h_mgf_of(CK_MECHANISM_TYPE hash_mech)
{
	switch (hash_mech) {
	case CKM_SHA_1: return CKG_MGF1_SHA1;
	case CKM_SHA224: return CKG_MGF1_SHA224;
	case CKM_SHA256: return CKG_MGF1_SHA256;
	case CKM_SHA384: return CKG_MGF1_SHA384;
	case CKM_SHA512: return CKG_MGF1_SHA512;
	default: return 0;
	}
}

int h_is_pss(CK_MECHANISM_TYPE mech)
{
	return mech == CKM_RSA_PKCS_PSS || mech == CKM_SHA1_RSA_PKCS_PSS ||
	       mech == CKM_SHA224_RSA_PKCS_PSS || mech == CKM_SHA256_RSA_PKCS_PSS ||
	       mech == CKM_SHA384_RSA_PKCS_PSS || mech == CKM_SHA512_RSA_PKCS_PSS;
}

/* Raw mechanisms: what the signature opens to must be the input itself. */
static int verify_recover(EVP_PKEY *pkey, int padding, const unsigned char *msg, size_t msg_len,
			  const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
	unsigned char out[2048];
	size_t out_len = sizeof out;
	size_t k = (size_t)EVP_PKEY_get_size(pkey);
	int ok = ctx && EVP_PKEY_verify_recover_init(ctx) > 0 &&
		 EVP_PKEY_CTX_set_rsa_padding(ctx, padding) > 0 &&
		 EVP_PKEY_verify_recover(ctx, out, &out_len, sig, sig_len) > 0;

	if (ok && padding == RSA_NO_PADDING) {
		/* RSA_X_509 input shorter than the modulus counts as left-padded with zeros. */
		ok = out_len == k && msg_len <= k;
		for (size_t i = 0; ok && i < k - msg_len; i++)
			ok = out[i] == 0;
		ok = ok && memcmp(out + (k - msg_len), msg, msg_len) == 0;
	} else if (ok) {
		ok = out_len == msg_len && memcmp(out, msg, msg_len) == 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

int h_ossl_verify_pss_hash(X509 *cert, const EVP_MD *md, const unsigned char *hash,
			   size_t hash_len, const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(cert), NULL);
	int ok = ctx && EVP_PKEY_verify_init(ctx) > 0 &&
		 EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		 EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
		 EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0 &&
		 EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, EVP_MD_get_size(md)) > 0 &&
		 EVP_PKEY_verify(ctx, sig, sig_len, hash, hash_len) == 1;

	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int h_ossl_verify(X509 *cert, CK_MECHANISM_TYPE mech, const unsigned char *msg, size_t msg_len,
		  const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY *pkey = X509_get0_pubkey(cert);
	const EVP_MD *md = h_md(h_hash_of(mech));
	EVP_MD_CTX *mctx;
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (!pkey || sig_len != (size_t)EVP_PKEY_get_size(pkey))
		return 0;
	if (mech == CKM_RSA_PKCS) {
		ok = verify_recover(pkey, RSA_PKCS1_PADDING, msg, msg_len, sig, sig_len);
	} else if (mech == CKM_RSA_X_509) {
		ok = verify_recover(pkey, RSA_NO_PADDING, msg, msg_len, sig, sig_len);
	} else if (mech == CKM_RSA_PKCS_PSS) {
		ok = h_ossl_verify_pss_hash(cert, EVP_sha256(), msg, msg_len, sig, sig_len);
	} else if (md) {
		mctx = EVP_MD_CTX_new();
		ok = mctx && EVP_DigestVerifyInit(mctx, &pctx, md, NULL, pkey) == 1;
		if (ok && h_is_pss(mech))
			ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
			     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0 &&
			     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, EVP_MD_get_size(md)) > 0;
		ok = ok && EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len) == 1;
		EVP_MD_CTX_free(mctx);
	}
	ERR_clear_error();
	return ok;
}
