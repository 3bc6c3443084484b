/*
 * Fuzz target: the configuration parser (kz_conf_parse).  The input is the
 * text of a kzp11.conf; it is parsed twice into the same configuration, as
 * the system and the user file are, and then freed.  Paths are expanded
 * with a fixed HOME and USER.
 */
#include "fuzz.h"
#include "util/conf.h"
#include "util/log.h"

#include <stdlib.h>

int kz_fuzz_init(void)
{
	setenv("HOME", "/nonexistent/home", 1);
	setenv("USER", "fuzz", 1);
	/* Log lines are formatted (they quote the input) but thrown away. */
	kz_log_set_level(KZ_LOG_DEBUG);
	kz_log_set_target("/dev/null");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kz_conf conf;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';   /* the file reader stops at NUL the same way */
	memset(&conf, 0, sizeof conf);
	if (kz_conf_parse(&conf, text, "fuzz.conf") == 0)
		kz_conf_parse(&conf, text, "fuzz2.conf");
	kz_conf_free(&conf);
	free(text);
	return 0;
}
