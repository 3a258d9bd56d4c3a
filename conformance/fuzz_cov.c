/* fuzz_cov.c - coverage guidance for cdpconform fuzz: the features of the
 * V8 coverage files a Node adapter leaves in NODE_V8_COVERAGE (one per
 * script range and hit-count bucket, node's own scripts left out) and of
 * the .gcda files a client built with gcc --coverage leaves under
 * GCOV_PREFIX (one per arc and hit-count bucket), and the set of features
 * seen so far, so that a plan that reaches new client code is kept in the
 * corpus.  It reads coverage; making a client report it is the client
 * build's job (make fuzz-c builds build-cov/). */
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

static void cov_push(uint64_t **out, size_t *n, size_t *cap, uint64_t h)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		uint64_t *p = realloc(*out, *cap * sizeof(*p));
		if (!p)
			exit(2);
		*out = p;
	}
	(*out)[(*n)++] = h | 1; /* 0 marks a free slot of the set */
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
				cov_push(out, n, cap, h);
			}
		}
	}
	json_decref(doc);
}

static uint32_t cov_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One .gcda file (gcc's gcov-io.h): "gcda", the version, a stamp (and from
 * gcc 12 a checksum), then records of a tag and a length (bytes from gcc
 * 12, words before; a negative length is that many zero counters).  A
 * function record (tag 0x01000000) names the function by its ident; its
 * arc counters (0x01a10000) are 64-bit, low word first.  Each arc that ran
 * is a feature: the file (its path below the prefix), the function, the
 * arc, the bucket of its count. */
static void cov_gcda(const char *path, const char *rel, uint64_t **out, size_t *n, size_t *cap)
{
	size_t len = 0;
	unsigned char *d = (unsigned char *)util_read_file(path, (size_t)64 << 20, &len);
	if (!d || len < 16 || memcmp(d, "adcg", 4)) {
		free(d);
		return;
	}
	/* the version is "B22*" for 12.2: 'A' + tens, then units, of the major */
	int major = (d[7] - 'A') * 10 + (d[6] - '0');
	int bytes = major >= 12;
	size_t at = bytes ? 16 : 12;
	uint64_t hf = cov_str(rel), fn = 0;
	while (at + 8 <= len) {
		uint32_t tag = cov_u32(d + at);
		int32_t l = (int32_t)cov_u32(d + at + 4);
		at += 8;
		if (l < 0) /* zero counters: nothing ran */
			continue;
		size_t size = bytes ? (size_t)l : (size_t)l * 4;
		if (size > len - at)
			break;
		if (tag == 0x01000000 && size >= 4) {
			fn = cov_mix(hf, cov_u32(d + at));
		} else if (tag == 0x01a10000) {
			for (size_t i = 0; i + 8 <= size; i += 8) {
				uint64_t c = cov_u32(d + at + i) | (uint64_t)cov_u32(d + at + i + 4) << 32;
				if (c)
					cov_push(out, n, cap,
						 cov_mix(cov_mix(fn, i / 8),
							 cov_bucket(c > 1000000 ? 1000000 : (json_int_t)c)));
			}
		}
		at += size;
	}
	free(d);
}

/* Every coverage file under dir, depth first; rel is where the path
 * below the top folder starts. */
static void cov_walk(const char *dir, size_t rel, int depth, uint64_t **out, size_t *n,
		     size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(e->d_name);
		char *p = util_printf("%s/%s", dir, e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".json"))
			cov_file(p, out, n, cap);
		else if (len > 5 && !strcmp(e->d_name + len - 5, ".gcda"))
			cov_gcda(p, p + rel, out, n, cap);
		else if (depth < 32 && e->d_type == DT_DIR)
			cov_walk(p, rel, depth + 1, out, n, cap);
		free(p);
	}
	closedir(d);
}

size_t fuzz_cov_features(const char *dir, uint64_t **out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	cov_walk(dir, strlen(dir), 0, out, &n, &cap);
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
