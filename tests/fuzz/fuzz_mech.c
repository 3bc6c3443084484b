/*
 * Fuzz target: mechanisms and their parameters, with a key, then the
 * operation.
 *
 * Set-up (once): the module on a kzp11-mkcontainer RSA container, a
 * session logged in with the container's password (so the private key is
 * usable), the token's RSA private and public keys, and three GOST key
 * pairs: the private halves built from fixed PKCS#8 structures by the
 * module's own reader (GOST 34.310-2004 with GOST 34.311-95, 34.10-2015
 * 512-bit with Streebog-512, and a 256-bit key with Streebog-256), the
 * public halves created as session objects with C_CreateObject.  The test
 * containers are RSA only, so the GOST private keys drive the operation
 * below the PKCS#11 layer (kz_op_new and the operation's functions), the
 * same code C_SignInit/C_Sign reach with a GOST token key.
 *
 * Input: key choice, operation (sign, verify, encrypt, decrypt, digest),
 * mechanism (one the module lists, or a raw type), parameter (none, raw
 * bytes, a GOST OID from a table, a built CK_RSA_PKCS_OAEP_PARAMS or
 * CK_RSA_PKCS_PSS_PARAMS, NULL with a length), for HMAC the key's bytes,
 * then how to run the operation (single or multi-part, output buffer
 * size or a size query first) and the data.
 */
#include "fuzz.h"
#include "module_env.h"
#include "crypto/key.h"
#include "crypto/mech.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>

#define KEY_GOST_N 3
#define MAX_MECHS 128

static CK_SESSION_HANDLE keeper;   /* logged in for the whole run */
static CK_OBJECT_HANDLE rsa_priv, rsa_pub, gost_pub[KEY_GOST_N];
static struct kz_key *gost_priv[KEY_GOST_N];
static CK_MECHANISM_TYPE mechs[MAX_MECHS];
static CK_ULONG n_mechs;

/* DER OIDs the GOST mechanisms take as parameters. */
static const struct { const char *der; size_t len; } oids[] = {
	{ "\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x03\x01\x01\x00", 12 },
	{ "\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x01", 10 },
	{ "\x06\x07\x2a\x85\x03\x02\x02\x1e\x00", 9 },
	{ "\x06\x07\x2a\x85\x03\x02\x02\x1e\x01", 9 },
	{ "\x06\x06\x2a\x85\x03\x02\x02\x09", 8 },
	{ "\x06\x08\x2a\x85\x03\x07\x01\x01\x02\x02", 10 },
	{ "\x06\x08\x2a\x85\x03\x07\x01\x01\x02\x03", 10 },
	{ "\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x02", 10 },
	{ "\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x03", 10 },
	{ "\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x01\x01\x01\x01", 12 },
};
#define N_OIDS (sizeof oids / sizeof *oids)

static const CK_MECHANISM_TYPE hashes[] = {
	CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512, CKM_MD5, CKM_SHA256_HMAC,
};
static const CK_RSA_PKCS_MGF_TYPE mgfs[] = {
	CKG_MGF1_SHA1, CKG_MGF1_SHA224, CKG_MGF1_SHA256, CKG_MGF1_SHA384, CKG_MGF1_SHA512, 0,
};

/* ---- set-up ---- */

/* The GOST keys: key algorithm, curve, hash (or none). */
static const struct {
	const char *alg, *curve, *hash;
	size_t alg_len, curve_len, hash_len, size;
	CK_KEY_TYPE type;
} gost_kinds[KEY_GOST_N] = {
	{ "\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x01\x01",
	  "\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x01\x01\x01\x01",
	  "\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x03\x01\x01\x00", 11, 12, 12, 32, CKK_GOSTR3410 },
	{ "\x06\x09\x2a\x83\x0e\x03\x0a\x01\x01\x02\x02",
	  "\x06\x0a\x2a\x83\x0e\x03\x0a\x01\x01\x02\x02\x01",
	  "\x06\x08\x2a\x83\x0e\x03\x0a\x01\x03\x03", 11, 12, 10, 64, 0xD4321003UL },
	{ "\x06\x08\x2a\x85\x03\x07\x01\x01\x01\x01",
	  "\x06\x07\x2a\x85\x03\x02\x02\x23\x01", NULL, 10, 9, 0, 32, CKK_GOSTR3410 },
};

static size_t tlv(unsigned char *out, unsigned char tag, const void *content, size_t len)
{
	size_t h = 0;

	out[h++] = tag;
	if (len >= 128)
		out[h++] = 0x81;
	out[h++] = (unsigned char)len;
	memcpy(out + h, content, len);
	return h + len;
}

