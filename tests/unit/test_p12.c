/*
 * Unit tests for src/soft/p12.c on containers made by kzp11-mkcontainer
 * ($KZP11_MKCONTAINER, default tests/fixtures/kzp11-mkcontainer) and by
 * OpenSSL here: probing for the key ID, opening with right and wrong
 * passwords, and damaged files, which must give an error and never a crash.
 * Inputs sit in heap buffers of exactly their size, so a build with
 * -fsanitize=address also catches reads past the end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <ftw.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/ossl.h"
#include "soft/p12.h"

#define PW "Qwerty12"
#define UTF8_PW "Құпия-сөз-1"

struct container {
	unsigned char *der;
	size_t len;
	X509 *cert;               /* from the generator's .cer */
	unsigned char ski[20];
};

/* Made once, before the tests run. */
static char tmpdir[256];
static struct container nca, modern, utf8pw;

/* ---- making containers ---- */

static const char *generator(void)
{
	const char *gen = getenv("KZP11_MKCONTAINER");
	return gen && *gen ? gen : "tests/fixtures/kzp11-mkcontainer";
}

static int make(struct container *c, const char *args)
{
	const char *gen = generator();
	char cmd[2048], path[1024], cer[1100];
	FILE *p, *f;
	const ASN1_OCTET_STRING *ski;
	long n;

	snprintf(cmd, sizeof cmd, "'%s' --cert-out %s '%s'", gen, args, tmpdir);
	p = popen(cmd, "r");
	if (!p || !fgets(path, sizeof path, p) || pclose(p) != 0)
		return -1;
	path[strcspn(path, "\n")] = '\0';
	snprintf(cer, sizeof cer, "%.*s.cer", (int)strlen(path) - 4, path);
	f = fopen(cer, "r");
	c->cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	f = fopen(path, "rb");
	if (!c->cert || !f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0) {
		if (f)
			fclose(f);
		return -1;
	}
	rewind(f);
	c->len = (size_t)n;
	c->der = malloc(c->len);
	if (!c->der || fread(c->der, 1, c->len, f) != c->len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	ski = X509_get0_subject_key_id(c->cert);
	if (!ski || ski->length != 20)
		return -1;
	memcpy(c->ski, ski->data, 20);
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* A self-signed RSA certificate and its key, for containers OpenSSL makes. */
static void make_key_and_cert(EVP_PKEY **key, X509 **cert)
{
	X509_NAME *name;

	*key = EVP_RSA_gen(1024);
	*cert = X509_new();
	ck_assert(*key && *cert);
	X509_set_version(*cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(*cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(*cert), 3600);
	X509_set_pubkey(*cert, *key);
	name = X509_get_subject_name(*cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"p12 test",
				   -1, -1, 0);
	X509_set_issuer_name(*cert, name);
	ck_assert(X509_sign(*cert, *key, EVP_sha256()) > 0);
}

/* DER of a PKCS#12 in an exact-size heap buffer. */
static unsigned char *p12_der(PKCS12 *p12, size_t *len)
{
	unsigned char *der = NULL, *copy;
	int n = i2d_PKCS12(p12, &der);

	ck_assert_int_gt(n, 0);
	copy = malloc((size_t)n);
	memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return copy;
}

static unsigned char *exact_copy(const unsigned char *src, size_t n)
{
	unsigned char *buf = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(buf);
	if (n)
		memcpy(buf, src, n);
	return buf;
}

/* ---- checks ---- */

static enum kz_p12_status probe(const unsigned char *buf, size_t len, struct kz_p12_info *info)
{
	unsigned char *copy = exact_copy(buf, len);
	const char *why = NULL;
	enum kz_p12_status st = kz_p12_probe(copy, len, info, &why);

	ck_assert_msg(st == KZ_P12_OK ? why == NULL : why != NULL, "status %d with why '%s'",
		      st, why ? why : "(none)");
	free(copy);
	return st;
}

static enum kz_p12_status open_p12(const unsigned char *buf, size_t len, const char *pw,
				   struct kz_p12_contents *out)
{
	unsigned char *copy = exact_copy(buf, len);
	const char *why = NULL;
	enum kz_p12_status st = kz_p12_open(copy, len, pw, strlen(pw), out, &why);

	if (st == KZ_P12_OK) {
		ck_assert_ptr_null(why);
		ck_assert_ptr_nonnull(out->key);
	} else {
		ck_assert_ptr_nonnull(why);
		ck_assert_ptr_null(out->key);
		ck_assert_ptr_null(out->cert);
	}
	free(copy);
	return st;
}

static void assert_status_in_range(enum kz_p12_status st)
{
	ck_assert_int_ge(st, KZ_P12_OK);
	ck_assert_int_le(st, KZ_P12_NO_MEMORY);
}

/* The decrypted key belongs to the certificate, and the certificate is cert. */
static void assert_contents(struct kz_p12_contents *got, X509 *cert)
{
	EVP_PKEY *pkey = EVP_PKCS82PKEY(got->key);

	ck_assert_ptr_nonnull(pkey);
	ck_assert_int_eq(EVP_PKEY_eq(pkey, X509_get0_pubkey(cert)), 1);
	ck_assert_ptr_nonnull(got->cert);
	ck_assert_int_eq(X509_cmp(got->cert, cert), 0);
	EVP_PKEY_free(pkey);
	kz_p12_contents_free(got);
	ck_assert_ptr_null(got->key);
}

static void cert_sha1(X509 *cert, unsigned char md[20])
{
	unsigned int n = 0;

	ck_assert(X509_digest(cert, EVP_sha1(), md, &n) && n == 20);
}

/* ---- probing ---- */

START_TEST(test_probe_nca)
{
	struct kz_p12_info info;

	ck_assert_int_eq(probe(nca.der, nca.len, &info), KZ_P12_OK);
	ck_assert_uint_eq(info.key_id_len, 20);
	ck_assert_mem_eq(info.key_id, nca.ski, 20);
}
END_TEST

START_TEST(test_probe_modern)
{
	struct kz_p12_info info;
	unsigned char md[20];

	/* OpenSSL's export names the key by the certificate's SHA-1. */
	cert_sha1(modern.cert, md);
	ck_assert_int_eq(probe(modern.der, modern.len, &info), KZ_P12_OK);
	ck_assert_uint_eq(info.key_id_len, 20);
	ck_assert_mem_eq(info.key_id, md, 20);
}
END_TEST

START_TEST(test_not_pkcs12)
{
	unsigned char *cert_der = NULL, noise[512];
	int cert_len = i2d_X509(nca.cert, &cert_der);
	static const unsigned char text[] = "-----BEGIN CERTIFICATE-----\nMIIB\n";
	static const unsigned char version2[] = {   /* PFX version 2 */
		0x30, 0x06, 0x02, 0x01, 0x02, 0x30, 0x01, 0x00 };
	struct kz_p12_info info;
	struct kz_p12_contents out;

	RAND_bytes(noise, sizeof noise);
	noise[0] = 0x04;
	ck_assert_int_eq(probe(cert_der, (size_t)cert_len, &info), KZ_P12_NOT_PKCS12);
	ck_assert_int_eq(probe(noise, sizeof noise, &info), KZ_P12_NOT_PKCS12);
	ck_assert_int_eq(probe(text, sizeof text - 1, &info), KZ_P12_NOT_PKCS12);
	ck_assert_int_eq(probe(version2, sizeof version2, &info), KZ_P12_NOT_PKCS12);
	ck_assert_int_eq(probe(noise, 0, &info), KZ_P12_NOT_PKCS12);
	ck_assert_int_eq(open_p12(cert_der, (size_t)cert_len, PW, &out), KZ_P12_NOT_PKCS12);
	ck_assert_int_eq(open_p12(noise, 0, PW, &out), KZ_P12_NOT_PKCS12);
	OPENSSL_free(cert_der);
}
END_TEST

START_TEST(test_public_key_integrity_unsupported)
{
	/* PFX { 3, ContentInfo { signedData, [0] { 04 01 00 } } } */
	static const unsigned char signed_pfx[] = {
		0x30, 0x15, 0x02, 0x01, 0x03, 0x30, 0x10, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
		0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x03, 0x04, 0x01, 0x00,
	};
	struct kz_p12_info info;
	struct kz_p12_contents out;

	ck_assert_int_eq(probe(signed_pfx, sizeof signed_pfx, &info), KZ_P12_UNSUPPORTED);
	ck_assert_int_eq(open_p12(signed_pfx, sizeof signed_pfx, PW, &out), KZ_P12_UNSUPPORTED);
}
END_TEST

/* ---- opening ---- */

START_TEST(test_open_nca)
{
	struct kz_p12_contents out;

	ck_assert_int_eq(open_p12(nca.der, nca.len, PW, &out), KZ_P12_OK);
	assert_contents(&out, nca.cert);
}
END_TEST

START_TEST(test_open_modern)
{
	struct kz_p12_contents out;

	ck_assert_int_eq(open_p12(modern.der, modern.len, PW, &out), KZ_P12_OK);
	assert_contents(&out, modern.cert);
	ck_assert_int_eq(open_p12(modern.der, modern.len, "Qwerty21", &out), KZ_P12_BAD_PASSWORD);
}
END_TEST

START_TEST(test_open_utf8_password)
{
	struct kz_p12_contents out;

	ck_assert_int_eq(open_p12(utf8pw.der, utf8pw.len, UTF8_PW, &out), KZ_P12_OK);
	assert_contents(&out, utf8pw.cert);
	ck_assert_int_eq(open_p12(utf8pw.der, utf8pw.len, PW, &out), KZ_P12_BAD_PASSWORD);
}
END_TEST

START_TEST(test_wrong_passwords)
{
	static const char *const wrong[] = {
		"", "qwerty12", "Qwerty1", "Qwerty123", "Qwerty12 ", " Qwerty12", "Qwerty13",
	};
	struct kz_p12_contents out;

	for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++)
		ck_assert_msg(open_p12(nca.der, nca.len, wrong[i], &out) == KZ_P12_BAD_PASSWORD,
			      "password '%s'", wrong[i]);
}
END_TEST

START_TEST(test_without_mac)
{
	EVP_PKEY *key;
	X509 *cert;
	PKCS12 *p12;
	unsigned char *der;
	size_t len;
	struct kz_p12_info info;
	struct kz_p12_contents out;

	make_key_and_cert(&key, &cert);
	/* mac_iter -1: no integrity check at all; only decryption tells the password. */
	p12 = PKCS12_create(PW, NULL, key, cert, NULL, 0, 0, 0, -1, 0);
	ck_assert_ptr_nonnull(p12);
	der = p12_der(p12, &len);
	ck_assert_int_eq(probe(der, len, &info), KZ_P12_OK);
	ck_assert_int_eq(open_p12(der, len, PW, &out), KZ_P12_OK);
	assert_contents(&out, cert);
	ck_assert_int_eq(open_p12(der, len, "wrong-password", &out), KZ_P12_BAD_PASSWORD);
	free(der);
	PKCS12_free(p12);
	X509_free(cert);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(test_without_key)
{
	EVP_PKEY *key;
	X509 *cert;
	PKCS12 *plain, *encrypted;
	unsigned char *der;
	size_t len;
	struct kz_p12_info info;
	struct kz_p12_contents out;

	make_key_and_cert(&key, &cert);
	/* A certificate in clear: the probe can tell there is no key. */
	plain = PKCS12_create(PW, NULL, NULL, cert, NULL, 0, -1, 0, 0, 0);
	ck_assert_ptr_nonnull(plain);
	der = p12_der(plain, &len);
	ck_assert_int_eq(probe(der, len, &info), KZ_P12_NO_KEY);
	ck_assert_int_eq(open_p12(der, len, PW, &out), KZ_P12_NO_KEY);
	free(der);
	/* An encrypted certificate: only opening tells. */
	encrypted = PKCS12_create(PW, NULL, NULL, cert, NULL, 0, 0, 0, 0, 0);
	ck_assert_ptr_nonnull(encrypted);
	der = p12_der(encrypted, &len);
	ck_assert_int_eq(probe(der, len, &info), KZ_P12_OK);
	ck_assert_uint_eq(info.key_id_len, 0);
	ck_assert_int_eq(open_p12(der, len, PW, &out), KZ_P12_NO_KEY);
	free(der);
	PKCS12_free(plain);
	PKCS12_free(encrypted);
	X509_free(cert);
	EVP_PKEY_free(key);
}
END_TEST

/* A certificate bag without localKeyID: the only certificate is the key's. */
START_TEST(test_certificate_without_key_id)
{
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	PKCS12 *p12;
	unsigned char *der;
	size_t len;
	struct kz_p12_contents out;

	make_key_and_cert(&key, &cert);
	ck_assert_ptr_nonnull(PKCS12_add_cert(&bags, cert));
	ck_assert_ptr_nonnull(PKCS12_add_key(&bags, key, 0, 1024, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
					     PW));
	ck_assert(PKCS12_add_safe(&safes, bags, -1, 0, NULL));
	p12 = PKCS12_add_safes(safes, 0);
	ck_assert_ptr_nonnull(p12);
	ck_assert(PKCS12_set_mac(p12, PW, -1, NULL, 0, 1024, EVP_sha1()));
	der = p12_der(p12, &len);
	ck_assert_int_eq(open_p12(der, len, PW, &out), KZ_P12_OK);
	assert_contents(&out, cert);
	free(der);
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	X509_free(cert);
	EVP_PKEY_free(key);
}
END_TEST

/* ---- damaged files ---- */

static void each_truncation(const struct container *c)
{
	for (size_t n = 0; n < c->len; n++) {
		struct kz_p12_info info;
		struct kz_p12_contents out;
		enum kz_p12_status st = probe(c->der, n, &info);
		ck_assert_msg(st != KZ_P12_OK, "probe accepted the file cut to %zu bytes", n);
		st = open_p12(c->der, n, PW, &out);
		ck_assert_msg(st != KZ_P12_OK, "open accepted the file cut to %zu bytes", n);
		assert_status_in_range(st);
	}
}

START_TEST(test_truncated_nca)
{
	each_truncation(&nca);
}
END_TEST

START_TEST(test_truncated_modern)
{
	each_truncation(&modern);
}
END_TEST

/* Reads a DER header at buf[*off], moves past it and returns the content length. */
static size_t der_header(const unsigned char *buf, size_t *off)
{
	size_t len = buf[*off + 1], n;

	*off += 2;
	if (len & 0x80)
		for (n = len & 0x7f, len = 0; n > 0; n--)
			len = (len << 8) | buf[(*off)++];
	return len;
}

/*
 * PFX { version, authSafe ContentInfo { data, [0] { OCTET STRING } },
 *       macData { DigestInfo { AlgorithmIdentifier { OID, params }, digest }, salt, iter } }
 * The outer layers are DER in both formats.
 */
struct layout {
	size_t safe_off, safe_len;      /* the AuthenticatedSafe: what the MAC covers */
	size_t params_off, params_len;  /* the MAC hash's AlgorithmIdentifier parameters */
};

static void outer_layout(const struct container *c, struct layout *l)
{
	size_t off = 0, alg_len, alg_end;

	der_header(c->der, &off);                   /* PFX */
	off += der_header(c->der, &off);            /* version */
	der_header(c->der, &off);                   /* ContentInfo */
	off += der_header(c->der, &off);            /* contentType */
	der_header(c->der, &off);                   /* [0] */
	ck_assert_uint_eq(c->der[off], 0x04);
	l->safe_len = der_header(c->der, &off);     /* OCTET STRING */
	l->safe_off = off;
	off += l->safe_len;
	der_header(c->der, &off);                   /* macData */
	der_header(c->der, &off);                   /* DigestInfo */
	alg_len = der_header(c->der, &off);         /* AlgorithmIdentifier */
	alg_end = off + alg_len;
	off += der_header(c->der, &off);            /* the OID */
	l->params_off = off;
	l->params_len = alg_end - off;
	ck_assert_uint_le(alg_end, c->len);
}

/*
 * Flips a bit and expects an error: the MAC covers what the header does not.
 * The one exception is the parameters of the MAC's hash algorithm, which
 * hash AlgorithmIdentifiers may carry or omit (RFC 5754): no crash is all
 * that is asked there.
 */
static void flip_and_check(const struct container *c, const struct layout *l, size_t i, int bit)
{
	unsigned char *buf = exact_copy(c->der, c->len);
	struct kz_p12_info info;
	struct kz_p12_contents out;
	enum kz_p12_status st;

	buf[i] ^= (unsigned char)(1u << bit);
	assert_status_in_range(probe(buf, c->len, &info));
	st = open_p12(buf, c->len, PW, &out);
	if (i >= l->params_off && i < l->params_off + l->params_len)
		kz_p12_contents_free(&out);
	else
		ck_assert_msg(st != KZ_P12_OK,
			      "opened with byte %zu bit %d flipped (0x%02x -> 0x%02x)", i, bit,
			      c->der[i], buf[i]);
	free(buf);
}

/* Every bit of the structure around the encrypted part, one bit per byte inside it. */
static void each_bit_flip(const struct container *c)
{
	const size_t head = 64, tail = 96;
	struct layout l;

	outer_layout(c, &l);
	for (size_t i = 0; i < c->len; i++) {
		if (i < head || i + tail >= c->len)
			for (int bit = 0; bit < 8; bit++)
				flip_and_check(c, &l, i, bit);
		else
			flip_and_check(c, &l, i, (int)(i % 8));
	}
}

START_TEST(test_bit_flips_nca)
{
	each_bit_flip(&nca);
}
END_TEST

START_TEST(test_bit_flips_modern)
{
	each_bit_flip(&modern);
}
END_TEST

/*
 * Damage behind a valid MAC: flip bits inside the AuthenticatedSafe and
 * recompute the MAC with the right password, so the parser and the
 * decryption see the damage.  Any status is acceptable; a crash is not,
 * nor an OK without a key.
 */
struct mac_layout {
	size_t safe_off, safe_len;      /* the MAC'd bytes */
	size_t digest_off;              /* the 20-byte HMAC-SHA1 value */
	unsigned char salt[64];
	int salt_len, iter;
};

static void find_mac_layout(const struct container *c, struct mac_layout *l)
{
	const unsigned char *p = c->der;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)c->len);
	const ASN1_OCTET_STRING *mac, *salt;
	const X509_ALGOR *alg;
	const ASN1_INTEGER *iter;
	struct layout outer;
	unsigned char *at;

	outer_layout(c, &outer);
	l->safe_off = outer.safe_off;
	l->safe_len = outer.safe_len;
	ck_assert_ptr_nonnull(p12);
	PKCS12_get0_mac(&mac, &alg, &salt, &iter, p12);
	ck_assert(mac && mac->length == 20 && salt && iter);
	at = memmem(c->der, c->len, mac->data, 20);
	ck_assert_ptr_nonnull(at);
	l->digest_off = (size_t)(at - c->der);
	ck_assert_uint_le((size_t)salt->length, sizeof l->salt);
	memcpy(l->salt, salt->data, (size_t)salt->length);
	l->salt_len = salt->length;
	l->iter = (int)ASN1_INTEGER_get(iter);
	PKCS12_free(p12);
}

static void remac(unsigned char *buf, const struct mac_layout *l)
{
	unsigned char key[20];
	unsigned int n = 0;

	ck_assert(PKCS12_key_gen_utf8(PW, (int)strlen(PW), (unsigned char *)l->salt, l->salt_len,
				      PKCS12_MAC_ID, l->iter, 20, key, EVP_sha1()));
	ck_assert_ptr_nonnull(HMAC(EVP_sha1(), key, 20, buf + l->safe_off, l->safe_len,
				   buf + l->digest_off, &n));
}

START_TEST(test_damage_behind_valid_mac)
{
	struct mac_layout l;
	struct kz_p12_contents out;
	unsigned char *buf;
	int opened = 0;

	find_mac_layout(&nca, &l);
	/* The layout is right: recomputing the MAC of the intact file changes nothing. */
	buf = exact_copy(nca.der, nca.len);
	remac(buf, &l);
	ck_assert_mem_eq(buf, nca.der, nca.len);
	free(buf);
	for (size_t k = 0; k < l.safe_len; k += 3) {
		enum kz_p12_status st;
		buf = exact_copy(nca.der, nca.len);
		buf[l.safe_off + k] ^= (unsigned char)(1u << (k % 8));
		remac(buf, &l);
		st = open_p12(buf, nca.len, PW, &out);
		assert_status_in_range(st);
		if (st == KZ_P12_OK) {
			opened++;
			kz_p12_contents_free(&out);
		}
		free(buf);
	}
	/* The MAC was right, so the damage really reached the parser (some of it,
	 * inside encrypted data, is harmless enough to open). */
	ck_assert_int_gt(opened, 0);
}
END_TEST

/* ---- set-up ---- */

static Suite *p12_suite(void)
{
	Suite *s = suite_create("p12");
	TCase *tc;

	tc = tcase_create("probe");
	tcase_add_test(tc, test_probe_nca);
	tcase_add_test(tc, test_probe_modern);
	tcase_add_test(tc, test_not_pkcs12);
	tcase_add_test(tc, test_public_key_integrity_unsupported);
	suite_add_tcase(s, tc);

	tc = tcase_create("open");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_nca);
	tcase_add_test(tc, test_open_modern);
	tcase_add_test(tc, test_open_utf8_password);
	tcase_add_test(tc, test_wrong_passwords);
	tcase_add_test(tc, test_without_mac);
	tcase_add_test(tc, test_without_key);
	tcase_add_test(tc, test_certificate_without_key_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("damaged");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_truncated_nca);
	tcase_add_test(tc, test_truncated_modern);
	tcase_add_test(tc, test_bit_flips_nca);
	tcase_add_test(tc, test_bit_flips_modern);
	tcase_add_test(tc, test_damage_behind_valid_mac);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	snprintf(tmpdir, sizeof tmpdir, "%s/kzp11-p12-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (access(generator(), X_OK) != 0) {
		fprintf(stderr, "container generator %s not found: nothing to test with\n",
			generator());
		return 77;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	if (kz_ossl_init() < 0) {
		fprintf(stderr, "cannot set up OpenSSL\n");
		return EXIT_FAILURE;
	}
	if (make(&nca, "") < 0 || make(&modern, "--format modern --name modern.p12") < 0 ||
	    make(&utf8pw, "--password '" UTF8_PW "' --name utf8.p12") < 0) {
		fprintf(stderr, "cannot make the test containers with %s\n", generator());
		nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		return EXIT_FAILURE;
	}
	sr = srunner_create(p12_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	kz_ossl_free();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
