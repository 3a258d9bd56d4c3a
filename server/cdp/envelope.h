/* envelope.h - the checks Chrome makes on a message before it looks at the
 * method: JSON syntax, object shape, int32 id, string method, object params,
 * string sessionId, no other keys (docs/chrome.md §4).  It does not know about
 * sessions or methods; router.c does. */
#ifndef CDPM_ENVELOPE_H
#define CDPM_ENVELOPE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct envelope {
	json_t *root;            /* owned; the parsed message */
	int has_id;
	int id;
	const char *method;      /* borrowed from root */
	size_t method_len;       /* its length: it may hold a NUL (\u0000) */
	json_t *params;          /* borrowed; NULL when absent, [] or null */
	const char *session_id;  /* borrowed; NULL when absent */
	size_t session_id_len;
	/* when the envelope is bad: */
	int err_code;            /* 0 when the message is fine */
	struct buf err_message;  /* e.g. "JSON: invalid token at position 0" */
};

/* envelope_parse() - parses and checks text[0..len).  Returns 0 with every
 * field set, or CDPM_EPROTO with err_code/err_message (and has_id/id when
 * the id was read before the error, as Chrome does), or CDPM_ENOMEM.
 * Always call envelope_clear() afterwards. */
int envelope_parse(struct envelope *e, const char *text, size_t len);
void envelope_clear(struct envelope *e);

/* envelope_string() - the value of a JSON string that names something the
 * server looks up (a method, a session, target or frame id, a handle), or
 * NULL when v is not a string or holds a NUL byte.  No such name contains
 * one, and Chrome compares them with their lengths: "a\u0000b" is not "a",
 * so a value with a NUL must find nothing, never a C-string prefix.  The
 * pointer is borrowed from v. */
const char *envelope_string(const json_t *v);

#endif
