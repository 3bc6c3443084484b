/*
 * Is the application NSS-based (Firefox, Thunderbird, Chromium, the NSS
 * tools)?  NSS has no GOST at all: a GOST key there only makes its
 * certificate a "user certificate" that Firefox then offers for TLS client
 * login, where it can never work.  See hide_gost_from_nss in kzp11.conf(5).
 */
#include "trust/trust.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* libnss3 mapped into the process, even when loaded RTLD_LOCAL. */
static int nss_mapped(void)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, "/libnss3.so") != NULL;
	fclose(f);
	return found;
}

int kz_host_is_nss(void)
{
	static int known = -1;   /* NSS does not come or go while we are loaded */

	/* NSS is loaded by the time it calls C_Initialize. */
	if (known < 0)
		known = dlsym(RTLD_DEFAULT, "NSS_IsInitialized") != NULL || nss_mapped();
	return known;
}
