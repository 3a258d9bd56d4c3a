/* cdpc_stream.h - reading a whole CDP IO stream (a ReturnAsStream trace, for
 * instance) with IO.read and IO.close over a cdpc connection. */
#ifndef CDPC_STREAM_H
#define CDPC_STREAM_H

#include <stdio.h>

#include "cdpclient.h"

/* Consecutive empty reads without eof before cdpc_stream_read() gives up:
 * Chrome's only empty read is the final eof one. */
#define CDPC_STREAM_MAX_EMPTY_READS 64

/* cdpc_stream_read() - IO.read the stream handle (on session_id, may be
 * NULL) until a read says eof, writing the bytes to out (base64-decoded
 * when a read says base64Encoded), then IO.close it.  Each call waits up to
 * timeout_ms.  *total (may be NULL) gets the number of bytes written.
 * Events that arrive meanwhile stay queued for cdpc_next().  An error
 * reply, a malformed one, bad base64 or CDPC_STREAM_MAX_EMPTY_READS empty
 * reads in a row fail with CDPM_EPROTO, a write error with CDPM_EIO, and a
 * connection problem as cdpc_call() does; a reason goes to err (may be
 * NULL).  IO.close is sent whenever the connection is still usable. */
int cdpc_stream_read(struct cdpc *c, const char *handle, const char *session_id,
		     int timeout_ms, FILE *out, size_t *total, struct buf *err);

#endif
