/*
 * Slots, tokens, mechanisms, sessions and login.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"
#include "kzp11/kzp11.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const CK_SLOT_ID bad_slots[] = { 3, 99, (CK_SLOT_ID)-1 };
#define N_BAD_SLOTS (sizeof bad_slots / sizeof *bad_slots)

/* ---- small checks ---- */

/* 1 when s[0..n) is valid UTF-8 without NUL bytes. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (c == 0 || len == 0 || i + len > n || (len == 2 && c < 0xc2))
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

/* Blank-padded text: no NUL, valid UTF-8, something before the padding. */
static void assert_padded_utf8(const CK_UTF8CHAR *s, size_t n, const char *what)
{
	size_t used = n;

	while (used > 0 && s[used - 1] == ' ')
		used--;
	ck_assert_msg(used > 0, "%s is blank", what);
	ck_assert_msg(utf8_valid(s, n), "%s is not valid blank-padded UTF-8: '%.*s'", what,
		      (int)n, (const char *)s);
}

static CK_TOKEN_INFO token_info(CK_SLOT_ID slot)
{
	CK_TOKEN_INFO ti;

	ck_assert_ok(p11->C_GetTokenInfo(slot, &ti));
	return ti;
}

static void assert_token_label(CK_SLOT_ID slot)
{
	CK_TOKEN_INFO ti = token_info(slot);

	assert_padded_utf8(ti.label, sizeof ti.label, "token label");
	ck_assert_msg(memchr(ti.label, ':', sizeof ti.label) == NULL,
		      "token label '%.32s' contains ':'", (const char *)ti.label);
}

static void assert_all_labels(void)
{
	CK_TOKEN_INFO ti[FX_COUNT];

	for (int i = 0; i < FX_COUNT; i++) {
		assert_token_label(h_slot(i));
		ti[i] = token_info(h_slot(i));
	}
	for (int i = 0; i < FX_COUNT; i++)
		for (int j = i + 1; j < FX_COUNT; j++)
			ck_assert_msg(memcmp(ti[i].label, ti[j].label, 32) != 0,
				      "two tokens are labelled '%.32s'", (const char *)ti[i].label);
}

/* ---- slots ---- */

START_TEST(test_slot_count)
{
	CK_SLOT_ID slots[8];
	CK_ULONG n = 0;

	/* Three containers; the damaged file, the certificate, the text file
	 * and the backup copy of the AUTH container add nothing. */
	ck_assert_ok(p11->C_GetSlotList(CK_FALSE, NULL, &n));
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(h_slot_count(), 3);
	n = 8;
	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	ck_assert_uint_eq(n, 3);
	ck_assert(slots[0] != slots[1] && slots[1] != slots[2] && slots[0] != slots[2]);
	ck_assert(h_slot(FX_AUTH) != h_slot(FX_SIGN));
	ck_assert(h_slot(FX_AUTH) != h_slot(FX_MODERN));
	ck_assert(h_slot(FX_SIGN) != h_slot(FX_MODERN));
}
END_TEST

START_TEST(test_slot_list_buffer_too_small)
{
	CK_SLOT_ID slots[3] = { 77, 77, 77 };
	CK_ULONG n = 2;

	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(n, 3);
	n = 0;
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(n, 3);
	/* Exactly big enough. */
	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	ck_assert_uint_eq(n, 3);
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, slots, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

START_TEST(test_slot_info)
{
	for (int i = 0; i < FX_COUNT; i++) {
		CK_SLOT_INFO si;
		ck_assert_ok(p11->C_GetSlotInfo(h_slot(i), &si));
		ck_assert(si.flags & CKF_TOKEN_PRESENT);
		ck_assert(!(si.flags & CKF_HW_SLOT));
		assert_padded_utf8(si.slotDescription, sizeof si.slotDescription,
				   "slot description");
		assert_padded_utf8(si.manufacturerID, sizeof si.manufacturerID, "manufacturer");
		ck_assert_rv(p11->C_GetSlotInfo(h_slot(i), NULL), CKR_ARGUMENTS_BAD);
	}
}
END_TEST

START_TEST(test_token_label)
{
	CK_SESSION_HANDLE s[FX_COUNT];

	assert_all_labels();
	/* Once the certificates are known the holder's name (Cyrillic, one
	 * with a ':') comes in; the rules still hold. */
	for (int i = 0; i < FX_COUNT; i++) {
		s[i] = h_open_fx(i);
		h_login(s[i]);
	}
	assert_all_labels();
}
END_TEST

/* The date a certificate expires, "YYYY-MM-DD" (UTC), read by OpenSSL. */
static void cert_expiry(X509 *cert, char out[32])
{
	struct tm tm;

	ck_assert(ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm));
	snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The IIN in the certificate's serialNumber ("IIN123456789011"). */
static void cert_iin(X509 *cert, char out[32])
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
	const ASN1_STRING *v;

	ck_assert_int_ge(i, 0);
	v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	ck_assert(v->length > 3 && v->length < 32 && memcmp(v->data, "IIN", 3) == 0);
	memcpy(out, v->data + 3, (size_t)v->length - 3);
	out[v->length - 3] = '\0';
}