/* PrivateKeyInfo { 0, { alg, { curve, hash } }, OCTET STRING { INTEGER d } } */
static struct kz_key *make_gost_private(int i)
{
	unsigned char params[64], algid[96], d[65], dint[80], octets[96], body[256], p8[300];
	size_t n, m, k;
	const unsigned char *q = p8;
	PKCS8_PRIV_KEY_INFO *info;
	struct kz_key *key;
	const char *why = NULL;

	memcpy(params, gost_kinds[i].curve, gost_kinds[i].curve_len);
	n = gost_kinds[i].curve_len;
	if (gost_kinds[i].hash) {
		memcpy(params + n, gost_kinds[i].hash, gost_kinds[i].hash_len);
		n += gost_kinds[i].hash_len;
	}
	memcpy(body, gost_kinds[i].alg, gost_kinds[i].alg_len);
	m = gost_kinds[i].alg_len + tlv(body + gost_kinds[i].alg_len, 0x30, params, n);
	m = tlv(algid, 0x30, body, m);
	d[0] = 0;   /* a positive INTEGER below the group order */
	memset(d + 1, 0x11 * (i + 1), gost_kinds[i].size);
	n = tlv(dint, 0x02, d, gost_kinds[i].size + 1);
	n = tlv(octets, 0x04, dint, n);
	k = tlv(body, 0x02, "\x00", 1);
	memcpy(body + k, algid, m);
	memcpy(body + k + m, octets, n);
	n = tlv(p8, 0x30, body, k + m + n);
	info = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)n);
	key = info ? kz_gost_key_from_pkcs8(info, &why) : NULL;
	if (!key)
		fprintf(stderr, "GOST key %d: %s\n", i, why ? why : "bad PKCS#8");
	PKCS8_PRIV_KEY_INFO_free(info);
	return key;
}

static CK_OBJECT_HANDLE make_gost_public(int i)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE type = gost_kinds[i].type;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_VERIFY, &yes, sizeof yes },
		{ CKA_VALUE, gost_priv[i]->gost.pub, 2 * gost_kinds[i].size },
		{ CKA_GOSTR3410_PARAMS, (void *)gost_kinds[i].curve, gost_kinds[i].curve_len },
		{ CKA_GOSTR3411_PARAMS, (void *)gost_kinds[i].hash, gost_kinds[i].hash_len },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_RV rv = C_CreateObject(keeper, t, gost_kinds[i].hash ? 6 : 5, &h);

	if (rv != CKR_OK)
		fprintf(stderr, "GOST public key %d: C_CreateObject = 0x%lx\n", i, rv);
	return h;
}

static CK_OBJECT_HANDLE find_one(CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	if (C_FindObjectsInit(keeper, &t, 1) == CKR_OK) {
		C_FindObjects(keeper, &h, 1, &n);
		C_FindObjectsFinal(keeper);
	}
	return n == 1 ? h : CK_INVALID_HANDLE;
}

int kz_fuzz_init(void)
{
	int rc = fz_module_start();

	if (rc != 0)
		return rc;
	if (C_OpenSession(fz_slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &keeper) != CKR_OK ||
	    C_Login(keeper, CKU_USER, (CK_UTF8CHAR_PTR)FUZZ_PIN, FUZZ_PIN_LEN) != CKR_OK) {
		fprintf(stderr, "cannot log in to the test container\n");
		return 1;
	}
	rsa_priv = find_one(CKO_PRIVATE_KEY);
	rsa_pub = find_one(CKO_PUBLIC_KEY);
	for (int i = 0; i < KEY_GOST_N; i++) {
		if (!(gost_priv[i] = make_gost_private(i)))
			return 1;
		if ((gost_pub[i] = make_gost_public(i)) == CK_INVALID_HANDLE)
			return 1;
	}
	n_mechs = MAX_MECHS;
	if (rsa_priv == CK_INVALID_HANDLE || rsa_pub == CK_INVALID_HANDLE ||
	    C_GetMechanismList(fz_slot(), mechs, &n_mechs) != CKR_OK || n_mechs == 0) {
		fprintf(stderr, "the token lacks its keys or mechanisms\n");
		return 1;
	}
	return 0;
}

/* ---- one input ---- */

struct param {
	CK_MECHANISM m;
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	CK_RSA_PKCS_PSS_PARAMS pss;
	void *owned[2];
};

