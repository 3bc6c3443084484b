/*
 * C_CreateObject: session public keys, used to verify signatures made
 * elsewhere.  The GOST cases verify the two real NCA signatures given in
 * kz-vectors.txt (a GOST 34.310-2004 certificate signed by the NCA GOST test
 * CA, and the self-signed GOST 34.10-2015-512 test root): digest, issuer key
 * and signature bytes are NCA's, not ours.  Secret keys carry the GOST
 * HMAC known answers.
 */
#include "harness.h"
#include "kzp11/kzp11.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <stdlib.h>
#include <string.h>

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY;

/* Hex (big-endian number) to bytes; out_len bytes, reversed when le. */
static void hex_to(const char *hex, unsigned char *out, size_t out_len, int le)
{
	BIGNUM *bn = NULL;

	ck_assert(BN_hex2bn(&bn, hex) > 0);
	if (le)
		ck_assert_int_eq(BN_bn2lebinpad(bn, out, (int)out_len), (int)out_len);
	else
		ck_assert_int_eq(BN_bn2binpad(bn, out, (int)out_len), (int)out_len);
	BN_free(bn);
}

/* Bytes given in hex, in their own order. */
static void bytes_from_hex(const char *hex, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		ck_assert(sscanf(hex + 2 * i, "%2hhx", &out[i]) == 1);
}

static CK_OBJECT_HANDLE create_gost(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const char *params,
				   size_t params_len, const unsigned char *value, size_t len)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &pub_class, sizeof pub_class },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_TOKEN, &no, sizeof no },
		{ CKA_VERIFY, &yes, sizeof yes },
		{ CKA_GOSTR3410_PARAMS, (void *)params, params_len },
		{ CKA_VALUE, (void *)value, len },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

	ck_assert_ok(p11->C_CreateObject(s, t, sizeof t / sizeof *t, &h));
	return h;
}

static CK_RV verify(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech,
		    const unsigned char *data, size_t len, const unsigned char *sig, size_t sig_len)
{
	CK_MECHANISM m = { mech, NULL, 0 };

	ck_assert_ok(p11->C_VerifyInit(s, &m, key));
	return p11->C_Verify(s, (CK_BYTE_PTR)data, len, (CK_BYTE_PTR)sig, sig_len);
}

/* One signature from kz-vectors.txt, through the Kazakh and the standard layout. */
static void check_nca_vector(CK_KEY_TYPE type, const char *params, size_t params_len,
			     size_t size, const char *qx, const char *qy, const char *digest_hex,
			     const char *sig_hex, CK_MECHANISM_TYPE kz_mech, CK_MECHANISM_TYPE std_mech)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	unsigned char q[128], digest[64], sig[128], std[128];
	CK_OBJECT_HANDLE key;

	hex_to(qx, q, size, 1);
	hex_to(qy, q + size, size, 1);
	bytes_from_hex(digest_hex, digest, size);
	bytes_from_hex(sig_hex, sig, 2 * size);
	key = create_gost(s, type, params, params_len, q, 2 * size);

	ck_assert_ok(verify(s, key, kz_mech, digest, size, sig, 2 * size));
	/* The standard layout is the same bytes reversed: s_be || r_be. */
	for (size_t i = 0; i < 2 * size; i++)
		std[i] = sig[2 * size - 1 - i];
	ck_assert_ok(verify(s, key, std_mech, digest, size, std, 2 * size));
	/* Any change is caught. */
	sig[5] ^= 1;
	ck_assert_rv(verify(s, key, kz_mech, digest, size, sig, 2 * size), CKR_SIGNATURE_INVALID);
	sig[5] ^= 1;
	digest[0] ^= 1;
	ck_assert_rv(verify(s, key, kz_mech, digest, size, sig, 2 * size), CKR_SIGNATURE_INVALID);
	ck_assert_rv(verify(s, key, kz_mech, digest, size, sig, 2 * size - 1),
		     CKR_SIGNATURE_LEN_RANGE);
}

