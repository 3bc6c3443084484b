/*
 * A stand-in for a hardware token's vendor module, for error injection in
 * tests/module/test_forward.c only (never installed).  Real forwarding is
 * tested against SoftHSM2 (tests/interop/forward.sh); this one misbehaves
 * on request.
 *
 * MOCK_VENDOR_FAULT, a comma-separated list, chosen at C_Initialize:
 *   init       C_Initialize fails (CKR_DEVICE_ERROR)
 *   v2         no 3.0 interface: a 2.11 function list only
 *   slotcount  C_GetSlotList claims more slots than the buffer holds
 *   grow       C_GetSlotList's count grows on every call
 *   mechcount  C_GetMechanismList claims more than the buffer holds
 *   siglen     C_Sign claims a signature longer than the buffer
 *   attrlen    C_GetAttributeValue claims a value longer than the buffer
 *   found      C_FindObjects claims more objects than room was given
 *   nullsign   the function list has no C_Sign
 * mock_vendor_set() changes things while running: "present" (0 pulls the
 * token out: the next session call says CKR_DEVICE_REMOVED, sessions die), "second" (1
 * plugs a second reader in), "slow_ms" (C_Sign takes this long).
 *
 * Built with MOCK_NO_ENTRY it exports no entry point: a module that
 * cannot be loaded.
 */
#include "pkcs11.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

#define SLOT_A 7
#define SLOT_B 9
#define SESSION_BASE 0xC0DE0000UL
#define KEY 0x55
#define MOCK_MECH (CKM_VENDOR_DEFINED | 0x1234)
#define PIN "1234"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;
static pid_t init_pid;
static char faults[256];
static int present = 1, second, slow_ms, logged_in, grow;
static CK_SESSION_HANDLE next_session = 1;
static CK_SESSION_HANDLE open_sessions[64];
static int n_open;
static int signing, finding;
static CK_SLOT_ID pending_event = (CK_SLOT_ID)-1;

