/* remote.h - Runtime.RemoteObject and Runtime.ExceptionDetails as V8 writes
 * them, for the values a scenario says page code returns or throws
 * (domains/remote.c).  The Runtime domain uses it; it holds no objects:
 * an objectId names a context and a counter, nothing more. */
#ifndef CDPM_REMOTE_H
#define CDPM_REMOTE_H

#include <jansson.h>

#include "buf.h"

struct pagestate;

/* remote_value() - appends the RemoteObject for JSON value v returned in
 * context ctx_id: primitives by value (numbers with V8's description,
 * null as subtype "null"); objects and arrays by value when by_value
 * (returnByValue), else as a handle with a fresh objectId, className and
 * description.  0 or out's error. */
int remote_value(struct pagestate *pt, int ctx_id, const json_t *v, int by_value,
		 struct buf *out);

/* remote_exception() - appends `"result":{…},"exceptionDetails":{…}` for
 * code in script script_id of context ctx_id that threw an error described
 * by desc ("TypeError: x is not a function"): an error object (className
 * from desc when it starts with a name ending in "Error", else "Error")
 * and the details V8 gives an uncaught exception.  0 or out's error. */
int remote_exception(struct pagestate *pt, int ctx_id, const char *script_id, const char *desc,
		     struct buf *out);

/* remote_object_context() - the execution context an objectId this module
 * made names ("<n>.<context>.<n>"), or -1 if id is not of that form. */
int remote_object_context(const char *id);

#endif
