/*
 * The plain-program driver of a fuzz target: feeds every file of the
 * corpus directories (or single files) named on the command line, or of
 * the target's committed corpus when none is named, to the target once.
 * A crash or sanitizer report fails the run; otherwise it prints how many
 * inputs it replayed.  77 (skip) when the target cannot set itself up.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#ifndef FUZZ_CORPUS
#define FUZZ_CORPUS "."
#endif

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(buf = malloc((size_t)len + 1)) ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "%s: cannot read\n", path);
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory in name order, so runs are repeatable. */
static int replay_dir(const char *dir, unsigned *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "%s: cannot open\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char **grown;
		if (e->d_name[0] == '.')
			continue;
		grown = realloc(names, (n + 1) * sizeof *names);
		if (!grown || !(grown[n] = malloc(strlen(dir) + strlen(e->d_name) + 2))) {
			names = grown ? grown : names;
			rc = -1;
			break;
		}
		names = grown;
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && replay_file(names[i]) < 0)
			rc = -1;
		else
			(*count)++;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *dflt[] = { FUZZ_CORPUS };
	const char **paths = argc > 1 ? (const char **)argv + 1 : dflt;
	int n = argc > 1 ? argc - 1 : 1;
	unsigned count = 0;
	int rc;

	rc = kz_fuzz_init();
	if (rc != 0)
		return rc;
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc = replay_dir(paths[i], &count);
		else if ((rc = replay_file(paths[i])) == 0)
			count++;
		if (rc != 0)
			return 1;
	}
	if (count == 0) {
		fprintf(stderr, "no inputs found in %s\n", paths[0]);
		return 1;
	}
	printf("%s: %u inputs replayed without a fault\n", argv[0], count);
	return 0;
}