static int fault(const char *name)
{
	const char *p = faults;
	size_t n = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == faults || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

EXPORT void mock_vendor_set(const char *what, int value);
EXPORT void mock_vendor_set(const char *what, int value)
{
	pthread_mutex_lock(&lock);
	if (!strcmp(what, "present")) {
		present = value;
		pending_event = SLOT_A;
	} else if (!strcmp(what, "second")) {
		second = value;
		pending_event = SLOT_B;
	} else if (!strcmp(what, "slow_ms")) {
		slow_ms = value;
	}
	pthread_mutex_unlock(&lock);
}

static int session_index(CK_SESSION_HANDLE h)
{
	for (int i = 0; i < n_open; i++)
		if (open_sessions[i] == h)
			return i;
	return -1;
}

/* Checks initialisation and the session; returns with the lock held on OK. */
static CK_RV enter(CK_SESSION_HANDLE h)
{
	pthread_mutex_lock(&lock);
	if (!initialized) {
		pthread_mutex_unlock(&lock);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	if (session_index(h) < 0) {
		pthread_mutex_unlock(&lock);
		return CKR_SESSION_HANDLE_INVALID;
	}
	/* The card was pulled: this call learns it, the sessions are gone. */
	if (!present) {
		n_open = 0;
		logged_in = 0;
		pthread_mutex_unlock(&lock);
		return CKR_DEVICE_REMOVED;
	}
	return CKR_OK;
}

static CK_RV leave(CK_RV rv)
{
	pthread_mutex_unlock(&lock);
	return rv;
}

static CK_RV m_Initialize(CK_VOID_PTR args)
{
	const char *env = getenv("MOCK_VENDOR_FAULT");

	(void)args;
	pthread_mutex_lock(&lock);
	snprintf(faults, sizeof faults, "%s", env ? env : "");
	if (initialized && init_pid == getpid())
		return leave(CKR_CRYPTOKI_ALREADY_INITIALIZED);
	if (fault("init"))
		return leave(CKR_DEVICE_ERROR);
	initialized = 1;
	init_pid = getpid();
	n_open = 0;
	logged_in = 0;
	return leave(CKR_OK);
}

static CK_RV m_Finalize(CK_VOID_PTR reserved)
{
	(void)reserved;
	/* A forked child must never finalise what its parent initialised. */
	if (initialized && init_pid != getpid())
		abort();
	pthread_mutex_lock(&lock);
	if (!initialized)
		return leave(CKR_CRYPTOKI_NOT_INITIALIZED);
	initialized = 0;
	return leave(CKR_OK);
}

static CK_RV m_GetInfo(CK_INFO_PTR info)
{
	memset(info, ' ', sizeof *info);
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	info->flags = 0;
	info->libraryVersion.major = 1;
	info->libraryVersion.minor = 0;
	return CKR_OK;
}

static CK_RV m_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	CK_SLOT_ID slots[2];
	CK_ULONG n = 0;

	pthread_mutex_lock(&lock);
	if (!initialized)
		return leave(CKR_CRYPTOKI_NOT_INITIALIZED);
	if (!token_present || present)
		slots[n++] = SLOT_A;
	if (second)
		slots[n++] = SLOT_B;
	if (fault("grow")) {
		*count = (CK_ULONG)++grow;
		return leave(list ? CKR_BUFFER_TOO_SMALL : CKR_OK);
	}
	if (list && *count < n) {
		*count = n;
		return leave(CKR_BUFFER_TOO_SMALL);
	}
	if (list)
		memcpy(list, slots, n * sizeof *slots);
	*count = list && fault("slotcount") ? *count + 5 : n;
	return leave(CKR_OK);
}

static void pad(unsigned char *dst, size_t size, const char *src)
{
	memset(dst, ' ', size);
	memcpy(dst, src, strlen(src));
}

static CK_RV m_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
	if (slot != SLOT_A && !(slot == SLOT_B && second))
		return CKR_SLOT_ID_INVALID;
	memset(info, 0, sizeof *info);
	pad(info->slotDescription, sizeof info->slotDescription, "Mock reader");
	pad(info->manufacturerID, sizeof info->manufacturerID, "Mock vendor");
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT |
		      (slot == SLOT_B || present ? CKF_TOKEN_PRESENT : 0);
	return CKR_OK;
}

static CK_RV m_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	if (slot != SLOT_A && !(slot == SLOT_B && second))
		return CKR_SLOT_ID_INVALID;
	if (slot == SLOT_A && !present)
		return CKR_TOKEN_NOT_PRESENT;
	memset(info, 0, sizeof *info);
	pad(info->label, sizeof info->label, slot == SLOT_A ? "Mock token" : "Other token");
	pad(info->manufacturerID, sizeof info->manufacturerID, "Mock vendor");
	pad(info->model, sizeof info->model, "Mock");
	pad(info->serialNumber, sizeof info->serialNumber, slot == SLOT_A ? "0007" : "0009");
	pad(info->utcTime, sizeof info->utcTime, "");
	info->flags = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
	return CKR_OK;
}

static const CK_MECHANISM_TYPE mechs[] = { CKM_RSA_PKCS, MOCK_MECH };

static CK_RV m_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	CK_ULONG n = sizeof mechs / sizeof *mechs;

	if (slot != SLOT_A && slot != SLOT_B)
		return CKR_SLOT_ID_INVALID;
	if (list && *count < n) {
		*count = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (list)
		memcpy(list, mechs, sizeof mechs);
	*count = list && fault("mechcount") ? *count + 100 : n;
	return CKR_OK;
}

static CK_RV m_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	if (slot != SLOT_A && slot != SLOT_B)
		return CKR_SLOT_ID_INVALID;
	if (type != CKM_RSA_PKCS && type != MOCK_MECH)
		return CKR_MECHANISM_INVALID;
	info->ulMinKeySize = 1024;
	info->ulMaxKeySize = 4096;
	info->flags = CKF_SIGN | CKF_HW;
	return CKR_OK;
}

