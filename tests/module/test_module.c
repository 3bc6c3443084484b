/*
 * kzp11.so driven through its PKCS#11 interface, the way applications load
 * it: dlopen, C_GetFunctionList / C_GetInterface, then the API.
 *
 * Environment: KZP11_MODULE (the module; default .libs/kzp11.so),
 * KZP11_MKCONTAINER (the container generator; default
 * tests/fixtures/kzp11-mkcontainer), KZP11_TESTKEYS (real NCA test
 * containers; the cases that need them are skipped when it is unset or
 * missing).  KZP11_TEST_VERBOSE=1 keeps the module's own log on.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int rc, failed;

	rc = h_load_module();
	if (rc == 0)
		rc = h_make_fixtures();
	if (rc != 0) {
		h_cleanup();
		return rc;
	}
	sr = srunner_create(suite_init());
	srunner_add_suite(sr, suite_slots());
	srunner_add_suite(sr, suite_objects());
	srunner_add_suite(sr, suite_crypto());
	srunner_add_suite(sr, suite_threads());
	srunner_add_suite(sr, suite_nca());
	srunner_add_suite(sr, suite_create_object());
	srunner_add_suite(sr, suite_gost());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
