/*
 * C_SetPIN on container slots, through the loaded kzp11.so.  Each test works
 * on its own copy of a container in its own folder.  What the changed file
 * is judged by comes from elsewhere: the openssl program opens it with the
 * new password, OpenSSL verifies signatures, `openssl asn1parse` shows its
 * layout next to the original's (and, with $KZP11_TESTKEYS, a real NCA
 * file's).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <errno.h>
#include <stdarg.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NEW_PIN "Nov#2026.kz"
#define NEW_PIN_LEN ((CK_ULONG)(sizeof NEW_PIN - 1))

static char dir[4096];        /* this test's key folder */
static char file[4200];       /* the container in it */

/* ---- helpers ---- */

static void read_all(const char *path, unsigned char **buf, size_t *len)
{
	ck_assert_msg(h_read_file(path, buf, len) == 0, "cannot read %s", path);
}

/* A new folder holding a copy of `src` named `name`; the module sees only it. */
static void use_copy(const char *src, const char *name)
{
	unsigned char *buf;
	size_t len;

	snprintf(dir, sizeof dir, "%s/setpin-XXXXXX", h_tmpdir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof file, "%s/%s", dir, name);
	read_all(src, &buf, &len);
	ck_assert_int_eq(h_write_file(file, buf, len), 0);
	ck_assert_int_eq(chmod(file, 0600), 0);
	free(buf);
	h_env(dir);
}

static void setup_nca(void)
{
	use_copy(fx[FX_AUTH].path, "AUTH_RSA256_test.p12");
	ck_assert_ok(p11->C_Initialize(NULL));
}

static void setup_modern(void)
{
	use_copy(fx[FX_MODERN].path, "modern.p12");
	ck_assert_ok(p11->C_Initialize(NULL));
}

static CK_SLOT_ID only_slot(void)
{
	CK_SLOT_ID slot;
	CK_ULONG n = 1;

	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, &slot, &n));
	ck_assert_uint_eq(n, 1);
	return slot;
}

static CK_SESSION_HANDLE rw_session(void)
{
	return h_open(only_slot(), CKF_RW_SESSION);
}

static CK_RV set_pin(CK_SESSION_HANDLE s, const char *old_pin, const char *new_pin)
{
	return p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)old_pin, (CK_ULONG)strlen(old_pin),
			     (CK_UTF8CHAR_PTR)new_pin, (CK_ULONG)strlen(new_pin));
}

static CK_RV login(CK_SESSION_HANDLE s, const char *pin)
{
	return p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
}