START_TEST(test_nca_gost_2004_signature)
{
	check_nca_vector(CKK_GOSTR3410, KZP11_OID_GOST34310_2004_PARAMSET_A,
			 sizeof KZP11_OID_GOST34310_2004_PARAMSET_A - 1, 32,
			 "475af7892c4c796340324ac49c229ddd66c320e93fba42bf490280221021f875",
			 "f43ac90e005566d891e14805053db338463e11411bae1e16c6f0414fa753a905",
			 "b986ae18534f9af850cac624227512c7192719104dbe7e95ff26ee75f677b5b4",
			 "3bbdcc3c38a30268582eb37844677487af050b60449869f5d63dcde55e86a104"
			 "a9fd105f70ab709d9ef2fa27e0a28cfdec07349faee5a99314a900919128d394",
			 CKM_KZ_GOST34310_2004, CKM_GOSTR3410);
}
END_TEST

START_TEST(test_nca_gost_2015_512_signature)
{
	check_nca_vector(CKK_GOSTR3410_512, KZP11_OID_GOST3410_2015_512_PARAMSET_A,
			 sizeof KZP11_OID_GOST3410_2015_512_PARAMSET_A - 1, 64,
			 "e4a86f1b674c8e4bff079a4440a32e9ee212aa6dd89d71eb7c66c5f02c2159d5"
			 "be4124c052c16cddf06926367ecccc2b682267d67e56ebc3297eee9eb287fe4e",
			 "57890eee6fea4e70346bf9939f8f0ec9c6dc9f572e1057b7a3cd8f810d6073a4"
			 "2c22735cbe1c0d9f8da097e1e5d71d849027e9d633591ac4a0c6e0a1e229a6fc",
			 "de104afc8b774f10139f1326624b91ad38da43ce928143195ba33955b78cce62"
			 "2dcd51ead7a1b0411370c41785f0ea1689a1cbf0d8b0a4b1f7d725078d4361e4",
			 "9843766c7cfda40b48e97f8fff62108215a961966ca669c577fc4106790ca4a7"
			 "b14f91ea94c1400e6f3c3d2e3d77780f0380b63da406c6ce4d668a01d3c6dc0d"
			 "1415c4d6e8936e1413e5745633462e1dec5537dfd7518cec4e7d32775ea93c31"
			 "936e3c3de7f5edaec4a13b561a8739a41977c0c5f11af8389b139ca43f8dfc15",
			 CKM_KZ_GOST3410_2015_512, CKM_GOSTR3410_512);
}
END_TEST

/* An RSA public key from the certificate verifies what the container signs. */
START_TEST(test_rsa_session_key)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_SIGN);
	CK_KEY_TYPE rsa = CKK_RSA;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char mod[512], exp[8], sig[512];
	CK_ULONG sig_len = sizeof sig;
	CK_OBJECT_HANDLE key, priv;
	const unsigned char msg[] = "signed by the container, checked by a session key";
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &pub_class, sizeof pub_class },
		{ CKA_KEY_TYPE, &rsa, sizeof rsa },
		{ CKA_MODULUS, mod, 0 },
		{ CKA_PUBLIC_EXPONENT, exp, 0 },
	};

	ck_assert(EVP_PKEY_get_bn_param(X509_get0_pubkey(fx[FX_SIGN].cert), OSSL_PKEY_PARAM_RSA_N, &n));
	ck_assert(EVP_PKEY_get_bn_param(X509_get0_pubkey(fx[FX_SIGN].cert), OSSL_PKEY_PARAM_RSA_E, &e));
	t[2].ulValueLen = (CK_ULONG)BN_bn2bin(n, mod);
	t[3].ulValueLen = (CK_ULONG)BN_bn2bin(e, exp);
	BN_free(n);
	BN_free(e);
	ck_assert_ok(p11->C_CreateObject(s, t, 4, &key));
	ck_assert_uint_eq(h_attr_bool(s, key, CKA_TOKEN), CK_FALSE);

	h_login(s);
	priv = h_find_class(s, CKO_PRIVATE_KEY);
	ck_assert_ok(h_try_sign(s, priv, CKM_SHA256_RSA_PKCS, msg, sizeof msg, sig, &sig_len));
	ck_assert_ok(verify(s, key, CKM_SHA256_RSA_PKCS, msg, sizeof msg, sig, sig_len));
	sig[0] ^= 1;
	ck_assert_rv(verify(s, key, CKM_SHA256_RSA_PKCS, msg, sizeof msg, sig, sig_len),
		     CKR_SIGNATURE_INVALID);

	/* Session objects can be destroyed; token objects cannot. */
	ck_assert_ok(p11->C_DestroyObject(s, key));
	ck_assert_rv(p11->C_DestroyObject(s, key), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_rv(p11->C_DestroyObject(s, priv), CKR_ACTION_PROHIBITED);
}
END_TEST

