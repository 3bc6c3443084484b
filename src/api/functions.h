/* The function lists handed out by C_GetFunctionList and C_GetInterface. */
#ifndef KZP11_FUNCTIONS_H
#define KZP11_FUNCTIONS_H

#include "pkcs11.h"

extern const CK_FUNCTION_LIST kz_function_list_240;
extern const CK_FUNCTION_LIST_3_0 kz_function_list_30;

#define KZP11_VERSION_MAJOR 0
#define KZP11_VERSION_MINOR 1

#endif
