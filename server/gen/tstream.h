/* tstream.h - the byte stream behind a Tracing ReturnAsStream handle: the
 * whole trace file (JSON or Perfetto protobuf, optionally gzip) produced
 * lazily and readable at any offset, in flat memory whatever its size.
 * Not the IO domain (handles, base64, eof replies) nor the Tracing domain. */
#ifndef CDPM_TSTREAM_H
#define CDPM_TSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "gen/trace.h"

enum tstream_format { TSTREAM_JSON, TSTREAM_PROTO };
enum tstream_compression { TSTREAM_NONE, TSTREAM_GZIP };

/* deflate level of gzip streams.  The gzip header is written here, not by
 * zlib, so it is Chrome's 1f8b0800000000000003 whatever the level. */
#define TSTREAM_GZIP_LEVEL 1

struct tstream;

/* tstream_new() - a stream of the trace described by p (copied, as by
 * trace_gen_new()) in the given format.  The JSON stream is
 *   {"traceEvents":[\n{ev},\n{ev}...],"metadata":\n{...}}
 * with the metadata dict of Chromium 156 (docs/chrome.md §8) and its
 * trace-capture-datetime taken from clock_wall_us() now; gzip is a gzip
 * member (mtime 0, OS 3) of those bytes; proto is a Perfetto Trace.
 * NULL when out of memory or p is invalid. */
struct tstream *tstream_new(const struct trace_params *p, enum tstream_format format,
			    enum tstream_compression compression);

/* tstream_new_at() - tstream_new() with the capture's wall-clock time
 * (µs since the epoch) given, for byte-identical streams. */
struct tstream *tstream_new_at(const struct trace_params *p, enum tstream_format format,
			       enum tstream_compression compression, int64_t wall_us);

/* tstream_free() - releases s; NULL is fine. */
void tstream_free(struct tstream *s);

/* tstream_read() - appends to out up to max bytes of the stream starting at
 * the absolute offset.  Fewer bytes only at the end of the stream; *eof is
 * set (and nothing appended) when offset is at or past the end, so that
 * the caller can answer IO.read as Chrome does (eof only on an empty read).
 * Reading on from where the last read stopped costs O(bytes); an earlier
 * offset regenerates from the start (the content is deterministic).
 * 0, or CDPM_ENOMEM/CDPM_ETOOBIG (from out), or CDPM_EIO (zlib). */
int tstream_read(struct tstream *s, uint64_t offset, size_t max, struct buf *out, int *eof);

/* tstream_read_json() - tstream_read(), but appends the bytes escaped as
 * the contents of a JSON string (no quotes): IO.read's "data" for a plain
 * JSON stream, without a second pass.  *n_raw receives how many stream
 * bytes that covers (what the caller adds to its offset).  Escaping runs at
 * several GB/s (jsonesc.h), buf_add_json_str() at ~270 MB/s on trace JSON.
 * Same errors as tstream_read(). */
int tstream_read_json(struct tstream *s, uint64_t offset, size_t max, struct buf *out,
		      size_t *n_raw, int *eof);

/* tstream_gen() - the stream's generator, e.g. for trace_gen_loss(); it is
 * positioned by the stream, so only const use is safe.  Borrowed. */
const struct trace_gen *tstream_gen(const struct tstream *s);

#endif
