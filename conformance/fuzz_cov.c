/* fuzz_cov.c - coverage guidance for cdpconform fuzz: the features of the
 * V8 coverage files a Node adapter leaves in NODE_V8_COVERAGE (one per
 * script range and hit-count bucket, node's own scripts left out), and the
 * set of features seen so far, so that a plan that reaches new client code
 * is kept in the corpus. */
#include "fuzz.h"

#include "conform.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static uint64_t cov_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static uint64_t cov_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* AFL's buckets: 0, 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
static unsigned cov_bucket(json_int_t n)
{
	if (n <= 3)
		return n < 0 ? 0 : (unsigned)n;
	return n < 8 ? 4 : n < 16 ? 5 : n < 32 ? 6 : n < 128 ? 7 : 8;
}

static int cov_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void cov_file(const char *path, uint64_t **out, size_t *n, size_t *cap)
{
	json_t *doc = json_load_file(path, 0, NULL);
	size_t i, k, r;
	json_t *script, *fn, *range;
	json_array_foreach(json_object_get(doc, "result"), i, script)
	{
		const char *url = json_string_value(json_object_get(script, "url"));
		if (!url || !*url || !strncmp(url, "node:", 5))
			continue;
		uint64_t hu = cov_str(url);
		json_array_foreach(json_object_get(script, "functions"), k, fn)
		{
			json_array_foreach(json_object_get(fn, "ranges"), r, range)
			{
				uint64_t h = cov_mix(hu, (uint64_t)json_integer_value(
							     json_object_get(range, "startOffset")));
				h = cov_mix(h, (uint64_t)json_integer_value(
						   json_object_get(range, "endOffset")));
				h = cov_mix(h, cov_bucket(json_integer_value(
						   json_object_get(range, "count"))));
				if (*n == *cap) {
					*cap = *cap ? *cap * 2 : 4096;
					uint64_t *p = realloc(*out, *cap * sizeof(*p));
					if (!p)
						exit(2);
					*out = p;
				}
				(*out)[(*n)++] = h | 1; /* 0 marks a free slot of the set */
			}
		}
	}
	json_decref(doc);
}

size_t fuzz_cov_features(const char *dir, uint64_t **out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		char *p = util_printf("%s/%s", dir, e->d_name);
		cov_file(p, out, &n, &cap);
		free(p);
	}
	closedir(d);
	if (!n)
		return 0;
	qsort(*out, n, sizeof(**out), cov_cmp);
	size_t u = 1;
	for (size_t i = 1; i < n; i++)
		if ((*out)[i] != (*out)[u - 1])
			(*out)[u++] = (*out)[i];
	return u;
}

static int cov_insert(struct fuzz_cov *c, uint64_t f)
{
	size_t mask = c->cap - 1;
	for (size_t i = (size_t)(f ^ (f >> 29)) & mask;; i = (i + 1) & mask) {
		if (c->slots[i] == f)
			return 0;
		if (!c->slots[i]) {
			c->slots[i] = f;
			c->n++;
			return 1;
		}
	}
}

size_t fuzz_cov_add(struct fuzz_cov *c, const uint64_t *f, size_t n)
{
	size_t added = 0;
	if ((c->n + n) * 2 >= c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while ((c->n + n) * 2 >= cap)
			cap *= 2;
		uint64_t *old = c->slots;
		size_t old_cap = c->cap;
		c->slots = calloc(cap, sizeof(*c->slots));
		if (!c->slots)
			exit(2);
		c->cap = cap;
		c->n = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i])
				cov_insert(c, old[i]);
		free(old);
	}
	for (size_t i = 0; i < n; i++)
		added += (size_t)cov_insert(c, f[i]);
	return added;
}

void fuzz_cov_clear(struct fuzz_cov *c)
{
	free(c->slots);
	memset(c, 0, sizeof(*c));
}
