/*
 * Unit tests for src/crypto/rsa_key.c: RSA private keys read from PKCS#1
 * RSAPrivateKey without OpenSSL's decoder.  The known answers come from
 * OpenSSL: it generates the key, encodes it (i2d_PrivateKey) and gives its
 * values back (EVP_PKEY_get_bn_param); a signature made with the key read
 * here must verify with OpenSSL's own key.  Damaged encodings must be
 * refused with a reason, never accepted or crashed on.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/key.h"
#include "crypto/ossl.h"
#include "crypto/rsa_key.h"

static EVP_PKEY *ref;              /* OpenSSL's key, in the default context */
static unsigned char *ref_der;     /* its RSAPrivateKey */
static int ref_der_len;

static const char *const names[8] = {
	OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

/* ---- a small DER writer for hand-made (and damaged) encodings ---- */

struct buf {
	unsigned char b[4096];
	size_t n;
};

static void put_tlv(struct buf *out, unsigned char tag, const unsigned char *v, size_t len)
{
	ck_assert(out->n + len + 4 <= sizeof out->b);
	out->b[out->n++] = tag;
	if (len < 0x80) {
		out->b[out->n++] = (unsigned char)len;
	} else if (len < 0x100) {
		out->b[out->n++] = 0x81;
		out->b[out->n++] = (unsigned char)len;
	} else {
		out->b[out->n++] = 0x82;
		out->b[out->n++] = (unsigned char)(len >> 8);
		out->b[out->n++] = (unsigned char)len;
	}
	memcpy(out->b + out->n, v, len);
	out->n += len;
}

/* A positive INTEGER for bn (a leading zero when the top bit is set). */
static void put_bn(struct buf *out, const BIGNUM *bn)
{
	unsigned char v[1100];
	int n = BN_num_bytes(bn);

	v[0] = 0;
	ck_assert(n + 1 <= (int)sizeof v);
	BN_bn2bin(bn, v + 1);
	if (n > 0 && (v[1] & 0x80))
		put_tlv(out, 0x02, v, (size_t)n + 1);
	else
		put_tlv(out, 0x02, v + 1, (size_t)n);
}

enum damage {
	INTACT, VERSION_1, EXTRA_FIELD, MISSING_FIELD, NEGATIVE_D, ZERO_E, EMPTY_N,
	OCTETS_FOR_P, TRAILING_BYTES, N_DAMAGES
};

/* The reference key's RSAPrivateKey written here, possibly damaged. */
static void encode(enum damage dmg, struct buf *out)
{
	static const unsigned char v0[] = { 0 }, v1[] = { 1 };
	struct buf body = { .n = 0 };
	BIGNUM *bn = NULL;

	put_tlv(&body, 0x02, dmg == VERSION_1 ? v1 : v0, 1);
	for (int i = 0; i < 8; i++) {
		if (dmg == MISSING_FIELD && i == 7)
			break;
		ck_assert(EVP_PKEY_get_bn_param(ref, names[i], &bn) == 1);
		if (dmg == ZERO_E && i == 1) {
			put_tlv(&body, 0x02, v0, 1);
		} else if (dmg == EMPTY_N && i == 0) {
			put_tlv(&body, 0x02, v0, 0);
		} else if (dmg == NEGATIVE_D && i == 2) {
			size_t at = body.n;
			put_bn(&body, bn);
			/* Content without its leading zero: the top bit makes it negative. */
			ck_assert_int_eq(body.b[at + 1], 0x82);   /* d is over 127 bytes */
			if (body.b[at + 4] == 0) {
				size_t n = ((size_t)body.b[at + 2] << 8 | body.b[at + 3]) - 1;
				memmove(body.b + at + 4, body.b + at + 5, body.n - at - 5);
				body.n--;
				body.b[at + 2] = (unsigned char)(n >> 8);
				body.b[at + 3] = (unsigned char)n;
			}
			body.b[at + 4] |= 0x80;
		} else if (dmg == OCTETS_FOR_P && i == 3) {
			size_t at = body.n;
			put_bn(&body, bn);
			body.b[at] = 0x04;
		} else {
			put_bn(&body, bn);
		}
		BN_clear_free(bn);
		bn = NULL;
	}
	if (dmg == EXTRA_FIELD)
		put_tlv(&body, 0x02, v1, 1);
	out->n = 0;
	put_tlv(out, 0x30, body.b, body.n);
	if (dmg == TRAILING_BYTES)
		put_tlv(out, 0x05, v0, 0);
	OPENSSL_cleanse(&body, sizeof body);
}

/* ---- checks against OpenSSL ---- */

static void assert_same_values(EVP_PKEY *got)
{
	for (int i = 0; i < 8; i++) {
		BIGNUM *a = NULL, *b = NULL;
		ck_assert_msg(EVP_PKEY_get_bn_param(ref, names[i], &a) == 1, "%s", names[i]);
		ck_assert_msg(EVP_PKEY_get_bn_param(got, names[i], &b) == 1, "%s missing", names[i]);
		ck_assert_msg(BN_cmp(a, b) == 0, "%s differs from OpenSSL's", names[i]);
		BN_clear_free(a);
		BN_clear_free(b);
	}
	ck_assert_int_eq(EVP_PKEY_eq(ref, got), 1);
	ck_assert_int_eq(EVP_PKEY_get_bits(got), 2048);
}

/* A signature by `got` (module context) verifies with OpenSSL's key. */
static void assert_signs(EVP_PKEY *got)
{
	static const unsigned char msg[] = "RFC 8017 RSASSA-PKCS1-v1_5";
	unsigned char sig[512];
	size_t sig_len = sizeof sig;
	EVP_MD_CTX *s = EVP_MD_CTX_new(), *v = EVP_MD_CTX_new();

	ck_assert(s && v);
	ck_assert_int_eq(EVP_DigestSignInit_ex(s, NULL, "SHA256", kz_ossl_ctx(), NULL, got, NULL), 1);
	ck_assert_int_eq(EVP_DigestSign(s, sig, &sig_len, msg, sizeof msg - 1), 1);
	ck_assert_int_eq(EVP_DigestVerifyInit_ex(v, NULL, "SHA256", NULL, NULL, ref, NULL), 1);
	ck_assert_int_eq(EVP_DigestVerify(v, sig, sig_len, msg, sizeof msg - 1), 1);
	sig[sig_len / 2] ^= 1;
	ck_assert_int_eq(EVP_DigestVerify(v, sig, sig_len, msg, sizeof msg - 1), 0);
	EVP_MD_CTX_free(s);
	EVP_MD_CTX_free(v);
}

START_TEST(test_openssl_encoding)
{
	const char *why = NULL;
	EVP_PKEY *got = kz_rsa_private_from_der(ref_der, (size_t)ref_der_len, &why);

	ck_assert_msg(got != NULL, "refused: %s", why ? why : "?");
	assert_same_values(got);
	assert_signs(got);
	EVP_PKEY_free(got);
}
END_TEST

/* The hand-made encoding is read too: the writer above is right. */
START_TEST(test_hand_made_encoding)
{
	struct buf der;
	const char *why = NULL;
	EVP_PKEY *got;

	encode(INTACT, &der);
	ck_assert_uint_eq(der.n, (size_t)ref_der_len);
	ck_assert(memcmp(der.b, ref_der, der.n) == 0);
	got = kz_rsa_private_from_der(der.b, der.n, &why);
	ck_assert_msg(got != NULL, "refused: %s", why ? why : "?");
	EVP_PKEY_free(got);
	OPENSSL_cleanse(&der, sizeof der);
}
END_TEST

START_TEST(test_damaged_refused)
{
	static const char *what[N_DAMAGES] = {
		NULL, "version 1", "an extra field", "no qInv", "a negative d", "e = 0",
		"an empty n", "p as an OCTET STRING", "bytes after the key",
	};
	struct buf der;
	const char *why = NULL;
	EVP_PKEY *got;

	encode((enum damage)_i, &der);
	got = kz_rsa_private_from_der(der.b, der.n, &why);
	ck_assert_msg(got == NULL, "accepted a key with %s", what[_i]);
	ck_assert_ptr_nonnull(why);
	OPENSSL_cleanse(&der, sizeof der);
}
END_TEST

START_TEST(test_every_truncation_refused)
{
	for (int len = 0; len < ref_der_len; len++) {
		/* Exactly len bytes on the heap, so a sanitizer sees any overread. */
		unsigned char *cut = malloc(len ? (size_t)len : 1);
		const char *why = NULL;
		EVP_PKEY *got;

		ck_assert_ptr_nonnull(cut);
		memcpy(cut, ref_der, (size_t)len);
		got = kz_rsa_private_from_der(cut, (size_t)len, &why);
		ck_assert_msg(got == NULL, "accepted the first %d bytes", len);
		ck_assert_ptr_nonnull(why);
		OPENSSL_cleanse(cut, (size_t)len);
		free(cut);
	}
}
END_TEST

/* The login path: a PKCS#8 (as a decrypted key bag holds it) to a kz_key. */
START_TEST(test_from_pkcs8)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(ref);
	const char *why = NULL;
	struct kz_key *key;

	ck_assert_ptr_nonnull(p8);
	key = kz_key_from_pkcs8(p8, &why);
	ck_assert_msg(key != NULL, "refused: %s", why ? why : "?");
	ck_assert_int_eq(key->kind, KZ_KEY_RSA);
	ck_assert_int_eq(key->is_private, 1);
	ck_assert_uint_eq(key->bits, 2048);
	assert_same_values(key->pkey);
	assert_signs(key->pkey);
	kz_key_unref(key);
	PKCS8_PRIV_KEY_INFO_free(p8);
}
END_TEST

static Suite *rsa_key_suite(void)
{
	Suite *s = suite_create("rsa_key");
	TCase *tc = tcase_create("rsa_key");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_openssl_encoding);
	tcase_add_test(tc, test_hand_made_encoding);
	tcase_add_loop_test(tc, test_damaged_refused, VERSION_1, N_DAMAGES);
	tcase_add_test(tc, test_every_truncation_refused);
	tcase_add_test(tc, test_from_pkcs8);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (kz_ossl_init() < 0) {
		fprintf(stderr, "cannot set up OpenSSL\n");
		return EXIT_FAILURE;
	}
	ref = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ref_der_len = ref ? i2d_PrivateKey(ref, &ref_der) : -1;
	if (ref_der_len <= 0) {
		fprintf(stderr, "OpenSSL cannot make the reference RSA key\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(rsa_key_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	OPENSSL_clear_free(ref_der, (size_t)ref_der_len);
	EVP_PKEY_free(ref);
	kz_ossl_free();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