static void assert_label_is(CK_SLOT_ID slot, const char *text)
{
	CK_TOKEN_INFO ti = token_info(slot);
	char want[32];

	memset(want, ' ', sizeof want);
	memcpy(want, text, strlen(text));
	ck_assert_msg(memcmp(ti.label, want, 32) == 0, "token label '%.32s', expected '%s'",
		      (const char *)ti.label, text);
}

static void assert_cert_label_is(CK_SESSION_HANDLE s, const char *text)
{
	CK_ULONG len;
	unsigned char *label = h_attr(s, h_find_class(s, CKO_CERTIFICATE), CKA_LABEL, &len);

	ck_assert_msg(len == strlen(text) && memcmp(label, text, len) == 0,
		      "certificate label '%.*s', expected '%s'", (int)len, (const char *)label, text);
	free(label);
}

/*
 * Labels read like the key: holder (the generator's --holder, written as a
 * name), IIN and expiry from the certificate.  They stay the same while the
 * module is loaded: a login that reveals the certificate names the
 * certificate, the token keeps its file name until the next start, which
 * finds the certificate in the cache.
 */
START_TEST(test_labels_from_certificate)
{
	static const char *const token_names[FX_COUNT] = {
		[FX_AUTH] = "Тестов Т. AUTH", [FX_SIGN] = "Әлиев Г. SIGN",
		[FX_MODERN] = "Ivanov Ivan AUTH",
	};
	static const char *const cert_names[FX_COUNT] = {
		[FX_AUTH] = "ТЕСТОВ ТЕСТ — ИИН %s — AUTH — до %s",
		[FX_SIGN] = "ӘЛИЕВ  ГҮЛНАР САРСЕНҚЫЗЫ — ИИН %s — SIGN — до %s",
		[FX_MODERN] = "IVANOV IVAN — ИИН %s — AUTH — до %s",
	};
	char before[FX_COUNT][33], date[32], iin[32], want[256];

	for (int i = 0; i < FX_COUNT; i++) {
		CK_TOKEN_INFO ti = token_info(h_slot(i));
		CK_SESSION_HANDLE s;
		char hex[129];

		/* Nothing known but the file: named from it. */
		h_hex(fx[i].key_id, 4, hex);
		memcpy(before[i], ti.label, 32);
		before[i][32] = '\0';
		/* AUTH_RSA256_<id>.p12, RSA256_<id>.p12, modern.p12 */
		snprintf(want, sizeof want, "NCA %s %s",
			 i == FX_AUTH ? "AUTH" : i == FX_SIGN ? "SIGN" : "key", hex);
		assert_label_is(h_slot(i), want);
		s = h_open_fx(i);
		h_login(s);
		cert_expiry(fx[i].cert, date);
		cert_iin(fx[i].cert, iin);
		snprintf(want, sizeof want, cert_names[i], iin, date);
		assert_cert_label_is(s, want);
		/* The token is not renamed under the application. */
		ti = token_info(h_slot(i));
		ck_assert_msg(memcmp(ti.label, before[i], 32) == 0, "token label changed to '%.32s'",
			      (const char *)ti.label);
	}
	/* Next start: the certificate cache names the tokens before any login. */
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_ok(p11->C_Initialize(NULL));
	for (int i = 0; i < FX_COUNT; i++) {
		CK_SESSION_HANDLE s;

		cert_expiry(fx[i].cert, date);
		cert_iin(fx[i].cert, iin);
		snprintf(want, sizeof want, "%s %s", token_names[i], date);
		assert_label_is(h_slot(i), want);
		s = h_open_fx(i);
		snprintf(want, sizeof want, cert_names[i], iin, date);
		assert_cert_label_is(s, want);
		h_login(s);
		snprintf(want, sizeof want, "%s %s", token_names[i], date);
		assert_label_is(h_slot(i), want);
	}
}
END_TEST

