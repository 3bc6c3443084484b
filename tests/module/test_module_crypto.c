/*
 * Signatures, encryption, digests and random numbers.  Every signature is
 * checked by OpenSSL with the public key of the certificate alone, and by
 * the module's own C_Verify.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#define MODULUS_BYTES 256   /* the fixtures' RSA-2048 keys */

static const CK_MECHANISM_TYPE sign_mechs[] = {
	CKM_RSA_PKCS, CKM_RSA_X_509, CKM_RSA_PKCS_PSS,
	CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS,
	CKM_SHA512_RSA_PKCS,
	CKM_SHA1_RSA_PKCS_PSS, CKM_SHA224_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS,
	CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS,
};
#define N_SIGN_MECHS ((int)(sizeof sign_mechs / sizeof *sign_mechs))

static const CK_MECHANISM_TYPE digest_mechs[] = {
	CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512,
};
#define N_DIGEST_MECHS ((int)(sizeof digest_mechs / sizeof *digest_mechs))

/* Chunk sizes for multi-part calls; the last chunk takes the rest. */
static const CK_ULONG chunks[] = { 1, 7, 0, 50 };
#define N_CHUNKS (sizeof chunks / sizeof *chunks)

static unsigned char msg[240];   /* short enough to be CKM_RSA_X_509 input */
static CK_SESSION_HANDLE sess;
static CK_OBJECT_HANDLE priv, pub;

/* A logged-in session on the AUTH container and its keys. */
static void setup_crypto(void)
{
	setup_init();
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 7 + 1);
	sess = h_open_fx(FX_AUTH);
	h_login(sess);
	priv = h_find_class(sess, CKO_PRIVATE_KEY);
	pub = h_find_class(sess, CKO_PUBLIC_KEY);
}

/* ---- helpers ---- */

typedef CK_RV (*update_fn)(CK_SESSION_HANDLE, CK_BYTE_PTR, CK_ULONG);

/* Feeds data through an update function in the chunks above. */
static void feed(update_fn update, const unsigned char *data, CK_ULONG len)
{
	CK_ULONG off = 0;

	for (size_t i = 0; off < len; i++) {
		CK_ULONG n = i < N_CHUNKS - 1 ? chunks[i] : len - off;
		if (n > len - off)
			n = len - off;
		ck_assert_ok(update(sess, (CK_BYTE_PTR)data + off, n));
		off += n;
	}
}

static void sign_init(CK_MECHANISM_TYPE type, CK_OBJECT_HANDLE key)
{
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_MECHANISM m;

	h_mechanism(type, &pss, &m);
	ck_assert_ok(p11->C_SignInit(sess, &m, key));
}

static void verify_init(CK_MECHANISM_TYPE type)
{
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_MECHANISM m;

	h_mechanism(type, &pss, &m);
	ck_assert_ok(p11->C_VerifyInit(sess, &m, pub));
}

/* The module's own verification: single-part, multi-part, and rejections. */
static void module_verifies(CK_MECHANISM_TYPE type, const unsigned char *in, CK_ULONG in_len,
			    const unsigned char *sig, CK_ULONG sig_len)
{
	unsigned char bad[MODULUS_BYTES + 1];

	verify_init(type);
	ck_assert_ok(p11->C_Verify(sess, (CK_BYTE_PTR)in, in_len, (CK_BYTE_PTR)sig, sig_len));
	verify_init(type);
	feed(p11->C_VerifyUpdate, in, in_len);
	ck_assert_ok(p11->C_VerifyFinal(sess, (CK_BYTE_PTR)sig, sig_len));

	memcpy(bad, sig, sig_len);
	bad[sig_len / 2] ^= 0x01;
	verify_init(type);
	ck_assert_rv(p11->C_Verify(sess, (CK_BYTE_PTR)in, in_len, bad, sig_len),
		     CKR_SIGNATURE_INVALID);
	verify_init(type);
	feed(p11->C_VerifyUpdate, in, in_len);
	ck_assert_rv(p11->C_VerifyFinal(sess, bad, sig_len), CKR_SIGNATURE_INVALID);
	verify_init(type);
	ck_assert_rv(p11->C_Verify(sess, (CK_BYTE_PTR)in, in_len, (CK_BYTE_PTR)sig, sig_len - 1),
		     CKR_SIGNATURE_LEN_RANGE);
	verify_init(type);
	feed(p11->C_VerifyUpdate, in, in_len);
	bad[sig_len] = 0;
	ck_assert_rv(p11->C_VerifyFinal(sess, bad, sig_len + 1), CKR_SIGNATURE_LEN_RANGE);
	/* Each of those ended its operation. */
	ck_assert_rv(p11->C_VerifyFinal(sess, (CK_BYTE_PTR)sig, sig_len),
		     CKR_OPERATION_NOT_INITIALIZED);
}

