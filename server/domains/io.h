/* io.h - the IO domain's streams (CDP StreamHandle): a browser-wide
 * registry of open streams, each private to the session that received its
 * handle (docs/chrome.md §8).  The Tracing domain opens them for
 * ReturnAsStream traces; IO.read and IO.close (domains/io.c) read and free
 * them.  Not the stream contents (gen/tstream.h). */
#ifndef CDPM_IO_H
#define CDPM_IO_H

#include <stddef.h>

struct session;
struct tstream;

/* Room for a handle: a decimal uint64 and its NUL. */
#define IO_HANDLE_MAX 24

/* Open streams across the browser.  Chrome has no limit; past this one a
 * trace cannot be returned as a stream (io_stream_open fails). */
#define IO_MAX_STREAMS 1024

/* io_stream_open() - registers ts as a stream of session s and takes it
 * (it is freed by IO.close, or when s detaches or its connection closes).
 * base64: reads return base64 (gzip or proto), else JSON text.  The handle
 * ("1", "2", ... from a browser-wide counter) is written to handle.
 * 0, or CDPM_ETOOBIG (IO_MAX_STREAMS open) / CDPM_ENOMEM, and then ts has
 * been freed. */
int io_stream_open(struct session *s, struct tstream *ts, int base64, char handle[IO_HANDLE_MAX]);

/* io_restart() - the next handle is "1" again.  Streams must be gone
 * (their sessions freed). */
void io_restart(void);


/* io_stream_count() - streams open now (for tests and the journal). */
size_t io_stream_count(void);
/* io_streams_of() - streams open now on the sessions of connection c. */
struct conn;
size_t io_streams_of(const struct conn *c);

#endif
