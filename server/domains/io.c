/* io.c - the IO domain (CHROMIUM.md 4.5): IO.read and IO.close on the
 * streams that ReturnAsStream traces leave behind, and the registry of those
 * streams (io.h).  A stream belongs to exactly one session; every other
 * session, on any connection, gets "Invalid stream handle".  The bytes come
 * lazily from gen/tstream.c, one read at a time. */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "gen/tstream.h"
#include "journal.h"
#include "router.h"
#include "targets.h"
#include "tracing.h"

/* Raw bytes encoded per step of a base64 read: a multiple of 3, so the
 * pieces concatenate into one base64 text. */
#define IO_B64_STEP ((size_t)3 * 16384)

struct io_stream {
	char handle[IO_HANDLE_MAX];
	struct session *owner;
	struct tstream *ts;
	int base64;
	uint64_t pos; /* where a read without offset starts */
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

/* The stream named handle that session s may use, or NULL.  Handles are
 * compared as strings, as Chrome's map does ("01" is not "1"). */
static struct io_stream **io_find(const struct session *s, const char *handle)
{
	for (struct io_stream **pp = &io_streams; *pp; pp = &(*pp)->next)
		if ((*pp)->owner == s && !strcmp((*pp)->handle, handle))
			return pp;
	return NULL;
}

static void io_unlink_free(struct io_stream **pp)
{
	struct io_stream *st = *pp;
	*pp = st->next;
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

static const char io_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int io_add_base64(struct buf *b, const void *data, size_t n)
{
	const unsigned char *p = data;
	int rc = buf_reserve(b, (n + 2) / 3 * 4);
	if (rc)
		return rc;
	char *o = b->data + b->len;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = io_b64_alphabet[v >> 18];
		*o++ = io_b64_alphabet[(v >> 12) & 63];
		*o++ = io_b64_alphabet[(v >> 6) & 63];
		*o++ = io_b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = io_b64_alphabet[v >> 18];
		*o++ = io_b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < n ? io_b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return 0;
}

/* Appends up to max stream bytes from st->pos, base64-encoded, in steps so
 * that no raw copy of the whole chunk is ever held. */
static int io_read_base64(struct io_stream *st, size_t max, struct buf *out, size_t *n_raw,
			  int *eof)
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
		rc = tstream_read(st->ts, st->pos + *n_raw, want, &raw, &e);
		if (!rc && e && !*n_raw)
			*eof = 1;
		if (rc || !raw.len)
			break;
		rc = io_add_base64(out, raw.data, raw.len);
		*n_raw += raw.len;
		max -= raw.len;
		if (raw.len < want)
			break; /* the end of the stream */
	}
	buf_clear(&raw);
	return rc;
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
	const char *handle = json_string_value(json_object_get(c->params, "handle"));

	tracing_knobs(&k);
	/* Chrome checks the size before it looks the handle up. */
	if (size && json_integer_value(size) <= 0)
		return call_error(c, CDP_INVALID_PARAMS, "Invalid max read size", NULL);
	struct io_stream **pp = handle ? io_find(c->session, handle) : NULL;
	if (!pp)
		return call_error(c, CDP_INVALID_PARAMS, "Invalid stream handle", NULL);
	struct io_stream *st = *pp;
	/* A negative offset is ignored: the read continues where it was. */
	if (offset && json_integer_value(offset) >= 0)
		st->pos = (uint64_t)json_integer_value(offset);
	size_t max = k.io.read_chunk;
	if (size && (uint64_t)json_integer_value(size) < max)
		max = (size_t)json_integer_value(size);

	struct buf b;
	size_t n_raw = 0;
	int eof = 0;
	int rc = call_reply_begin(c, &b);
	if (!rc)
		rc = buf_reserve(&b, (st->base64 ? max / 3 * 4 + 4 : max + max / 8) + 64);
	if (!rc)
		rc = buf_adds(&b, st->base64 ? "{\"base64Encoded\":true,\"data\":\""
					     : "{\"base64Encoded\":false,\"data\":\"");
	if (!rc && st->base64)
		rc = io_read_base64(st, max, &b, &n_raw, &eof);
	else if (!rc)
		rc = tstream_read_json(st->ts, st->pos, max, &b, &n_raw, &eof);
	if (!rc) {
		st->pos += n_raw;
		rc =
		    buf_adds(&b, eof && !k.io.never_eof ? "\",\"eof\":true}" : "\",\"eof\":false}");
	}
	if (rc) {
		journal_note(c->conn, "IO.read %s: %s", handle, cdpm_strerror(rc));
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

/* IO.close {handle} -> {}; a second close is an unknown handle. */
static int io_close(struct call *c)
{
	const char *handle = json_string_value(json_object_get(c->params, "handle"));
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
    "IO", TARGET_BROWSER | TARGET_PAGE, io_methods, CDPM_ARRAY_LEN(io_methods), io_session_gone,
};
