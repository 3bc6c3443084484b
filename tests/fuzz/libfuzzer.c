/* libFuzzer's set-up hook for the targets (only in the `make fuzz` build). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (kz_fuzz_init() != 0) {
		fprintf(stderr, "fuzz target set-up failed\n");
		exit(1);
	}
	return 0;
}