START_TEST(test_token_serial)
{
	for (int i = 0; i < FX_COUNT; i++) {
		char hex[129];
		CK_TOKEN_INFO ti = token_info(h_slot(i));
		h_hex(fx[i].key_id, 8, hex);
		ck_assert_msg(memcmp(ti.serialNumber, hex, 16) == 0,
			      "%s: serial '%.16s', expected '%s'", fx[i].role,
			      (const char *)ti.serialNumber, hex);
	}
}
END_TEST

START_TEST(test_token_info)
{
	CK_SLOT_ID slot = h_slot(FX_SIGN);
	CK_TOKEN_INFO ti = token_info(slot);
	const CK_FLAGS required = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED |
				  CKF_USER_PIN_INITIALIZED | CKF_RNG;
	const CK_FLAGS forbidden = CKF_PROTECTED_AUTHENTICATION_PATH | CKF_USER_PIN_LOCKED |
				   CKF_USER_PIN_TO_BE_CHANGED | CKF_SO_PIN_LOCKED;

	ck_assert_msg((ti.flags & required) == required, "token flags 0x%lx",
		      (unsigned long)ti.flags);
	ck_assert_msg((ti.flags & forbidden) == 0, "token flags 0x%lx", (unsigned long)ti.flags);
	assert_padded_utf8(ti.manufacturerID, sizeof ti.manufacturerID, "manufacturer");
	assert_padded_utf8(ti.model, sizeof ti.model, "model");
	ck_assert_uint_le(ti.ulMinPinLen, ti.ulMaxPinLen);
	ck_assert_uint_le(ti.ulMinPinLen, PIN_LEN);
	ck_assert_uint_ge(ti.ulMaxPinLen, PIN_LEN);
	ck_assert_uint_eq(ti.ulSessionCount, 0);
	ck_assert_uint_eq(ti.ulRwSessionCount, 0);
	h_open(slot, 0);
	h_open(slot, CKF_RW_SESSION);
	ti = token_info(slot);
	ck_assert_uint_eq(ti.ulSessionCount, 2);
	ck_assert_uint_eq(ti.ulRwSessionCount, 1);
	ck_assert_uint_eq(token_info(h_slot(FX_AUTH)).ulSessionCount, 0);
	ck_assert_rv(p11->C_GetTokenInfo(slot, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

START_TEST(test_invalid_slot)
{
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM_INFO mi;
	CK_MECHANISM_TYPE mechs[64];
	CK_SESSION_HANDLE s;

	for (size_t i = 0; i < N_BAD_SLOTS; i++) {
		CK_SLOT_ID slot = bad_slots[i];
		CK_ULONG n = 64;
		ck_assert_rv(p11->C_GetSlotInfo(slot, &si), CKR_SLOT_ID_INVALID);
		ck_assert_rv(p11->C_GetTokenInfo(slot, &ti), CKR_SLOT_ID_INVALID);
		ck_assert_rv(p11->C_GetMechanismList(slot, mechs, &n), CKR_SLOT_ID_INVALID);
		ck_assert_rv(p11->C_GetMechanismList(slot, NULL, &n), CKR_SLOT_ID_INVALID);
		ck_assert_rv(p11->C_GetMechanismInfo(slot, CKM_RSA_PKCS, &mi), CKR_SLOT_ID_INVALID);
		ck_assert_rv(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
			     CKR_SLOT_ID_INVALID);
		ck_assert_rv(p11->C_CloseAllSessions(slot), CKR_SLOT_ID_INVALID);
	}
}
END_TEST

/* ---- mechanisms ---- */

#define HMAC_KEYS 1   /* generic secret keys, sized in bytes */

static const struct {
	CK_MECHANISM_TYPE type;
	CK_FLAGS flags;
	CK_ULONG gost_bits;    /* GOST: the one key size; HMAC_KEYS: secret keys; 0: RSA or none */
} expected_mechs[] = {
	{ CKM_RSA_PKCS, CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_DECRYPT, 0 },
	{ CKM_RSA_X_509, CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_DECRYPT, 0 },
	{ CKM_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_RSA_PKCS_OAEP, CKF_ENCRYPT | CKF_DECRYPT, 0 },
	{ CKM_SHA1_RSA_PKCS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA224_RSA_PKCS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA256_RSA_PKCS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA384_RSA_PKCS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA512_RSA_PKCS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA1_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA224_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA256_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA384_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA512_RSA_PKCS_PSS, CKF_SIGN | CKF_VERIFY, 0 },
	{ CKM_SHA_1, CKF_DIGEST, 0 },
	{ CKM_SHA224, CKF_DIGEST, 0 },
	{ CKM_SHA256, CKF_DIGEST, 0 },
	{ CKM_SHA384, CKF_DIGEST, 0 },
	{ CKM_SHA512, CKF_DIGEST, 0 },
	{ CKM_GOSTR3410, CKF_SIGN | CKF_VERIFY, 256 },
	{ CKM_GOSTR3410_WITH_GOSTR3411, CKF_SIGN | CKF_VERIFY, 256 },
	{ CKM_GOSTR3410_WITH_GOSTR3411_12_256, CKF_SIGN | CKF_VERIFY, 256 },
	{ CKM_GOSTR3410_512, CKF_SIGN | CKF_VERIFY, 512 },
	{ CKM_GOSTR3410_WITH_GOSTR3411_12_512, CKF_SIGN | CKF_VERIFY, 512 },
	{ CKM_KZ_GOST34310_2004_WITH_GOST34311_95, CKF_SIGN | CKF_VERIFY, 256 },
	{ CKM_KZ_GOST34310_2004, CKF_SIGN | CKF_VERIFY, 256 },
	{ CKM_KZ_GOST3410_2015_512_WITH_GOST3411_2015_512, CKF_SIGN | CKF_VERIFY, 512 },
	{ CKM_KZ_GOST3410_2015_512, CKF_SIGN | CKF_VERIFY, 512 },
	{ CKM_KZ_GOST3410_2015_256_WITH_GOST3411_2015_256, CKF_SIGN | CKF_VERIFY, 256 },
	{ CKM_KZ_GOST3410_2015_256, CKF_SIGN | CKF_VERIFY, 256 },
	{ CKM_GOSTR3411, CKF_DIGEST, 0 },
	{ CKM_GOSTR3411_12_256, CKF_DIGEST, 0 },
	{ CKM_GOSTR3411_12_512, CKF_DIGEST, 0 },
	{ CKM_GOSTR3411_HMAC, CKF_SIGN | CKF_VERIFY, HMAC_KEYS },
	{ CKM_GOSTR3411_12_256_HMAC, CKF_SIGN | CKF_VERIFY, HMAC_KEYS },
	{ CKM_GOSTR3411_12_512_HMAC, CKF_SIGN | CKF_VERIFY, HMAC_KEYS },
};
#define N_EXPECTED_MECHS (sizeof expected_mechs / sizeof *expected_mechs)

START_TEST(test_mechanism_list)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH);
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = 0;

	ck_assert_ok(p11->C_GetMechanismList(slot, NULL, &n));
	ck_assert_uint_eq(n, N_EXPECTED_MECHS);
	n = 3;
	ck_assert_rv(p11->C_GetMechanismList(slot, list, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(n, N_EXPECTED_MECHS);
	n = 64;
	ck_assert_ok(p11->C_GetMechanismList(slot, list, &n));
	ck_assert_uint_eq(n, N_EXPECTED_MECHS);
	for (size_t i = 0; i < N_EXPECTED_MECHS; i++) {
		int seen = 0;
		for (CK_ULONG k = 0; k < n; k++)
			seen += list[k] == expected_mechs[i].type;
		ck_assert_msg(seen == 1, "mechanism 0x%lx listed %d times",
			      (unsigned long)expected_mechs[i].type, seen);
	}
	ck_assert_rv(p11->C_GetMechanismList(slot, list, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

START_TEST(test_mechanism_info)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH);
	CK_MECHANISM_INFO mi;

	for (size_t i = 0; i < N_EXPECTED_MECHS; i++) {
		ck_assert_ok(p11->C_GetMechanismInfo(slot, expected_mechs[i].type, &mi));
		ck_assert_msg(mi.flags == expected_mechs[i].flags,
			      "mechanism 0x%lx: flags 0x%lx, expected 0x%lx",
			      (unsigned long)expected_mechs[i].type, (unsigned long)mi.flags,
			      (unsigned long)expected_mechs[i].flags);
		if (expected_mechs[i].gost_bits == HMAC_KEYS) {
			/* Any key length from one byte to a few blocks. */
			ck_assert_uint_eq(mi.ulMinKeySize, 1);
			ck_assert_uint_ge(mi.ulMaxKeySize, 128);
		} else if (expected_mechs[i].gost_bits) {
			ck_assert_uint_eq(mi.ulMinKeySize, expected_mechs[i].gost_bits);
			ck_assert_uint_eq(mi.ulMaxKeySize, expected_mechs[i].gost_bits);
		} else if (!(mi.flags & CKF_DIGEST)) {
			/* Key sizes in bits, covering NCA's RSA-2048. */
			ck_assert_uint_le(mi.ulMinKeySize, 2048);
			ck_assert_uint_ge(mi.ulMaxKeySize, 4096);
		}
	}
	ck_assert_rv(p11->C_GetMechanismInfo(slot, CKM_SHA256_RSA_PKCS, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_GetMechanismInfo(slot, CKM_MD5, &mi), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_GetMechanismInfo(slot, CKM_RSA_PKCS_KEY_PAIR_GEN, &mi),
		     CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_GetMechanismInfo(slot, CKM_ECDSA, &mi), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_GetMechanismInfo(slot, CKM_VENDOR_DEFINED | 0x1234, &mi),
		     CKR_MECHANISM_INVALID);
}
END_TEST

/* ---- sessions ---- */

START_TEST(test_open_session_arguments)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH);
	CK_SESSION_HANDLE s;

	ck_assert_rv(p11->C_OpenSession(slot, 0, NULL, NULL, &s),
		     CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	ck_assert_rv(p11->C_OpenSession(slot, CKF_RW_SESSION, NULL, NULL, &s),
		     CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	ck_assert_rv(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, NULL),
		     CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(token_info(slot).ulSessionCount, 0);
}
END_TEST

static void assert_session(CK_SESSION_HANDLE s, CK_SLOT_ID slot, CK_STATE state, CK_FLAGS flags)
{
	CK_SESSION_INFO info;

	ck_assert_ok(p11->C_GetSessionInfo(s, &info));
	ck_assert_uint_eq(info.slotID, slot);
	ck_assert_msg(info.state == state, "session state %lu, expected %lu",
		      (unsigned long)info.state, (unsigned long)state);
	ck_assert_uint_eq(info.flags, flags);
}

START_TEST(test_session_states)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH), other = h_slot(FX_SIGN);
	CK_SESSION_HANDLE ro = h_open(slot, 0), rw = h_open(slot, CKF_RW_SESSION);
	CK_SESSION_HANDLE elsewhere = h_open(other, 0);
	const CK_FLAGS ro_flags = CKF_SERIAL_SESSION, rw_flags = CKF_SERIAL_SESSION | CKF_RW_SESSION;

	assert_session(ro, slot, CKS_RO_PUBLIC_SESSION, ro_flags);
	assert_session(rw, slot, CKS_RW_PUBLIC_SESSION, rw_flags);
	h_login(ro);
	/* A login counts for every session of the slot, and only that slot. */
	assert_session(ro, slot, CKS_RO_USER_FUNCTIONS, ro_flags);
	assert_session(rw, slot, CKS_RW_USER_FUNCTIONS, rw_flags);
	assert_session(elsewhere, other, CKS_RO_PUBLIC_SESSION, ro_flags);
	ck_assert_ok(p11->C_Logout(rw));
	assert_session(ro, slot, CKS_RO_PUBLIC_SESSION, ro_flags);
	assert_session(rw, slot, CKS_RW_PUBLIC_SESSION, rw_flags);
	ck_assert_rv(p11->C_GetSessionInfo(ro, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

START_TEST(test_close_session)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);

	ck_assert_rv(p11->C_CloseSession(CK_INVALID_HANDLE), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_CloseSession(s + 1000), CKR_SESSION_HANDLE_INVALID);
	ck_assert_ok(p11->C_CloseSession(s));
	ck_assert_rv(p11->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_GetSessionInfo(s, &(CK_SESSION_INFO){ 0 }), CKR_SESSION_HANDLE_INVALID);
	/* Handles are not reused. */
	ck_assert(h_open_fx(FX_AUTH) != s);
}
END_TEST

START_TEST(test_close_all_sessions)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH), other = h_slot(FX_SIGN), idle = h_slot(FX_MODERN);
	CK_SESSION_HANDLE a[3] = { h_open(slot, 0), h_open(slot, CKF_RW_SESSION), h_open(slot, 0) };
	CK_SESSION_HANDLE b = h_open(other, 0);

	ck_assert_ok(p11->C_CloseAllSessions(slot));
	for (int i = 0; i < 3; i++)
		ck_assert_rv(p11->C_GetSessionInfo(a[i], &(CK_SESSION_INFO){ 0 }),
			     CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(token_info(slot).ulSessionCount, 0);
	ck_assert_uint_eq(token_info(slot).ulRwSessionCount, 0);
	assert_session(b, other, CKS_RO_PUBLIC_SESSION, CKF_SERIAL_SESSION);
	ck_assert_ok(p11->C_CloseAllSessions(idle));
	ck_assert_ok(p11->C_CloseAllSessions(slot));
}
END_TEST

static void assert_logged_out(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s = h_open(slot, 0);

	ck_assert_uint_eq(h_state(s), CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 0);
	ck_assert_rv(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	ck_assert_ok(p11->C_CloseSession(s));
}

START_TEST(test_closing_last_session_logs_out)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH);
	CK_SESSION_HANDLE s1 = h_open(slot, 0), s2 = h_open(slot, 0);

	h_login(s1);
	ck_assert_ok(p11->C_CloseSession(s1));
	/* s2 is still open: still logged in. */
	ck_assert_uint_eq(h_state(s2), CKS_RO_USER_FUNCTIONS);
	ck_assert_uint_eq(h_count_class(s2, CKO_PRIVATE_KEY), 1);
	ck_assert_ok(p11->C_CloseSession(s2));
	assert_logged_out(slot);
}
END_TEST

START_TEST(test_close_all_sessions_logs_out)
{
	CK_SLOT_ID slot = h_slot(FX_SIGN);

	h_login(h_open(slot, 0));
	h_open(slot, CKF_RW_SESSION);
	ck_assert_ok(p11->C_CloseAllSessions(slot));
	assert_logged_out(slot);
}
END_TEST

/* ---- login ---- */

struct file_state {
	unsigned char *data;
	size_t len;
	struct timespec mtime;
};

static void snapshot(struct file_state st[FX_COUNT])
{
	for (int i = 0; i < FX_COUNT; i++) {
		struct stat sb;
		ck_assert_int_eq(stat(fx[i].path, &sb), 0);
		st[i].mtime = sb.st_mtim;
		ck_assert_int_eq(h_read_file(fx[i].path, &st[i].data, &st[i].len), 0);
	}
}

static void assert_unchanged(struct file_state st[FX_COUNT])
{
	struct file_state now[FX_COUNT];

	snapshot(now);
	for (int i = 0; i < FX_COUNT; i++) {
		ck_assert_msg(now[i].len == st[i].len && memcmp(now[i].data, st[i].data,
								st[i].len) == 0,
			      "%s was modified", fx[i].path);
		ck_assert_msg(now[i].mtime.tv_sec == st[i].mtime.tv_sec &&
			      now[i].mtime.tv_nsec == st[i].mtime.tv_nsec,
			      "the modification time of %s changed", fx[i].path);
		free(now[i].data);
	}
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(test_wrong_pin)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	struct file_state before[FX_COUNT];

	snapshot(before);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)WRONG_PIN, WRONG_PIN_LEN),
		     CKR_PIN_INCORRECT);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"", 0), CKR_PIN_INCORRECT);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"qwerty12", 8), CKR_PIN_INCORRECT);
	ck_assert_uint_eq(h_state(s), CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 0);
	/* Nothing learnt from a failed login either. */
	ck_assert_uint_eq(h_count_class(s, CKO_CERTIFICATE), 0);
	ck_assert_int_eq(dir_entries(h_cache_dir()), 0);
	ck_assert_rv(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	assert_unchanged(before);
	/* The right password still works, and changes no file either. */
	h_login(s);
	ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 1);
	assert_unchanged(before);
	for (int i = 0; i < FX_COUNT; i++)
		free(before[i].data);
}
END_TEST

