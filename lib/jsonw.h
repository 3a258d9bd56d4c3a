/* jsonw.h - writes a jansson value the way Chrome's protocol JSON writer
 * (crdtp) does: compact, keys in the order they were added, every
 * non-ASCII character escaped, doubles in their shortest form (numfmt.h).
 * For values that come from scenario files and go out in messages. */
#ifndef CDPM_JSONW_H
#define CDPM_JSONW_H

#include <jansson.h>

#include "buf.h"

/* jsonw_dump() - appends v to b.  Returns buf_finish(b): 0, or b's first
 * append error. */
int jsonw_dump(struct buf *b, const json_t *v);

#endif
