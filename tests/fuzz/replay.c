/* doorstep: replay a fuzz target's corpus as an ordinary test (fuzzcheck). */
/*
 * Linked with one tests/fuzz/fuzz_*.c file in place of libFuzzer's main.
 * Each argument is a file or a directory of files; every file is fed to
 * LLVMFuzzerTestOneInput once and reported as one "ok" line.  A crash or
 * sanitizer report ends the run, which the runner counts as a failure.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int files;

static void
replay_file(const char *path)
{
	char *data;
	size_t len;

	if (ds_file_read(path, 16u << 20, &data, &len, NULL) != DS_OK) {
		printf("not ok %s: cannot read\n", path);
		return;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	ds_free(data);
	files++;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
replay_path(const char *path)
{
	struct stat sb;
	struct dirent *de;
	char **names = NULL, full[4096];
	size_t n = 0, i;
	DIR *d;

	if (stat(path, &sb) == -1)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		replay_file(path);
		return;
	}
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		replay_path(full);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		replay_path(argv[i]);
	/* One line for the corpus as a whole: reaching here means no crash. */
	printf("ok corpus replayed (%d files)\n", files);
	return 0;
}
