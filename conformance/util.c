/* util.c - small helpers of cdpconform: strings, time, folders, files. */
#include "conform.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *util_strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (!p) {
		fputs("cdpconform: out of memory\n", stderr);
		exit(2);
	}
	memcpy(p, s, n);
	return p;
}

char *util_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = malloc((size_t)n + 1);
	if (!p) {
		fputs("cdpconform: out of memory\n", stderr);
		exit(2);
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int64_t util_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int util_rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *sub = util_printf("%s/%s", path, e->d_name);
		rc |= util_rmtree(sub);
		free(sub);
	}
	closedir(d);
	return rmdir(path) || rc ? -1 : 0;
}

int util_mkdirs(const char *path)
{
	char *p = util_strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

char *util_read_file(const char *path, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n = 0, alloc = 4096;
	char *p = malloc(alloc);
	while (p) {
		if (n + 1 >= alloc) {
			if (alloc > cap) {
				free(p);
				p = NULL;
				break;
			}
			char *q = realloc(p, alloc * 2);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			alloc *= 2;
		}
		size_t r = fread(p + n, 1, alloc - n - 1, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	if (!p)
		return NULL;
	p[n] = '\0';
	if (len)
		*len = n;
	return p;
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {"pass", "fail", "hang", "crash", "known-fail", "skip"};
	return names[v];
}

char *util_find_mock(void)
{
	const char *env = getenv("CDPMOCK_BIN");
	char self[4096];
	ssize_t n;
	if (env && *env)
		return util_strdup(env);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *p = util_printf("%s/cdpmock", self);
			if (!access(p, X_OK))
				return p;
			free(p);
		}
	}
	return util_strdup("cdpmock");
}
