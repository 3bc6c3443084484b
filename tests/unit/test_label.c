/*
 * Unit tests for src/soft/label.c: token labels (32 bytes of blank-padded
 * UTF-8, never cut inside a character, never a ':'), object labels, token
 * serial numbers and the CKA_ID shared by a container's objects.  Expected
 * labels are written from the test certificate's own fields (CN, surname,
 * serialNumber IIN..., OU BIN..., notAfter 2026-11-30) and, when the public
 * NCA samples are there, from a real NCA GOST certificate's fields.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soft/container.h"
#include "core/module.h"
#include "core/slot.h"

enum purpose { AUTH, SIGN, KEY };

static const unsigned char id20[20] = {
	0x3e, 0x5e, 0xad, 0x0f, 0xeb, 0xc5, 0x7f, 0xa1, 0xa2, 0xae,
	0xc8, 0xff, 0x56, 0xc7, 0x85, 0xeb, 0xe8, 0xd7, 0xc8, 0xbf,
};
static const unsigned char ski20[20] = {
	0xb2, 0xc7, 0x0a, 0x9f, 0xf7, 0xa5, 0xdc, 0x59, 0xde, 0x0c,
	0xcc, 0x3c, 0x0d, 0xdd, 0xe3, 0x43, 0x7c, 0xc1, 0xf1, 0x2d,
};

static EVP_PKEY *signing_key;
static struct kz_container c;
/* Subject attributes NCA certificates carry besides CN (NULL: absent). */
static const char *subject_sn, *subject_serial, *subject_ou;

static void setup(void)
{
	subject_sn = subject_serial = subject_ou = NULL;
	memset(&c, 0, sizeof c);
	memcpy(c.id, id20, sizeof id20);
	c.id_len = sizeof id20;
	if (!signing_key)
		signing_key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(signing_key);
}

static void teardown(void)
{
	X509_free(c.cert);
	free(c.object_label);
	c.cert = NULL;
	c.object_label = NULL;
}

/* ---- certificates ---- */

static void add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
}


static void add_name(X509_NAME *name, int nid, const char *value)
{
	if (value)
		ck_assert(X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
						     (const unsigned char *)value, -1, -1, 0));
}

/* A certificate for `cn` (NULL: none) and the purpose, valid until
 * 2026-11-30 12:00 UTC; with_ski adds ski20. */
static X509 *make_cert(const char *cn, enum purpose p, int with_ski)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	ck_assert(ASN1_TIME_set_string(X509_getm_notAfter(x), "20261130120000Z"));
	X509_set_pubkey(x, signing_key);
	add_name(name, NID_countryName, "KZ");
	add_name(name, NID_commonName, cn);
	add_name(name, NID_surname, subject_sn);
	add_name(name, NID_serialNumber, subject_serial);
	add_name(name, NID_organizationalUnitName, subject_ou);
	X509_set_issuer_name(x, name);
	if (p == AUTH) {
		add_ext(x, NID_key_usage, "digitalSignature,keyEncipherment");
		add_ext(x, NID_ext_key_usage, "clientAuth");
	} else if (p == SIGN) {
		add_ext(x, NID_key_usage, "digitalSignature,nonRepudiation");
		add_ext(x, NID_ext_key_usage, "emailProtection");
	}
	if (with_ski) {
		char hex[64];
		for (int i = 0; i < 20; i++)
			sprintf(hex + 2 * i, "%02X", ski20[i]);
		add_ext(x, NID_subject_key_identifier, hex);
	}
	ck_assert(X509_sign(x, signing_key, EVP_sha256()) > 0);
	return x;
}

static void use_cert(const char *cn, enum purpose p)
{
	X509_free(c.cert);
	c.cert = make_cert(cn, p, 1);
}

/* ---- checks ---- */

