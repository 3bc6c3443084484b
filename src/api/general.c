/* C_Initialize, C_Finalize, C_GetInfo and the ways to get the function list. */
#include "api/api.h"
#include "api/functions.h"
#include "core/module.h"

#include <string.h>

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	KZ_RETURN(kz_module_initialize(pInitArgs));
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	if (pReserved)
		KZ_RETURN(CKR_ARGUMENTS_BAD);
	KZ_RETURN(kz_module_finalize());
}

static void copy_padded(unsigned char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	memset(dst, ' ', size);
	memcpy(dst, src, n < size ? n : size);
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	if (!kz_module_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!pInfo)
		return CKR_ARGUMENTS_BAD;
	memset(pInfo, 0, sizeof *pInfo);
	pInfo->cryptokiVersion.major = 2;
	pInfo->cryptokiVersion.minor = 40;
	copy_padded(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "kzp11");
	copy_padded(pInfo->libraryDescription, sizeof pInfo->libraryDescription,
		    "kzp11 NCA keys for PKCS#11");
	pInfo->libraryVersion.major = KZP11_VERSION_MAJOR;
	pInfo->libraryVersion.minor = KZP11_VERSION_MINOR;
	return CKR_OK;
}

KZ_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (!ppFunctionList)
		return CKR_ARGUMENTS_BAD;
	*ppFunctionList = (CK_FUNCTION_LIST_PTR)&kz_function_list_240;
	return CKR_OK;
}

/* The 3.0 interface first: NSS asks for it by name. */
static CK_INTERFACE interfaces[] = {
	{ (CK_CHAR *)"PKCS 11", (CK_VOID_PTR)&kz_function_list_30, CKF_INTERFACE_FORK_SAFE },
	{ (CK_CHAR *)"PKCS 11", (CK_VOID_PTR)&kz_function_list_240, CKF_INTERFACE_FORK_SAFE },
};
#define N_INTERFACES (sizeof interfaces / sizeof interfaces[0])

KZ_EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
	if (!pulCount)
		return CKR_ARGUMENTS_BAD;
	if (!pInterfacesList) {
		*pulCount = N_INTERFACES;
		return CKR_OK;
	}
	if (*pulCount < N_INTERFACES) {
		*pulCount = N_INTERFACES;
		return CKR_BUFFER_TOO_SMALL;
	}
	memcpy(pInterfacesList, interfaces, sizeof interfaces);
	*pulCount = N_INTERFACES;
	return CKR_OK;
}

KZ_EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
			       CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
	if (!ppInterface)
		return CKR_ARGUMENTS_BAD;
	for (size_t i = 0; i < N_INTERFACES; i++) {
		const CK_VERSION *v = (const CK_VERSION *)interfaces[i].pFunctionList;
		if (pInterfaceName && strcmp((const char *)pInterfaceName,
					     (const char *)interfaces[i].pInterfaceName) != 0)
			continue;
		if (pVersion && (pVersion->major != v->major || pVersion->minor != v->minor))
			continue;
		if ((interfaces[i].flags & flags) != flags)
			continue;
		*ppInterface = &interfaces[i];
		return CKR_OK;
	}
	return CKR_ARGUMENTS_BAD;
}