static void read_param(struct fz *f, struct param *p)
{
	size_t got;
	const uint8_t *bytes;
	uint8_t how = fz_u8(f);

	p->m.pParameter = NULL;
	p->m.ulParameterLen = 0;
	switch (how % 6) {
	case 0:
		break;
	case 1:   /* raw bytes, in their own block (ASan sees over-reads) */
		bytes = fz_bytes(f, fz_u8(f), &got);
		p->owned[0] = malloc(got ? got : 1);
		if (p->owned[0] && got)
			memcpy(p->owned[0], bytes, got);
		/* Raw bytes of a parameter structure with a pointer would hand
		 * the module a wild pointer, which only a broken caller does. */
		if (p->m.mechanism == CKM_RSA_PKCS_OAEP && got == sizeof p->oaep)
			got--;
		p->m.pParameter = p->owned[0];
		p->m.ulParameterLen = got;
		break;
	case 2: { /* a GOST OID, maybe cut short */
		uint8_t which = fz_u8(f);
		size_t len = oids[which % N_OIDS].len;
		if (which & 0x80)
			len = len > 1 ? len - 1 - (which & 7) % (len - 1) : len;
		p->owned[0] = malloc(len);
		if (p->owned[0])
			memcpy(p->owned[0], oids[which % N_OIDS].der, len);
		p->m.pParameter = p->owned[0];
		p->m.ulParameterLen = len;
		break;
	}
	case 3: { /* OAEP */
		uint8_t h = fz_u8(f), src = fz_u8(f);
		p->oaep.hashAlg = h & 0x80 ? fz_u32(f) : hashes[h % (sizeof hashes / sizeof *hashes)];
		p->oaep.mgf = src & 0x80 ? fz_u32(f) : mgfs[src % (sizeof mgfs / sizeof *mgfs)];
		p->oaep.source = src & 0x40 ? fz_u32(f) : CKZ_DATA_SPECIFIED;
		bytes = fz_bytes(f, src & 0x20 ? fz_u8(f) : 0, &got);
		p->owned[1] = got ? malloc(got) : NULL;
		if (p->owned[1])
			memcpy(p->owned[1], bytes, got);
		p->oaep.pSourceData = p->owned[1];
		p->oaep.ulSourceDataLen = p->owned[1] ? got : (src & 0x10 ? 5 : 0);
		p->m.pParameter = &p->oaep;
		p->m.ulParameterLen = sizeof p->oaep;
		break;
	}
	case 4: { /* PSS */
		uint8_t h = fz_u8(f), g = fz_u8(f);
		p->pss.hashAlg = h & 0x80 ? fz_u32(f) : hashes[h % (sizeof hashes / sizeof *hashes)];
		p->pss.mgf = g & 0x80 ? fz_u32(f) : mgfs[g % (sizeof mgfs / sizeof *mgfs)];
		p->pss.sLen = g & 0x40 ? fz_u32(f) : fz_u8(f);
		p->m.pParameter = &p->pss;
		p->m.ulParameterLen = sizeof p->pss;
		break;
	}
	default:  /* NULL with a length */
		p->m.ulParameterLen = fz_u8(f);
		break;
	}
}

/* A secret key for HMAC from the input; CK_INVALID_HANDLE when refused. */
static CK_OBJECT_HANDLE make_secret(struct fz *f, CK_SESSION_HANDLE s)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	uint8_t b = fz_u8(f);
	CK_KEY_TYPE type = b & 1 ? CKK_GOSTR3411 : CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE;
	size_t got;
	const uint8_t *v = fz_bytes(f, fz_u8(f), &got);
	void *value = malloc(got ? got : 1);
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_SIGN, &yes, sizeof yes },
		{ CKA_VERIFY, &yes, sizeof yes },
		{ CKA_VALUE, value, got },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

	if (value && got)
		memcpy(value, v, got);
	if (C_CreateObject(s, t, 5, &h) != CKR_OK)
		h = CK_INVALID_HANDLE;
	free(value);
	return h;
}

