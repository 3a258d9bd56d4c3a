/* jsonw.c - Chrome-style JSON output of a jansson value (see jsonw.h). */
#include "jsonw.h"

#include <string.h>

#include "numfmt.h"

/* Appends v; jsonw_dump() checks the buffer once, at the end. */
static void jsonw_value(struct buf *b, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *m;
		int first = 1;
		buf_addc(b, '{');
		json_object_foreach((json_t *)v, k, m)
		{
			if (!first)
				buf_addc(b, ',');
			first = 0;
			buf_add_json_str(b, k, strlen(k), 1);
			buf_addc(b, ':');
			jsonw_value(b, m);
		}
		buf_addc(b, '}');
		break;
	}
	case JSON_ARRAY:
		buf_addc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				buf_addc(b, ',');
			jsonw_value(b, json_array_get(v, i));
		}
		buf_addc(b, ']');
		break;
	case JSON_STRING:
		buf_add_json_str(b, json_string_value(v), json_string_length(v), 1);
		break;
	case JSON_INTEGER:
		buf_add_i64(b, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		numfmt_add(b, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_adds(b, "true");
		break;
	case JSON_FALSE:
		buf_adds(b, "false");
		break;
	case JSON_NULL:
		buf_adds(b, "null");
		break;
	}
}

int jsonw_dump(struct buf *b, const json_t *v)
{
	jsonw_value(b, v);
	return buf_finish(b);
}
