/* jcheck.c - typed JSON reads with file:line:column diagnostics (see
 * jcheck.h). */
#include "scenario/jcheck.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cdp/wirejson.h"
#include "numfmt.h"

void jcheck_init(struct jcheck *j, const char *file, const char *text, size_t len,
		 const struct wirejson_posmap *map, struct buf *errors)
{
	memset(j, 0, sizeof(*j));
	j->file = file;
	j->text = text;
	j->len = len;
	j->map = map;
	j->errors = errors;
}

size_t jcheck_push_key(struct jcheck *j, const char *key)
{
	size_t mark = j->path_len;
	int simple = *key != '\0';
	for (const char *p = key; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (p != key && *p >= '0' && *p <= '9')))
			simple = 0;
	/* jq's notation: .key, or ."odd key" */
	int n = snprintf(j->path + mark, sizeof(j->path) - mark, simple ? ".%s" : ".\"%s\"", key);
	if (n > 0)
		j->path_len = mark + (size_t)n < sizeof(j->path) ? mark + (size_t)n
								 : sizeof(j->path) - 1;
	return mark;
}

size_t jcheck_push_index(struct jcheck *j, size_t i)
{
	size_t mark = j->path_len;
	int n = snprintf(j->path + mark, sizeof(j->path) - mark, "[%zu]", i);
	if (n > 0)
		j->path_len = mark + (size_t)n < sizeof(j->path) ? mark + (size_t)n
								 : sizeof(j->path) - 1;
	return mark;
}

void jcheck_pop(struct jcheck *j, size_t mark)
{
	j->path_len = mark;
	j->path[mark] = '\0';
}

void jcheck_describe(const json_t *v, struct buf *out)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		buf_adds(out, "an object");
		break;
	case JSON_ARRAY:
		buf_adds(out, "an array");
		break;
	case JSON_STRING: {
		size_t n = json_string_length(v);
		buf_adds(out, "string ");
		buf_add_json_str(out, json_string_value(v), n > 40 ? 40 : n, 1);
		if (n > 40)
			buf_adds(out, "...");
		break;
	}
	case JSON_INTEGER:
		buf_add_i64(out, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		numfmt_add(out, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_adds(out, "true");
		break;
	case JSON_FALSE:
		buf_adds(out, "false");
		break;
	case JSON_NULL:
		buf_adds(out, "null");
		break;
	}
}

/* Where v starts in the source: its own position, else its key's, else
 * the parent container's. */
static size_t jcheck_offset(const struct jcheck *j, const json_t *v, const json_t *parent,
			    const char *key)
{
	size_t off = 0;
	if (!j->map)
		return 0;
	if (v && !wirejson_posmap_find(j->map, v, &off))
		return off;
	if (parent && key && !wirejson_posmap_find_key(j->map, parent, key, &off))
		return off;
	if (parent && !wirejson_posmap_find(j->map, parent, &off))
		return off;
	return 0;
}

/* The text of a message part built in the temporary b.  If b failed, the
 * error list fails with it (buf_set_error), so that no caller shows a list
 * with a line cut short; the line is still counted. */
static const char *jcheck_text(struct jcheck *j, const struct buf *b)
{
	int rc = buf_finish(b);
	if (rc) {
		buf_set_error(j->errors, rc);
		return "";
	}
	return b->data ? b->data : "";
}

static void jcheck_line(struct jcheck *j, size_t off, const char *expected, const json_t *found,
			const char *found_text)
{
	if (j->n_errors++ >= JCHECK_MAX_ERRORS) {
		if (j->n_errors == JCHECK_MAX_ERRORS + 1)
			buf_printf(j->errors, "%s: too many errors; giving up\n", j->file);
		return;
	}
	size_t line = 1, col = 1;
	if (j->text)
		wirejson_line_col(j->text, j->len, off <= j->len ? off : j->len, &line, &col);
	buf_printf(j->errors, "%s:%zu:%zu: %s: expected %s, found ", j->file, line, col,
		   j->path_len ? j->path : ".", expected);
	if (found_text)
		buf_adds(j->errors, found_text);
	else if (found)
		jcheck_describe(found, j->errors);
	else
		buf_adds(j->errors, "nothing");
	buf_addc(j->errors, '\n');
}

int jcheck_fail(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		const char *expected)
{
	jcheck_line(j, jcheck_offset(j, v, parent, key), expected, v, NULL);
	return -1;
}

int jcheck_failf(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		 const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return jcheck_fail(j, v, parent, key, text);
}