static CK_RV m_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
			   CK_SESSION_HANDLE_PTR out)
{
	(void)app; (void)notify;
	pthread_mutex_lock(&lock);
	if (slot != SLOT_A && !(slot == SLOT_B && second))
		return leave(CKR_SLOT_ID_INVALID);
	if (slot == SLOT_A && !present)
		return leave(CKR_TOKEN_NOT_PRESENT);
	if (!(flags & CKF_SERIAL_SESSION))
		return leave(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	if (n_open == 64)
		return leave(CKR_SESSION_COUNT);
	*out = SESSION_BASE + next_session++;
	open_sessions[n_open++] = *out;
	return leave(CKR_OK);
}

static CK_RV m_CloseSession(CK_SESSION_HANDLE h)
{
	CK_RV rv = enter(h);
	int i;

	if (rv != CKR_OK)
		return rv;
	i = session_index(h);
	open_sessions[i] = open_sessions[--n_open];
	if (n_open == 0)
		logged_in = 0;
	return leave(CKR_OK);
}

static CK_RV m_CloseAllSessions(CK_SLOT_ID slot)
{
	(void)slot;
	pthread_mutex_lock(&lock);
	n_open = 0;
	logged_in = 0;
	return leave(CKR_OK);
}

static CK_RV m_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	CK_RV rv = enter(h);

	if (rv != CKR_OK)
		return rv;
	info->slotID = SLOT_A;
	info->state = logged_in ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION;
	info->flags = CKF_SERIAL_SESSION;
	info->ulDeviceError = 0;
	return leave(CKR_OK);
}

static CK_RV m_Login(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	CK_RV rv = enter(h);

	if (rv != CKR_OK)
		return rv;
	if (type != CKU_USER)
		return leave(CKR_USER_TYPE_INVALID);
	if (logged_in)
		return leave(CKR_USER_ALREADY_LOGGED_IN);
	if (!pin || len != strlen(PIN) || memcmp(pin, PIN, len))
		return leave(CKR_PIN_INCORRECT);
	logged_in = 1;
	return leave(CKR_OK);
}

static CK_RV m_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin,
			 CK_ULONG len, CK_UTF8CHAR_PTR user, CK_ULONG user_len)
{
	(void)user; (void)user_len;
	return m_Login(h, type, pin, len);
}

static CK_RV m_SessionCancel(CK_SESSION_HANDLE h, CK_FLAGS flags)
{
	CK_RV rv = enter(h);

	if (rv != CKR_OK)
		return rv;
	if (flags & CKF_SIGN)
		signing = 0;
	return leave(CKR_OK);
}

static CK_RV m_Logout(CK_SESSION_HANDLE h)
{
	CK_RV rv = enter(h);

	if (rv != CKR_OK)
		return rv;
	if (!logged_in)
		return leave(CKR_USER_NOT_LOGGED_IN);
	logged_in = 0;
	return leave(CKR_OK);
}

static CK_RV m_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	CK_RV rv = enter(h);

	(void)t; (void)n;
	if (rv != CKR_OK)
		return rv;
	finding = 1;
	return leave(CKR_OK);
}

static CK_RV m_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
			   CK_ULONG_PTR count)
{
	CK_RV rv = enter(h);

	if (rv != CKR_OK)
		return rv;
	if (!finding)
		return leave(CKR_OPERATION_NOT_INITIALIZED);
	*count = 0;
	if (logged_in && max > 0 && finding == 1) {
		out[0] = KEY;
		*count = 1;
		finding = 2;
	}
	if (fault("found"))
		*count = max + 10;
	return leave(CKR_OK);
}

static CK_RV m_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	CK_RV rv = enter(h);

	if (rv != CKR_OK)
		return rv;
	finding = 0;
	return leave(CKR_OK);
}

