/* tracecat.c - Chrome's trace category filter (see tracecat.h). */
#include "gen/tracecat.h"

#include <string.h>

void tracecat_init(struct tracecat *f, const char *const *incl, size_t n_incl,
		   const char *const *excl, size_t n_excl)
{
	f->incl = incl;
	f->n_incl = incl ? n_incl : 0;
	f->excl = excl;
	f->n_excl = excl ? n_excl : 0;
}

int tracecat_match(const char *pattern, const char *name, size_t name_len)
{
	const char *p = pattern, *star = NULL;
	size_t i = 0, mark = 0;

	/* Iterative glob with single-star backtracking: linear enough for
	 * category names and immune to pathological "a*a*a*" patterns. */
	while (i < name_len) {
		if (*p == '*') {
			star = p++;
			mark = i;
		} else if (*p && (*p == '?' || *p == name[i])) {
			p++;
			i++;
		} else if (star) {
			p = star + 1;
			i = ++mark;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static int has_wildcard(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

static int is_dbd(const char *name, size_t len)
{
	size_t n = sizeof(TRACECAT_DBD_PREFIX) - 1;
	return len >= n && memcmp(name, TRACECAT_DBD_PREFIX, n) == 0;
}

/* Any pattern of list[] of the given kind (exact or wildcard) matching. */
static int list_hits(const char *const *list, size_t n, int wild, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const char *pat = list[i];
		if (!pat || has_wildcard(pat) != wild)
			continue;
		if (wild ? tracecat_match(pat, name, len)
			 : strlen(pat) == len && memcmp(pat, name, len) == 0)
			return 1;
	}
	return 0;
}

static int list_has(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] && strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int has_plain_include(const struct tracecat *f)
{
	for (size_t i = 0; i < f->n_incl; i++)
		if (f->incl[i] && !is_dbd(f->incl[i], strlen(f->incl[i])))
			return 1;
	return 0;
}

/* One category (not a group): Perfetto's exact pass, then its pattern pass,
 * with the "*" that Chrome's conversion adds to one of the two lists. */
static int cat_enabled(const struct tracecat *f, const char *name, size_t len)
{
	int star = list_has(f->incl, f->n_incl, "*") || list_has(f->excl, f->n_excl, "*");
	int plain = has_plain_include(f);

	if (len == 10 && memcmp(name, "__metadata", 10) == 0)
		return 1;
	if (list_hits(f->incl, f->n_incl, 0, name, len))
		return 1;
	if (is_dbd(name, len)) {
		for (size_t i = 0; i < f->n_incl; i++) {
			const char *pat = f->incl[i];
			if (pat && has_wildcard(pat) && is_dbd(pat, strlen(pat)) &&
			    tracecat_match(pat, name, len))
				return 1;
		}
		/* The implicit "slow" tag: off whatever else matches. */
		return 0;
	}
	if (list_hits(f->excl, f->n_excl, 0, name, len))
		return 0;
	if ((!star && !plain) || list_hits(f->incl, f->n_incl, 1, name, len))
		return 1;
	if ((!star && plain) || list_hits(f->excl, f->n_excl, 1, name, len))
		return 0;
	return 1;
}

int tracecat_enabled(const struct tracecat *f, const char *group)
{
	const char *p = group;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len && cat_enabled(f, p, len))
			return 1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}
