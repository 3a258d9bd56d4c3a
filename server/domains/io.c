/* io.c - the IO domain (docs/chrome.md §8): IO.read and IO.close on the
 * streams that ReturnAsStream traces leave behind, and the registry of those
 * streams (io.h).  A stream belongs to exactly one session; every other
 * session, on any connection, gets "Invalid stream handle".  The bytes come
 * lazily from gen/tstream.c, one read at a time. */
#include "domains/io.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cdpm.h"
#include "net/conn.h"
#include "gen/tstream.h"
#include "journal.h"
#include "net/loop.h"
#include "cdp/envelope.h"
#include "cdp/router.h"
#include "cdp/targets.h"
#include "domains/tracing/tracing.h"

/* Reads smaller than this are not read ahead: the overlap only pays for
 * big chunks, and small reads are tests poking at offsets. */
#define IO_AHEAD_MIN ((size_t)1 << 20)
/* Raw bytes the read-ahead adds per loop turn (about a millisecond). */
#define IO_AHEAD_SLICE ((size_t)3 << 18)

enum { IO_AHEAD_NONE, IO_AHEAD_BUILDING, IO_AHEAD_READY };

/* Raw bytes encoded per step of a base64 read: a multiple of 3, so the
 * pieces concatenate into one base64 text. */
#define IO_B64_STEP ((size_t)3 * 16384)

struct io_stream {
	char handle[IO_HANDLE_MAX];
	struct session *owner;
	struct tstream *ts;
	int base64;
	uint64_t pos; /* where a read without offset starts */
	/* read-ahead: the reply to the next sequential read (io_ahead_fire) */
	struct loop_timer ahead_timer;
	struct buf ahead; /* a message: headroom, prefix room, the result */
	size_t ahead_off; /* where the result starts in ahead */
	size_t ahead_max; /* the read size it answers */
	size_t ahead_raw; /* stream bytes it covers */
	uint64_t ahead_pos;
	int ahead_state; /* IO_AHEAD_* */
	struct io_stream *next;
};

static struct io_stream *io_streams;
static size_t io_nstreams;
static uint64_t io_last_handle; /* browser-wide: "1", "2", ... */

int io_stream_open(struct session *s, struct tstream *ts, int base64, char handle[IO_HANDLE_MAX])
{
	if (io_nstreams >= IO_MAX_STREAMS) {
		tstream_free(ts);
		return CDPM_ETOOBIG;
	}
	struct io_stream *st = calloc(1, sizeof(*st));
	if (!st) {
		tstream_free(ts);
		return CDPM_ENOMEM;
	}
	snprintf(st->handle, sizeof(st->handle), "%llu", (unsigned long long)++io_last_handle);
	memcpy(handle, st->handle, IO_HANDLE_MAX);
	st->owner = s;
	st->ts = ts;
	st->base64 = base64;
	st->next = io_streams;
	io_streams = st;
	io_nstreams++;
	return 0;
}

void io_restart(void)
{
	io_last_handle = 0;
}

size_t io_stream_count(void)
{
	return io_nstreams;
}

size_t io_streams_of(const struct conn *c)
{
	size_t n = 0;
	for (const struct io_stream *st = io_streams; st; st = st->next)
		n += st->owner->conn == c;
	return n;
}

/* The stream named handle that session s may use, or NULL.  Handles are
 * compared as strings, as Chrome's map does ("01" is not "1"). */
static struct io_stream **io_find(const struct session *s, const char *handle)
{
	for (struct io_stream **pp = &io_streams; *pp; pp = &(*pp)->next)
		if ((*pp)->owner == s && !strcmp((*pp)->handle, handle))
			return pp;
	return NULL;
}

static void io_ahead_drop(struct io_stream *st);

static void io_unlink_free(struct io_stream **pp)
{
	struct io_stream *st = *pp;
	*pp = st->next;
	io_ahead_drop(st);
	tstream_free(st->ts);
	free(st);
	io_nstreams--;
}

static void io_session_gone(struct session *s)
{
	struct io_stream **pp = &io_streams;
	while (*pp) {
		if ((*pp)->owner == s)
			io_unlink_free(pp);
		else
			pp = &(*pp)->next;
	}
}

/* Appends up to max stream bytes from pos, base64-encoded, in steps so
 * that no raw copy of the whole chunk is ever held. */
static int io_add_base64_data(struct io_stream *st, uint64_t pos, size_t max, struct buf *out,
			      size_t *n_raw, int *eof)
{
	struct buf raw;
	int rc = 0;
	buf_init(&raw, 0);
	*n_raw = 0;
	*eof = 0;
	while (max && !rc) {
		size_t want = max < IO_B64_STEP ? max : IO_B64_STEP;
		int e;
		buf_reset(&raw);
		rc = tstream_read(st->ts, pos + *n_raw, want, &raw, &e);
		if (!rc && e && !*n_raw)
			*eof = 1;
		if (rc || !raw.len)
			break;
		rc = b64_encode_buf(out, raw.data, raw.len);
		*n_raw += raw.len;
		max -= raw.len;
		if (raw.len < want)
			break; /* the end of the stream */
	}
	buf_clear(&raw);
	return rc;
}

