/*
 * RSA private keys from a decrypted key bag, without OpenSSL's decoder.
 *
 * EVP_PKCS82PKEY_ex goes through OSSL_DECODER, which in OpenSSL 3.0 copies
 * the whole PKCS#8 (d, p, q, dP, dQ, qInv in big-endian) into a buffer that
 * decode_der2key.c frees without wiping it; that copy stays in the heap
 * until malloc happens to reuse the block.  Here the RSAPrivateKey is read
 * in place with the module's own DER reader, each value goes straight into
 * a BIGNUM, and the key is made with EVP_PKEY_fromdata.  Every intermediate
 * (the BIGNUMs, the OSSL_PARAM block with the values in native byte order)
 * is wiped before it is freed.
 */
#include "crypto/rsa_key.h"
#include "crypto/ossl.h"
#include "util/der.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

/* RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv } (RFC 8017 A.1.2) */
#define RSA_FIELDS 8
#define RSA_MAX_BYTES 2048   /* 16384-bit modulus */

static const char *const param_names[RSA_FIELDS] = {
	OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

/* A positive INTEGER as a new BIGNUM (read directly from the DER). */
static BIGNUM *read_positive(struct kz_der *d)
{
	struct kz_der_item it;
	BIGNUM *bn;

	if (kz_der_expect(d, KZ_DER_INTEGER, &it) < 0 || it.constructed || it.len == 0 ||
	    it.len > RSA_MAX_BYTES + 1 || (it.content[0] & 0x80))
		return NULL;
	bn = BN_bin2bn(it.content, (int)it.len, NULL);
	if (bn && BN_is_zero(bn)) {
		BN_free(bn);
		return NULL;
	}
	return bn;
}

/* The eight numbers, in the order of param_names; -1 if malformed. */
static int read_numbers(const unsigned char *der, size_t len, BIGNUM *bn[RSA_FIELDS])
{
	struct kz_der d, seq;
	struct kz_der_item outer, version;
	unsigned long v;

	kz_der_init(&d, der, len);
	if (kz_der_expect(&d, KZ_DER_SEQUENCE, &outer) < 0 || !outer.constructed || d.p != d.end)
		return -1;
	kz_der_enter(&outer, &seq);
	/* Version 1 (multi-prime) is not what NCA issues: refused. */
	if (kz_der_expect(&seq, KZ_DER_INTEGER, &version) < 0 || kz_der_uint(&version, &v) < 0 ||
	    v != 0)
		return -1;
	for (int i = 0; i < RSA_FIELDS; i++) {
		bn[i] = read_positive(&seq);
		if (!bn[i])
			return -1;
		/* Private values keep OpenSSL on its constant-time paths. */
		if (i >= 2)
			BN_set_flags(bn[i], BN_FLG_CONSTTIME);
	}
	return seq.p == seq.end ? 0 : -1;
}

/*
 * OSSL_PARAM_free of OpenSSL 3.0 does not wipe the block (and
 * OSSL_PARAM_clear_free is not in 3.0): the values are wiped here.
 */
static void clear_free_params(OSSL_PARAM *params)
{
	for (OSSL_PARAM *p = params; p && p->key; p++)
		if (p->data)
			OPENSSL_cleanse(p->data, p->data_size);
	OSSL_PARAM_free(params);
}

static EVP_PKEY *from_numbers(BIGNUM *bn[RSA_FIELDS])
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int ok = bld != NULL;

	for (int i = 0; ok && i < RSA_FIELDS; i++)
		ok = OSSL_PARAM_BLD_push_BN(bld, param_names[i], bn[i]);
	if (ok)
		params = OSSL_PARAM_BLD_to_param(bld);
	/*
	 * Named by its OID, not "RSA": for a name OpenSSL 3.0 knows as a legacy
	 * key type it first asks the host's default ENGINE (libp11's engine in
	 * `openssl -engine pkcs11` registers RSA), and an engine context cannot
	 * import.  The OID finds the provider's RSA key manager directly.
	 */
	if (params)
		ctx = EVP_PKEY_CTX_new_from_name(kz_ossl_ctx(), KZ_RSA_KEYMGMT, NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	clear_free_params(params);       /* the values, in native byte order */
	OSSL_PARAM_BLD_free(bld);        /* holds only pointers to bn[] */
	return pkey;
}

EVP_PKEY *kz_rsa_private_from_der(const unsigned char *der, size_t len, const char **why)
{
	BIGNUM *bn[RSA_FIELDS] = { NULL };
	EVP_PKEY *pkey = NULL;

	if (read_numbers(der, len, bn) < 0)
		*why = "malformed RSA private key";
	else if (BN_num_bits(bn[0]) < 512 || (size_t)BN_num_bytes(bn[0]) > RSA_MAX_BYTES)
		*why = "RSA modulus size not supported";
	else if (!(pkey = from_numbers(bn)))
		*why = "RSA private key rejected by OpenSSL";
	for (int i = 0; i < RSA_FIELDS; i++)
		BN_clear_free(bn[i]);
	ERR_clear_error();
	return pkey;
}
