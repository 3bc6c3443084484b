/*
 * Objects: what each container shows before and after login, with a cold
 * and a warm certificate cache; attribute rules; searching; read-only-ness.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <dirent.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

static const CK_ATTRIBUTE_TYPE secret_attrs[] = {
	CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
	CKA_COEFFICIENT, CKA_VALUE,
};
#define N_SECRET_ATTRS (sizeof secret_attrs / sizeof *secret_attrs)
#define CKA_UNKNOWN (CKA_VENDOR_DEFINED | 0x4242)

/* ---- expectations computed by OpenSSL ---- */

/* The DER encoding of an OpenSSL object (OPENSSL_free it). */
static unsigned char *der_of(const void *obj, const ASN1_ITEM *item, size_t *len)
{
	unsigned char *der = NULL;
	int n = ASN1_item_i2d((const ASN1_VALUE *)obj, &der, item);

	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return der;
}

static void assert_attr_eq(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
			   const void *want, size_t want_len, const char *what)
{
	CK_ULONG len;
	unsigned char *got = h_attr(s, o, type, &len);

	ck_assert_msg(len == want_len && memcmp(got, want, len) == 0,
		      "%s differs (%lu bytes, expected %zu)", what, (unsigned long)len, want_len);
	free(got);
}

/* The RSA modulus or public exponent of the certificate, big-endian. */
static unsigned char *cert_bn(X509 *cert, const char *name, size_t *len)
{
	BIGNUM *bn = NULL;
	unsigned char *buf;

	ck_assert(EVP_PKEY_get_bn_param(X509_get0_pubkey(cert), name, &bn));
	*len = (size_t)BN_num_bytes(bn);
	buf = malloc(*len);
	BN_bn2bin(bn, buf);
	BN_free(bn);
	return buf;
}

static void assert_rsa_public_attrs(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, X509 *cert)
{
	size_t n_len, e_len;
	unsigned char *n = cert_bn(cert, OSSL_PKEY_PARAM_RSA_N, &n_len);
	unsigned char *e = cert_bn(cert, OSSL_PKEY_PARAM_RSA_E, &e_len);

	assert_attr_eq(s, key, CKA_MODULUS, n, n_len, "CKA_MODULUS");
	assert_attr_eq(s, key, CKA_PUBLIC_EXPONENT, e, e_len, "CKA_PUBLIC_EXPONENT");
	ck_assert_uint_eq(h_attr_ulong(s, key, CKA_KEY_TYPE), CKK_RSA);
	free(n);
	free(e);
}

/* CKA_ID of every object except the profile. */
static void assert_ids(CK_SESSION_HANDLE s, enum fx_id id)
{
	static const CK_OBJECT_CLASS classes[] = { CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY };
	X509 *cert = h_cert_object(s, h_find_class(s, CKO_CERTIFICATE));
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cert);

	ck_assert_ptr_nonnull(ski);
	ck_assert_mem_eq(ski->data, fx[id].ski, fx[id].ski_len);
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
		CK_OBJECT_CLASS cls = classes[i];
		CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
		CK_OBJECT_HANDLE h;
		if (h_find(s, &t, 1, &h, 1) == 0)
			continue;   /* no private key before login */
		assert_attr_eq(s, h, CKA_ID, ski->data, (size_t)ski->length, "CKA_ID");
	}
	X509_free(cert);
}

static void assert_profile(CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE p = h_find_class(s, CKO_PROFILE);

	ck_assert_uint_eq(h_attr_ulong(s, p, CKA_CLASS), 9);
	ck_assert_uint_eq(h_attr_ulong(s, p, CKA_PROFILE_ID), 4);
	ck_assert_uint_eq(h_attr_ulong(s, p, CKA_PROFILE_ID), CKP_PUBLIC_CERTIFICATES_TOKEN);
	ck_assert_uint_eq(h_attr_bool(s, p, CKA_TOKEN), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, p, CKA_PRIVATE), CK_FALSE);
}