/* Appends IO.read's "data" contents for up to max stream bytes at pos:
 * escaped JSON text, or base64 (a multiple of 3 bytes unless at the end,
 * so that pieces concatenate).  *eof: nothing was left at pos. */
static int io_add_data(struct io_stream *st, uint64_t pos, size_t max, struct buf *b, size_t *n_raw,
		       int *eof)
{
	if (st->base64)
		return io_add_base64_data(st, pos, max, b, n_raw, eof);
	return tstream_read_json(st->ts, pos, max, b, n_raw, eof);
}

static int io_add_head(const struct io_stream *st, size_t max, struct buf *b)
{
	/* Escaped trace JSON is about 1.3 times its size; base64 is 4/3. */
	buf_reserve(b, (st->base64 ? max / 3 * 4 + 4 : max + max / 2) + 64);
	buf_adds(b, st->base64 ? "{\"base64Encoded\":true,\"data\":\""
			       : "{\"base64Encoded\":false,\"data\":\"");
	return buf_finish(b);
}

static void io_add_tail(struct buf *b, int eof, int never_eof)
{
	buf_adds(b, eof && !never_eof ? "\",\"eof\":true}" : "\",\"eof\":false}");
}

/* The reply prefix {"id":N,"result": for id. */
static size_t io_prefix(char *out, size_t n, int id)
{
	return (size_t)snprintf(out, n, "{\"id\":%d,\"result\":", id);
}

/* ---- read-ahead ----
 * While the client takes one big IO.read reply, the next one is built in
 * slices between writes (a sequential reader such as puppeteer's asks for
 * it next), so that making the trace overlaps sending it.  It is built
 * where the reply prefix for the guessed next id leaves it, so serving it
 * needs no copy. */

/* The one stream holding a read-ahead: memory stays at one extra reply
 * however many streams a client reads at once. */
static struct io_stream *io_ahead_st;

static void io_ahead_drop(struct io_stream *st)
{
	if (io_ahead_st == st)
		io_ahead_st = NULL;
	loop_timer_cancel(&st->ahead_timer);
	buf_clear(&st->ahead);
	st->ahead_state = IO_AHEAD_NONE;
}

/* Adds one slice; the result is complete when the read is full or the
 * stream ended. */
static int io_ahead_step(struct io_stream *st)
{
	struct tracing_knobs k;
	size_t left = st->ahead_max - st->ahead_raw, n = 0;
	size_t want = left < IO_AHEAD_SLICE ? left : IO_AHEAD_SLICE;
	int eof = 0;
	int rc = io_add_data(st, st->ahead_pos + st->ahead_raw, want, &st->ahead, &n, &eof);
	if (rc)
		return rc;
	st->ahead_raw += n;
	if (n == want && st->ahead_raw < st->ahead_max)
		return 0;
	tracing_knobs(&k);
	io_add_tail(&st->ahead, eof && !st->ahead_raw, k.io.never_eof);
	rc = buf_finish(&st->ahead);
	if (!rc)
		st->ahead_state = IO_AHEAD_READY;
	return rc;
}

static void io_ahead_fire(struct loop_timer *t)
{
	struct io_stream *st = container_of(t, struct io_stream, ahead_timer);
	if (io_ahead_step(st))
		io_ahead_drop(st);
	else if (st->ahead_state == IO_AHEAD_BUILDING)
		loop_timer_arm(&st->ahead_timer, 0, io_ahead_fire);
}

/* Starts building the reply to a read of max bytes at st->pos whose id is
 * guessed to be id. */
static void io_ahead_start(struct io_stream *st, size_t max, int id)
{
	char pre[48];
	size_t pl = io_prefix(pre, sizeof(pre), id);
	if (io_ahead_st && io_ahead_st != st)
		io_ahead_drop(io_ahead_st);
	conn_msg_begin(&st->ahead);
	/* The prefix is written in place below: check before writing. */
	int rc = buf_reserve(&st->ahead, pl);
	if (!rc) {
		st->ahead.len += pl;
		st->ahead_off = st->ahead.len;
		rc = io_add_head(st, max, &st->ahead);
	}
	if (rc) {
		buf_clear(&st->ahead);
		return;
	}
	st->ahead_pos = st->pos;
	st->ahead_max = max;
	st->ahead_raw = 0;
	st->ahead_state = IO_AHEAD_BUILDING;
	io_ahead_st = st;
	loop_timer_arm(&st->ahead_timer, 0, io_ahead_fire);
}

