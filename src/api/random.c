/* Random numbers from OpenSSL's DRBG in the module's own context. */
#include "api/api.h"
#include "core/module.h"
#include "core/session.h"
#include "crypto/ossl.h"

#include <openssl/err.h>
#include <openssl/rand.h>

static CK_RV check_session(CK_SESSION_HANDLE hSession)
{
	CK_RV rv = kz_enter();

	if (rv != CKR_OK)
		return rv;
	if (!kz_session_find(hSession))
		rv = CKR_SESSION_HANDLE_INVALID;
	kz_leave();
	return rv;
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	CK_RV rv = check_session(hSession);

	if (rv == CKR_OK && !pSeed && ulSeedLen)
		rv = CKR_ARGUMENTS_BAD;
	/* The DRBG seeds itself from the OS; extra seed is not accepted. */
	if (rv == CKR_OK)
		rv = CKR_RANDOM_SEED_NOT_SUPPORTED;
	KZ_RETURN(rv);
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pRandomData, CK_ULONG ulRandomLen)
{
	CK_RV rv = check_session(hSession);

	if (rv != CKR_OK)
		KZ_RETURN(rv);
	if (!pRandomData && ulRandomLen)
		KZ_RETURN(CKR_ARGUMENTS_BAD);
	if (ulRandomLen && RAND_bytes_ex(kz_ossl_ctx(), pRandomData, ulRandomLen, 0) != 1) {
		ERR_clear_error();
		KZ_RETURN(CKR_FUNCTION_FAILED);
	}
	KZ_RETURN(CKR_OK);
}