static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b = s[i];
		size_t len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3
			   : (b & 0xf8) == 0xf0 ? 4 : 0;
		if (b == 0 || len == 0 || i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static void token_label(char out[33])
{
	unsigned char label[32];

	memset(label, 0, sizeof label);
	kz_soft_token_label(&c, label);
	ck_assert_msg(utf8_valid(label, 32), "not UTF-8: '%.32s'", (const char *)label);
	ck_assert_msg(memchr(label, ':', 32) == NULL, "':' in '%.32s'", (const char *)label);
	memcpy(out, label, 32);
	out[32] = '\0';
}

/* The label is `text` padded with spaces to 32 bytes. */
static void assert_token_label(const char *text)
{
	char got[33], want[33];

	token_label(got);
	memset(want, ' ', 32);
	memcpy(want, text, strlen(text));
	want[32] = '\0';
	ck_assert_str_eq(got, want);
}

static void assert_object_label(const char *text)
{
	char *label = kz_soft_object_label(&c);

	ck_assert_ptr_nonnull(label);
	ck_assert_str_eq(label, text);
	free(label);
}

/* ---- token labels ---- */

START_TEST(test_without_certificate)
{
	c.name_hint = "AUTH";
	assert_token_label("NCA AUTH 3e5ead0f");
	c.name_hint = "SIGN";
	assert_token_label("NCA SIGN 3e5ead0f");
	c.name_hint = "GOST";
	assert_token_label("NCA GOST 3e5ead0f");
	c.name_hint = NULL;
	assert_token_label("NCA key 3e5ead0f");
}
END_TEST

START_TEST(test_latin_name)
{
	use_cert("IVANOV IVAN", AUTH);
	assert_token_label("IVANOV IVAN AUTH 2026-11-30");
	use_cert("IVANOV IVAN", SIGN);
	assert_token_label("IVANOV IVAN SIGN 2026-11-30");
	use_cert("IVANOV IVAN", KEY);
	assert_token_label("IVANOV IVAN KEY 2026-11-30");
	/* The certificate, not the file name, says what the key is for. */
	c.name_hint = "AUTH";
	use_cert("IVANOV IVAN", SIGN);
	assert_token_label("IVANOV IVAN SIGN 2026-11-30");
	/* A person's name (the subject has a surname) is written as a name. */
	subject_sn = "IVANOV";
	use_cert("IVANOV IVAN", AUTH);
	assert_token_label("Ivanov Ivan AUTH 2026-11-30");
}
END_TEST

START_TEST(test_long_names_abbreviated)
{
	/* Too long for the room left by the tail: the surname stays, the other
	 * names become initials, and only then is anything cut. */
	subject_sn = "ТЕСТОВ";
	use_cert("ТЕСТОВ ТЕСТ", AUTH);
	assert_token_label("Тестов Т. AUTH 2026-11-30");   /* exactly 32 bytes */
	use_cert("ТЕСТОВ ТЕСТ ТЕСТОВИЧ", SIGN);
	assert_token_label("Тестов Т. SIGN 2026-11-30");
	subject_sn = NULL;
	use_cert("IVANOV IVAN IVANOVICH", AUTH);
	assert_token_label("IVANOV I. I. AUTH 2026-11-30");
	/* Names that fit stay whole. */
	use_cert("IVANOV IVAN", AUTH);
	assert_token_label("IVANOV IVAN AUTH 2026-11-30");
	/* A cut right after a space drops the space too. */
	use_cert("АБВГДЕЖ ИЙ", SIGN);
	assert_token_label("АБВГДЕЖ SIGN 2026-11-30");
	/* A long surname alone is cut between characters. */
	use_cert("ӘБДІҚАДЫРОВАЛИЕВА", AUTH);
	assert_token_label("ӘБДІҚАДЫ AUTH 2026-11-30");
	/* Kazakh capitals have small letters too. */
	subject_sn = "ӘБІЛ";
	use_cert("ӘБІЛ ҰЛАН", AUTH);
	assert_token_label("Әбіл Ұ. AUTH 2026-11-30");
	use_cert("ҒҢӨҮҺ Ә", SIGN);
	assert_token_label("Ғңөүһ Ә SIGN 2026-11-30");
}
END_TEST

START_TEST(test_no_colon_nor_controls)
{
	use_cert("ӘБДІҚАДЫРОВА: Г", SIGN);
	assert_token_label("ӘБДІҚАДЫ SIGN 2026-11-30");
	assert_object_label("ӘБДІҚАДЫРОВА  Г — SIGN — до 2026-11-30");
	use_cert("A:B\tC", AUTH);
	assert_token_label("A B C AUTH 2026-11-30");
	assert_object_label("A B C — AUTH — до 2026-11-30");
	subject_serial = "IIN1:2";
	use_cert("TOO \"ТЕСТ\": филиал", AUTH);
	{
		char *label = kz_soft_object_label(&c);
		ck_assert_ptr_null(strchr(label, ':'));
		free(label);
	}
}
END_TEST

START_TEST(test_without_common_name)
{
	use_cert(NULL, AUTH);
	assert_token_label("NCA AUTH 2026-11-30");
	assert_object_label("NCA — AUTH — до 2026-11-30");
}
END_TEST

/*
 * Names of every length made of 1-, 2-, 3- and 4-byte characters and
 * spaces: whatever is cut or abbreviated, the label (checked for UTF-8 and
 * ':' by token_label) is the tail after a non-empty name part that is the
 * whole name, or begins with the whole surname, or is a beginning of it.
 */
START_TEST(test_never_cut_inside_a_character)
{
	static const char *const chars[] = { "a", "Ж", "ә", "€", "中", "😀", " " };
	static const char *const patterns[] = { "0", "1", "12", "3", "345", "5", "1063", "10",
						"416" };
	const char *tail = " AUTH 2026-11-30";
	const size_t room = 32 - strlen(tail);

	for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
		for (size_t len = 1; len <= 40; len++) {
			char name[256] = "", got[33];
			const char *pat = patterns[p];
			size_t used, surname;
			for (size_t k = 0; k < len; k++)
				strcat(name, chars[pat[k % strlen(pat)] - '0']);
			if (name[0] == ' ' || name[strlen(name) - 1] == ' ')
				continue;   /* certificates do not start or end so */
			use_cert(name, AUTH);
			token_label(got);
			used = strlen(got);
			while (used > 0 && got[used - 1] == ' ')
				used--;
			ck_assert_msg(used > strlen(tail) &&
				      memcmp(got + used - strlen(tail), tail, strlen(tail)) == 0,
				      "name '%s' gave '%s'", name, got);
			used -= strlen(tail);
			surname = strcspn(name, " ");
			if (strlen(name) <= room)
				ck_assert_msg(used == strlen(name) && memcmp(got, name, used) == 0,
					      "name '%s' gave '%s'", name, got);
			else if (used <= surname)
				ck_assert_msg(memcmp(got, name, used) == 0, "name '%s' gave '%s'", name,
					      got);
			else
				ck_assert_msg(memcmp(got, name, surname) == 0 && got[surname] == ' ',
					      "name '%s' gave '%s'", name, got);
		}
	}
}
END_TEST

