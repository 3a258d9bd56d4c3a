/* driver.c - replays saved inputs through a harness without libFuzzer, so
 * crashers and seeds run in `make test` with the ordinary compiler (and
 * under valgrind or ASan with the other test suites).  Arguments are files
 * or directories of files; it exits 0 once every input has run. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "fuzz.h"

static int driver_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;
	if (!f) {
		perror(path);
		return -1;
	}
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n))
			break;
	fclose(f);
	/* An exact-size copy, so ASan sees a read past the end. */
	char *copy = malloc(b.len ? b.len : 1);
	if (copy && b.len)
		memcpy(copy, b.data, b.len);
	LLVMFuzzerTestOneInput((const uint8_t *)copy, b.len);
	free(copy);
	buf_clear(&b);
	return 0;
}

static int driver_path(const char *path, int *count)
{
	struct stat st;
	if (stat(path, &st))
		return 0; /* an absent folder: no inputs of that kind yet */
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return driver_file(path);
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort), rc = 0;
	for (int i = 0; i < n; i++) {
		char sub[4096];
		if (names[i]->d_name[0] != '.' && !rc) {
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			rc = driver_path(sub, count);
		}
		free(names[i]);
	}
	free(n >= 0 ? names : NULL);
	return rc;
}

int main(int argc, char **argv)
{
	int count = 0;
	for (int i = 1; i < argc; i++)
		if (driver_path(argv[i], &count))
			return 1;
	printf("%s: %d inputs ran\n", argv[0], count);
	return 0;
}
