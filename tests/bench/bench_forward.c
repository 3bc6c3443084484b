/*
 * kzp11-bench-forward: RSA-2048 C_Sign (CKM_SHA256_RSA_PKCS) on a SoftHSM2
 * key through kzp11's forwarding, against SoftHSM2 called directly, in one
 * process.  Alternating rounds; the ratio printed is the median of the
 * per-round ratios (kzp11 ops/s ÷ SoftHSM2 ops/s), target >= 0.97.
 *
 * Run by tests/bench/forward.sh, which makes the SoftHSM2 token.
 * Arguments: KZP11_SO SOFTHSM_SO TOKEN_LABEL PIN KEY_ID_HEX
 * (kzp11 must see SoftHSM2 through KZP11_MODULES).
 */
#include <p11-kit/pkcs11.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"

#define ROUNDS 9
#define SLICE 0.4   /* seconds per side per round */

static void die(const char *what, CK_RV rv)
{
	fprintf(stderr, "bench-forward: %s failed (0x%08lx)\n", what, (unsigned long)rv);
	exit(1);
}

static CK_FUNCTION_LIST_PTR load(const char *path)
{
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR f;
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!dl) {
		fprintf(stderr, "bench-forward: %s\n", dlerror());
		exit(1);
	}
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	if (!get || get(&f) != CKR_OK)
		die("C_GetFunctionList", 0);
	return f;
}

/* A logged-in session on the token with this label, and the key. */
static void open_key(CK_FUNCTION_LIST_PTR f, const char *label, const char *pin,
		     const unsigned char *id, size_t id_len, CK_SESSION_HANDLE *s,
		     CK_OBJECT_HANDLE *key)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, found = 0;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, (void *)id, id_len } };
	CK_RV rv;

	if ((rv = f->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		die("C_GetSlotList", rv);
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		size_t len = strlen(label);
		if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK || len > sizeof ti.label ||
		    memcmp(ti.label, label, len) != 0 ||
		    (len < sizeof ti.label && ti.label[len] != ' '))
			continue;
		if ((rv = f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, s)) != CKR_OK)
			die("C_OpenSession", rv);
		rv = f->C_Login(*s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			die("C_Login", rv);
		if ((rv = f->C_FindObjectsInit(*s, t, 2)) != CKR_OK ||
		    (rv = f->C_FindObjects(*s, key, 1, &found)) != CKR_OK || found != 1)
			die("finding the key", rv);
		f->C_FindObjectsFinal(*s);
		return;
	}
	fprintf(stderr, "bench-forward: no token labelled %s\n", label);
	exit(1);
}

/* Signatures per second for `slice` seconds. */
static double rate(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
		   double slice)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char msg[32] = "kzp11 forwarding benchmark", sig[512];
	double t0 = now(), t;
	long ops = 0;

	do {
		CK_ULONG len = sizeof sig;
		CK_RV rv;
		if ((rv = f->C_SignInit(s, &m, key)) != CKR_OK ||
		    (rv = f->C_Sign(s, msg, sizeof msg, sig, &len)) != CKR_OK)
			die("C_Sign", rv);
		if (len != 256)
			die("a 256-byte signature", 0);
		ops++;
		t = now();
	} while (t - t0 < slice);
	return (double)ops / (t - t0);
}

int main(int argc, char **argv)
{
	CK_FUNCTION_LIST_PTR kz, hsm;
	CK_SESSION_HANDLE s_kz, s_hsm;
	CK_OBJECT_HANDLE k_kz, k_hsm;
	unsigned char id[64];
	size_t id_len = 0;
	double fwd[ROUNDS], direct[ROUNDS], ratio[ROUNDS];
	CK_RV rv;

	if (argc != 6) {
		fprintf(stderr, "usage: %s KZP11_SO SOFTHSM_SO TOKEN_LABEL PIN KEY_ID_HEX\n", argv[0]);
		return 2;
	}
	for (const char *p = argv[5]; p[0] && p[1] && id_len < sizeof id; p += 2)
		sscanf(p, "%2hhx", &id[id_len++]);
	kz = load(argv[1]);
	hsm = load(argv[2]);
	/* kzp11 first: p11-kit initialises SoftHSM2 for it; the direct
	 * C_Initialize then finds it initialised, which is fine here. */
	if ((rv = kz->C_Initialize(NULL)) != CKR_OK)
		die("kzp11 C_Initialize", rv);
	rv = hsm->C_Initialize(NULL);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
		die("SoftHSM2 C_Initialize", rv);
	open_key(kz, argv[3], argv[4], id, id_len, &s_kz, &k_kz);
	open_key(hsm, argv[3], argv[4], id, id_len, &s_hsm, &k_hsm);
	rate(kz, s_kz, k_kz, 0.2);    /* warm-up */
	rate(hsm, s_hsm, k_hsm, 0.2);
	for (int r = 0; r < ROUNDS; r++) {
		/* Alternate which goes first, so neither always gets the warm cache. */
		if (r % 2) {
			direct[r] = rate(hsm, s_hsm, k_hsm, SLICE);
			fwd[r] = rate(kz, s_kz, k_kz, SLICE);
		} else {
			fwd[r] = rate(kz, s_kz, k_kz, SLICE);
			direct[r] = rate(hsm, s_hsm, k_hsm, SLICE);
		}
		ratio[r] = fwd[r] / direct[r];
	}
	printf("rsa2048 sign forwarded   kzp11 %7.1f ops/s, SoftHSM2 direct %7.1f ops/s, "
	       "ratio %.3f (target >= 0.97)\n", median(fwd, ROUNDS), median(direct, ROUNDS),
	       median(ratio, ROUNDS));
	printf("    %d alternating rounds of %.1f s each\n", ROUNDS, SLICE);
	kz->C_CloseSession(s_kz);
	kz->C_Finalize(NULL);
	return 0;
}