/* ---- object labels ---- */

START_TEST(test_object_label)
{
	c.name_hint = "SIGN";
	assert_object_label("NCA SIGN 3e5ead0f");
	/* Not cut: object labels have no length limit. */
	use_cert("ТЕСТОВ ТЕСТ ТЕСТОВИЧ", AUTH);
	assert_object_label("ТЕСТОВ ТЕСТ ТЕСТОВИЧ — AUTH — до 2026-11-30");
	/* An individual: the IIN from serialNumber. */
	subject_sn = "ТЕСТОВ";
	subject_serial = "IIN123456789011";
	use_cert("ТЕСТОВ ТЕСТ", AUTH);
	assert_object_label("ТЕСТОВ ТЕСТ — ИИН 123456789011 — AUTH — до 2026-11-30");
	/* A legal entity's key (NCA puts the BIN in OU): the BIN. */
	subject_ou = "BIN123456789021";
	use_cert("ТЕСТОВ ТЕСТ", SIGN);
	assert_object_label("ТЕСТОВ ТЕСТ — БИН 123456789021 — SIGN — до 2026-11-30");
	/* An OU that is not a BIN is not shown. */
	subject_ou = "Бухгалтерия";
	use_cert("ТЕСТОВ ТЕСТ", SIGN);
	assert_object_label("ТЕСТОВ ТЕСТ — ИИН 123456789011 — SIGN — до 2026-11-30");
}
END_TEST

/*
 * A real NCA GOST 34.310-2004 certificate (public test sample): the labels
 * from what `openssl x509 -subject -enddate` shows of it:
 * CN=ТЕСТОВ ТЕСТ, SN=ТЕСТОВ, OU=BIN123456789021, keyUsage nonRepudiation,
 * notAfter=Jan 27 06:23:35 2021 GMT.
 */