int jcheck_object(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		  const char *const *known)
{
	if (!json_is_object(v))
		return jcheck_fail(j, v, parent, key, "an object");
	const char *k;
	json_t *m;
	json_object_foreach((json_t *)v, k, m)
	{
		size_t i = 0;
		while (known[i] && strcmp(known[i], k))
			i++;
		if (known[i])
			continue;
		struct buf exp, found;
		buf_init(&exp, 0);
		buf_init(&found, 0);
		buf_adds(&exp, "one of the keys ");
		for (i = 0; known[i]; i++)
			buf_printf(&exp, "%s\"%s\"", i ? ", " : "", known[i]);
		if (!i)
			buf_adds(&exp, "(none)");
		buf_adds(&found, "key ");
		buf_add_json_str(&found, k, strlen(k), 1);
		size_t off = 0;
		if (j->map)
			wirejson_posmap_find_key(j->map, v, k, &off);
		jcheck_line(j, off, jcheck_text(j, &exp), NULL, jcheck_text(j, &found));
		buf_clear(&exp);
		buf_clear(&found);
	}
	return 0;
}

const json_t *jcheck_required(struct jcheck *j, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (v)
		return v;
	char exp[256];
	snprintf(exp, sizeof(exp), "the key \"%s\"", key);
	jcheck_line(j, jcheck_offset(j, obj, NULL, NULL), exp, NULL, "none");
	return NULL;
}

int jcheck_bool(struct jcheck *j, const json_t *obj, const char *key, int *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t m = jcheck_push_key(j, key);
	int rc = 1;
	if (json_is_boolean(v))
		*out = json_is_true(v);
	else
		rc = jcheck_fail(j, v, obj, key, "true or false");
	jcheck_pop(j, m);
	return rc;
}

int jcheck_string(struct jcheck *j, const json_t *obj, const char *key, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t m = jcheck_push_key(j, key);
	int rc = 1;
	if (json_is_string(v))
		*out = json_string_value(v);
	else
		rc = jcheck_fail(j, v, obj, key, "a string");
	jcheck_pop(j, m);
	return rc;
}

int jcheck_is_int(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		  int64_t min, int64_t max, int64_t *out)
{
	double d = json_is_real(v) ? json_real_value(v) : 0.5;
	int64_t x;
	/* wirejson gives int32 values as integers and anything else as reals,
	 * so a large integral real is still an integer here. */
	if (json_is_integer(v)) {
		x = (int64_t)json_integer_value(v);
	} else if (d == floor(d) && fabs(d) < 9.0e18) {
		x = (int64_t)d;
	} else {
		return jcheck_failf(j, v, parent, key, "an integer from %lld to %lld",
				    (long long)min, (long long)max);
	}
	if (x < min || x > max)
		return jcheck_failf(j, v, parent, key, "an integer from %lld to %lld",
				    (long long)min, (long long)max);
	*out = x;
	return 1;
}

int jcheck_int(struct jcheck *j, const json_t *obj, const char *key, int64_t min, int64_t max,
	       int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t m = jcheck_push_key(j, key);
	int rc = jcheck_is_int(j, v, obj, key, min, max, out);
	jcheck_pop(j, m);
	return rc;
}

int jcheck_is_number(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		     double min, double max, double *out)
{
	if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max) {
		char lo[NUMFMT_MAX], hi[NUMFMT_MAX];
		numfmt_double(lo, min);
		numfmt_double(hi, max);
		return jcheck_failf(j, v, parent, key, "a number from %s to %s", lo, hi);
	}
	*out = json_number_value(v);
	return 1;
}

int jcheck_number(struct jcheck *j, const json_t *obj, const char *key, double min, double max,
		  double *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t m = jcheck_push_key(j, key);
	int rc = jcheck_is_number(j, v, obj, key, min, max, out);
	jcheck_pop(j, m);
	return rc;
}

int jcheck_enum(struct jcheck *j, const json_t *obj, const char *key, const char *const *names,
		int *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t m = jcheck_push_key(j, key);
	int rc = -1;
	if (json_is_string(v)) {
		for (int i = 0; names[i]; i++) {
			if (!strcmp(names[i], json_string_value(v))) {
				*out = i;
				rc = 1;
				break;
			}
		}
	}
	if (rc < 0) {
		struct buf exp;
		buf_init(&exp, 0);
		buf_adds(&exp, "one of ");
		for (int i = 0; names[i]; i++)
			buf_printf(&exp, "%s\"%s\"", i ? ", " : "", names[i]);
		jcheck_fail(j, v, obj, key, jcheck_text(j, &exp));
		buf_clear(&exp);
	}
	jcheck_pop(j, m);
	return rc;
}