static void assert_ossl_verifies(CK_MECHANISM_TYPE type, const unsigned char *in, CK_ULONG in_len,
				 const unsigned char *sig, CK_ULONG sig_len)
{
	ck_assert_msg(h_ossl_verify(fx[FX_AUTH].cert, type, in, in_len, sig, sig_len),
		      "OpenSSL rejects the signature of mechanism 0x%lx", (unsigned long)type);
}

/* ---- signing, every mechanism ---- */

START_TEST(test_sign_single_part)
{
	CK_MECHANISM_TYPE type = sign_mechs[_i];
	unsigned char in[sizeof msg], sig[MODULUS_BYTES + 16];
	CK_ULONG in_len, sig_len = 0;

	h_mech_input(type, msg, sizeof msg, in, &in_len);
	sign_init(type, priv);
	/* Length query: the modulus size, and the operation goes on. */
	ck_assert_ok(p11->C_Sign(sess, in, in_len, NULL, &sig_len));
	ck_assert_uint_eq(sig_len, MODULUS_BYTES);
	sig_len = 10;
	ck_assert_rv(p11->C_Sign(sess, in, in_len, sig, &sig_len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(sig_len, MODULUS_BYTES);
	sig_len = sizeof sig;
	ck_assert_ok(p11->C_Sign(sess, in, in_len, sig, &sig_len));
	ck_assert_uint_eq(sig_len, MODULUS_BYTES);
	ck_assert_rv(p11->C_Sign(sess, in, in_len, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_ossl_verifies(type, in, in_len, sig, sig_len);
	module_verifies(type, in, in_len, sig, sig_len);
}
END_TEST

START_TEST(test_sign_multi_part)
{
	CK_MECHANISM_TYPE type = sign_mechs[_i];
	unsigned char in[sizeof msg], sig[MODULUS_BYTES], one[MODULUS_BYTES];
	CK_ULONG in_len, sig_len = 0, one_len = sizeof one;

	h_mech_input(type, msg, sizeof msg, in, &in_len);
	sign_init(type, priv);
	feed(p11->C_SignUpdate, in, in_len);
	ck_assert_ok(p11->C_SignFinal(sess, NULL, &sig_len));
	ck_assert_uint_eq(sig_len, MODULUS_BYTES);
	sig_len = MODULUS_BYTES - 1;
	ck_assert_rv(p11->C_SignFinal(sess, sig, &sig_len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(sig_len, MODULUS_BYTES);
	ck_assert_ok(p11->C_SignFinal(sess, sig, &sig_len));
	ck_assert_uint_eq(sig_len, MODULUS_BYTES);
	ck_assert_rv(p11->C_SignFinal(sess, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_ossl_verifies(type, in, in_len, sig, sig_len);
	module_verifies(type, in, in_len, sig, sig_len);
	/* PKCS#1 v1.5 is deterministic: one part or many, the same signature. */
	ck_assert_ok(h_try_sign(sess, priv, type, in, in_len, one, &one_len));
	if (h_is_pss(type))
		ck_assert(memcmp(one, sig, sig_len) != 0);
	else
		ck_assert_mem_eq(one, sig, sig_len);
}
END_TEST

/* TLS 1.3 in NSS: CKM_RSA_PKCS_PSS over a SHA-256, SHA-384 or SHA-512 hash. */
START_TEST(test_pss_over_each_hash)
{
	CK_MECHANISM_TYPE hash = digest_mechs[_i];
	const EVP_MD *md = h_md(hash);
	CK_RSA_PKCS_PSS_PARAMS pss = { hash, h_mgf_of(hash), (CK_ULONG)EVP_MD_get_size(md) };
	CK_MECHANISM m = { CKM_RSA_PKCS_PSS, &pss, sizeof pss };
	unsigned char digest[EVP_MAX_MD_SIZE], sig[MODULUS_BYTES];
	unsigned int digest_len;
	CK_ULONG sig_len = sizeof sig;

	EVP_Digest(msg, sizeof msg, digest, &digest_len, md, NULL);
	ck_assert_ok(p11->C_SignInit(sess, &m, priv));
	ck_assert_ok(p11->C_Sign(sess, digest, digest_len, sig, &sig_len));
	ck_assert(h_ossl_verify_pss_hash(fx[FX_AUTH].cert, md, digest, digest_len, sig, sig_len));
	ck_assert_ok(p11->C_VerifyInit(sess, &m, pub));
	ck_assert_ok(p11->C_Verify(sess, digest, digest_len, sig, sig_len));
	/* A hash of another length than the parameter's is refused. */
	ck_assert_ok(p11->C_SignInit(sess, &m, priv));
	sig_len = sizeof sig;
	ck_assert_rv(p11->C_Sign(sess, digest, digest_len - 1, sig, &sig_len), CKR_DATA_LEN_RANGE);
}
END_TEST

START_TEST(test_sign_every_container)
{
	static const CK_MECHANISM_TYPE mechs[] = { CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS };

	for (int i = 0; i < FX_COUNT; i++) {
		CK_SESSION_HANDLE s = h_open_fx(i);
		CK_OBJECT_HANDLE key;
		if (i != FX_AUTH)
			h_login(s);
		key = h_find_class(s, CKO_PRIVATE_KEY);
		for (size_t m = 0; m < sizeof mechs / sizeof *mechs; m++) {
			unsigned char sig[MODULUS_BYTES];
			CK_ULONG sig_len = sizeof sig;
			ck_assert_ok(h_try_sign(s, key, mechs[m], msg, sizeof msg, sig, &sig_len));
			ck_assert_msg(h_ossl_verify(fx[i].cert, mechs[m], msg, sizeof msg, sig, sig_len),
				      "%s: OpenSSL rejects the signature", fx[i].role);
		}
	}
}
END_TEST

/* ---- operation state ---- */

START_TEST(test_sign_not_initialized)
{
	unsigned char sig[MODULUS_BYTES];
	CK_ULONG len = sizeof sig;

	ck_assert_rv(p11->C_Sign(sess, msg, 10, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_SignUpdate(sess, msg, 10), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_SignFinal(sess, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_Verify(sess, msg, 10, sig, len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_VerifyUpdate(sess, msg, 10), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_VerifyFinal(sess, sig, len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_Encrypt(sess, msg, 10, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_Decrypt(sess, sig, len, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_Digest(sess, msg, 10, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_DigestFinal(sess, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_Sign(CK_INVALID_HANDLE, msg, 10, sig, &len),
		     CKR_SESSION_HANDLE_INVALID);
}
END_TEST

START_TEST(test_sign_init_twice)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char sig[MODULUS_BYTES];
	CK_ULONG len = sizeof sig;

	ck_assert_ok(p11->C_SignInit(sess, &m, priv));
	ck_assert_rv(p11->C_SignInit(sess, &m, priv), CKR_OPERATION_ACTIVE);
	/* The first operation is intact. */
	ck_assert_ok(p11->C_Sign(sess, msg, sizeof msg, sig, &len));
	assert_ossl_verifies(CKM_SHA256_RSA_PKCS, msg, sizeof msg, sig, len);
	/* PKCS#11 3.0 C_SessionCancel ends an operation. */
	ck_assert_ok(p11->C_SignInit(sess, &m, priv));
	ck_assert_ok(p11_3->C_SessionCancel(sess, CKF_SIGN));
	ck_assert_rv(p11->C_SignFinal(sess, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_ok(p11->C_SignInit(sess, &m, priv));
}
END_TEST

START_TEST(test_pss_parameters)
{
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA_1, CKG_MGF1_SHA1, 20 };
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss };
	CK_MECHANISM plain = { CKM_SHA256_RSA_PKCS, &pss, sizeof pss };
	unsigned char sig[MODULUS_BYTES];
	CK_ULONG len = sizeof sig;

	/* The hash in the parameter must be the mechanism's. */
	ck_assert_rv(p11->C_SignInit(sess, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_rv(p11->C_VerifyInit(sess, &m, pub), CKR_MECHANISM_PARAM_INVALID);
	pss = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, 0x99, 32 };
	ck_assert_rv(p11->C_SignInit(sess, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	pss = (CK_RSA_PKCS_PSS_PARAMS){ CKM_MD5, CKG_MGF1_SHA256, 32 };
	m.mechanism = CKM_RSA_PKCS_PSS;
	ck_assert_rv(p11->C_SignInit(sess, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	pss = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, CKG_MGF1_SHA256, 32 };
	m.ulParameterLen = sizeof pss - 1;
	ck_assert_rv(p11->C_SignInit(sess, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	m.pParameter = NULL;
	m.ulParameterLen = 0;
	ck_assert_rv(p11->C_SignInit(sess, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	/* A mechanism without parameters refuses one. */
	ck_assert_rv(p11->C_SignInit(sess, &plain, priv), CKR_MECHANISM_PARAM_INVALID);
	/* None of that left an operation behind. */
	ck_assert_rv(p11->C_SignFinal(sess, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	sign_init(CKM_SHA256_RSA_PKCS_PSS, priv);
}
END_TEST

START_TEST(test_raw_input_lengths)
{
	unsigned char in[MODULUS_BYTES + 1] = { 0 }, sig[MODULUS_BYTES];
	CK_ULONG len = sizeof sig;

	/* PSS over a raw hash: exactly the hash's length. */
	sign_init(CKM_RSA_PKCS_PSS, priv);
	ck_assert_rv(p11->C_Sign(sess, in, 31, sig, &len), CKR_DATA_LEN_RANGE);
	ck_assert_rv(p11->C_Sign(sess, in, 31, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	sign_init(CKM_RSA_PKCS_PSS, priv);
	ck_assert_rv(p11->C_Sign(sess, in, 33, sig, &len), CKR_DATA_LEN_RANGE);
	sign_init(CKM_RSA_PKCS_PSS, priv);
	feed(p11->C_SignUpdate, in, 48);
	ck_assert_rv(p11->C_SignFinal(sess, sig, &len), CKR_DATA_LEN_RANGE);
	/* PKCS#1 v1.5: at most k - 11 bytes. */
	sign_init(CKM_RSA_PKCS, priv);
	ck_assert_rv(p11->C_Sign(sess, in, MODULUS_BYTES - 10, sig, &len), CKR_DATA_LEN_RANGE);
	sign_init(CKM_RSA_PKCS, priv);
	len = sizeof sig;
	ck_assert_ok(p11->C_Sign(sess, in, MODULUS_BYTES - 11, sig, &len));
	/* Raw RSA: never more than the modulus. */
	sign_init(CKM_RSA_X_509, priv);
	len = sizeof sig;
	ck_assert_rv(p11->C_Sign(sess, in, MODULUS_BYTES + 1, sig, &len), CKR_DATA_LEN_RANGE);
	sign_init(CKM_RSA_X_509, priv);
	feed(p11->C_SignUpdate, in, MODULUS_BYTES + 1);
	ck_assert_rv(p11->C_SignFinal(sess, sig, &len), CKR_DATA_LEN_RANGE);
}
END_TEST

START_TEST(test_wrong_keys)
{
	CK_MECHANISM sign = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM enc = { CKM_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE cert = h_find_class(sess, CKO_CERTIFICATE);
	CK_OBJECT_HANDLE profile = h_find_class(sess, CKO_PROFILE);
	CK_SESSION_HANDLE other = h_open_fx(FX_SIGN);
	CK_OBJECT_HANDLE foreign;

	/* A public key cannot sign nor decrypt, a private key neither verify nor encrypt. */
	ck_assert_rv(p11->C_SignInit(sess, &sign, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_rv(p11->C_DecryptInit(sess, &enc, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_rv(p11->C_VerifyInit(sess, &sign, priv), CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_rv(p11->C_EncryptInit(sess, &enc, priv), CKR_KEY_FUNCTION_NOT_PERMITTED);
	/* Objects that are not keys, and handles that are nothing here. */
	ck_assert_rv(p11->C_SignInit(sess, &sign, cert), CKR_KEY_HANDLE_INVALID);
	ck_assert_rv(p11->C_SignInit(sess, &sign, profile), CKR_KEY_HANDLE_INVALID);
	ck_assert_rv(p11->C_SignInit(sess, &sign, CK_INVALID_HANDLE), CKR_KEY_HANDLE_INVALID);
	ck_assert_rv(p11->C_SignInit(sess, &sign, 0x7fffffff), CKR_KEY_HANDLE_INVALID);
	h_login(other);
	foreign = h_find_class(other, CKO_PRIVATE_KEY);
	ck_assert_rv(p11->C_SignInit(sess, &sign, foreign), CKR_KEY_HANDLE_INVALID);
	/* Mechanisms that cannot sign. */
	sign.mechanism = CKM_SHA256;
	ck_assert_rv(p11->C_SignInit(sess, &sign, priv), CKR_MECHANISM_INVALID);
	sign.mechanism = CKM_RSA_PKCS_OAEP;
	ck_assert_rv(p11->C_SignInit(sess, &sign, priv), CKR_MECHANISM_INVALID);
	sign.mechanism = CKM_ECDSA_SHA256;
	ck_assert_rv(p11->C_SignInit(sess, &sign, priv), CKR_MECHANISM_INVALID);
	enc.mechanism = CKM_RSA_PKCS_PSS;
	ck_assert_rv(p11->C_EncryptInit(sess, &enc, pub), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_SignInit(sess, NULL, priv), CKR_ARGUMENTS_BAD);
}
END_TEST

/* ---- encryption ---- */

enum cipher_case { CIPHER_PKCS1, CIPHER_OAEP, CIPHER_RAW, N_CIPHER_CASES };

static const unsigned char oaep_label[] = "kzp11 OAEP label";

static void cipher_mechanism(enum cipher_case c, CK_RSA_PKCS_OAEP_PARAMS *oaep, CK_MECHANISM *m)
{
	static const CK_MECHANISM_TYPE types[] = { CKM_RSA_PKCS, CKM_RSA_PKCS_OAEP, CKM_RSA_X_509 };

	m->mechanism = types[c];
	m->pParameter = NULL;
	m->ulParameterLen = 0;
	if (c == CIPHER_OAEP) {
		*oaep = (CK_RSA_PKCS_OAEP_PARAMS){ CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED,
						   (CK_VOID_PTR)oaep_label, sizeof oaep_label - 1 };
		m->pParameter = oaep;
		m->ulParameterLen = sizeof *oaep;
	}
}

/* The same encryption by OpenSSL with the certificate's key. */
static size_t ossl_encrypt(enum cipher_case c, const unsigned char *in, size_t len,
			   unsigned char *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(fx[FX_AUTH].cert), NULL);
	static const int pads[] = { RSA_PKCS1_PADDING, RSA_PKCS1_OAEP_PADDING, RSA_NO_PADDING };
	size_t out_len = MODULUS_BYTES;
	int ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
		 EVP_PKEY_CTX_set_rsa_padding(ctx, pads[c]) > 0;

	if (ok && c == CIPHER_OAEP) {
		unsigned char *label = OPENSSL_memdup(oaep_label, sizeof oaep_label - 1);
		ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0 &&
		     EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, sizeof oaep_label - 1) > 0;
	}
	ok = ok && EVP_PKEY_encrypt(ctx, out, &out_len, in, len) > 0;
	EVP_PKEY_CTX_free(ctx);
	ck_assert_msg(ok, "OpenSSL cannot encrypt");
	return out_len;
}

/* Plaintext for a case: raw RSA needs a full-size block below the modulus. */
static CK_ULONG plaintext(enum cipher_case c, unsigned char *out)
{
	if (c == CIPHER_RAW) {
		memset(out, 0, MODULUS_BYTES);
		memcpy(out + MODULUS_BYTES - 100, msg, 100);
		return MODULUS_BYTES;
	}
	memcpy(out, msg, 40);
	return 40;
}

typedef CK_RV (*cipher_update_fn)(CK_SESSION_HANDLE, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
				  CK_ULONG_PTR);

/* Feeds input through C_EncryptUpdate or C_DecryptUpdate in 100-byte parts;
 * RSA gives its output only at the end. */
static void feed_cipher(cipher_update_fn update, const unsigned char *in, CK_ULONG len)
{
	unsigned char out[MODULUS_BYTES];

	for (CK_ULONG off = 0; off < len;) {
		CK_ULONG n = len - off < 100 ? len - off : 100, part_len = sizeof out;
		ck_assert_ok(update(sess, (CK_BYTE_PTR)in + off, n, out, &part_len));
		ck_assert_uint_eq(part_len, 0);
		off += n;
	}
}

static void decrypt_init(enum cipher_case c)
{
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	CK_MECHANISM m;

	cipher_mechanism(c, &oaep, &m);
	ck_assert_ok(p11->C_DecryptInit(sess, &m, priv));
}

/* The module decrypts ct to want, with length query and short buffer first. */
static void module_decrypts(enum cipher_case c, const unsigned char *ct, CK_ULONG ct_len,
			    const unsigned char *want, CK_ULONG want_len)
{
	unsigned char out[MODULUS_BYTES];
	CK_ULONG len = 0;

	decrypt_init(c);
	ck_assert_ok(p11->C_Decrypt(sess, (CK_BYTE_PTR)ct, ct_len, NULL, &len));
	ck_assert_uint_ge(len, want_len);
	ck_assert_uint_le(len, MODULUS_BYTES);
	len = want_len - 1;
	ck_assert_rv(p11->C_Decrypt(sess, (CK_BYTE_PTR)ct, ct_len, out, &len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_ge(len, want_len);
	len = sizeof out;
	ck_assert_ok(p11->C_Decrypt(sess, (CK_BYTE_PTR)ct, ct_len, out, &len));
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(out, want, want_len);
	ck_assert_rv(p11->C_Decrypt(sess, (CK_BYTE_PTR)ct, ct_len, out, &len),
		     CKR_OPERATION_NOT_INITIALIZED);
	/* In parts, with the same length rules at the end. */
	decrypt_init(c);
	feed_cipher(p11->C_DecryptUpdate, ct, ct_len);
	len = want_len - 1;
	ck_assert_rv(p11->C_DecryptFinal(sess, out, &len), CKR_BUFFER_TOO_SMALL);
	len = sizeof out;
	ck_assert_ok(p11->C_DecryptFinal(sess, out, &len));
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(out, want, want_len);
}

START_TEST(test_encrypt_decrypt)
{
	enum cipher_case c = (enum cipher_case)_i;
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	CK_MECHANISM m;
	unsigned char pt[MODULUS_BYTES], ct[MODULUS_BYTES], bad[MODULUS_BYTES];
	CK_ULONG pt_len = plaintext(c, pt), ct_len = 0;
	size_t ossl_len;

	cipher_mechanism(c, &oaep, &m);
	ck_assert_ok(p11->C_EncryptInit(sess, &m, pub));
	ck_assert_ok(p11->C_Encrypt(sess, pt, pt_len, NULL, &ct_len));
	ck_assert_uint_eq(ct_len, MODULUS_BYTES);
	ct_len = 16;
	ck_assert_rv(p11->C_Encrypt(sess, pt, pt_len, ct, &ct_len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(ct_len, MODULUS_BYTES);
	ck_assert_ok(p11->C_Encrypt(sess, pt, pt_len, ct, &ct_len));
	ck_assert_uint_eq(ct_len, MODULUS_BYTES);
	module_decrypts(c, ct, ct_len, pt, pt_len);

	/* In parts: nothing comes out before the end. */
	ck_assert_ok(p11->C_EncryptInit(sess, &m, pub));
	feed_cipher(p11->C_EncryptUpdate, pt, pt_len);
	ct_len = 0;
	ck_assert_ok(p11->C_EncryptFinal(sess, NULL, &ct_len));
	ck_assert_uint_eq(ct_len, MODULUS_BYTES);
	ck_assert_ok(p11->C_EncryptFinal(sess, ct, &ct_len));
	ck_assert_uint_eq(ct_len, MODULUS_BYTES);
	module_decrypts(c, ct, ct_len, pt, pt_len);

	ossl_len = ossl_encrypt(c, pt, pt_len, ct);
	ck_assert_uint_eq(ossl_len, MODULUS_BYTES);
	module_decrypts(c, ct, (CK_ULONG)ossl_len, pt, pt_len);

	/* Damaged or mis-sized ciphertext. */
	if (c != CIPHER_RAW) {
		memcpy(bad, ct, sizeof bad);
		bad[MODULUS_BYTES - 1] ^= 0x01;
		decrypt_init(c);
		ck_assert_rv(p11->C_Decrypt(sess, bad, MODULUS_BYTES, pt, &(CK_ULONG){ MODULUS_BYTES }),
			     CKR_ENCRYPTED_DATA_INVALID);
	}
	decrypt_init(c);
	ck_assert_rv(p11->C_Decrypt(sess, ct, MODULUS_BYTES - 1, pt, &(CK_ULONG){ MODULUS_BYTES }),
		     CKR_ENCRYPTED_DATA_LEN_RANGE);
}
END_TEST

START_TEST(test_encrypt_too_long)
{
	static const struct { enum cipher_case c; CK_ULONG max; } cases[] = {
		{ CIPHER_PKCS1, MODULUS_BYTES - 11 },
		{ CIPHER_OAEP, MODULUS_BYTES - 2 * 32 - 2 },
	};
	unsigned char pt[MODULUS_BYTES] = { 0 }, ct[MODULUS_BYTES];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CK_RSA_PKCS_OAEP_PARAMS oaep;
		CK_MECHANISM m;
		CK_ULONG len = sizeof ct;
		cipher_mechanism(cases[i].c, &oaep, &m);
		ck_assert_ok(p11->C_EncryptInit(sess, &m, pub));
		ck_assert_rv(p11->C_Encrypt(sess, pt, cases[i].max + 1, ct, &len), CKR_DATA_LEN_RANGE);
		ck_assert_ok(p11->C_EncryptInit(sess, &m, pub));
		len = sizeof ct;
		ck_assert_ok(p11->C_Encrypt(sess, pt, cases[i].max, ct, &len));
	}
}
END_TEST

START_TEST(test_oaep_label_must_match)
{
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	CK_MECHANISM m;
	unsigned char pt[MODULUS_BYTES], ct[MODULUS_BYTES];
	CK_ULONG pt_len = plaintext(CIPHER_OAEP, pt), len = sizeof pt;
	size_t ct_len = ossl_encrypt(CIPHER_OAEP, pt, pt_len, ct);

	cipher_mechanism(CIPHER_OAEP, &oaep, &m);
	oaep.ulSourceDataLen--;
	ck_assert_ok(p11->C_DecryptInit(sess, &m, priv));
	ck_assert_rv(p11->C_Decrypt(sess, ct, (CK_ULONG)ct_len, pt, &len),
		     CKR_ENCRYPTED_DATA_INVALID);
}
END_TEST

/* ---- digests ---- */

START_TEST(test_digest)
{
	CK_MECHANISM m = { digest_mechs[_i], NULL, 0 };
	const EVP_MD *md = h_md(digest_mechs[_i]);
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned int want_len;
	CK_ULONG len = 0;

	EVP_Digest(msg, sizeof msg, want, &want_len, md, NULL);
	/* Single part, with length query and short buffer. */
	ck_assert_ok(p11->C_DigestInit(sess, &m));
	ck_assert_rv(p11->C_DigestInit(sess, &m), CKR_OPERATION_ACTIVE);
	ck_assert_ok(p11->C_Digest(sess, msg, sizeof msg, NULL, &len));
	ck_assert_uint_eq(len, want_len);
	len = want_len - 1;
	ck_assert_rv(p11->C_Digest(sess, msg, sizeof msg, got, &len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(len, want_len);
	len = sizeof got;
	ck_assert_ok(p11->C_Digest(sess, msg, sizeof msg, got, &len));
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(got, want, want_len);
	/* Multi-part. */
	ck_assert_ok(p11->C_DigestInit(sess, &m));
	feed(p11->C_DigestUpdate, msg, sizeof msg);
	ck_assert_ok(p11->C_DigestFinal(sess, NULL, &len));
	ck_assert_uint_eq(len, want_len);
	len = 1;
	ck_assert_rv(p11->C_DigestFinal(sess, got, &len), CKR_BUFFER_TOO_SMALL);
	len = sizeof got;
	ck_assert_ok(p11->C_DigestFinal(sess, got, &len));
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(got, want, want_len);
	/* The empty message. */
	EVP_Digest("", 0, want, &want_len, md, NULL);
	ck_assert_ok(p11->C_DigestInit(sess, &m));
	len = sizeof got;
	ck_assert_ok(p11->C_Digest(sess, NULL, 0, got, &len));
	ck_assert_mem_eq(got, want, want_len);
}
END_TEST

START_TEST(test_digest_errors)
{
	CK_MECHANISM rsa = { CKM_RSA_PKCS, NULL, 0 };
	CK_MECHANISM with_param = { CKM_SHA256, msg, 4 };
	CK_MECHANISM md5 = { CKM_MD5, NULL, 0 };
	unsigned char out[64];
	CK_ULONG len = sizeof out;

	ck_assert_rv(p11->C_DigestInit(sess, &rsa), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_DigestInit(sess, &md5), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_DigestInit(sess, &with_param), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_rv(p11->C_DigestInit(sess, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_DigestUpdate(sess, msg, 4), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_DigestFinal(sess, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* Works without login too. */
	ck_assert_ok(p11->C_Logout(sess));
	with_param.pParameter = NULL;
	with_param.ulParameterLen = 0;
	ck_assert_ok(p11->C_DigestInit(sess, &with_param));
	ck_assert_ok(p11->C_Digest(sess, msg, 4, out, &len));
}
END_TEST

/* ---- random ---- */

START_TEST(test_generate_random)
{
	unsigned char a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };

	ck_assert_ok(p11->C_GenerateRandom(sess, a, sizeof a));
	ck_assert_ok(p11->C_GenerateRandom(sess, b, sizeof b));
	ck_assert(memcmp(a, b, sizeof a) != 0);
	ck_assert(memcmp(a, zero, sizeof a) != 0);
	ck_assert_ok(p11->C_GenerateRandom(sess, a, 0));
	ck_assert_rv(p11->C_GenerateRandom(sess, NULL, 16), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_GenerateRandom(CK_INVALID_HANDLE, a, sizeof a),
		     CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_GenerateRandom(sess + 1000, a, sizeof a), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_SeedRandom(sess, a, sizeof a), CKR_RANDOM_SEED_NOT_SUPPORTED);
}
END_TEST

Suite *suite_crypto(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc;

	tc = tcase_create("sign");
	tcase_add_checked_fixture(tc, setup_crypto, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_sign_single_part, 0, N_SIGN_MECHS);
	tcase_add_loop_test(tc, test_sign_multi_part, 0, N_SIGN_MECHS);
	tcase_add_loop_test(tc, test_pss_over_each_hash, 0, N_DIGEST_MECHS);
	tcase_add_test(tc, test_sign_every_container);
	tcase_add_test(tc, test_sign_not_initialized);
	tcase_add_test(tc, test_sign_init_twice);
	tcase_add_test(tc, test_pss_parameters);
	tcase_add_test(tc, test_raw_input_lengths);
	tcase_add_test(tc, test_wrong_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("cipher");
	tcase_add_checked_fixture(tc, setup_crypto, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_encrypt_decrypt, 0, N_CIPHER_CASES);
	tcase_add_test(tc, test_encrypt_too_long);
	tcase_add_test(tc, test_oaep_label_must_match);
	suite_add_tcase(s, tc);

	tc = tcase_create("digest");
	tcase_add_checked_fixture(tc, setup_crypto, teardown_fini);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_digest, 0, N_DIGEST_MECHS);
	tcase_add_test(tc, test_digest_errors);
	tcase_add_test(tc, test_generate_random);
	suite_add_tcase(s, tc);
	return s;
}
