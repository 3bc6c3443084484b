#include "module_env.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char tmpdir[512];
static CK_SLOT_ID slot;

CK_SLOT_ID fz_slot(void)
{
	return slot;
}

static void remove_tmpdir(void)
{
	char cmd[600];

	kz_log_set_level(KZ_LOG_OFF);   /* the log file is closed before the last line */
	C_Finalize(NULL);
	if (tmpdir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok = f && fputs(text, f) >= 0;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

int fz_module_start(void)
{
	const char *gen = getenv("KZP11_MKCONTAINER");
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char cmd[1400], path[600];
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8;
	int rc;

	if (!gen || !*gen) {
		fprintf(stderr, "KZP11_MKCONTAINER is not set: cannot make a container, skipped\n");
		return 77;
	}
	snprintf(tmpdir, sizeof tmpdir, "%s/kzp11-fuzz-XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		tmpdir[0] = '\0';
		return 1;
	}
	atexit(remove_tmpdir);
	snprintf(cmd, sizeof cmd, "'%s' --name AUTH_RSA256_fuzz.p12 '%s/keys' >/dev/null", gen, tmpdir);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		return 1;
	}
	/* Every call logged (to nowhere), so the log formatting runs too. */
	snprintf(path, sizeof path, "%s/kzp11.conf", tmpdir);
	if (write_text(path, "debug = 3\nlog = /dev/null\ncert_cache = no\n") < 0) {
		fprintf(stderr, "cannot write %s\n", path);
		return 1;
	}
	setenv("KZP11_CONF", path, 1);
	snprintf(path, sizeof path, "%s/keys", tmpdir);
	setenv("KZP11_KEYS", path, 1);
	setenv("HOME", tmpdir, 1);
	snprintf(path, sizeof path, "%s/cache", tmpdir);
	setenv("XDG_CACHE_HOME", path, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("KZP11_DEBUG");

	if (C_Initialize(NULL) != CKR_OK || C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK || n != 1) {
		fprintf(stderr, "the module did not show the one container as a token\n");
		return 1;
	}
	slot = slots[0];
	return 0;
}