static CK_RV m_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t,
				 CK_ULONG n)
{
	static const char label[] = "mockkey";
	CK_RV rv = enter(h), result = CKR_OK;

	if (rv != CKR_OK)
		return rv;
	if (o != KEY || !logged_in)
		return leave(CKR_OBJECT_HANDLE_INVALID);
	for (CK_ULONG i = 0; i < n; i++) {
		if (t[i].type != CKA_LABEL) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			result = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (!t[i].pValue) {
			t[i].ulValueLen = sizeof label - 1;
		} else if (t[i].ulValueLen < sizeof label - 1) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			result = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(t[i].pValue, label, sizeof label - 1);
			t[i].ulValueLen = fault("attrlen") ? t[i].ulValueLen + 50 : sizeof label - 1;
		}
	}
	return leave(result);
}

static CK_RV m_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key)
{
	CK_RV rv = enter(h);

	if (rv != CKR_OK)
		return rv;
	if (!present)
		return leave(CKR_DEVICE_REMOVED);
	if (!logged_in)
		return leave(CKR_USER_NOT_LOGGED_IN);
	if (key != KEY)
		return leave(CKR_KEY_HANDLE_INVALID);
	if (m->mechanism == MOCK_MECH &&
	    (m->ulParameterLen != 2 || memcmp(m->pParameter, "kz", 2) != 0))
		return leave(CKR_MECHANISM_PARAM_INVALID);
	if (m->mechanism != CKM_RSA_PKCS && m->mechanism != MOCK_MECH)
		return leave(CKR_MECHANISM_INVALID);
	signing = 1;
	return leave(CKR_OK);
}

/* The "signature": the data backwards, 16 bytes.  What matters here is
 * how lengths and errors travel, not the value. */
