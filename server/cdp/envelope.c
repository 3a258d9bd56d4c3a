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
		pos += cbor_string_size(key, json_object_iter_key_len(json_object_key_to_iter(key))) +
		       cbor_size(v);
	}
	return pos;
}

const char *envelope_string(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && strlen(s) == json_string_length(v) ? s : NULL;
}

/* Keys compare with their lengths: "id\u0000x" is an unknown key, not "id". */
static int envelope_key_is(const char *key, size_t klen, const char *name)
{
	return klen == strlen(name) && !memcmp(key, name, klen);
}

static int envelope_member(struct envelope *e, const char *key, size_t klen, json_t *v)
{
	if (envelope_key_is(key, klen, "id")) {
		if (!json_is_integer(v))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message must have integer 'id' property");
		e->has_id = 1;
		e->id = (int)json_integer_value(v);
	} else if (envelope_key_is(key, klen, "method")) {
		if (!json_is_string(v))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message must have string 'method' property");
		e->method = json_string_value(v);
		e->method_len = json_string_length(v);
	} else if (envelope_key_is(key, klen, "params")) {
		/* Chrome accepts "params":null and "params":[] as "no params". */
		if (json_is_object(v))
			e->params = v;
		else if (!json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message may have object 'params' property");
	} else if (envelope_key_is(key, klen, "sessionId")) {
		if (!json_is_string(v))
			return envelope_fail(e, CDP_INVALID_REQUEST,
					     "Message may have string 'sessionId' property");
		e->session_id = json_string_value(v);
		e->session_id_len = json_string_length(v);
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
		size_t klen = json_object_iter_key_len(json_object_key_to_iter(key));
		if ((rc = envelope_member(e, key, klen, v)))
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
	if (!e->method || !e->method_len)
		return envelope_fail(e, CDP_INVALID_REQUEST,
				     "Message must have string 'method' property");
	/* No session id holds a NUL; a C-string prefix must not find one.
	 * Chrome looks the session up before the method. */
	if (e->session_id && !envelope_string(json_object_get(e->root, "sessionId")))
		return envelope_fail(e, CDP_SESSION_NOT_FOUND, "Session with given id not found.");
	return 0;
}

void envelope_clear(struct envelope *e)
{
	json_decref(e->root);
	e->root = NULL;
	buf_clear(&e->err_message);
}