static void assert_certificate(CK_SESSION_HANDLE s, enum fx_id id)
{
	CK_OBJECT_HANDLE c = h_find_class(s, CKO_CERTIFICATE);
	X509 *want = fx[id].cert;
	size_t len;
	unsigned char *der, md[20];
	unsigned int md_len;

	ck_assert_uint_eq(h_attr_bool(s, c, CKA_PRIVATE), CK_FALSE);
	ck_assert_uint_eq(h_attr_bool(s, c, CKA_TOKEN), CK_TRUE);
	ck_assert_uint_eq(h_attr_ulong(s, c, CKA_CERTIFICATE_TYPE), CKC_X_509);
	ck_assert_uint_eq(h_attr_ulong(s, c, CKA_CERTIFICATE_CATEGORY), 1);
	der = der_of(want, ASN1_ITEM_rptr(X509), &len);
	assert_attr_eq(s, c, CKA_VALUE, der, len, "certificate CKA_VALUE");
	EVP_Digest(der, len, md, &md_len, EVP_sha1(), NULL);
	assert_attr_eq(s, c, CKA_CHECK_VALUE, md, 3, "certificate CKA_CHECK_VALUE");
	OPENSSL_free(der);
	der = der_of(X509_get_subject_name(want), ASN1_ITEM_rptr(X509_NAME), &len);
	assert_attr_eq(s, c, CKA_SUBJECT, der, len, "certificate CKA_SUBJECT");
	OPENSSL_free(der);
	der = der_of(X509_get_issuer_name(want), ASN1_ITEM_rptr(X509_NAME), &len);
	assert_attr_eq(s, c, CKA_ISSUER, der, len, "certificate CKA_ISSUER");
	OPENSSL_free(der);
	der = der_of(X509_get0_serialNumber(want), ASN1_ITEM_rptr(ASN1_INTEGER), &len);
	assert_attr_eq(s, c, CKA_SERIAL_NUMBER, der, len, "certificate CKA_SERIAL_NUMBER");
	OPENSSL_free(der);
}

static void assert_public_key(CK_SESSION_HANDLE s, enum fx_id id)
{
	CK_OBJECT_HANDLE k = h_find_class(s, CKO_PUBLIC_KEY);
	size_t len;
	unsigned char *spki = der_of(X509_get_X509_PUBKEY(fx[id].cert), ASN1_ITEM_rptr(X509_PUBKEY), &len);

	ck_assert_uint_eq(h_attr_bool(s, k, CKA_PRIVATE), CK_FALSE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_VERIFY), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_ENCRYPT), CK_TRUE);
	ck_assert_uint_eq(h_attr_ulong(s, k, CKA_MODULUS_BITS), 2048);
	assert_attr_eq(s, k, CKA_PUBLIC_KEY_INFO, spki, len, "CKA_PUBLIC_KEY_INFO");
	assert_rsa_public_attrs(s, k, fx[id].cert);
	OPENSSL_free(spki);
}

static CK_ULONG count_all(CK_SESSION_HANDLE s)
{
	return h_find(s, NULL, 0, NULL, 0);
}

/* A session on the one slot there is. */
static CK_SESSION_HANDLE open_only_slot(void)
{
	CK_SLOT_ID slot;
	CK_ULONG n = 1;

	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, &slot, &n));
	ck_assert_uint_eq(n, 1);
	return h_open(slot, 0);
}

/* ---- before and after login ---- */

START_TEST(test_cold_cache_before_login)
{
	for (int i = 0; i < FX_COUNT; i++) {
		CK_SESSION_HANDLE s = h_open_fx(i);
		/* Nothing, not even the "public certificates" profile: NSS would
		 * then never log in to look for the certificate. */
		ck_assert_uint_eq(count_all(s), 0);
		ck_assert_uint_eq(h_count_class(s, CKO_PROFILE), 0);
		ck_assert_uint_eq(h_count_class(s, CKO_CERTIFICATE), 0);
		ck_assert_uint_eq(h_count_class(s, CKO_PUBLIC_KEY), 0);
		ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 0);
	}
}
END_TEST

START_TEST(test_after_login)
{
	for (int i = 0; i < FX_COUNT; i++) {
		CK_SESSION_HANDLE s = h_open_fx(i);
		h_login(s);
		ck_assert_uint_eq(count_all(s), 4);
		assert_profile(s);
		assert_certificate(s, i);
		assert_public_key(s, i);
		ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 1);
		assert_ids(s, i);
	}
}
END_TEST