START_TEST(test_login_twice)
{
	CK_SLOT_ID slot = h_slot(FX_AUTH);
	CK_SESSION_HANDLE s1 = h_open(slot, 0), s2 = h_open(slot, 0);

	h_login(s1);
	ck_assert_rv(p11->C_Login(s1, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN),
		     CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_rv(p11->C_Login(s2, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN),
		     CKR_USER_ALREADY_LOGGED_IN);
	/* Still one private key, not two. */
	ck_assert_uint_eq(h_count_class(s2, CKO_PRIVATE_KEY), 1);
}
END_TEST

START_TEST(test_login_user_types)
{
	CK_SESSION_HANDLE s = h_open(h_slot(FX_AUTH), CKF_RW_SESSION);

	ck_assert_rv(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)PIN, PIN_LEN), CKR_USER_TYPE_INVALID);
	ck_assert_rv(p11->C_Login(s, 7, (CK_UTF8CHAR_PTR)PIN, PIN_LEN), CKR_USER_TYPE_INVALID);
	ck_assert_uint_eq(h_state(s), CKS_RW_PUBLIC_SESSION);
	ck_assert_rv(p11->C_Login(s, CKU_USER, NULL, PIN_LEN), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_Login(CK_INVALID_HANDLE, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN),
		     CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_Logout(CK_INVALID_HANDLE), CKR_SESSION_HANDLE_INVALID);
	/* C_LoginUser (3.0) is C_Login with a user name nobody needs. */
	ck_assert_ok(p11_3->C_LoginUser(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN,
					(CK_UTF8CHAR_PTR)"owner", 5));
	ck_assert_uint_eq(h_state(s), CKS_RW_USER_FUNCTIONS);
}
END_TEST

