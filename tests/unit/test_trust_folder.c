/*
 * Unit tests for src/trust/folder.c and the two settings it goes with:
 * which certificates of a trust folder are taken (CA:TRUE only, PEM bundles
 * and DER, duplicates once), which files and folders are refused (others
 * may write them, another owner), and what the log says.  The certificates
 * are made here with OpenSSL; whether each is a CA is OpenSSL's
 * X509_check_ca, not ours.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/ossl.h"
#include "trust/trust.h"
#include "util/conf.h"
#include "util/log.h"

static char dir[256], log_path[512];
static EVP_PKEY *key;

static X509 *make_cert(const char *cn, int ca)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)strlen(cn));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_NID(X509_get_subject_name(x), NID_commonName, MBSTRING_UTF8,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
				  ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
	/* The independent judge of "is a CA". */
	ck_assert_int_eq(X509_check_ca(x) == 1, ca);
	return x;
}

/* Writes certificates to dir/name as PEM (or the first as DER), mode 644. */
static void write_certs(const char *name, int der, X509 *a, X509 *b)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	if (der) {
		ck_assert(i2d_X509_fp(f, a));
	} else {
		ck_assert(PEM_write_X509(f, a));
		if (b)
			ck_assert(PEM_write_X509(f, b));
	}
	fclose(f);
	chmod(path, 0644);
}

static void write_text(const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0644);
}

static int log_has(const char *text)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(log_path, "r");

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* Loads the folder; returns the count (-1: refused) and the CNs joined by ','. */
static int load(char *names, size_t size)
{
	X509 **certs;
	size_t n;
	int rc = kz_trust_load_folder(dir, &certs, &n);

	names[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char cn[64];
		X509_NAME_get_text_by_NID(X509_get_subject_name(certs[i]), NID_commonName, cn,
					  sizeof cn);
		if (i)
			strncat(names, ",", size - strlen(names) - 1);
		strncat(names, cn, size - strlen(names) - 1);
		X509_free(certs[i]);
	}
	free(certs);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s/kzp11-trust-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(log_path, sizeof log_path, "%s.log", dir);
	kz_log_set_level(KZ_LOG_INFO);
	kz_log_set_target(log_path);
	ck_assert_int_eq(kz_ossl_init(), 0);
	if (!key)
		key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(key);
}

static void teardown(void)
{
	kz_log_close();
	kz_ossl_free();
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	remove(log_path);
}

START_TEST(test_only_cas)
{
	X509 *root = make_cert("Root", 1), *sub = make_cert("Sub", 1);
	X509 *leaf = make_cert("Leaf", 0);
	char names[256];

	/* alphasort: a-bundle.pem, b-root.der, c-leaf.pem, d-broken.pem, e-copy.pem */
	write_certs("a-bundle.pem", 0, sub, leaf);
	write_certs("b-root.der", 1, root, NULL);
	write_certs("c-leaf.pem", 0, leaf, NULL);
	write_text("d-broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	write_certs("e-copy.pem", 0, root, NULL);
	write_text(".hidden.pem", "");
	ck_assert_int_eq(load(names, sizeof names), 2);
	ck_assert_str_eq(names, "Sub,Root");
	ck_assert(log_has("a-bundle.pem: 'Leaf' is not a CA certificate"));
	ck_assert(log_has("c-leaf.pem: 'Leaf' is not a CA certificate"));
	ck_assert(log_has("d-broken.pem holds no readable certificate, skipped"));
	ck_assert(log_has("b-root.der: trusting CA 'Root'"));
	X509_free(root);
	X509_free(sub);
	X509_free(leaf);
}
END_TEST

START_TEST(test_refused)
{
	X509 *root = make_cert("Root", 1), *other = make_cert("Other", 1);
	char names[256], path[600];

	write_certs("root.pem", 0, root, NULL);
	write_certs("other.pem", 0, other, NULL);
	/* A file others may write is skipped, the rest stays. */
	snprintf(path, sizeof path, "%s/other.pem", dir);
	chmod(path, 0666);
	ck_assert_int_eq(load(names, sizeof names), 1);
	ck_assert_str_eq(names, "Root");
	ck_assert(log_has("other.pem is writable by everyone: refused"));
	/* A folder its group may write: nothing at all. */
	chmod(dir, 0775);
	ck_assert_int_eq(load(names, sizeof names), -1);
	ck_assert(log_has("is writable by its group: refused"));
	chmod(dir, 0755);
	/* Another owner (root can arrange it). */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(dir, 65534, (gid_t)-1), 0);
		ck_assert_int_eq(load(names, sizeof names), -1);
		ck_assert(log_has("owned by uid 65534, neither root nor this user: refused"));
		ck_assert_int_eq(chown(dir, 0, (gid_t)-1), 0);
	}
	/* A folder that is not there. */
	chmod(path, 0644);
	ck_assert_int_eq(load(names, sizeof names), 2);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	ck_assert_int_eq(load(names, sizeof names), -1);
	ck_assert(log_has("no trust token"));
	X509_free(root);
	X509_free(other);
}
END_TEST

START_TEST(test_settings)
{
	struct kz_conf conf;

	memset(&conf, 0, sizeof conf);
	conf.hide_gost_from_nss = 1;
	ck_assert_int_eq(kz_conf_parse(&conf, "trust_ca_dir = /etc/kzp11/ca\n"
					      "hide_gost_from_nss = no\n", "test"), 0);
	ck_assert_str_eq(conf.trust_ca_dir, "/etc/kzp11/ca");
	ck_assert_int_eq(conf.hide_gost_from_nss, 0);
	ck_assert_int_eq(kz_conf_parse(&conf, "hide_gost_from_nss = maybe\ntrust_ca_dir =\n",
				       "test"), 0);
	ck_assert_int_eq(conf.hide_gost_from_nss, 0);
	ck_assert_str_eq(conf.trust_ca_dir, "/etc/kzp11/ca");
	ck_assert(log_has("test:1: invalid value 'maybe' for 'hide_gost_from_nss' ignored"));
	ck_assert(log_has("test:2: invalid value '' for 'trust_ca_dir' ignored"));
	kz_conf_free(&conf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust_folder");
	TCase *tc = tcase_create("folder");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_only_cas);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_settings);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	EVP_PKEY_free(key);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