/* Files in the test folder other than the container (temporaries left behind). */
static int other_files(void)
{
	char cmd[4400];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -vxc '%s'", dir, strrchr(file, '/') + 1);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* Signs with the token's private key and checks the signature with OpenSSL. */
static void sign_and_check(CK_SESSION_HANDLE s, X509 *cert)
{
	static const unsigned char msg[] = "a document signed after the password change";
	CK_OBJECT_HANDLE key = h_find_class(s, CKO_PRIVATE_KEY);
	unsigned char sig[1024];
	CK_ULONG sig_len = sizeof sig;

	ck_assert_ok(h_try_sign(s, key, CKM_SHA256_RSA_PKCS, msg, sizeof msg - 1, sig, &sig_len));
	ck_assert_msg(h_ossl_verify(cert, CKM_SHA256_RSA_PKCS, msg, sizeof msg - 1, sig, sig_len),
		      "OpenSSL does not verify the signature made after the change");
}

/* Runs a shell command; its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int have_openssl(void)
{
	return sh("openssl version >/dev/null 2>&1") == 0;
}

/* The certificate and the public key the openssl program finds in a container. */
static X509 *openssl_cert(const char *p12, const char *pw, EVP_PKEY **pub)
{
	char out[4400];
	FILE *f;
	X509 *cert;

	snprintf(out, sizeof out, "%s/openssl.pem", dir);
	if (sh("openssl pkcs12 -legacy -in '%s' -passin 'pass:%s' -nodes -out '%s' 2>/dev/null",
	       p12, pw, out) != 0)
		return NULL;
	f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	rewind(f);
	*pub = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	unlink(out);
	return cert;
}

/* `openssl asn1parse` of the PFX, of the AuthenticatedSafe inside it and
 * of the unencrypted safes inside that, with offsets and byte values
 * dropped: tags, definite or indefinite lengths, OIDs, integers. */
static char *layout(const char *p12)
{
	char out[4400];
	unsigned char *buf;
	size_t len;

	snprintf(out, sizeof out, "%s/layout.txt", dir);
	ck_assert_int_eq(sh("f='%s'; { openssl asn1parse -inform DER -in \"$f\" -i && "
			    "openssl asn1parse -inform DER -in \"$f\" -i -strparse 26 && "
			    "for o in $(openssl asn1parse -inform DER -in \"$f\" -strparse 26 | "
			    "awk -F: '/d=3 .*OCTET STRING/ { print $1 + 0 }'); do "
			    "openssl asn1parse -inform DER -in \"$f\" -i -strparse 26 -strparse $o; "
			    "done; } 2>&1 | sed -e 's/^ *[0-9]*://' -e 's/\\[HEX DUMP\\]:.*/[HEX]/' "
			    ">'%s'", p12, out), 0);
	read_all(out, &buf, &len);
	unlink(out);
	buf[len] = '\0';
	return (char *)buf;
}

static void assert_same_layout(const char *before, const char *after)
{
	char *a = layout(before), *b = layout(after);

	ck_assert_msg(strlen(a) > 200, "asn1parse shows too little:\n%s", a);
	ck_assert_msg(strcmp(a, b) == 0, "the layout changed:\n--- before\n%s\n--- after\n%s", a, b);
	free(a);
	free(b);
}

/* ---- the password rules and refusals: the file stays byte for byte ---- */

static unsigned char *saved;
static size_t saved_len;

static void save_file(void)
{
	read_all(file, &saved, &saved_len);
}

static void assert_file_unchanged(void)
{
	unsigned char *now;
	size_t len;

	read_all(file, &now, &len);
	ck_assert_msg(len == saved_len && memcmp(now, saved, len) == 0,
		      "the container changed although C_SetPIN failed");
	free(now);
	free(saved);
	saved = NULL;
	ck_assert_int_eq(other_files(), 0);
}

START_TEST(test_wrong_old_pin)
{
	CK_SESSION_HANDLE s = rw_session();

	save_file();
	ck_assert_rv(set_pin(s, WRONG_PIN, NEW_PIN), CKR_PIN_INCORRECT);
	ck_assert_rv(set_pin(s, "", NEW_PIN), CKR_PIN_INCORRECT);
	assert_file_unchanged();
	ck_assert_ok(login(s, PIN));
}
END_TEST

START_TEST(test_password_rules)
{
	CK_SESSION_HANDLE s = rw_session();
	static const char *const too_long_or_short[] = {
		"Ab1", "Ab1#5", "Abcdefghij0123456789Abcdefghij012",   /* 3, 5, 33 */
	};
	static const char *const invalid[] = {
		"Qwerty 12", "Qwerty12~", "Qwerty12,", "Пароль123", "Qwerty12\"", "Qwe\trty12",
		"Qwerty12/", "Qwerty12'",
	};

	save_file();
	for (size_t i = 0; i < sizeof too_long_or_short / sizeof *too_long_or_short; i++)
		ck_assert_rv(set_pin(s, PIN, too_long_or_short[i]), CKR_PIN_LEN_RANGE);
	for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
		ck_assert_rv(set_pin(s, PIN, invalid[i]), CKR_PIN_INVALID);
	/* An embedded NUL is not a letter either. */
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)PIN, PIN_LEN,
				   (CK_UTF8CHAR_PTR)"Qwerty\0" "12", 9), CKR_PIN_INVALID);
	/* The rules are checked before the old password. */
	ck_assert_rv(set_pin(s, WRONG_PIN, "short"), CKR_PIN_LEN_RANGE);
	assert_file_unchanged();
}
END_TEST

START_TEST(test_rules_boundaries)
{
	CK_SESSION_HANDLE s = rw_session();
	static const char six[] = "#$^+=!";   /* only symbols NCA allows */
	static const char thirty_two[] = "*()@%&_?-.aZ09bY18cX27dW36eV45fU";

	ck_assert_uint_eq(strlen(thirty_two), 32);
	ck_assert_ok(set_pin(s, PIN, six));
	ck_assert_ok(set_pin(s, six, thirty_two));
	ck_assert_rv(login(s, six), CKR_PIN_INCORRECT);
	ck_assert_ok(login(s, thirty_two));
}
END_TEST

