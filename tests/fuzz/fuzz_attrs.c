/*
 * Fuzz target: attribute templates through the PKCS#11 object functions.
 *
 * Input: a flags byte (read-write session, log in first), then up to 32
 * commands, each a byte choosing C_CreateObject, C_FindObjectsInit +
 * C_FindObjects (+ C_FindObjectsFinal), C_GetAttributeValue,
 * C_SetAttributeValue, C_DestroyObject, C_CopyObject, C_GetObjectSize or a
 * login/logout, followed by its template (template.h) and object (an index
 * into the handles seen so far: the token's objects and those created, or
 * a raw handle).  Everything is undone by closing the sessions at the end.
 */
#include "fuzz.h"
#include "module_env.h"
#include "template.h"

#define MAX_HANDLES 32
#define MAX_COMMANDS 32

int kz_fuzz_init(void)
{
	return fz_module_start();
}

struct world {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h[MAX_HANDLES];
	CK_ULONG n;
};

static void remember(struct world *w, CK_OBJECT_HANDLE h)
{
	if (h != CK_INVALID_HANDLE)
		w->h[w->n++ % MAX_HANDLES] = h;
}

static CK_OBJECT_HANDLE pick(struct fz *f, const struct world *w)
{
	uint8_t b = fz_u8(f);
	CK_ULONG n = w->n < MAX_HANDLES ? w->n : MAX_HANDLES;

	if (b == 0xFF)
		return (CK_OBJECT_HANDLE)fz_u32(f);
	return n ? w->h[b % n] : CK_INVALID_HANDLE;
}

static void find(struct fz *f, struct world *w)
{
	struct fz_template t;
	CK_OBJECT_HANDLE found[8];
	CK_ULONG count = 0;
	uint8_t how = fz_u8(f);

	fz_template_values(f, &t);
	if (C_FindObjectsInit(w->s, t.n || !(how & 1) ? t.a : NULL, t.n) == CKR_OK) {
		if (C_FindObjects(w->s, found, (how >> 1) % 9, &count) == CKR_OK)
			for (CK_ULONG i = 0; i < count; i++)
				remember(w, found[i]);
		if (!(how & 0x80))
			C_FindObjectsFinal(w->s);
	}
	fz_template_free(&t);
}

static void command(struct fz *f, struct world *w)
{
	struct fz_template t;
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE, obj;
	CK_ULONG size;

	switch (fz_u8(f) % 8) {
	case 0:
		fz_template_values(f, &t);
		if (C_CreateObject(w->s, t.a, t.n, &h) == CKR_OK)
			remember(w, h);
		fz_template_free(&t);
		break;
	case 1:
		find(f, w);
		break;
	case 2:
		obj = pick(f, w);
		fz_template_query(f, &t);
		C_GetAttributeValue(w->s, obj, t.a, t.n);
		fz_template_free(&t);
		break;
	case 3:
		obj = pick(f, w);
		fz_template_values(f, &t);
		C_SetAttributeValue(w->s, obj, t.a, t.n);
		fz_template_free(&t);
		break;
	case 4:
		C_DestroyObject(w->s, pick(f, w));
		break;
	case 5:
		obj = pick(f, w);
		fz_template_values(f, &t);
		if (C_CopyObject(w->s, obj, t.a, t.n, &h) == CKR_OK)
			remember(w, h);
		fz_template_free(&t);
		break;
	case 6:
		C_GetObjectSize(w->s, pick(f, w), &size);
		break;
	default:
		if (fz_u8(f) & 1)
			C_Login(w->s, CKU_USER, (CK_UTF8CHAR_PTR)FUZZ_PIN, FUZZ_PIN_LEN);
		else
			C_Logout(w->s);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct world w;
	uint8_t flags = fz_u8(&f);
	CK_OBJECT_HANDLE found[MAX_HANDLES];
	CK_ULONG count = 0;

	memset(&w, 0, sizeof w);
	if (C_OpenSession(fz_slot(), CKF_SERIAL_SESSION | (flags & 1 ? CKF_RW_SESSION : 0), NULL,
			  NULL, &w.s) != CKR_OK)
		return 0;
	if (flags & 2)
		C_Login(w.s, CKU_USER, (CK_UTF8CHAR_PTR)FUZZ_PIN, FUZZ_PIN_LEN);
	if (C_FindObjectsInit(w.s, NULL, 0) == CKR_OK) {
		C_FindObjects(w.s, found, MAX_HANDLES, &count);
		C_FindObjectsFinal(w.s);
	}
	for (CK_ULONG i = 0; i < count; i++)
		remember(&w, found[i]);
	for (int i = 0; i < MAX_COMMANDS && f.n; i++)
		command(&f, &w);
	C_CloseAllSessions(fz_slot());
	return 0;
}