/* Every file in the cache is the DER of one of the certificates: nothing else is kept. */
static int cache_files_are_certificates(void)
{
	char dir[4200], path[4500];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/kzp11", h_cache_dir());
	d = opendir(dir);
	ck_assert_msg(d != NULL, "no certificate cache at %s", dir);
	while ((e = readdir(d)) != NULL) {
		unsigned char *buf, *der;
		size_t len, der_len;
		int known = 0;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		ck_assert_int_eq(h_read_file(path, &buf, &len), 0);
		for (int i = 0; i < FX_COUNT; i++) {
			der = der_of(fx[i].cert, ASN1_ITEM_rptr(X509), &der_len);
			known |= der_len == len && memcmp(der, buf, len) == 0;
			OPENSSL_free(der);
		}
		ck_assert_msg(known, "%s is not one of the certificates", path);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_warm_cache_before_login)
{
	for (int i = 0; i < FX_COUNT; i++)
		h_login(h_open_fx(i));
	ck_assert_int_eq(cache_files_are_certificates(), FX_COUNT);
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_ok(p11->C_Initialize(NULL));
	for (int i = 0; i < FX_COUNT; i++) {
		CK_SESSION_HANDLE s = h_open_fx(i);
		ck_assert_uint_eq(count_all(s), 3);
		assert_profile(s);
		assert_certificate(s, i);
		assert_public_key(s, i);
		ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 0);
		assert_ids(s, i);
		/* Logging in adds the private key and nothing twice. */
		h_login(s);
		ck_assert_uint_eq(count_all(s), 4);
		assert_ids(s, i);
	}
}
END_TEST

/*
 * The file behind a token is replaced by another container after the
 * module started (a renewed key saved under the old name).  Whatever the
 * login then does, the private key it shows must belong to the
 * certificate and public key shown with the same CKA_ID.
 */
START_TEST(test_replaced_container_never_mismatched)
{
	char dir[1200], path[1400];
	unsigned char *other;
	size_t other_len;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	snprintf(dir, sizeof dir, "%s/replaced-XXXXXX", h_tmpdir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/my-key.p12", dir);
	ck_assert_int_eq(h_read_file(fx[FX_AUTH].path, &other, &other_len), 0);
	ck_assert_int_eq(h_write_file(path, other, other_len), 0);
	free(other);
	ck_assert_ok(p11->C_Finalize(NULL));
	h_env(path);
	/* Warm the cache, then start again: the certificate shows before login. */
	ck_assert_ok(p11->C_Initialize(NULL));
	h_login(open_only_slot());
	ck_assert_ok(p11->C_Finalize(NULL));
	ck_assert_ok(p11->C_Initialize(NULL));
	s = open_only_slot();
	ck_assert_uint_eq(h_count_class(s, CKO_CERTIFICATE), 1);
	/* Now the file holds the SIGN container. */
	ck_assert_int_eq(h_read_file(fx[FX_SIGN].path, &other, &other_len), 0);
	ck_assert_int_eq(h_write_file(path, other, other_len), 0);
	free(other);
	rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, PIN_LEN);
	if (rv == CKR_OK && h_count_class(s, CKO_PRIVATE_KEY) > 0) {
		CK_OBJECT_HANDLE priv = h_find_class(s, CKO_PRIVATE_KEY);
		CK_ULONG id_len;
		unsigned char *id = h_attr(s, priv, CKA_ID, &id_len);
		CK_ATTRIBUTE t[] = { { CKA_ID, id, id_len } };
		CK_OBJECT_HANDLE found[8];
		CK_ULONG n = h_find(s, t, 1, found, 8);
		X509 *cert;
		for (CK_ULONG i = 0; i < n; i++)
			if (h_attr_ulong(s, found[i], CKA_CLASS) == CKO_CERTIFICATE) {
				cert = h_cert_object(s, found[i]);
				assert_rsa_public_attrs(s, priv, cert);
				X509_free(cert);
			}
		free(id);
	}
}
END_TEST

