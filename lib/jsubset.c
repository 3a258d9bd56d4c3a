/* jsubset.c - subset matching of JSON values (see jsubset.h). */
#include "jsubset.h"
#include "numfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jsubset_walk {
	const struct jsubset_opts *o;
	int paths; /* build paths: someone will read them */
	size_t len;
	char path[JSUBSET_PATH_MAX];
};

/* Appends one step ("." key or "[i]") to the path; returns the old length
 * to pop back to.  A path that does not fit is cut short. */
static size_t jsubset_push(struct jsubset_walk *w, const char *key, size_t i)
{
	size_t old = w->len;
	if (!w->paths)
		return old;
	size_t room = sizeof(w->path) - w->len;
	int n = key ? snprintf(w->path + w->len, room, ".%s", key)
		    : snprintf(w->path + w->len, room, "[%zu]", i);
	if (n > 0)
		w->len += (size_t)n < room ? (size_t)n : room - 1;
	return old;
}

static void jsubset_pop(struct jsubset_walk *w, size_t old)
{
	w->len = old;
	w->path[old] = '\0';
}

static int jsubset_walk(struct jsubset_walk *w, const json_t *pat, const json_t *v);

static int jsubset_object(struct jsubset_walk *w, const json_t *pat, const json_t *v)
{
	const char *key;
	json_t *m;
	json_object_foreach((json_t *)pat, key, m)
	{
		size_t old = jsubset_push(w, key, 0);
		int ok = jsubset_walk(w, m, json_object_get(v, key));
		jsubset_pop(w, old);
		if (!ok)
			return 0;
	}
	return 1;
}

static int jsubset_array(struct jsubset_walk *w, const json_t *pat, const json_t *v)
{
	for (size_t i = 0; i < json_array_size(pat); i++) {
		size_t old = jsubset_push(w, NULL, i);
		int ok = jsubset_walk(w, json_array_get(pat, i), json_array_get(v, i));
		jsubset_pop(w, old);
		if (!ok)
			return 0;
	}
	return 1;
}

/* The pattern as the explanation shows it (a real as the wire has it:
 * jansson would print 0.1 as 0.10000000000000001). */
static void jsubset_expected(struct jsubset_walk *w, const json_t *pat)
{
	if (json_is_real(pat)) {
		char num[NUMFMT_MAX];
		numfmt_double(num, json_real_value(pat));
		buf_printf(w->o->why, "%s: expected %s", w->path, num);
		return;
	}
	char *ps = json_dumps(pat, JSON_ENCODE_ANY | JSON_COMPACT);
	buf_printf(w->o->why, "%s: expected %s", w->path, ps ? ps : "?");
	free(ps);
}

static int jsubset_walk(struct jsubset_walk *w, const json_t *pat, const json_t *v)
{
	struct buf *why = w->o->why;
	if (w->o->hook) {
		int r = w->o->hook(w->o->ctx, pat, v, w->path, why);
		if (r != JSUBSET_PASS)
			return r == JSUBSET_YES;
	}
	if (!v) {
		if (why)
			buf_printf(why, "%s: missing", w->path);
		return 0;
	}
	if (json_is_object(pat)) {
		if (json_is_object(v))
			return jsubset_object(w, pat, v);
		if (why)
			buf_printf(why, "%s: expected an object", w->path);
		return 0;
	}
	if (json_is_array(pat)) {
		if (json_is_array(v) && json_array_size(v) == json_array_size(pat))
			return jsubset_array(w, pat, v);
		if (why)
			buf_printf(why, "%s: expected an array of %zu", w->path,
				   json_array_size(pat));
		return 0;
	}
	/* By value: the wire's 1 and a scenario's 1.0 are the same number. */
	if (json_is_number(pat) && json_is_number(v) &&
	    json_number_value(pat) == json_number_value(v))
		return 1;
	if (json_equal((json_t *)pat, (json_t *)v))
		return 1;
	if (why)
		jsubset_expected(w, pat);
	return 0;
}

int jsubset_match_ex(const json_t *pat, const json_t *v, const struct jsubset_opts *o)
{
	static const struct jsubset_opts none;
	struct jsubset_walk w;
	w.o = o ? o : &none;
	w.paths = w.o->why || w.o->hook;
	w.path[0] = '\0';
	w.len = 0;
	if (w.paths && w.o->path) {
		size_t n = strlen(w.o->path);
		w.len = n < sizeof(w.path) ? n : sizeof(w.path) - 1;
		memcpy(w.path, w.o->path, w.len);
		w.path[w.len] = '\0';
	}
	return jsubset_walk(&w, pat, v);
}

int jsubset_match(const json_t *pat, const json_t *v)
{
	return jsubset_match_ex(pat, v, NULL);
}
