/*
 * Real containers issued by NCA for testing ($KZP11_TESTKEYS/rsa, password
 * Qwerty12).  Skipped, with a message, when they are not there.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "harness.h"

#include <dirent.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SAMPLES 16

struct sample {
	char name[256];          /* file name */
	char id_hex[41];         /* the key ID in the name: ..._<40 hex>.p12 */
	X509 *cer;               /* the PEM copy beside it, if any */
};

static char rsa_dir[4096];
static struct sample samples[MAX_SAMPLES];
static int n_samples;

static int has_samples(void)
{
	const char *dir = getenv("KZP11_TESTKEYS");

	if (!dir || !*dir)
		return 0;
	snprintf(rsa_dir, sizeof rsa_dir, "%s/rsa", dir);
	return access(rsa_dir, R_OK | X_OK) == 0;
}

static X509 *read_cer(const char *p12_name)
{
	char path[4400];
	FILE *f;
	X509 *cert;

	snprintf(path, sizeof path, "%s/%.*s.cer", rsa_dir, (int)strlen(p12_name) - 4, p12_name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return cert;
}

static void load_samples(void)
{
	DIR *d = opendir(rsa_dir);
	struct dirent *e;

	ck_assert_ptr_nonnull(d);
	n_samples = 0;
	while ((e = readdir(d)) != NULL && n_samples < MAX_SAMPLES) {
		size_t len = strlen(e->d_name);
		struct sample *s = &samples[n_samples];
		if (len < 45 || strcmp(e->d_name + len - 4, ".p12") != 0)
			continue;
		snprintf(s->name, sizeof s->name, "%s", e->d_name);
		memcpy(s->id_hex, e->d_name + len - 44, 40);
		s->id_hex[40] = '\0';
		s->cer = read_cer(e->d_name);
		n_samples++;
	}
	closedir(d);
}

static void setup_nca(void)
{
	if (!has_samples())
		return;
	h_env(rsa_dir);
	ck_assert_ok(p11->C_Initialize(NULL));
	load_samples();
}

static void teardown_nca(void)
{
	for (int i = 0; i < n_samples; i++)
		X509_free(samples[i].cer);
	n_samples = 0;
	teardown_fini();
}

static CK_SLOT_ID slot_of(const struct sample *smp)
{
	CK_SLOT_ID slots[MAX_SAMPLES];
	CK_ULONG n = MAX_SAMPLES;

	ck_assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		ck_assert_ok(p11->C_GetTokenInfo(slots[i], &ti));
		if (memcmp(ti.serialNumber, smp->id_hex, 16) == 0)
			return slots[i];
	}
	ck_abort_msg("no slot for %s", smp->name);
	return 0;
}

static void assert_same_modulus(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, X509 *cert)
{
	BIGNUM *n = NULL;
	unsigned char want[1024];
	CK_ULONG len;
	unsigned char *got = h_attr(s, key, CKA_MODULUS, &len);
	int want_len;

	ck_assert(EVP_PKEY_get_bn_param(X509_get0_pubkey(cert), OSSL_PKEY_PARAM_RSA_N, &n));
	want_len = BN_bn2bin(n, want);
	ck_assert_msg(len == (CK_ULONG)want_len && memcmp(got, want, len) == 0,
		      "the private key's modulus is not the certificate's");
	BN_free(n);
	free(got);
}

static void check_sample(const struct sample *smp)
{
	static const CK_MECHANISM_TYPE mechs[] = { CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS };
	static const unsigned char text[] = "kzp11 and a real NCA key";
	CK_SESSION_HANDLE s = h_open(slot_of(smp), 0);
	CK_OBJECT_HANDLE key;
	X509 *cert;
	char ski_hex[129];
	const ASN1_OCTET_STRING *ski;

	/* The certificate file beside a container shows before any password. */
	ck_assert_uint_eq(h_count_class(s, CKO_CERTIFICATE), smp->cer ? 1 : 0);
	h_login(s);
	cert = h_cert_object(s, h_find_class(s, CKO_CERTIFICATE));
	if (smp->cer)
		ck_assert_msg(X509_cmp(cert, smp->cer) == 0, "%s: not the certificate of %s.cer",
			      smp->name, smp->name);
	ski = X509_get0_subject_key_id(cert);
	ck_assert_ptr_nonnull(ski);
	h_hex(ski->data, (size_t)ski->length, ski_hex);
	ck_assert_str_eq(ski_hex, smp->id_hex);
	key = h_find_class(s, CKO_PRIVATE_KEY);
	{
		CK_ULONG len;
		unsigned char *id = h_attr(s, key, CKA_ID, &len);
		ck_assert(len == (CK_ULONG)ski->length && memcmp(id, ski->data, len) == 0);
		free(id);
	}
	assert_same_modulus(s, key, cert);
	for (size_t i = 0; i < sizeof mechs / sizeof *mechs; i++) {
		unsigned char sig[512];
		CK_ULONG sig_len = sizeof sig;
		ck_assert_ok(h_try_sign(s, key, mechs[i], text, sizeof text, sig, &sig_len));
		ck_assert_msg(h_ossl_verify(cert, mechs[i], text, sizeof text, sig, sig_len),
			      "%s: OpenSSL rejects the signature", smp->name);
	}
	X509_free(cert);
}

START_TEST(test_nca_containers)
{
	if (!has_samples()) {
		printf("real NCA containers not found (KZP11_TESTKEYS/rsa): skipped\n");
		return;
	}
	ck_assert_int_gt(n_samples, 0);
	ck_assert_uint_eq(h_slot_count(), (CK_ULONG)n_samples);
	for (int i = 0; i < n_samples; i++)
		check_sample(&samples[i]);
}
END_TEST

Suite *suite_nca(void)
{
	Suite *s = suite_create("nca");
	TCase *tc = tcase_create("nca");

	tcase_add_checked_fixture(tc, setup_nca, teardown_nca);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nca_containers);
	suite_add_tcase(s, tc);
	return s;
}