START_TEST(test_read_only_session)
{
	CK_SESSION_HANDLE ro = h_open(only_slot(), 0);

	save_file();
	ck_assert_rv(set_pin(ro, PIN, NEW_PIN), CKR_SESSION_READ_ONLY);
	/* Logged in through it, still read-only. */
	ck_assert_ok(login(ro, PIN));
	ck_assert_rv(set_pin(ro, PIN, NEW_PIN), CKR_SESSION_READ_ONLY);
	assert_file_unchanged();
}
END_TEST

START_TEST(test_null_arguments)
{
	CK_SESSION_HANDLE s = rw_session();

	save_file();
	ck_assert_rv(p11->C_SetPIN(s, NULL, PIN_LEN, (CK_UTF8CHAR_PTR)NEW_PIN, NEW_PIN_LEN),
		     CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)PIN, PIN_LEN, NULL, NEW_PIN_LEN),
		     CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, NULL, 0), CKR_ARGUMENTS_BAD);
	ck_assert_rv(set_pin(s + 1000, PIN, NEW_PIN), CKR_SESSION_HANDLE_INVALID);
	assert_file_unchanged();
}
END_TEST

/* ---- changing it ---- */

static void check_token_flags(CK_SLOT_ID slot)
{
	CK_TOKEN_INFO ti;

	ck_assert_ok(p11->C_GetTokenInfo(slot, &ti));
	ck_assert(ti.flags & CKF_USER_PIN_INITIALIZED);
	ck_assert(ti.flags & CKF_LOGIN_REQUIRED);
	ck_assert(!(ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY |
				CKF_USER_PIN_LOCKED | CKF_USER_PIN_TO_BE_CHANGED | CKF_WRITE_PROTECTED)));
	ck_assert_uint_eq(ti.ulMinPinLen, 6);
	ck_assert_uint_eq(ti.ulMaxPinLen, 32);
}

START_TEST(test_change_not_logged_in)
{
	CK_SLOT_ID slot = only_slot();
	CK_SESSION_HANDLE s = h_open(slot, CKF_RW_SESSION);

	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	ck_assert_int_eq(other_files(), 0);
	check_token_flags(slot);
	/* Not logged in before, not logged in after. */
	ck_assert_uint_eq(h_state(s), CKS_RW_PUBLIC_SESSION);
	ck_assert_rv(login(s, PIN), CKR_PIN_INCORRECT);
	ck_assert_ok(login(s, NEW_PIN));
	sign_and_check(s, fx[FX_AUTH].cert);
	ck_assert_ok(p11->C_Logout(s));

	/* A new scan of the changed file: same token, new password. */
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_ok(p11->C_Initialize(NULL));
	s = h_open(only_slot(), 0);
	ck_assert_rv(login(s, PIN), CKR_PIN_INCORRECT);
	ck_assert_ok(login(s, NEW_PIN));
	sign_and_check(s, fx[FX_AUTH].cert);
}
END_TEST

START_TEST(test_change_logged_in)
{
	CK_SESSION_HANDLE s = rw_session(), other = h_open(only_slot(), 0);
	CK_OBJECT_HANDLE key;

	ck_assert_ok(login(s, PIN));
	key = h_find_class(s, CKO_PRIVATE_KEY);
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	/* Still logged in, the same key object still signs. */
	ck_assert_uint_eq(h_state(s), CKS_RW_USER_FUNCTIONS);
	ck_assert_uint_eq(h_state(other), CKS_RO_USER_FUNCTIONS);
	ck_assert_uint_eq(h_find_class(s, CKO_PRIVATE_KEY), key);
	sign_and_check(s, fx[FX_AUTH].cert);
	/* Changing it again needs the new one as the old. */
	ck_assert_rv(set_pin(s, PIN, "Another1"), CKR_PIN_INCORRECT);
	ck_assert_ok(p11->C_Logout(s));
	ck_assert_rv(login(s, PIN), CKR_PIN_INCORRECT);
	ck_assert_ok(login(other, NEW_PIN));
	sign_and_check(other, fx[FX_AUTH].cert);
}
END_TEST

START_TEST(test_same_password_again)
{
	CK_SESSION_HANDLE s = rw_session();

	save_file();
	ck_assert_ok(set_pin(s, PIN, PIN));
	/* Fresh salts: different bytes, same length, same password. */
	{
		unsigned char *now;
		size_t len;
		read_all(file, &now, &len);
		ck_assert_uint_eq(len, saved_len);
		ck_assert(memcmp(now, saved, len) != 0);
		free(now);
		free(saved);
		saved = NULL;
	}
	ck_assert_ok(login(s, PIN));
}
END_TEST