/* The module's functions for each kind of operation. */
typedef CK_RV (*init_fn)(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
typedef CK_RV (*oneshot_fn)(CK_SESSION_HANDLE, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR);
typedef CK_RV (*update_fn)(CK_SESSION_HANDLE, CK_BYTE_PTR, CK_ULONG);
typedef CK_RV (*final_fn)(CK_SESSION_HANDLE, CK_BYTE_PTR, CK_ULONG_PTR);

static CK_RV digest_init(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key)
{
	(void)key;
	return C_DigestInit(s, m);
}

static CK_RV encrypt_update(CK_SESSION_HANDLE s, CK_BYTE_PTR in, CK_ULONG len)
{
	unsigned char out[1024];
	CK_ULONG out_len = sizeof out;
	return C_EncryptUpdate(s, in, len, out, &out_len);
}

static CK_RV decrypt_update(CK_SESSION_HANDLE s, CK_BYTE_PTR in, CK_ULONG len)
{
	unsigned char out[1024];
	CK_ULONG out_len = sizeof out;
	return C_DecryptUpdate(s, in, len, out, &out_len);
}

static const struct {
	init_fn init;
	oneshot_fn oneshot;
	update_fn update;
	final_fn final;
} api[] = {
	[KZ_OP_SIGN] = { C_SignInit, C_Sign, C_SignUpdate, C_SignFinal },
	[KZ_OP_VERIFY] = { C_VerifyInit, NULL, C_VerifyUpdate, NULL },
	[KZ_OP_ENCRYPT] = { C_EncryptInit, C_Encrypt, encrypt_update, C_EncryptFinal },
	[KZ_OP_DECRYPT] = { C_DecryptInit, C_Decrypt, decrypt_update, C_DecryptFinal },
	[KZ_OP_DIGEST] = { digest_init, C_Digest, C_DigestUpdate, C_DigestFinal },
};

/* Output buffer sizes: a size query first, then exactly that; or a given size. */
static CK_ULONG out_size(struct fz *f, int *query)
{
	uint8_t b = fz_u8(f);
	*query = b & 1;
	return (b & 2) ? 1024 : (CK_ULONG)(b >> 2) * 4;
}

/* A GOST signature made below the PKCS#11 layer; 0 when refused. */
static CK_ULONG gost_sign(struct kz_key *key, const CK_MECHANISM *m, const unsigned char *in,
			  CK_ULONG len, unsigned char *out, CK_ULONG cap)
{
	struct kz_op *op = NULL;
	CK_ULONG n = cap;

	if (kz_op_new(KZ_OP_SIGN, m, key, &op) != CKR_OK)
		return 0;
	if (!op->ops->update || op->ops->update(op, in, len) != CKR_OK ||
	    op->ops->final(op, out, &n) != CKR_OK)
		n = 0;
	kz_op_free(op);
	return n;
}

/*
 * A signature the verification should accept, or a ciphertext the
 * decryption should open, made with the same mechanism and the other half
 * of the key (or the same HMAC key), so that the fuzzed parameters reach
 * the success paths too.  0 when that cannot be made.
 */
static CK_ULONG make_valid(CK_SESSION_HANDLE s, enum kz_op_kind kind, CK_MECHANISM *m,
			   CK_OBJECT_HANDLE key, const unsigned char *in, CK_ULONG len,
			   unsigned char *out, CK_ULONG cap)
{
	CK_ULONG n = cap;

	for (int i = 0; i < KEY_GOST_N; i++)
		if (kind == KZ_OP_VERIFY && key == gost_pub[i])
			return gost_sign(gost_priv[i], m, in, len, out, cap);
	if (kind == KZ_OP_VERIFY) {
		if (C_SignInit(s, m, key == rsa_pub ? rsa_priv : key) != CKR_OK)
			return 0;
		return C_Sign(s, (CK_BYTE_PTR)in, len, out, &n) == CKR_OK ? n : 0;
	}
	if (kind == KZ_OP_DECRYPT && key == rsa_priv) {
		if (C_EncryptInit(s, m, rsa_pub) != CKR_OK)
			return 0;
		return C_Encrypt(s, (CK_BYTE_PTR)in, len, out, &n) == CKR_OK ? n : 0;
	}
	return 0;
}

static void run_module_op(struct fz *f, CK_SESSION_HANDLE s, enum kz_op_kind kind,
			  CK_MECHANISM *m, CK_OBJECT_HANDLE key)
{
	uint8_t how = fz_u8(f);
	int query;
	CK_ULONG cap = out_size(f, &query), out_len;
	unsigned char *out = malloc(1024);
	size_t sig_len = 0, got;
	const uint8_t *sig = NULL;
	unsigned char *sigbuf = NULL, *in;
	CK_RV rv;

	if (!out)
		return;
	if (kind == KZ_OP_VERIFY) {
		sig = fz_bytes(f, fz_u8(f), &sig_len);
		sigbuf = malloc(sig_len ? sig_len : 1);
		if (sigbuf && sig_len)
			memcpy(sigbuf, sig, sig_len);
	}
	in = malloc(f->n ? f->n : 1);   /* the rest is data */
	if (in && f->n)
		memcpy(in, f->p, f->n);
	got = f->n;
	f->n = 0;
	if (!in || (kind == KZ_OP_VERIFY && !sigbuf))
		goto out;
	if (how & 0x80) {   /* a valid signature or ciphertext instead */
		unsigned char *valid = malloc(1024);
		CK_ULONG n = valid ? make_valid(s, kind, m, key, in, got, valid, 1024) : 0;
		if (n && kind == KZ_OP_VERIFY) {
			free(sigbuf);
			sigbuf = valid;
			sig_len = n;
		} else if (n && kind == KZ_OP_DECRYPT) {
			free(in);
			in = valid;
			got = n;
		} else {
			free(valid);
		}
	}
	if (!(how & 1)) {   /* single part */
		if (kind == KZ_OP_VERIFY) {
			C_Verify(s, in, got, sigbuf, sig_len);
			goto out;
		}
		out_len = cap;
		if (query) {
			rv = api[kind].oneshot(s, in, got, NULL, &out_len);
			if (rv != CKR_OK || out_len > 1024)
				goto out;
		}
		rv = api[kind].oneshot(s, in, got, out, &out_len);
		if (rv == CKR_BUFFER_TOO_SMALL && out_len <= 1024)
			api[kind].oneshot(s, in, got, out, &out_len);
		goto out;
	}
	/* multi-part: up to four pieces */
	for (size_t off = 0, i = 0; i < 4 && off < got; i++) {
		size_t piece = (how >> (1 + 2 * (i % 3))) & 3 ? (got - off) / 2 + 1 : got - off;
		if (api[kind].update(s, in + off, piece) != CKR_OK)
			goto out;
		off += piece;
	}
	if (kind == KZ_OP_VERIFY) {
		C_VerifyFinal(s, sigbuf, sig_len);
		goto out;
	}
	out_len = cap;
	if (query && (api[kind].final(s, NULL, &out_len) != CKR_OK || out_len > 1024))
		goto out;
	rv = api[kind].final(s, out, &out_len);
	if (rv == CKR_BUFFER_TOO_SMALL && out_len <= 1024)
		api[kind].final(s, out, &out_len);
out:
	free(in);
	free(sigbuf);
	free(out);
}

/* A GOST private key's operation, driven the way the API layer does. */
static void run_internal_op(struct fz *f, struct kz_key *key, const CK_MECHANISM *m,
			    enum kz_op_kind kind)
{
	struct kz_op *op = NULL;
	unsigned char out[256] = { 0 };
	CK_ULONG out_len;
	uint8_t how;
	size_t got;
	const uint8_t *data;

	if (kz_op_new(kind, m, key, &op) != CKR_OK)
		return;
	how = fz_u8(f);
	data = fz_bytes(f, f->n, &got);
	if (op->ops->update && op->ops->update(op, data, got) == CKR_OK) {
		out_len = how & 1 ? op->out_len : (CK_ULONG)(how >> 1);
		if (kind == KZ_OP_VERIFY && op->ops->verify)
			op->ops->verify(op, out, how);
		else if (op->ops->final && op->ops->final(op, out, &out_len) == CKR_BUFFER_TOO_SMALL &&
			 out_len <= sizeof out) {
			if (op->ops->reset)
				op->ops->reset(op);
			op->ops->update(op, data, got);
			op->ops->final(op, out, &out_len);
		}
	}
	kz_op_free(op);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct param p;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	uint8_t key_sel = fz_u8(&f), mech_sel;
	enum kz_op_kind kind = (enum kz_op_kind)(fz_u8(&f) % KZ_OP_COUNT);
	int gost = -1;

	memset(&p, 0, sizeof p);
	mech_sel = fz_u8(&f);
	p.m.mechanism = mech_sel < 0xF0 ? mechs[mech_sel % n_mechs] : (CK_MECHANISM_TYPE)fz_u32(&f);
	read_param(&f, &p);
	if (C_OpenSession(fz_slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
		goto out;
	switch (key_sel % 8) {
	case 0: key = CK_INVALID_HANDLE; break;
	case 1: key = rsa_priv; break;
	case 2: key = rsa_pub; break;
	case 3: case 4: case 5:
		gost = key_sel % 8 - 3;
		key = gost_pub[gost];
		break;
	case 6: key = make_secret(&f, s); break;
	default: key = (CK_OBJECT_HANDLE)fz_u32(&f); break;
	}
	if (gost >= 0 && kind == KZ_OP_SIGN)
		run_internal_op(&f, gost_priv[gost], &p.m, kind);
	else if (api[kind].init(s, &p.m, key) == CKR_OK)
		run_module_op(&f, s, kind, &p.m, key);
	C_CloseSession(s);
out:
	free(p.owned[0]);
	free(p.owned[1]);
	return 0;
}