START_TEST(test_real_gost_certificate)
{
	const char *dir = getenv("KZP11_TESTKEYS");
	char path[4096];
	FILE *f;

	if (!dir || !*dir)
		return;   /* samples absent: nothing to compare with */
	snprintf(path, sizeof path,
		 "%s/gost-2004/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.cer", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	c.cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(c.cert);
	assert_token_label("Тестов Т. GOST 2021-01-27");
	assert_object_label("ТЕСТОВ ТЕСТ — БИН 123456789021 — GOST — до 2021-01-27");
}
END_TEST

/* Two tokens that would read the same: the later one shows the key ID
 * instead of the date; its certificate label gets the ID after the date. */
START_TEST(test_same_names_told_apart)
{
	static struct kz_container other;
	static const unsigned char other_id[4] = { 0xd6, 0x82, 0x72, 0x6b };
	char want[33];

	subject_sn = "ТЕСТОВ";
	subject_serial = "IIN123456789011";
	use_cert("ТЕСТОВ ТЕСТ", AUTH);
	memset(&other, 0, sizeof other);
	memcpy(other.id, other_id, sizeof other_id);
	other.id_len = sizeof other_id;
	other.cert = make_cert("ТЕСТОВ ТЕСТ", AUTH, 0);
	ck_assert_ptr_nonnull(kz_slot_add(&kz_soft_backend, &c));
	ck_assert_ptr_nonnull(kz_slot_add(&kz_soft_backend, &other));

	kz_soft_name_token(&c);
	kz_soft_name_token(&other);
	memset(want, ' ', 32);
	memcpy(want, "Тестов Т. AUTH 2026-11-30", strlen("Тестов Т. AUTH 2026-11-30"));
	ck_assert_mem_eq(c.token_label, want, 32);
	memset(want, ' ', 32);
	memcpy(want, "Тестов Т. AUTH d682726b", strlen("Тестов Т. AUTH d682726b"));
	ck_assert_mem_eq(other.token_label, want, 32);
	ck_assert_str_eq(kz_soft_name_objects(&c),
			 "ТЕСТОВ ТЕСТ — ИИН 123456789011 — AUTH — до 2026-11-30");
	ck_assert_str_eq(kz_soft_name_objects(&other),
			 "ТЕСТОВ ТЕСТ — ИИН 123456789011 — AUTH — до 2026-11-30 — d682726b");
	/* Fixed: asking again gives the same, whatever changed since. */
	X509_free(other.cert);
	other.cert = make_cert("ДРУГОЙ", SIGN, 0);
	kz_soft_name_token(&other);
	ck_assert_mem_eq(other.token_label, want, 32);

	X509_free(other.cert);
	free(other.object_label);
	free(kz_module.slots[0]);
	free(kz_module.slots[1]);
	free(kz_module.slots);
	kz_module.slots = NULL;
	kz_module.n_slots = 0;
}
END_TEST

START_TEST(test_short_key_id)
{
	static const unsigned char id2[] = { 0xab, 0xcd };

	memcpy(c.id, id2, sizeof id2);
	c.id_len = sizeof id2;
	c.name_hint = "AUTH";
	assert_token_label("NCA AUTH abcd");
	assert_object_label("NCA AUTH abcd");
}
END_TEST

/* ---- serial numbers and IDs ---- */

static void assert_serial(const char *text)
{
	unsigned char serial[16];
	char want[17];

	memset(serial, 0, sizeof serial);
	kz_soft_serial(&c, serial);
	memset(want, ' ', 16);
	memcpy(want, text, strlen(text));
	ck_assert_mem_eq(serial, want, 16);
}

START_TEST(test_serial)
{
	assert_serial("3e5ead0febc57fa1");
	/* Nothing to do with the certificate. */
	use_cert("IVANOV IVAN", AUTH);
	assert_serial("3e5ead0febc57fa1");
	c.id_len = 4;
	assert_serial("3e5ead0f");
	c.id_len = 0;
	assert_serial("");
}
END_TEST

START_TEST(test_object_id)
{
	unsigned char id[KZ_KEY_ID_MAX];
	size_t len = 0;

	/* Before the certificate is known: the container's key ID. */
	kz_soft_object_id(&c, id, &len);
	ck_assert_uint_eq(len, 20);
	ck_assert_mem_eq(id, id20, 20);
	/* Then the certificate's subject key identifier, even when the file's ID differs. */
	use_cert("IVANOV IVAN", AUTH);
	kz_soft_object_id(&c, id, &len);
	ck_assert_uint_eq(len, 20);
	ck_assert_mem_eq(id, ski20, 20);
	/* A certificate without one: the key ID again. */
	X509_free(c.cert);
	c.cert = make_cert("IVANOV IVAN", AUTH, 0);
	kz_soft_object_id(&c, id, &len);
	ck_assert_uint_eq(len, 20);
	ck_assert_mem_eq(id, id20, 20);
}
END_TEST

static Suite *label_suite(void)
{
	Suite *s = suite_create("label");
	TCase *tc;

	tc = tcase_create("token");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_without_certificate);
	tcase_add_test(tc, test_latin_name);
	tcase_add_test(tc, test_long_names_abbreviated);
	tcase_add_test(tc, test_no_colon_nor_controls);
	tcase_add_test(tc, test_without_common_name);
	tcase_add_test(tc, test_never_cut_inside_a_character);
	suite_add_tcase(s, tc);

	tc = tcase_create("object");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_object_label);
	tcase_add_test(tc, test_real_gost_certificate);
	tcase_add_test(tc, test_same_names_told_apart);
	tcase_add_test(tc, test_short_key_id);
	tcase_add_test(tc, test_serial);
	tcase_add_test(tc, test_object_id);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(label_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	EVP_PKEY_free(signing_key);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