/* A session object lives as long as the session that made it. */
START_TEST(test_session_object_dies_with_session)
{
	CK_SESSION_HANDLE s1 = h_open_fx(FX_AUTH), s2 = h_open_fx(FX_AUTH);
	unsigned char q[64] = { 0 };
	CK_OBJECT_HANDLE key;
	CK_ULONG len;

	/* The real 2004 issuer key again, so the point is valid. */
	hex_to("475af7892c4c796340324ac49c229ddd66c320e93fba42bf490280221021f875", q, 32, 1);
	hex_to("f43ac90e005566d891e14805053db338463e11411bae1e16c6f0414fa753a905", q + 32, 32, 1);
	key = create_gost(s1, CKK_GOSTR3410, KZP11_OID_GOST34310_2004_PARAMSET_A,
			  sizeof KZP11_OID_GOST34310_2004_PARAMSET_A - 1, q, sizeof q);
	free(h_attr(s2, key, CKA_VALUE, &len));   /* visible to the other session */
	ck_assert_uint_eq(len, 64);
	ck_assert_ok(p11->C_CloseSession(s1));
	{
		CK_ATTRIBUTE a = { CKA_VALUE, NULL, 0 };
		ck_assert_rv(p11->C_GetAttributeValue(s2, key, &a, 1), CKR_OBJECT_HANDLE_INVALID);
	}
}
END_TEST