/* ---- attributes ---- */

START_TEST(test_private_key_attributes)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	CK_OBJECT_HANDLE k;

	h_login(s);
	k = h_find_class(s, CKO_PRIVATE_KEY);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_EXTRACTABLE), CK_FALSE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_PRIVATE), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_TOKEN), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_SIGN), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_DECRYPT), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_MODIFIABLE), CK_FALSE);
	ck_assert_uint_eq(h_attr_bool(s, k, CKA_ALWAYS_AUTHENTICATE), CK_FALSE);
	/* NSS sizes signatures from these. */
	assert_rsa_public_attrs(s, k, fx[FX_AUTH].cert);
	for (size_t i = 0; i < N_SECRET_ATTRS; i++) {
		unsigned char buf[1024];
		CK_ATTRIBUTE q = { secret_attrs[i], NULL, 0 };
		CK_ATTRIBUTE a = { secret_attrs[i], buf, sizeof buf };
		ck_assert_rv(p11->C_GetAttributeValue(s, k, &q, 1), CKR_ATTRIBUTE_SENSITIVE);
		ck_assert_uint_eq(q.ulValueLen, CK_UNAVAILABLE_INFORMATION);
		ck_assert_rv(p11->C_GetAttributeValue(s, k, &a, 1), CKR_ATTRIBUTE_SENSITIVE);
		ck_assert_uint_eq(a.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	}
}
END_TEST

START_TEST(test_template_with_bad_attributes)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	CK_OBJECT_HANDLE k;
	unsigned char id[64], exp[512], unk[16];
	CK_ATTRIBUTE t[] = {
		{ CKA_LABEL, NULL, 0 },
		{ CKA_PRIVATE_EXPONENT, exp, sizeof exp },
		{ CKA_ID, id, sizeof id },
		{ CKA_UNKNOWN, unk, sizeof unk },
	};
	CK_RV rv;

	h_login(s);
	k = h_find_class(s, CKO_PRIVATE_KEY);
	/* Every attribute is processed; either problem may be reported. */
	rv = p11->C_GetAttributeValue(s, k, t, 4);
	ck_assert_msg(rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID,
		      "C_GetAttributeValue returned %s", h_rv_name(rv));
	ck_assert(t[0].ulValueLen > 0 && t[0].ulValueLen != CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(t[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(t[2].ulValueLen, fx[FX_AUTH].ski_len);
	ck_assert_mem_eq(id, fx[FX_AUTH].ski, fx[FX_AUTH].ski_len);
	ck_assert_uint_eq(t[3].ulValueLen, CK_UNAVAILABLE_INFORMATION);
}
END_TEST

START_TEST(test_unknown_attributes)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_SIGN);
	static const struct { CK_OBJECT_CLASS cls; CK_ATTRIBUTE_TYPE type; } cases[] = {
		{ CKO_PROFILE, CKA_UNKNOWN }, { CKO_CERTIFICATE, CKA_UNKNOWN },
		{ CKO_PUBLIC_KEY, CKA_UNKNOWN }, { CKO_PRIVATE_KEY, CKA_UNKNOWN },
		{ CKO_CERTIFICATE, CKA_MODULUS }, { CKO_PUBLIC_KEY, CKA_VALUE },
		{ CKO_PUBLIC_KEY, CKA_PRIVATE_EXPONENT }, { CKO_PROFILE, CKA_VALUE },
	};

	h_login(s);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CK_OBJECT_HANDLE o = h_find_class(s, cases[i].cls);
		unsigned char buf[64];
		CK_ATTRIBUTE q = { cases[i].type, NULL, 0 }, a = { cases[i].type, buf, sizeof buf };
		ck_assert_rv(p11->C_GetAttributeValue(s, o, &q, 1), CKR_ATTRIBUTE_TYPE_INVALID);
		ck_assert_uint_eq(q.ulValueLen, CK_UNAVAILABLE_INFORMATION);
		ck_assert_rv(p11->C_GetAttributeValue(s, o, &a, 1), CKR_ATTRIBUTE_TYPE_INVALID);
		ck_assert_uint_eq(a.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	}
}
END_TEST