static CK_RV m_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
		    CK_ULONG_PTR sig_len)
{
	CK_RV rv = enter(h);
	int delay;

	if (rv != CKR_OK)
		return rv;
	delay = slow_ms;
	if (!signing)
		return leave(CKR_OPERATION_NOT_INITIALIZED);
	if (!present) {
		signing = 0;
		return leave(CKR_DEVICE_REMOVED);
	}
	if (!sig) {
		*sig_len = 16;
		return leave(CKR_OK);
	}
	if (*sig_len < 16) {
		*sig_len = 16;
		return leave(CKR_BUFFER_TOO_SMALL);
	}
	for (CK_ULONG i = 0; i < 16; i++)
		sig[i] = i < len ? data[len - 1 - i] : 0;
	*sig_len = fault("siglen") ? *sig_len + 100 : 16;
	signing = 0;
	pthread_mutex_unlock(&lock);
	if (delay > 0) {
		struct timespec ts = { delay / 1000, (long)(delay % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return CKR_OK;
}

static CK_RV m_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved)
{
	(void)reserved;
	pthread_mutex_lock(&lock);
	if (pending_event == (CK_SLOT_ID)-1)
		return leave((flags & CKF_DONT_BLOCK) ? CKR_NO_EVENT : CKR_FUNCTION_NOT_SUPPORTED);
	*slot = pending_event;
	pending_event = (CK_SLOT_ID)-1;
	return leave(CKR_OK);
}

/* Everything not written above. */
static CK_RV not_supported(void)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static const CK_FUNCTION_LIST_3_0 pristine = {
	.version = { 3, 0 },
	.C_Initialize = m_Initialize, .C_Finalize = m_Finalize, .C_GetInfo = m_GetInfo,
	.C_GetSlotList = m_GetSlotList, .C_GetSlotInfo = m_GetSlotInfo,
	.C_GetTokenInfo = m_GetTokenInfo, .C_GetMechanismList = m_GetMechanismList,
	.C_GetMechanismInfo = m_GetMechanismInfo, .C_OpenSession = m_OpenSession,
	.C_CloseSession = m_CloseSession, .C_CloseAllSessions = m_CloseAllSessions,
	.C_GetSessionInfo = m_GetSessionInfo, .C_Login = m_Login, .C_Logout = m_Logout,
	.C_FindObjectsInit = m_FindObjectsInit, .C_FindObjects = m_FindObjects,
	.C_FindObjectsFinal = m_FindObjectsFinal, .C_GetAttributeValue = m_GetAttributeValue,
	.C_SignInit = m_SignInit, .C_Sign = m_Sign, .C_WaitForSlotEvent = m_WaitForSlotEvent,
	.C_LoginUser = m_LoginUser, .C_SessionCancel = m_SessionCancel,
};
static CK_FUNCTION_LIST_3_0 list30;
static CK_FUNCTION_LIST list2;
static CK_INTERFACE interface30 = { (CK_CHAR *)"PKCS 11", &list30, 0 };

/* The lists afresh from `pristine`, the entries left out filled with
 * not_supported (a test-only shortcut: every entry returns CK_RV and the
 * caller ignores arguments not taken), then the faults applied. */
static void fill_lists(void)
{
	typedef void (*fn_t)(void);
	fn_t *f = (fn_t *)&list30.C_Initialize;

	memcpy(&list30, &pristine, sizeof list30);
	size_t n = (sizeof list30 - offsetof(CK_FUNCTION_LIST_3_0, C_Initialize)) / sizeof(fn_t);

	for (size_t i = 0; i < n; i++)
		if (!f[i])
			f[i] = (fn_t)not_supported;
	list30.C_GetFunctionList = NULL;   /* set by the entry point below */
	memcpy(&list2, &list30, sizeof list2);
	if (getenv("MOCK_VENDOR_FAULT") && strstr(getenv("MOCK_VENDOR_FAULT"), "nullsign")) {
		list30.C_Sign = NULL;
		list2.C_Sign = NULL;
	}
	if (getenv("MOCK_VENDOR_FAULT") && strstr(getenv("MOCK_VENDOR_FAULT"), "v2")) {
		list2.version.major = 2;
		list2.version.minor = 11;
	} else {
		list2.version.major = 2;
		list2.version.minor = 40;
	}
}

#ifdef MOCK_NO_ENTRY
#define ENTRY(name) mock_hidden_##name
#else
#define ENTRY(name) name
#endif

EXPORT CK_RV ENTRY(C_GetFunctionList)(CK_FUNCTION_LIST_PTR_PTR out);
EXPORT CK_RV ENTRY(C_GetFunctionList)(CK_FUNCTION_LIST_PTR_PTR out)
{
	if (!out)
		return CKR_ARGUMENTS_BAD;
	fill_lists();
	list2.C_GetFunctionList = ENTRY(C_GetFunctionList);
	list30.C_GetFunctionList = ENTRY(C_GetFunctionList);
	/* A 2.x list followed in memory by working 3.0 entries: reading past
	 * its version would find them. */
	*out = getenv("MOCK_VENDOR_FAULT") && strstr(getenv("MOCK_VENDOR_FAULT"), "v2") ?
	       (CK_FUNCTION_LIST_PTR)&list30 : &list2;
	if (*out == (CK_FUNCTION_LIST_PTR)&list30) {
		list30.version.major = 2;
		list30.version.minor = 11;
		if (strstr(getenv("MOCK_VENDOR_FAULT"), "nullsign"))
			list30.C_Sign = NULL;
	}
	return CKR_OK;
}

EXPORT CK_RV ENTRY(C_GetInterface)(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version,
				   CK_INTERFACE_PTR_PTR out, CK_FLAGS flags);
EXPORT CK_RV ENTRY(C_GetInterface)(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version,
				   CK_INTERFACE_PTR_PTR out, CK_FLAGS flags)
{
	(void)flags;
	if (!out)
		return CKR_ARGUMENTS_BAD;
	/* A 2.x module has no C_GetInterface; the closest a running one can
	 * come is to offer no interface. */
	if (getenv("MOCK_VENDOR_FAULT") && strstr(getenv("MOCK_VENDOR_FAULT"), "v2"))
		return CKR_ARGUMENTS_BAD;
	if (name && strcmp((const char *)name, "PKCS 11") != 0)
		return CKR_ARGUMENTS_BAD;
	if (version && (version->major != 3 || version->minor != 0))
		return CKR_ARGUMENTS_BAD;
	fill_lists();
	list30.C_GetFunctionList = ENTRY(C_GetFunctionList);
	*out = &interface30;
	return CKR_OK;
}