/* Answers c with the read-ahead when it is the read that was expected:
 * 1 (answered, *n_raw set), 0 (not that read), or a negative error. */
static int io_ahead_serve(struct io_stream *st, struct call *c, size_t max, int sequential,
			  size_t *n_raw)
{
	char pre[48];
	int rc = 0;
	if (st->ahead_state == IO_AHEAD_NONE || !sequential || max != st->ahead_max ||
	    st->pos != st->ahead_pos)
		return 0;
	loop_timer_cancel(&st->ahead_timer);
	while (!rc && st->ahead_state == IO_AHEAD_BUILDING)
		rc = io_ahead_step(st);
	if (rc)
		return rc;
	struct buf b = st->ahead;
	buf_init(&st->ahead, 0);
	st->ahead_state = IO_AHEAD_NONE;
	size_t pl = io_prefix(pre, sizeof(pre), c->id);
	size_t at = CONN_HEADROOM + pl;
	if (at != st->ahead_off) {
		/* Another id length than guessed: shift the result. */
		if ((rc = buf_reserve(&b, pl))) {
			buf_clear(&b);
			return rc;
		}
		memmove(b.data + at, b.data + st->ahead_off, b.len - st->ahead_off);
		b.len = at + (b.len - st->ahead_off);
		b.data[b.len] = '\0';
	}
	memcpy(b.data + CONN_HEADROOM, pre, pl);
	*n_raw = st->ahead_raw;
	st->pos += st->ahead_raw;
	rc = call_reply_end(c, &b);
	return rc ? rc : 1;
}

/* IO.read {handle, offset?, size?} ->
 * {"base64Encoded":false,"data":"...","eof":false}: exactly size bytes
 * (default and cap: io.read_chunk, 10 MiB in Chrome) from offset, or from
 * where the last read stopped; eof is true only on an empty read. */
static int io_read(struct call *c)
{
	struct tracing_knobs k;
	const json_t *size = json_object_get(c->params, "size");
	const json_t *offset = json_object_get(c->params, "offset");
	const char *handle = envelope_string(json_object_get(c->params, "handle"));

	tracing_knobs(&k);
	/* Chrome checks the size before it looks the handle up. */
	if (size && json_integer_value(size) <= 0)
		return call_error(c, CDP_INVALID_PARAMS, "Invalid max read size", NULL);
	struct io_stream **pp = handle ? io_find(c->session, handle) : NULL;
	if (!pp)
		return call_error(c, CDP_INVALID_PARAMS, "Invalid stream handle", NULL);
	struct io_stream *st = *pp;
	/* A negative offset is ignored: the read continues where it was. */
	int sequential = !offset || json_integer_value(offset) < 0;
	if (!sequential)
		st->pos = (uint64_t)json_integer_value(offset);
	size_t max = k.io.read_chunk;
	if (size && (uint64_t)json_integer_value(size) < max)
		max = (size_t)json_integer_value(size);

	size_t n_raw = 0;
	int rc = io_ahead_serve(st, c, max, sequential, &n_raw);
	io_ahead_drop(st);
	if (!rc) {
		struct buf b;
		int eof = 0;
		call_reply_begin(c, &b);
		rc = io_add_head(st, max, &b);
		if (!rc)
			rc = io_add_data(st, st->pos, max, &b, &n_raw, &eof);
		io_add_tail(&b, eof, k.io.never_eof);
		if (!rc)
			rc = buf_finish(&b);
		if (rc) {
			journal_note(conn_id(c->conn), "IO.read %s: %s", handle, cdpm_strerror(rc));
			buf_clear(&b);
			return rc;
		}
		st->pos += n_raw;
		rc = call_reply_end(c, &b);
	}
	if (rc < 0)
		return rc;
	/* A full-size sequential read of a stream not at its end yet: the
	 * next one is likely the same. */
	if (sequential && n_raw == max && max >= IO_AHEAD_MIN)
		io_ahead_start(st, max, c->id + 1);
	return 0;
}

/* IO.close {handle} -> {}; a second close is an unknown handle. */
static int io_close(struct call *c)
{
	const char *handle = envelope_string(json_object_get(c->params, "handle"));
	struct io_stream **pp = handle ? io_find(c->session, handle) : NULL;
	if (!pp)
		return call_error(c, CDP_INVALID_PARAMS, "Invalid stream handle", NULL);
	io_unlink_free(pp);
	return call_reply(c, NULL);
}

static const struct method io_methods[] = {
    {"close", io_close},
    {"read", io_read},
};

const struct domain io_domain = {
	.name = "IO",
	.targets = TARGET_BROWSER | TARGET_PAGE,
	.methods = io_methods,
	.n_methods = CDPM_ARRAY_LEN(io_methods),
	.session_gone = io_session_gone,
};
