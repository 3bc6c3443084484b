/*
 * The module's secret-keeping rules through the PKCS#11 API (kzp11.so,
 * loaded like applications load it; the module suite's harness):
 *
 * - private key values are CKR_ATTRIBUTE_SENSITIVE with length
 *   CK_UNAVAILABLE_INFORMATION, for RSA (generated containers) and GOST
 *   (real NCA containers from $KZP11_TESTKEYS, skipped without them);
 * - C_SetAttributeValue and C_CopyObject cannot make a key non-sensitive
 *   or extractable (CKR_ATTRIBUTE_READ_ONLY), nor change anything else;
 * - C_WrapKey is CKR_KEY_UNEXTRACTABLE, C_DeriveKey
 *   CKR_KEY_FUNCTION_NOT_PERMITTED; the same for HMAC session keys;
 * - withdrawn at logout and session close;
 * - pinentry (protected authentication path) with a scripted stand-in
 *   program: the password, percent-escapes, cancel, wrong password,
 *   garbage, a program that dies or is missing, no descriptor leaked.
 *   The real pinentry-tty is driven by test_pinentry_tty.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "../module/harness.h"
#include "kzp11/kzp11.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const CK_ATTRIBUTE_TYPE rsa_secrets[] = {
	CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
	CKA_COEFFICIENT, CKA_VALUE,
};

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* Every way of asking for a sensitive value answers SENSITIVE/unavailable. */
static void check_sensitive(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, CK_ATTRIBUTE_TYPE type)
{
	unsigned char buf[4096], label[256];
	CK_ATTRIBUTE one = { type, NULL, 0 };
	CK_ATTRIBUTE mixed[] = { { CKA_LABEL, label, sizeof label }, { type, buf, sizeof buf } };

	ck_assert_rv(p11->C_GetAttributeValue(s, k, &one, 1), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq(one.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	memset(buf, 0, sizeof buf);
	one.pValue = buf;
	one.ulValueLen = sizeof buf;
	ck_assert_rv(p11->C_GetAttributeValue(s, k, &one, 1), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq(one.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_rv(p11->C_GetAttributeValue(s, k, mixed, 2), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_ne(mixed[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);   /* the rest is filled */
	ck_assert_uint_eq(mixed[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	for (size_t i = 0; i < sizeof buf; i++)
		ck_assert_uint_eq(buf[i], 0);
}

static CK_ULONG count_objects(CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE all[32];
	return h_find(s, NULL, 0, all, 32);
}

/* C_SetAttributeValue, C_CopyObject, C_WrapKey, C_DeriveKey on a key. */
static void check_no_way_out(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, CK_OBJECT_HANDLE wrapper)
{
	CK_ATTRIBUTE unsensitive = { CKA_SENSITIVE, &no, sizeof no };
	CK_ATTRIBUTE extractable = { CKA_EXTRACTABLE, &yes, sizeof yes };
	CK_ATTRIBUTE sensitive = { CKA_SENSITIVE, &yes, sizeof yes };
	CK_ATTRIBUTE always = { CKA_ALWAYS_SENSITIVE, &no, sizeof no };
	CK_ATTRIBUTE copyable = { CKA_COPYABLE, &yes, sizeof yes };
	CK_ATTRIBUTE both[] = { { CKA_COPYABLE, &yes, 1 }, { CKA_EXTRACTABLE, &yes, 1 } };
	CK_ATTRIBUTE bad_bool = { CKA_SENSITIVE, &no, 4 };
	unsigned char value[16] = { 1 };
	CK_ATTRIBUTE set_value = { CKA_VALUE, value, sizeof value };
	CK_MECHANISM wrap = { CKM_RSA_PKCS, NULL, 0 }, derive = { CKM_ECDH1_DERIVE, NULL, 0 };
	CK_ATTRIBUTE derived[] = { { CKA_EXTRACTABLE, &yes, sizeof yes } };
	CK_OBJECT_HANDLE copy = CK_INVALID_HANDLE, out = CK_INVALID_HANDLE;
	unsigned char wrapped[4096];
	CK_ULONG wrapped_len = sizeof wrapped, before = count_objects(s);

	ck_assert_rv(p11->C_SetAttributeValue(s, k, &unsensitive, 1), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_rv(p11->C_SetAttributeValue(s, k, &extractable, 1), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_rv(p11->C_SetAttributeValue(s, k, &always, 1), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_rv(p11->C_SetAttributeValue(s, k, &set_value, 1), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_rv(p11->C_SetAttributeValue(s, k, &bad_bool, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	/* Not weaker, but the object is not modifiable. */
	ck_assert_rv(p11->C_SetAttributeValue(s, k, &sensitive, 1), CKR_ACTION_PROHIBITED);
	ck_assert_rv(p11->C_SetAttributeValue(s, k, NULL, 1), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_EXTRACTABLE), CK_FALSE);

	ck_assert_rv(p11->C_CopyObject(s, k, &extractable, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_rv(p11->C_CopyObject(s, k, both, 2, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_rv(p11->C_CopyObject(s, k, &unsensitive, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_rv(p11->C_CopyObject(s, k, &copyable, 1, &copy), CKR_ACTION_PROHIBITED);
	ck_assert_rv(p11->C_CopyObject(s, k, NULL, 0, &copy), CKR_ACTION_PROHIBITED);
	ck_assert(copy == CK_INVALID_HANDLE);

	ck_assert_rv(p11->C_WrapKey(s, &wrap, wrapper, k, wrapped, &wrapped_len),
		     CKR_KEY_UNEXTRACTABLE);
	ck_assert_rv(p11->C_WrapKey(s, &wrap, wrapper, k, NULL, &wrapped_len),
		     CKR_KEY_UNEXTRACTABLE);
	ck_assert_rv(p11->C_WrapKey(s, &wrap, k, wrapper, NULL, &wrapped_len),
		     CKR_KEY_NOT_WRAPPABLE);   /* a public key is not wrapped */
	ck_assert_rv(p11->C_WrapKey(s, &wrap, 0x7fffff, k, NULL, &wrapped_len),
		     CKR_WRAPPING_KEY_HANDLE_INVALID);
	ck_assert_rv(p11->C_WrapKey(s, &wrap, wrapper, 0x7fffff, NULL, &wrapped_len),
		     CKR_KEY_HANDLE_INVALID);
	ck_assert_rv(p11->C_WrapKey(s, NULL, wrapper, k, NULL, &wrapped_len), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_DeriveKey(s, &derive, k, derived, 1, &out),
		     CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_rv(p11->C_DeriveKey(s, &derive, 0x7fffff, derived, 1, &out),
		     CKR_KEY_HANDLE_INVALID);
	ck_assert(out == CK_INVALID_HANDLE);
	ck_assert_uint_eq(count_objects(s), before);
}

START_TEST(test_rsa_private_key)
{
	CK_SESSION_HANDLE s = h_open(h_slot(FX_AUTH), CKF_RW_SESSION);
	CK_OBJECT_HANDLE k, pub;

	h_login(s);
	k = h_find_class(s, CKO_PRIVATE_KEY);
	pub = h_find_class(s, CKO_PUBLIC_KEY);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_EXTRACTABLE), CK_FALSE);
	for (size_t i = 0; i < sizeof rsa_secrets / sizeof *rsa_secrets; i++)
		check_sensitive(s, k, rsa_secrets[i]);
	check_no_way_out(s, k, pub);
	/* Logout withdraws the key: its handle is gone. */
	ck_assert_ok(p11->C_Logout(s));
	ck_assert_rv(p11->C_GetAttributeValue(s, k, NULL, 0), CKR_OBJECT_HANDLE_INVALID);
}
END_TEST

/* An HMAC key given with C_CreateObject (always sensitive here). */
static CK_OBJECT_HANDLE make_hmac(CK_SESSION_HANDLE s, CK_BBOOL derive)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_GENERIC_SECRET;
	unsigned char value[32];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_VALUE, value, sizeof value }, { CKA_SENSITIVE, &yes, sizeof yes },
		{ CKA_DERIVE, &derive, sizeof derive },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

	memset(value, 0x3c, sizeof value);
	ck_assert_ok(p11->C_CreateObject(s, t, 5, &h));
	return h;
}

START_TEST(test_hmac_session_key)
{
	CK_SESSION_HANDLE s = h_open(h_slot(FX_AUTH), CKF_RW_SESSION);
	CK_OBJECT_HANDLE k = make_hmac(s, CK_FALSE), k2 = make_hmac(s, CK_TRUE), pub;
	CK_MECHANISM derive = { CKM_ECDH1_DERIVE, NULL, 0 };
	CK_OBJECT_HANDLE out = CK_INVALID_HANDLE;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_GENERIC_SECRET;
	unsigned char value[16] = { 7 };
	CK_ATTRIBUTE plain[] = {
		{ CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_VALUE, value, sizeof value }, { CKA_EXTRACTABLE, &yes, sizeof yes },
	};

	h_login(s);   /* for a public key to wrap with */
	pub = h_find_class(s, CKO_PUBLIC_KEY);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_ALWAYS_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_NEVER_EXTRACTABLE), CK_TRUE);
	check_sensitive(s, k, CKA_VALUE);
	check_no_way_out(s, k, pub);
	/* CKA_DERIVE TRUE lets the key through to the mechanism check. */
	ck_assert_rv(p11->C_DeriveKey(s, &derive, k2, NULL, 0, &out), CKR_MECHANISM_INVALID);
	/* An extractable secret key is refused when created. */
	ck_assert_rv(p11->C_CreateObject(s, plain, 4, &out), CKR_ATTRIBUTE_VALUE_INVALID);
	/* Closing the session withdraws its keys. */
	ck_assert_ok(p11->C_CloseSession(s));
	s = h_open(h_slot(FX_AUTH), 0);
	ck_assert_rv(p11->C_GetAttributeValue(s, k, NULL, 0), CKR_OBJECT_HANDLE_INVALID);
}
END_TEST

/* Real NCA GOST containers: CKA_VALUE of the private key is sensitive. */
START_TEST(test_gost_private_keys)
{
	const char *dir = getenv("KZP11_TESTKEYS");
	char keys[8192];
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32;
	int tried = 0;

	if (!dir || access(dir, R_OK) != 0) {
		printf("real NCA containers not found (KZP11_TESTKEYS): GOST part skipped\n");
		return;
	}
	snprintf(keys, sizeof keys, "%s/gost-2004:%s/gost-2015", dir, dir);
	h_env(keys);
	ck_assert_ok(p11->C_Initialize(NULL));
	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	for (CK_ULONG i = 0; i < n; i++) {
		CK_SESSION_HANDLE s = h_open(slots[i], 0);
		CK_OBJECT_HANDLE k, pub;
		CK_KEY_TYPE type;
		if (p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN) != CKR_OK)
			continue;
		k = h_try_find_class(s, CKO_PRIVATE_KEY);
		pub = h_try_find_class(s, CKO_PUBLIC_KEY);
		if (k == CK_INVALID_HANDLE || pub == CK_INVALID_HANDLE)
			continue;
		type = h_attr_ulong(s, k, CKA_KEY_TYPE);
		ck_assert(type == CKK_GOSTR3410 || type == CKK_GOSTR3410_512);
		check_sensitive(s, k, CKA_VALUE);
		check_no_way_out(s, k, pub);
		tried++;
	}
	ck_assert_int_gt(tried, 0);
}
END_TEST

/* ---- pinentry, with a scripted stand-in ---- */

static char fake_path[1200], fake_log[1200], pin_conf[1200];

/* The stand-in speaks Assuan; KZP11_FAKE_MODE picks its misbehaviour. */
static const char fake_script[] =
	"#!/bin/sh\n"
	"log=\"$KZP11_FAKE_LOG\"\n"
	"ls -l /proc/$$/fd > \"$log.fds\"\n"
	"case \"$KZP11_FAKE_MODE\" in\n"
	"  garbage) echo 'HELLO THERE'; exit 0;;\n"
	"  die) echo 'OK hi'; exit 3;;\n"
	"esac\n"
	"echo 'OK Pleased to meet you'\n"
	"while read -r cmd rest; do\n"
	"  printf '%s %s\\n' \"$cmd\" \"$rest\" >> \"$log\"\n"
	"  case \"$cmd\" in\n"
	"  GETPIN)\n"
	"    case \"$KZP11_FAKE_MODE\" in\n"
	"      ok) echo '# a comment'; echo 'S PINENTRY_LAUNCHED 1'; echo 'D Qwerty%31%32'; echo OK;;\n"
	"      wrong) echo 'D Qwerty13'; echo OK;;\n"
	"      cancel) echo 'ERR 83886179 Operation cancelled <Pinentry>';;\n"
	"      badescape) echo 'D Qwerty%G1'; echo OK;;\n"
	"      error) echo 'ERR 83886081 General error';;\n"
	"      silent) exit 0;;\n"
	"    esac;;\n"
	"  BYE) echo 'OK closing connection'; exit 0;;\n"
	"  *) echo OK;;\n"
	"  esac\n"
	"done\n";

static void setup_pinentry(const char *program)
{
	FILE *f;

	h_env_default();
	snprintf(fake_path, sizeof fake_path, "%s/fake-pinentry", h_tmpdir);
	snprintf(fake_log, sizeof fake_log, "%s/fake-pinentry.log", h_tmpdir);
	snprintf(pin_conf, sizeof pin_conf, "%s/pinentry.conf", h_tmpdir);
	f = fopen(fake_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(fake_script, f);
	fclose(f);
	chmod(fake_path, 0755);
	f = fopen(pin_conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "pinentry = %s\n", program ? program : fake_path);
	fclose(f);
	setenv("KZP11_CONF", pin_conf, 1);
	setenv("KZP11_FAKE_LOG", fake_log, 1);
	unlink(fake_log);
	ck_assert_ok(p11->C_Initialize(NULL));
}

static CK_RV login_with(const char *mode, CK_SESSION_HANDLE s)
{
	setenv("KZP11_FAKE_MODE", mode, 1);
	return p11->C_Login(s, CKU_USER, NULL, 0);
}

static char *read_text(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;

	if (h_read_file(path, &buf, &len) < 0)
		return NULL;
	buf[len] = '\0';   /* h_read_file allocates one byte more */
	return (char *)buf;
}

START_TEST(test_pinentry_flag_and_login)
{
	CK_SLOT_ID slot;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	char *log, *fds;

	char marker[1200];
	int app_fd;

	setup_pinentry(NULL);
	/* A descriptor of the application without close-on-exec. */
	snprintf(marker, sizeof marker, "%s/application-descriptor", h_tmpdir);
	app_fd = open(marker, O_CREAT | O_RDWR, 0600);
	ck_assert_int_ge(app_fd, 0);
	slot = h_slot(FX_AUTH);
	ck_assert_ok(p11->C_GetTokenInfo(slot, &ti));
	ck_assert(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH);
	s = h_open(slot, 0);
	ck_assert_rv(login_with("ok", s), CKR_OK);
	ck_assert(h_state(s) == CKS_RO_USER_FUNCTIONS);
	ck_assert(h_try_find_class(s, CKO_PRIVATE_KEY) != CK_INVALID_HANDLE);
	log = read_text(fake_log);
	ck_assert_ptr_nonnull(log);
	/* The dialog text: title, the token's name, '\n' escaped as %0A. */
	ck_assert_ptr_nonnull(strstr(log, "SETTITLE kzp11"));
	ck_assert_ptr_nonnull(strstr(log, "SETDESC Password of the NCA key \""));
	ck_assert_ptr_nonnull(strstr(log, "%0A("));
	ck_assert_ptr_nonnull(strstr(log, "SETPROMPT Password:"));
	ck_assert_ptr_nonnull(strstr(log, "GETPIN"));
	ck_assert_ptr_nonnull(strstr(log, "BYE"));
	free(log);
	/* The application's descriptors do not reach the program; its input
	 * is the socket (output is redirected for `ls`; the shell's own
	 * descriptors aside). */
	snprintf(fake_log + strlen(fake_log), 8, ".fds");
	fds = read_text(fake_log);
	ck_assert_ptr_nonnull(fds);
	ck_assert_msg(!strstr(fds, "application-descriptor"),
		      "an application descriptor reached the pinentry program:\n%s", fds);
	ck_assert_msg(strstr(fds, " 0 -> socket:") != NULL, "pinentry's input:\n%s", fds);
	free(fds);
	close(app_fd);
	/* Logged in already. */
	ck_assert_rv(login_with("ok", s), CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_ok(p11->C_Logout(s));
	/* A PIN given still works, the program is not asked. */
	ck_assert_ok(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN));
	teardown_fini();
}
END_TEST

START_TEST(test_pinentry_failures)
{
	CK_SESSION_HANDLE s;

	setup_pinentry(NULL);
	s = h_open(h_slot(FX_AUTH), 0);
	ck_assert_rv(login_with("cancel", s), CKR_FUNCTION_CANCELED);
	ck_assert_rv(login_with("wrong", s), CKR_PIN_INCORRECT);
	ck_assert_rv(login_with("badescape", s), CKR_FUNCTION_FAILED);
	ck_assert_rv(login_with("error", s), CKR_FUNCTION_FAILED);
	ck_assert_rv(login_with("garbage", s), CKR_FUNCTION_FAILED);
	ck_assert_rv(login_with("die", s), CKR_FUNCTION_FAILED);       /* no SIGPIPE either */
	ck_assert_rv(login_with("silent", s), CKR_FUNCTION_FAILED);
	ck_assert(h_state(s) == CKS_RO_PUBLIC_SESSION);
	ck_assert(h_try_find_class(s, CKO_PRIVATE_KEY) == CK_INVALID_HANDLE);
	/* After all that, it still works. */
	ck_assert_rv(login_with("ok", s), CKR_OK);
	teardown_fini();
}
END_TEST

START_TEST(test_pinentry_missing_program)
{
	char missing[1200];
	CK_SESSION_HANDLE s;

	snprintf(missing, sizeof missing, "%s/no-such-pinentry", h_tmpdir);
	setup_pinentry(missing);
	s = h_open(h_slot(FX_AUTH), 0);
	ck_assert_rv(p11->C_Login(s, CKU_USER, NULL, 0), CKR_FUNCTION_FAILED);
	ck_assert_rv(p11->C_Login(s, CKU_USER, NULL, 4), CKR_ARGUMENTS_BAD);
	teardown_fini();
}
END_TEST

/* Off by default: no flag, and a NULL PIN is just a wrong PIN. */
START_TEST(test_pinentry_off_by_default)
{
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;

	setup_init();
	ck_assert_ok(p11->C_GetTokenInfo(h_slot(FX_AUTH), &ti));
	ck_assert(!(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH));
	s = h_open(h_slot(FX_AUTH), 0);
	ck_assert_rv(p11->C_Login(s, CKU_USER, NULL, 0), CKR_PIN_INCORRECT);
	teardown_fini();
}
END_TEST

static Suite *suite_secrets(void)
{
	Suite *s = suite_create("secrets");
	TCase *attrs = tcase_create("attributes");
	TCase *pin = tcase_create("pinentry");

	tcase_add_checked_fixture(attrs, setup_init, teardown_fini);
	tcase_add_test(attrs, test_rsa_private_key);
	tcase_add_test(attrs, test_hmac_session_key);
	suite_add_tcase(s, attrs);
	{
		TCase *gost = tcase_create("gost");
		tcase_add_checked_fixture(gost, NULL, teardown_fini);
		tcase_set_timeout(gost, 60);
		tcase_add_test(gost, test_gost_private_keys);
		suite_add_tcase(s, gost);
	}
	tcase_set_timeout(pin, 60);
	tcase_add_test(pin, test_pinentry_flag_and_login);
	tcase_add_test(pin, test_pinentry_failures);
	tcase_add_test(pin, test_pinentry_missing_program);
	tcase_add_test(pin, test_pinentry_off_by_default);
	suite_add_tcase(s, pin);
	return s;
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
	sr = srunner_create(suite_secrets());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