START_TEST(test_create_rejects_bad_templates)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	CK_KEY_TYPE gost = CKK_GOSTR3410, gost512 = CKK_GOSTR3410_512;
	CK_OBJECT_CLASS data = CKO_DATA;
	unsigned char q[64];
	CK_OBJECT_HANDLE h;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &pub_class, sizeof pub_class },
		{ CKA_KEY_TYPE, &gost, sizeof gost },
		{ CKA_GOSTR3410_PARAMS, (void *)KZP11_OID_GOST34310_2004_PARAMSET_A,
		  sizeof KZP11_OID_GOST34310_2004_PARAMSET_A - 1 },
		{ CKA_VALUE, q, sizeof q },
		{ CKA_TOKEN, &yes, sizeof yes },
	};

	memset(q, 0x11, sizeof q);   /* not a point of the curve */
	ck_assert_rv(p11->C_CreateObject(s, t, 4, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_rv(p11->C_CreateObject(s, t, 3, &h), CKR_TEMPLATE_INCOMPLETE);
	ck_assert_rv(p11->C_CreateObject(s, t, 1, &h), CKR_TEMPLATE_INCOMPLETE);
	hex_to("475af7892c4c796340324ac49c229ddd66c320e93fba42bf490280221021f875", q, 32, 1);
	hex_to("f43ac90e005566d891e14805053db338463e11411bae1e16c6f0414fa753a905", q + 32, 32, 1);
	/* Containers are never written: no token objects. */
	ck_assert_rv(p11->C_CreateObject(s, t, 5, &h), CKR_SESSION_READ_ONLY);
	/* A 256-bit curve named for a 512-bit key type. */
	t[1].pValue = &gost512;
	ck_assert_rv(p11->C_CreateObject(s, t, 4, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	t[1].pValue = &gost;
	t[0].pValue = &data;
	ck_assert_rv(p11->C_CreateObject(s, t, 4, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	t[0].pValue = &pub_class;
	t[4].type = CKA_VENDOR_DEFINED | 0x77;
	ck_assert_rv(p11->C_CreateObject(s, t, 5, &h), CKR_ATTRIBUTE_TYPE_INVALID);
	ck_assert_rv(p11->C_CreateObject(s, NULL, 0, &h), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_CreateObject(s, t, 4, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_ok(p11->C_CreateObject(s, t, 4, &h));
}
END_TEST

static CK_OBJECT_HANDLE create_secret(CK_SESSION_HANDLE s, const void *value, size_t len)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_GENERIC_SECRET;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_VALUE, (void *)value, len },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

	ck_assert_ok(p11->C_CreateObject(s, t, 3, &h));
	return h;
}

/* HMAC through the module against published values. */
static void check_hmac(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM m,
		       const void *msg, size_t len, const char *want_hex)
{
	unsigned char mac[64], want[64];
	CK_ULONG mac_len = sizeof mac;
	size_t want_len = strlen(want_hex) / 2;

	bytes_from_hex(want_hex, want, want_len);
	ck_assert_ok(p11->C_SignInit(s, &m, key));
	ck_assert_ok(p11->C_Sign(s, (CK_BYTE_PTR)msg, len, mac, &mac_len));
	ck_assert_uint_eq(mac_len, want_len);
	ck_assert_msg(memcmp(mac, want, want_len) == 0, "HMAC 0x%lx differs",
		      (unsigned long)m.mechanism);
	ck_assert_ok(p11->C_VerifyInit(s, &m, key));
	ck_assert_ok(p11->C_Verify(s, (CK_BYTE_PTR)msg, len, want, want_len));
	want[want_len - 1] ^= 1;
	ck_assert_ok(p11->C_VerifyInit(s, &m, key));
	ck_assert_rv(p11->C_Verify(s, (CK_BYTE_PTR)msg, len, want, want_len),
		     CKR_SIGNATURE_INVALID);
}

/* RFC 7836's HMAC_GOSTR3411_2012_256/512 examples, and the published
 * HMAC-GOSTR3411-94 (CryptoPro S-box) value for key "key". */
START_TEST(test_gost_hmac)
{
	CK_SESSION_HANDLE s = h_open_fx(FX_AUTH);
	unsigned char k[32], t[16];
	CK_OBJECT_HANDLE key, key2;
	CK_ATTRIBUTE value = { CKA_VALUE, NULL, 0 };
	const char *fox = "The quick brown fox jumps over the lazy dog";

	for (size_t i = 0; i < sizeof k; i++)
		k[i] = (unsigned char)i;
	bytes_from_hex("0126bdb87800af214341456563780100", t, sizeof t);
	key = create_secret(s, k, sizeof k);
	check_hmac(s, key, (CK_MECHANISM){ CKM_GOSTR3411_12_256_HMAC, NULL, 0 }, t, sizeof t,
		   "a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9");
	check_hmac(s, key, (CK_MECHANISM){ CKM_GOSTR3411_12_512_HMAC, NULL, 0 }, t, sizeof t,
		   "a59bab22ecae19c65fbde6e5f4e9f5d8549d31f037f9df9b905500e171923a77"
		   "3d5f1530f2ed7e964cb2eedc29e9ad2f3afe93b2814f79f5000ffc0366c251e6");
	key2 = create_secret(s, "key", 3);
	check_hmac(s, key2, (CK_MECHANISM){ CKM_GOSTR3411_HMAC, NULL, 0 }, fox, strlen(fox),
		   "e06ac9388fa2107fa7bb49d6b29c28a09a2c0cde316cd349a12bb4b0d3497370");
	/* The key stays inside. */
	ck_assert_rv(p11->C_GetAttributeValue(s, key, &value, 1), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq(h_attr_bool(s, key, CKA_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq(h_attr_bool(s, key, CKA_EXTRACTABLE), CK_FALSE);
}
END_TEST

Suite *suite_create_object(void)
{
	Suite *s = suite_create("create");
	TCase *tc = tcase_create("session keys");

	tcase_add_checked_fixture(tc, setup_init, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nca_gost_2004_signature);
	tcase_add_test(tc, test_nca_gost_2015_512_signature);
	tcase_add_test(tc, test_rsa_session_key);
	tcase_add_test(tc, test_session_object_dies_with_session);
	tcase_add_test(tc, test_create_rejects_bad_templates);
	tcase_add_test(tc, test_gost_hmac);
	suite_add_tcase(s, tc);
	return s;
}