START_TEST(test_logout)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	CK_OBJECT_HANDLE key, again;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE label[128];
	CK_ATTRIBUTE a = { CKA_LABEL, label, sizeof label };

	ck_assert_rv(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	h_login(s);
	key = h_find_class(s, CKO_PRIVATE_KEY);
	ck_assert_ok(p11->C_GetAttributeValue(s, key, &a, 1));
	ck_assert_ok(p11->C_Logout(s));
	ck_assert_uint_eq(h_state(s), CKS_RO_PUBLIC_SESSION);
	a.ulValueLen = sizeof label;
	ck_assert_rv(p11->C_GetAttributeValue(s, key, &a, 1), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_rv(p11->C_SignInit(s, &m, key), CKR_KEY_HANDLE_INVALID);
	ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 0);
	ck_assert_rv(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	/* A new login makes a new key object; the old handle stays dead. */
	h_login(s);
	again = h_find_class(s, CKO_PRIVATE_KEY);
	ck_assert(again != key);
	ck_assert_rv(p11->C_GetAttributeValue(s, key, &a, 1), CKR_OBJECT_HANDLE_INVALID);
}
END_TEST

Suite *suite_slots(void)
{
	Suite *s = suite_create("slots");
	TCase *tc;

	tc = tcase_create("slots");
	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_slot_count);
	tcase_add_test(tc, test_slot_list_buffer_too_small);
	tcase_add_test(tc, test_slot_info);
	tcase_add_test(tc, test_token_label);
	tcase_add_test(tc, test_labels_from_certificate);
	tcase_add_test(tc, test_token_serial);
	tcase_add_test(tc, test_token_info);
	tcase_add_test(tc, test_invalid_slot);
	tcase_add_test(tc, test_mechanism_list);
	tcase_add_test(tc, test_mechanism_info);
	suite_add_tcase(s, tc);

	tc = tcase_create("sessions");
	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_open_session_arguments);
	tcase_add_test(tc, test_session_states);
	tcase_add_test(tc, test_close_session);
	tcase_add_test(tc, test_close_all_sessions);
	tcase_add_test(tc, test_closing_last_session_logs_out);
	tcase_add_test(tc, test_close_all_sessions_logs_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("login");
	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_wrong_pin);
	tcase_add_test(tc, test_login_twice);
	tcase_add_test(tc, test_login_user_types);
	tcase_add_test(tc, test_logout);
	suite_add_tcase(s, tc);
	return s;
}