START_TEST(test_openssl_opens_changed_file)
{
	CK_SESSION_HANDLE s = rw_session();
	EVP_PKEY *key = NULL;
	X509 *cert;

	if (!have_openssl()) {
		fprintf(stderr, "SKIP: the openssl program is not installed\n");
		return;
	}
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	cert = openssl_cert(file, NEW_PIN, &key);
	ck_assert_msg(cert && key, "openssl pkcs12 cannot open the file with the new password");
	ck_assert_int_eq(X509_cmp(cert, fx[FX_AUTH].cert), 0);
	ck_assert_msg(EVP_PKEY_eq(key, X509_get0_pubkey(fx[FX_AUTH].cert)) == 1,
		      "the key inside is not the certificate's key any more");
	X509_free(cert);
	EVP_PKEY_free(key);
	key = NULL;
	ck_assert_ptr_null(openssl_cert(file, PIN, &key));
}
END_TEST

/* The algorithms, iteration counts, salt lengths and BER framing stay. */
START_TEST(test_layout_kept)
{
	CK_SESSION_HANDLE s = rw_session();
	char before[4400];
	char *text;

	if (!have_openssl()) {
		fprintf(stderr, "SKIP: the openssl program is not installed\n");
		return;
	}
	snprintf(before, sizeof before, "%s/before.der", dir);
	ck_assert_int_eq(sh("cp '%s' '%s'", file, before), 0);
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	assert_same_layout(before, file);
	unlink(before);
	/* What NCA writes (tests/fixtures/README.md, kz-pki-facts): */
	text = layout(file);
	ck_assert_ptr_nonnull(strstr(text, ":pbeWithSHA1And3-KeyTripleDES-CBC"));
	ck_assert_ptr_nonnull(strstr(text, ":pbeWithSHA1And40BitRC2-CBC"));
	ck_assert_ptr_nonnull(strstr(text, ":sha1"));
	ck_assert_ptr_nonnull(strstr(text, "l=inf"));
	ck_assert_ptr_nonnull(strstr(text, "INTEGER           :0400"));
	ck_assert_ptr_null(strstr(text, "INTEGER           :0800"));
	free(text);
}
END_TEST

START_TEST(test_modern_keeps_format)
{
	CK_SESSION_HANDLE s = rw_session();
	char before[4400];
	EVP_PKEY *key = NULL;
	X509 *cert;
	char *text;

	if (!have_openssl()) {
		fprintf(stderr, "SKIP: the openssl program is not installed\n");
		return;
	}
	snprintf(before, sizeof before, "%s/before.der", dir);
	ck_assert_int_eq(sh("cp '%s' '%s'", file, before), 0);
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	assert_same_layout(before, file);
	text = layout(file);
	ck_assert_ptr_nonnull(strstr(text, ":PBES2"));
	ck_assert_ptr_nonnull(strstr(text, ":sha256"));
	free(text);
	cert = openssl_cert(file, NEW_PIN, &key);
	ck_assert_msg(cert && key, "openssl cannot open the modern file with the new password");
	ck_assert_int_eq(X509_cmp(cert, fx[FX_MODERN].cert), 0);
	ck_assert(EVP_PKEY_eq(key, X509_get0_pubkey(fx[FX_MODERN].cert)) == 1);
	X509_free(cert);
	EVP_PKEY_free(key);
	ck_assert_ok(login(s, NEW_PIN));
	sign_and_check(s, fx[FX_MODERN].cert);
	unlink(before);
}
END_TEST

START_TEST(test_permissions_kept)
{
	CK_SESSION_HANDLE s = rw_session();
	struct stat st;

	ck_assert_int_eq(chmod(file, 0640), 0);
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_uint_eq(st.st_uid, geteuid());
}
END_TEST

START_TEST(test_symlink_followed)
{
	char link[4400];
	CK_SESSION_HANDLE s;
	struct stat st;

	/* The module is told the link's name; the target gets the new password. */
	ck_assert_ok(p11->C_Finalize(NULL));
	snprintf(link, sizeof link, "%s/link.p12", h_tmpdir);
	unlink(link);
	ck_assert_int_eq(symlink(file, link), 0);
	h_env(link);
	ck_assert_ok(p11->C_Initialize(NULL));
	s = rw_session();
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_ok(login(s, NEW_PIN));
	unlink(link);
}
END_TEST