START_TEST(test_attribute_lengths)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	CK_OBJECT_HANDLE c;
	size_t der_len;
	unsigned char *der = der_of(fx[FX_AUTH].cert, ASN1_ITEM_rptr(X509), &der_len);
	unsigned char *buf = malloc(der_len + 16);
	CK_ATTRIBUTE a = { CKA_VALUE, NULL, 12345 };
	CK_ULONG cls = 0;
	CK_ATTRIBUTE small = { CKA_CLASS, &cls, sizeof cls - 1 };

	h_login(s);
	c = h_find_class(s, CKO_CERTIFICATE);
	ck_assert_ok(p11->C_GetAttributeValue(s, c, &a, 1));
	ck_assert_uint_eq(a.ulValueLen, der_len);
	a.pValue = buf;
	a.ulValueLen = der_len - 1;
	ck_assert_rv(p11->C_GetAttributeValue(s, c, &a, 1), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(a.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	a.ulValueLen = der_len + 16;
	ck_assert_ok(p11->C_GetAttributeValue(s, c, &a, 1));
	ck_assert_uint_eq(a.ulValueLen, der_len);
	ck_assert_mem_eq(buf, der, der_len);
	ck_assert_rv(p11->C_GetAttributeValue(s, c, &small, 1), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(small.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_ok(p11->C_GetAttributeValue(s, c, NULL, 0));
	ck_assert_rv(p11->C_GetAttributeValue(s, c, NULL, 1), CKR_ARGUMENTS_BAD);
	OPENSSL_free(der);
	free(buf);
}
END_TEST

/* ---- searching ---- */

static CK_ULONG count_template(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n)
{
	return h_find(s, t, n, NULL, 0);
}

START_TEST(test_find_objects)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	CK_OBJECT_CLASS cert_cls = CKO_CERTIFICATE, priv_cls = CKO_PRIVATE_KEY;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char wrong_id[20];
	CK_ULONG label_len;
	unsigned char *label;
	CK_OBJECT_HANDLE found[8];

	h_login(s);
	/* By class. */
	ck_assert_uint_eq(h_count_class(s, CKO_CERTIFICATE), 1);
	ck_assert_uint_eq(h_count_class(s, CKO_PUBLIC_KEY), 1);
	ck_assert_uint_eq(h_count_class(s, CKO_PRIVATE_KEY), 1);
	ck_assert_uint_eq(h_count_class(s, CKO_PROFILE), 1);
	/* By CKA_ID: the certificate and both keys. */
	{
		CK_ATTRIBUTE t = { CKA_ID, fx[FX_AUTH].ski, fx[FX_AUTH].ski_len };
		ck_assert_uint_eq(count_template(s, &t, 1), 3);
	}
	{
		CK_ATTRIBUTE t[] = { { CKA_CLASS, &priv_cls, sizeof priv_cls },
				     { CKA_ID, fx[FX_AUTH].ski, fx[FX_AUTH].ski_len } };
		ck_assert_uint_eq(count_template(s, t, 2), 1);
	}
	/* By label: every object found carries it. */
	label = h_attr(s, h_find_class(s, CKO_CERTIFICATE), CKA_LABEL, &label_len);
	{
		CK_ATTRIBUTE t[] = { { CKA_LABEL, label, label_len },
				     { CKA_CLASS, &cert_cls, sizeof cert_cls } };
		CK_ULONG n = h_find(s, t, 1, found, 8);
		ck_assert_uint_ge(n, 1);
		for (CK_ULONG i = 0; i < n; i++) {
			CK_ULONG len;
			unsigned char *l = h_attr(s, found[i], CKA_LABEL, &len);
			ck_assert(len == label_len && memcmp(l, label, len) == 0);
			free(l);
		}
		ck_assert_uint_eq(count_template(s, t, 2), 1);
	}
	/* Mismatches find nothing. */
	memcpy(wrong_id, fx[FX_AUTH].ski, sizeof wrong_id);
	wrong_id[19] ^= 1;
	{
		CK_ATTRIBUTE t[] = { { CKA_ID, wrong_id, 20 } };
		ck_assert_uint_eq(count_template(s, t, 1), 0);
	}
	{
		CK_ATTRIBUTE t[] = { { CKA_ID, fx[FX_AUTH].ski, 19 } };
		ck_assert_uint_eq(count_template(s, t, 1), 0);
	}
	{
		CK_ATTRIBUTE t[] = { { CKA_ID, fx[FX_SIGN].ski, fx[FX_SIGN].ski_len } };
		ck_assert_uint_eq(count_template(s, t, 1), 0);
	}
	{
		CK_ATTRIBUTE t[] = { { CKA_CLASS, &cert_cls, sizeof cert_cls },
				     { CKA_PRIVATE, &yes, 1 } };
		ck_assert_uint_eq(count_template(s, t, 2), 0);
	}
	{
		CK_ATTRIBUTE t[] = { { CKA_UNKNOWN, &yes, 1 } };
		ck_assert_uint_eq(count_template(s, t, 1), 0);
	}
	{
		CK_ATTRIBUTE t[] = { { CKA_TOKEN, &yes, 1 } };
		ck_assert_uint_eq(count_template(s, t, 1), 4);
		t[0].type = CKA_PRIVATE;
		t[0].pValue = &no;
		ck_assert_uint_eq(count_template(s, t, 1), 3);
	}
	free(label);
}
END_TEST

START_TEST(test_find_nss_classes)
{
	static const CK_OBJECT_CLASS classes[] = {
		CKO_NSS_TRUST, CKO_NSS_CRL, CKO_NSS_BUILTIN_ROOT_LIST, CKO_DATA, CKO_SECRET_KEY,
		CKO_DOMAIN_PARAMETERS, CKO_MECHANISM, CKO_HW_FEATURE,
	};
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);

	h_login(s);
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
		/* The way NSS asks: class plus CKA_TOKEN. */
		CK_OBJECT_CLASS cls = classes[i];
		CK_BBOOL yes = CK_TRUE;
		CK_ATTRIBUTE t[] = { { CKA_TOKEN, &yes, 1 }, { CKA_CLASS, &cls, sizeof cls } };
		ck_assert_uint_eq(count_template(s, t, 2), 0);
	}
}
END_TEST

