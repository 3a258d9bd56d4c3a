/* scenfile.c - {"$file": NAME} references (see scenfile.h). */
#include "scenario/scenfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "scenario/jcheck.h"

/* The value in dir/name, or NULL with an error at ref. */
static json_t *scenfile_read(const json_t *ref, const char *name, const char *dir,
			     struct jcheck *j)
{
	const json_t *f = json_object_get(ref, "$file");
	size_t mark = jcheck_push_key(j, "$file");
	json_t *v = NULL;
	if (!dir) {
		jcheck_fail(j, f, ref, "$file",
			    "no {\"$file\": ...} reference (only a scenario file may have them)");
		jcheck_pop(j, mark);
		return NULL;
	}
	if (!*name || name[0] == '/' || strstr(name, "..")) {
		jcheck_fail(j, f, ref, "$file",
			    "a file name relative to the scenario's folder, without \"..\"");
		jcheck_pop(j, mark);
		return NULL;
	}
	struct buf path, text;
	buf_init(&path, 0);
	buf_init(&text, SCENFILE_MAX);
	buf_printf(&path, "%s/%s", dir, name);
	gzFile gz = buf_finish(&path) ? NULL : gzopen(path.data, "rb");
	if (!gz) {
		jcheck_failf(j, f, ref, "$file", "the name of a readable file (%s)", strerror(errno));
		goto out;
	}
	char tmp[65536];
	int n;
	while ((n = gzread(gz, tmp, sizeof(tmp))) > 0 && !buf_add(&text, tmp, (size_t)n))
		;
	int bad = n < 0 || buf_finish(&text);
	gzclose(gz);
	json_error_t err;
	if (bad)
		jcheck_failf(j, f, ref, "$file", "a gzip or JSON file of at most %zu bytes",
			     SCENFILE_MAX);
	else if (!(v = json_loadb(text.data ? text.data : "", text.len,
				  JSON_DECODE_ANY | JSON_ALLOW_NUL, &err)))
		jcheck_failf(j, f, ref, "$file", "a file of JSON (byte %d: %s)", err.position,
			     err.text);
out:
	jcheck_pop(j, mark);
	buf_clear(&path);
	buf_clear(&text);
	return v;
}

/* The name when v is a reference, else NULL. */
static const char *scenfile_ref(const json_t *v)
{
	json_t *f = json_object_get(v, "$file");
	return f && json_object_size(v) == 1 && json_is_string(f) ? json_string_value(f) : NULL;
}

void scenfile_expand(json_t *root, const char *dir, struct jcheck *j)
{
	if (json_is_object(root)) {
		const char *k;
		json_t *x;
		json_object_foreach(root, k, x) {
			size_t mark = jcheck_push_key(j, k);
			const char *name = scenfile_ref(x);
			if (name) {
				json_t *v = scenfile_read(x, name, dir, j);
				if (v)
					json_object_set_new_nocheck(root, k, v);
			} else {
				scenfile_expand(x, dir, j);
			}
			jcheck_pop(j, mark);
		}
	} else if (json_is_array(root)) {
		for (size_t i = 0; i < json_array_size(root); i++) {
			json_t *x = json_array_get(root, i);
			size_t mark = jcheck_push_index(j, i);
			const char *name = scenfile_ref(x);
			if (name) {
				json_t *v = scenfile_read(x, name, dir, j);
				if (v)
					json_array_set_new(root, i, v);
			} else {
				scenfile_expand(x, dir, j);
			}
			jcheck_pop(j, mark);
		}
	}
}