/* Another program put a different key under the name since the scan. */
START_TEST(test_replaced_file)
{
	CK_SESSION_HANDLE s = rw_session();
	unsigned char *other;
	size_t len;

	read_all(fx[FX_SIGN].path, &other, &len);
	ck_assert_int_eq(h_write_file(file, other, len), 0);
	free(other);
	save_file();
	ck_assert_rv(set_pin(s, PIN, NEW_PIN), CKR_DEVICE_REMOVED);
	assert_file_unchanged();
}
END_TEST

START_TEST(test_file_gone)
{
	CK_SESSION_HANDLE s = rw_session();

	ck_assert_int_eq(unlink(file), 0);
	ck_assert_rv(set_pin(s, PIN, NEW_PIN), CKR_DEVICE_REMOVED);
	ck_assert_int_eq(other_files(), 0);   /* nothing left behind either */
}
END_TEST

/* A temporary left by a writer killed mid-way: never a slot, removed by the next change. */
START_TEST(test_leftover_temporary)
{
	char tmp[4400];
	unsigned char *buf;
	size_t len;
	CK_SESSION_HANDLE s;

	ck_assert_ok(p11->C_Finalize(NULL));
	snprintf(tmp, sizeof tmp, "%s/.AUTH_RSA256_test.p12.kzp11-new-Ab12Cd", dir);
	read_all(file, &buf, &len);
	ck_assert_int_eq(h_write_file(tmp, buf, len / 2), 0);
	free(buf);
	ck_assert_ok(p11->C_Initialize(NULL));
	s = rw_session();   /* one slot: the half-written copy is not one */
	ck_assert_int_eq(other_files(), 1);
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	ck_assert_int_eq(other_files(), 0);
}
END_TEST

/* Two processes change the same file at once: one wins, the other's old
 * password is then wrong; never a mixed or lost file. */
START_TEST(test_two_writers)
{
	static const char *const pins[2] = { "FirstNew1", "SecondNew2" };
	int fds[2][2];
	pid_t pid[2];
	CK_RV got[2];
	int ok = 0, wrong = 0, winner = -1;
	CK_SESSION_HANDLE s;

	ck_assert_ok(p11->C_Finalize(NULL));
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			CK_SESSION_HANDLE cs;
			CK_SLOT_ID slot;
			CK_ULONG n = 1;
			CK_RV rv = p11->C_Initialize(NULL);
			char go;
			if (rv == CKR_OK)
				rv = p11->C_GetSlotList(CK_TRUE, &slot, &n);
			if (rv == CKR_OK)
				rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
							NULL, NULL, &cs);
			/* Wait for the go, so both start together. */
			if (read(fds[i][0], &go, 1) != 1)
				_exit(100);
			if (rv == CKR_OK)
				rv = set_pin(cs, PIN, pins[i]);
			_exit(rv == CKR_OK ? 0 : rv == CKR_PIN_INCORRECT ? 1 : 2);
		}
		close(fds[i][0]);
	}
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(write(fds[i][1], "g", 1), 1);
	for (int i = 0; i < 2; i++) {
		int status;
		close(fds[i][1]);
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status));
		got[i] = (CK_RV)WEXITSTATUS(status);
		if (got[i] == 0) {
			ok++;
			winner = i;
		} else if (got[i] == 1) {
			wrong++;
		}
	}
	ck_assert_msg(ok == 1 && wrong == 1, "two writers: %lu and %lu (0 ok, 1 wrong old PIN)",
		      (unsigned long)got[0], (unsigned long)got[1]);
	ck_assert_ok(p11->C_Initialize(NULL));
	s = rw_session();
	ck_assert_rv(login(s, pins[1 - winner]), CKR_PIN_INCORRECT);
	ck_assert_ok(login(s, pins[winner]));
	ck_assert_int_eq(other_files(), 0);
}
END_TEST

/* ---- real NCA files ($KZP11_TESTKEYS), when present ---- */

static const char *testkey(const char *rel)
{
	static char path[4096];
	const char *base = getenv("KZP11_TESTKEYS");

	if (!base || !*base)
		return NULL;
	snprintf(path, sizeof path, "%s/%s", base, rel);
	return access(path, R_OK) == 0 ? path : NULL;
}

