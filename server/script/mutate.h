/* mutate.h - changes a scenario makes to an outgoing message: merge or
 * replace its params/result, drop a field, set one, change a type, inject
 * invalid UTF-8, grow it to an exact size (generated lazily, so a 255 MiB
 * frame costs one window of memory per connection), or cut it short.  Not
 * for deciding *which* message to change (script.c). */
#ifndef CDPM_MUTATE_H
#define CDPM_MUTATE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct conn_lazy;
struct scenario_mutation;

/* Below this many padding bytes an oversized message is built in memory. */
#define MUTATE_LAZY_MIN ((size_t)1 << 20)

/* mutate_message() - applies merge (RFC 7386 merge patch), replace and then
 * the mutations, in order, to the message in b (built with conn_msg_begin:
 * CONN_HEADROOM spare bytes, then the JSON).  merge/replace go into
 * "result" for a reply, "params" for an event, the whole object otherwise.
 * On success b holds the new bytes, or, when an oversize mutation asked for
 * a big message, b is emptied and *lazy is a new generator of it (the
 * caller sends it with conn_send_lazy()).  A message that is not a JSON
 * object is only truncated.  Fails with CDPM_ENOMEM, or CDPM_EINVAL when an
 * oversize target is smaller than the message (b is then unchanged). */
int mutate_message(struct buf *b, const json_t *merge, const json_t *replace,
		   const struct scenario_mutation *mut, size_t n_mut, struct conn_lazy **lazy);

/* mutate_dump() - appends v as compact, ASCII-only JSON with reals as
 * Chrome writes them (numfmt.h: 0.1 where jansson prints
 * 0.10000000000000001, 3 for 3.0, null for NaN).  Returns buf_finish(b): 0,
 * or b's first append error. */
int mutate_dump(struct buf *b, const json_t *v);

/* mutate_lazy_copy() - a second generator of the same bytes as l (for a
 * duplicated message), or NULL on ENOMEM. */
struct conn_lazy *mutate_lazy_copy(const struct conn_lazy *l);

#endif
