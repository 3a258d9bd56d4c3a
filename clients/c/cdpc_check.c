/* cdpc_check.c - shape checks for profiles and coverage (see cdpc_check.h).
 * Each type is a table of fields: name, kind, required, and for objects and
 * arrays of objects the table of the element. */
#include "cdpc_check.h"
#include "cdpm.h"

#include <stddef.h>
#include <stdio.h>

enum kind { K_INT, K_NUM, K_STR, K_BOOL, K_OBJ, K_INTS, K_OBJS };

struct field {
	const char *name;
	enum kind kind;
	int required;
	const struct field *of; /* K_OBJ, K_OBJS: the element's fields */
};

static const struct field call_frame[] = {
	{"functionName", K_STR, 1, NULL}, {"scriptId", K_STR, 1, NULL},
	{"url", K_STR, 1, NULL},	  {"lineNumber", K_INT, 1, NULL},
	{"columnNumber", K_INT, 1, NULL}, {NULL, 0, 0, NULL},
};

static const struct field tick[] = {
	{"line", K_INT, 1, NULL}, {"ticks", K_INT, 1, NULL}, {NULL, 0, 0, NULL},
};

static const struct field node[] = {
	{"id", K_INT, 1, NULL},		   {"callFrame", K_OBJ, 1, call_frame},
	{"hitCount", K_INT, 0, NULL},	   {"children", K_INTS, 0, NULL},
	{"deoptReason", K_STR, 0, NULL},   {"positionTicks", K_OBJS, 0, tick},
	{NULL, 0, 0, NULL},
};

static const struct field profile[] = {
	{"nodes", K_OBJS, 1, node},	{"startTime", K_NUM, 1, NULL},
	{"endTime", K_NUM, 1, NULL},	{"samples", K_INTS, 0, NULL},
	{"timeDeltas", K_INTS, 0, NULL}, {NULL, 0, 0, NULL},
};

static const struct field range[] = {
	{"startOffset", K_INT, 1, NULL}, {"endOffset", K_INT, 1, NULL},
	{"count", K_INT, 1, NULL},	 {NULL, 0, 0, NULL},
};

static const struct field function[] = {
	{"functionName", K_STR, 1, NULL}, {"ranges", K_OBJS, 1, range},
	{"isBlockCoverage", K_BOOL, 1, NULL}, {NULL, 0, 0, NULL},
};

static const struct field script[] = {
	{"scriptId", K_STR, 1, NULL},	{"url", K_STR, 1, NULL},
	{"functions", K_OBJS, 1, function}, {NULL, 0, 0, NULL},
};


/* The path of the fault so far, built as the check unwinds: "where" is
 * what the caller prepends. */
static int fault(struct buf *err, const char *where, const char *what)
{
	if (err && !err->len)
		buf_printf(err, "%s %s", where, what);
	return CDPM_EPROTO;
}

static int check_obj(const json_t *o, const struct field *t, const char *where, struct buf *err);

static int check_value(const json_t *v, const struct field *f, const char *where, struct buf *err)
{
	char path[256];
	size_t i;
	json_t *e;

	switch (f->kind) {
	case K_INT:
		return json_is_integer(v) ? 0 : fault(err, where, "is not an integer");
	case K_NUM:
		return json_is_number(v) ? 0 : fault(err, where, "is not a number");
	case K_STR:
		return json_is_string(v) ? 0 : fault(err, where, "is not a string");
	case K_BOOL:
		return json_is_boolean(v) ? 0 : fault(err, where, "is not a boolean");
	case K_OBJ:
		return check_obj(v, f->of, where, err);
	case K_INTS:
	case K_OBJS:
		if (!json_is_array(v))
			return fault(err, where, f->kind == K_INTS ? "is not an array of integers"
								  : "is not an array");
		json_array_foreach(v, i, e) {
			snprintf(path, sizeof(path), "%s[%zu]", where, i);
			int rc = f->kind == K_INTS
					 ? (json_is_integer(e) ? 0 : fault(err, path, "is not an integer"))
					 : check_obj(e, f->of, path, err);
			if (rc)
				return rc;
		}
		return 0;
	}
	return fault(err, where, "has an unknown kind");
}

static int check_obj(const json_t *o, const struct field *t, const char *where, struct buf *err)
{
	char path[256];

	if (!json_is_object(o))
		return fault(err, where, "is not an object");
	for (; t->name; t++) {
		const json_t *v = json_object_get(o, t->name);
		snprintf(path, sizeof(path), "%s.%s", where, t->name);
		if (!v) {
			if (t->required)
				return fault(err, path, "is missing");
			continue;
		}
		int rc = check_value(v, t, path, err);
		if (rc)
			return rc;
	}
	return 0;
}

int cdpc_check_profile(const json_t *p, struct buf *err)
{
	int rc = check_obj(p, profile, "profile", err);
	if (rc)
		return rc;
	const json_t *s = json_object_get(p, "samples"), *d = json_object_get(p, "timeDeltas");
	if (s && d && json_array_size(s) != json_array_size(d))
		return fault(err, "profile.timeDeltas", "is not as long as profile.samples");
	return 0;
}

int cdpc_check_coverage(const json_t *result, struct buf *err)
{
	static const struct field top = {"result", K_OBJS, 1, script};
	return check_value(result, &top, "result", err);
}