START_TEST(test_real_nca_rsa)
{
	const char *real = testkey("rsa/AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12");
	CK_SESSION_HANDLE s;
	EVP_PKEY *key = NULL, *key_before = NULL;
	X509 *cert, *cert_before;

	if (!real || !have_openssl()) {
		fprintf(stderr, "SKIP: real NCA containers ($KZP11_TESTKEYS) or openssl missing\n");
		return;
	}
	use_copy(real, "AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12");
	ck_assert_ok(p11->C_Initialize(NULL));
	cert_before = openssl_cert(real, PIN, &key_before);
	ck_assert_ptr_nonnull(cert_before);
	s = rw_session();
	ck_assert_ok(set_pin(s, PIN, NEW_PIN));
	/* Byte for byte the layout NCA wrote: the real file is the reference. */
	assert_same_layout(real, file);
	cert = openssl_cert(file, NEW_PIN, &key);
	ck_assert_msg(cert && key, "openssl cannot open the changed NCA file");
	ck_assert_int_eq(X509_cmp(cert, cert_before), 0);
	ck_assert(EVP_PKEY_eq(key, key_before) == 1);
	ck_assert_ok(login(s, NEW_PIN));
	sign_and_check(s, cert_before);
	X509_free(cert);
	X509_free(cert_before);
	EVP_PKEY_free(key);
	EVP_PKEY_free(key_before);
}
END_TEST

START_TEST(test_real_nca_gost)
{
	static const char *const files[] = {
		"gost-2004/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12",
		"gost-2015/individual_valid.p12",
	};

	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		const char *real = testkey(files[i]);
		CK_SESSION_HANDLE s;

		if (!real || !have_openssl()) {
			fprintf(stderr, "SKIP: real NCA GOST containers or openssl missing\n");
			return;
		}
		use_copy(real, strrchr(files[i], '/') + 1);
		ck_assert_ok(p11->C_Initialize(NULL));
		s = rw_session();
		ck_assert_rv(set_pin(s, WRONG_PIN, NEW_PIN), CKR_PIN_INCORRECT);
		ck_assert_ok(set_pin(s, PIN, NEW_PIN));
		assert_same_layout(real, file);
		/* openssl checks the MAC and reads the certificate (not GOST keys). */
		ck_assert_int_eq(sh("openssl pkcs12 -legacy -in '%s' -passin 'pass:%s' -nokeys "
				    ">/dev/null 2>&1", file, NEW_PIN), 0);
		ck_assert_int_ne(sh("openssl pkcs12 -legacy -in '%s' -passin 'pass:%s' -nokeys "
				    ">/dev/null 2>&1", file, PIN), 0);
		ck_assert_rv(login(s, PIN), CKR_PIN_INCORRECT);
		ck_assert_ok(login(s, NEW_PIN));
		ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 1);
		ck_assert_ok(p11->C_Finalize(NULL));
	}
}
END_TEST

static Suite *suite_setpin(void)
{
	Suite *su = suite_create("setpin");
	TCase *nca = tcase_create("nca");
	TCase *modern = tcase_create("modern");
	TCase *real = tcase_create("real");

	tcase_add_checked_fixture(nca, setup_nca, teardown_fini);
	tcase_set_timeout(nca, 60);
	tcase_add_test(nca, test_wrong_old_pin);
	tcase_add_test(nca, test_password_rules);
	tcase_add_test(nca, test_rules_boundaries);
	tcase_add_test(nca, test_read_only_session);
	tcase_add_test(nca, test_null_arguments);
	tcase_add_test(nca, test_change_not_logged_in);
	tcase_add_test(nca, test_change_logged_in);
	tcase_add_test(nca, test_same_password_again);
	tcase_add_test(nca, test_openssl_opens_changed_file);
	tcase_add_test(nca, test_layout_kept);
	tcase_add_test(nca, test_permissions_kept);
	tcase_add_test(nca, test_symlink_followed);
	tcase_add_test(nca, test_replaced_file);
	tcase_add_test(nca, test_file_gone);
	tcase_add_test(nca, test_leftover_temporary);
	tcase_add_test(nca, test_two_writers);
	suite_add_tcase(su, nca);

	tcase_add_checked_fixture(modern, setup_modern, teardown_fini);
	tcase_add_test(modern, test_modern_keeps_format);
	suite_add_tcase(su, modern);

	tcase_add_checked_fixture(real, setup_env, teardown_fini);
	tcase_set_timeout(real, 60);
	tcase_add_test(real, test_real_nca_rsa);
	tcase_add_test(real, test_real_nca_gost);
	suite_add_tcase(su, real);
	return su;
}

int main(void)
{
	SRunner *sr;
	int rc, failed;

	rc = h_load_module();
	if (rc == 0)
		rc = h_make_fixtures();
	if (rc != 0) {
		h_cleanup();
		return rc;
	}
	sr = srunner_create(suite_setpin());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
