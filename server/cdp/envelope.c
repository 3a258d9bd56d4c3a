/* envelope.c - Chrome's message-level checks (see envelope.h).  The order
 * follows crdtp's Dispatchable: members are read in message order and the
 * first bad one decides the error; the id is echoed only if it was read
 * before the error. */
#include "cdp/envelope.h"

#include <string.h>

#include "cdp/cbor.h"
#include "cdpm.h"
#include "cdp/router.h"
#include "cdp/wirejson.h"

static int envelope_fail(struct envelope *e, int code, const char *msg)
{
	e->err_code = code;
	buf_reset(&e->err_message);
	buf_adds(&e->err_message, msg);
	return CDPM_EPROTO;
}

/* Position of member `index` of the top-level map in Chrome's CBOR form of
 * the message: the 8-byte map header plus every earlier key and value. */
static size_t envelope_cbor_pos(json_t *root, long index)
{
	size_t pos = 8;
	long i = 0;
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		if (i++ == index)
			break;
		pos += cbor_string_size(key, strlen(key)) + cbor_size(v);
	}
	return pos;
}

static int envelope_member(struct envelope *e, const char *key, json_t *v)
{
	if (!strcmp(key, "id")) {
		if (!json_is_integer(v))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message must have integer 'id' property");
		e->has_id = 1;
		e->id = (int)json_integer_value(v);
	} else if (!strcmp(key, "method")) {
		if (!json_is_string(v))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message must have string 'method' property");
		e->method = json_string_value(v);
	} else if (!strcmp(key, "params")) {
		/* Chrome accepts "params":null and "params":[] as "no params". */
		if (json_is_object(v))
			e->params = v;
		else if (!json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message may have object 'params' property");
	} else if (!strcmp(key, "sessionId")) {
		if (!json_is_string(v))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message may have string 'sessionId' property");
		e->session_id = json_string_value(v);
	} else {
		return envelope_fail(e, CDP_INVALID_REQUEST,
				     "Message has property other than 'id', 'method', "
				     "'sessionId', 'params'");
	}
	return 0;
}

int envelope_parse(struct envelope *e, const char *text, size_t len)
{
	struct wirejson_result res;
	memset(e, 0, sizeof(*e));
	buf_init(&e->err_message, 4096);
	int rc = wirejson_parse(text, len, &e->root, &res);
	if (rc == CDPM_ENOMEM)
		return rc;
	if (rc) {
		e->err_code = CDP_PARSE_ERROR;
		buf_printf(&e->err_message, "JSON: %s at position %zu", res.error, res.pos);
		return CDPM_EPROTO;
	}
	if (!json_is_object(e->root))
		return envelope_fail(e, CDP_INVALID_REQUEST, "Message must be an object");
	long i = 0;
	const char *key;
	json_t *v;
	json_object_foreach(e->root, key, v)
	{
		if (i == res.dup_member) {
			e->err_code = CDP_PARSE_ERROR;
			buf_printf(&e->err_message, "CBOR: duplicate map key at position %zu",
				   envelope_cbor_pos(e->root, i));
			return CDPM_EPROTO;
		}
		if ((rc = envelope_member(e, key, v)))
			return rc;
		i++;
	}
	/* A duplicate key's member is not in the map: it sits after the last. */
	if (res.dup_member >= 0 && i <= res.dup_member) {
		e->err_code = CDP_PARSE_ERROR;
		buf_printf(&e->err_message, "CBOR: duplicate map key at position %zu",
			   envelope_cbor_pos(e->root, res.dup_member));
		return CDPM_EPROTO;
	}
	if (!e->has_id)
		return envelope_fail(e, CDP_INVALID_REQUEST,
				     "Message must have integer 'id' property");
	if (!e->method || !*e->method)
		return envelope_fail(e, CDP_INVALID_REQUEST,
				     "Message must have string 'method' property");
	return 0;
}

void envelope_clear(struct envelope *e)
{
	json_decref(e->root);
	e->root = NULL;
	buf_clear(&e->err_message);
}
