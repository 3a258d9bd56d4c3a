/* remote.c - RemoteObjects and exception details in V8's shapes (see
 * remote.h).  The key orders are those of v8's protocol types: type,
 * subtype, className, value, unserializableValue, description, objectId. */
#include "domains/remote.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "domains/pagestate.h"
#include "jsonw.h"
#include "numfmt.h"

/* V8 objectIds are "<injected script id>.<context id>.<object number>";
 * the first part here comes from the page's seed. */
static void remote_object_id(struct pagestate *pt, int ctx_id, struct buf *out)
{
	buf_printf(out, ",\"objectId\":\"%llu.%d.%u\"",
		   (unsigned long long)(pt->seed % UINT64_C(9000000000000000000)), ctx_id,
		   ++pt->next_object_id);
}

int remote_object_context(const char *id)
{
	const char *p = id;
	char *end;
	if (!isdigit((unsigned char)*p))
		return -1;
	strtoull(p, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	long ctx = strtol(end + 1, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]) || ctx > INT32_MAX)
		return -1;
	strtoul(end + 1, &end, 10);
	return *end ? -1 : (int)ctx;
}

int remote_value(struct pagestate *pt, int ctx_id, const json_t *v, int by_value,
		 struct buf *out)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_adds(out, "{\"type\":\"string\",\"value\":");
		buf_add_json_str(out, json_string_value(v), json_string_length(v), 1);
		buf_addc(out, '}');
		break;
	case JSON_INTEGER:
	case JSON_REAL: {
		/* The value as crdtp writes a double, the description as
		 * Number::toString: the same text. */
		double d = json_number_value(v);
		buf_adds(out, "{\"type\":\"number\",\"value\":");
		numfmt_add(out, d);
		buf_adds(out, ",\"description\":\"");
		numfmt_add(out, d);
		buf_adds(out, "\"}");
		break;
	}
	case JSON_TRUE:
	case JSON_FALSE:
		buf_printf(out, "{\"type\":\"boolean\",\"value\":%s}",
			   json_is_true(v) ? "true" : "false");
		break;
	case JSON_NULL:
		buf_adds(out, "{\"type\":\"object\",\"subtype\":\"null\",\"value\":null}");
		break;
	case JSON_OBJECT:
	case JSON_ARRAY: {
		int arr = json_is_array(v);
		if (by_value) {
			/* V8's kJson mode: the type and the value, nothing else. */
			buf_adds(out, "{\"type\":\"object\",\"value\":");
			jsonw_dump(out, v);
			buf_addc(out, '}');
			break;
		}
		if (arr)
			buf_printf(out,
				   "{\"type\":\"object\",\"subtype\":\"array\","
				   "\"className\":\"Array\","
				   "\"description\":\"Array(%zu)\"",
				   json_array_size(v));
		else
			buf_adds(out, "{\"type\":\"object\",\"className\":\"Object\","
				      "\"description\":\"Object\"");
		remote_object_id(pt, ctx_id, out);
		buf_addc(out, '}');
		break;
	}
	}
	return buf_finish(out);
}

/* The error object: className from "TypeError: ..." and the like. */
static void remote_error_object(struct pagestate *pt, int ctx_id, const char *desc,
				struct buf *out)
{
	size_t n = 0;
	while (isalnum((unsigned char)desc[n]) || desc[n] == '_' || desc[n] == '$')
		n++;
	int named = n >= 5 && !strncmp(desc + n - 5, "Error", 5) && (!desc[n] || desc[n] == ':');
	buf_adds(out, "{\"type\":\"object\",\"subtype\":\"error\",\"className\":");
	if (named)
		buf_add_json_str(out, desc, n, 1);
	else
		buf_adds(out, "\"Error\"");
	buf_adds(out, ",\"description\":");
	buf_add_json_str(out, desc, strlen(desc), 1);
	remote_object_id(pt, ctx_id, out);
	buf_addc(out, '}');
}

int remote_exception(struct pagestate *pt, int ctx_id, const char *script_id, const char *desc,
		     struct buf *out)
{
	/* The result and the details' exception are the same object. */
	struct buf err;
	buf_init(&err, 0);
	remote_error_object(pt, ctx_id, desc, &err);
	int rc = buf_finish(&err);
	if (rc) {
		buf_clear(&err);
		buf_set_error(out, rc);
		return rc;
	}
	buf_adds(out, "\"result\":");
	buf_add(out, err.data, err.len);
	buf_printf(out,
		   ",\"exceptionDetails\":{\"exceptionId\":%u,\"text\":\"Uncaught\","
		   "\"lineNumber\":0,\"columnNumber\":0,\"scriptId\":",
		   ++pt->exception_ids);
	buf_add_json_str(out, script_id, strlen(script_id), 1);
	buf_adds(out, ",\"exception\":");
	buf_add(out, err.data, err.len);
	buf_printf(out, ",\"executionContextId\":%d}", ctx_id);
	buf_clear(&err);
	return buf_finish(out);
}