START_TEST(test_find_objects_state)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH), other = h_open_fx(FX_AUTH);
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n = 99;

	h_login(s);  /* a cold token shows nothing before login */
	ck_assert_rv(p11->C_FindObjects(s, h, 8, &n), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_FindObjectsInit(s, NULL, 1), CKR_ARGUMENTS_BAD);
	ck_assert_ok(p11->C_FindObjectsInit(s, NULL, 0));
	ck_assert_rv(p11->C_FindObjectsInit(s, NULL, 0), CKR_OPERATION_ACTIVE);
	/* Another session searches on its own. */
	ck_assert_uint_eq(count_all(other), 4);
	ck_assert_rv(p11->C_FindObjects(s, h, 8, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_ok(p11->C_FindObjects(s, h, 8, &n));
	ck_assert_uint_eq(n, 4);
	ck_assert_ok(p11->C_FindObjects(s, h, 8, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_ok(p11->C_FindObjectsFinal(s));
	ck_assert_rv(p11->C_FindObjects(s, h, 8, &n), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_FindObjectsInit(CK_INVALID_HANDLE, NULL, 0),
		     CKR_SESSION_HANDLE_INVALID);
}
END_TEST

/* ---- token objects cannot be changed ---- */

START_TEST(test_objects_read_only)
{
	CK_SESSION_HANDLE s = h_open(h_slot(FX_AUTH), CKF_RW_SESSION);
	CK_OBJECT_HANDLE all[8], copy = CK_INVALID_HANDLE;
	CK_ULONG n;
	char label[] = "renamed";
	CK_ATTRIBUTE t = { CKA_LABEL, label, sizeof label - 1 };

	h_login(s);
	n = h_find(s, NULL, 0, all, 8);
	ck_assert_uint_eq(n, 4);
	for (CK_ULONG i = 0; i < n; i++) {
		ck_assert_uint_eq(h_attr_bool(s, all[i], CKA_MODIFIABLE), CK_FALSE);
		ck_assert_uint_eq(h_attr_bool(s, all[i], CKA_DESTROYABLE), CK_FALSE);
		ck_assert_uint_eq(h_attr_bool(s, all[i], CKA_COPYABLE), CK_FALSE);
		ck_assert_rv(p11->C_SetAttributeValue(s, all[i], &t, 1), CKR_ACTION_PROHIBITED);
		ck_assert_rv(p11->C_DestroyObject(s, all[i]), CKR_ACTION_PROHIBITED);
		ck_assert_rv(p11->C_CopyObject(s, all[i], &t, 1, &copy), CKR_ACTION_PROHIBITED);
	}
	ck_assert_uint_eq(count_all(s), 4);
}
END_TEST

START_TEST(test_invalid_object_handles)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH), other = h_open_fx(FX_SIGN);
	CK_OBJECT_HANDLE foreign, mine, copy;
	CK_ATTRIBUTE t = { CKA_LABEL, NULL, 0 };
	CK_ULONG size;

	h_login(other);
	h_login(s);
	foreign = h_find_class(other, CKO_CERTIFICATE);
	mine = h_find_class(s, CKO_PROFILE);
	/* Zero, a handle never given, and another slot's object. */
	CK_OBJECT_HANDLE bad[] = { CK_INVALID_HANDLE, 0x7fffffff, foreign };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ck_assert_rv(p11->C_GetAttributeValue(s, bad[i], &t, 1), CKR_OBJECT_HANDLE_INVALID);
		ck_assert_rv(p11->C_SetAttributeValue(s, bad[i], &t, 1), CKR_OBJECT_HANDLE_INVALID);
		ck_assert_rv(p11->C_DestroyObject(s, bad[i]), CKR_OBJECT_HANDLE_INVALID);
		ck_assert_rv(p11->C_CopyObject(s, bad[i], NULL, 0, &copy), CKR_OBJECT_HANDLE_INVALID);
		ck_assert_rv(p11->C_GetObjectSize(s, bad[i], &size), CKR_OBJECT_HANDLE_INVALID);
	}
	ck_assert_rv(p11->C_GetAttributeValue(CK_INVALID_HANDLE, mine, &t, 1),
		     CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_GetObjectSize(s, mine, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

START_TEST(test_certificate_labels_unique)
{
	unsigned char *labels[FX_COUNT];
	CK_ULONG lens[FX_COUNT];

	for (int i = 0; i < FX_COUNT; i++) {
		CK_SESSION_HANDLE s = h_open_fx(i);
		h_login(s);
		labels[i] = h_attr(s, h_find_class(s, CKO_CERTIFICATE), CKA_LABEL, &lens[i]);
		ck_assert_uint_gt(lens[i], 0);
	}
	for (int i = 0; i < FX_COUNT; i++)
		for (int j = i + 1; j < FX_COUNT; j++)
			ck_assert(lens[i] != lens[j] || memcmp(labels[i], labels[j], lens[i]) != 0);
	for (int i = 0; i < FX_COUNT; i++)
		free(labels[i]);
}
END_TEST

Suite *suite_objects(void)
{
	Suite *s = suite_create("objects");
	TCase *tc;

	tc = tcase_create("visibility");
	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cold_cache_before_login);
	tcase_add_test(tc, test_after_login);
	tcase_add_test(tc, test_warm_cache_before_login);
	tcase_add_test(tc, test_certificate_labels_unique);
	tcase_add_test(tc, test_replaced_container_never_mismatched);
	suite_add_tcase(s, tc);

	tc = tcase_create("attributes");
	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_private_key_attributes);
	tcase_add_test(tc, test_template_with_bad_attributes);
	tcase_add_test(tc, test_unknown_attributes);
	tcase_add_test(tc, test_attribute_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("search");
	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_find_objects);
	tcase_add_test(tc, test_find_nss_classes);
	tcase_add_test(tc, test_find_objects_state);
	tcase_add_test(tc, test_objects_read_only);
	tcase_add_test(tc, test_invalid_object_handles);
	suite_add_tcase(s, tc);
	return s;
}
