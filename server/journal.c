/* journal.c - JSON Lines record of the wire, to a file and a bounded ring
 * (see journal.h). */
#include "journal.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "clock.h"

/* The ring: one block of journal_ring_max bytes, allocated when the limit
 * is set, holding records oldest first from ring_head to ring_tail.  A
 * record is its header and its line, 8-byte aligned, never split by the
 * block's end: a record that does not fit before the end starts again at
 * offset 0, and the gap left (too small for a header, or holding a header
 * with len JOURNAL_WRAP) says so.  Adding drops the oldest records until
 * the new one fits: no allocation per line. */
struct journal_rec {
	uint32_t len;     /* the line's bytes, or JOURNAL_WRAP */
	unsigned conn;
	char dir;         /* 'i', 'o' or 'n' */
	char method[55];  /* "" when unknown */
};
#define JOURNAL_WRAP UINT32_MAX
#define JOURNAL_ALIGN(n) (((n) + 7) & ~(size_t)7)

static FILE *journal_fp;
static journal_tap_fn journal_out_tap;
static char *ring;
static size_t journal_ring_max, ring_head, ring_tail, ring_count;
/* Where lines are formatted: kept between lines. */
static struct buf journal_scratch;

int journal_open(const char *path)
{
	if (journal_fp)
		fclose(journal_fp);
	journal_fp = fopen(path, "w");
	if (!journal_fp)
		return CDPM_EIO;
	/* Fully buffered: the loop flushes before it waits (journal_flush),
	 * so a line costs no write(2) of its own and none waits long. */
	setvbuf(journal_fp, NULL, _IOFBF, 1 << 16);
	return 0;
}

void journal_ring_clear(void)
{
	ring_head = ring_tail = ring_count = 0;
}

void journal_close(void)
{
	if (journal_fp)
		fclose(journal_fp);
	journal_fp = NULL;
	journal_ring_limit(0);
	buf_clear(&journal_scratch);
}

/* The record at off, past a wrap gap: its offset. */
static size_t ring_at(size_t off)
{
	if (journal_ring_max - off < sizeof(struct journal_rec) ||
	    ((const struct journal_rec *)(ring + off))->len == JOURNAL_WRAP)
		return 0;
	return off;
}

static size_t ring_rec_size(const struct journal_rec *r)
{
	return JOURNAL_ALIGN(sizeof(*r) + r->len);
}

static void ring_drop_oldest(void)
{
	ring_head = ring_at(ring_head);
	ring_head += ring_rec_size((const struct journal_rec *)(ring + ring_head));
	if (--ring_count == 0)
		ring_head = ring_tail = 0;
}

void journal_ring_limit(size_t bytes)
{
	bytes &= ~(size_t)7;
	if (bytes == journal_ring_max)
		return;
	/* A new size starts an empty ring (it is set at start-up and by
	 * tests, never with lines worth keeping across). */
	free(ring);
	ring = bytes ? malloc(bytes) : NULL;
	journal_ring_max = ring ? bytes : 0;
	journal_ring_clear();
}

int journal_ring_on(void)
{
	return journal_ring_max != 0;
}

static void journal_ring_add(unsigned conn, const char *dir, const char *method,
			     const struct buf *line)
{
	size_t need = JOURNAL_ALIGN(sizeof(struct journal_rec) + line->len);
	if (!journal_ring_max || need > journal_ring_max)
		return; /* no ring, or a line bigger than the whole ring */
	for (;;) {
		if (!ring_count) {
			ring_head = ring_tail = 0;
			break;
		}
		if (ring_tail > ring_head || (ring_tail == ring_head && ring_head == 0)) {
			/* Records in [head, tail); free: [tail, max) and [0, head). */
			if (journal_ring_max - ring_tail >= need)
				break;
			if (journal_ring_max - ring_tail >= sizeof(struct journal_rec))
				((struct journal_rec *)(ring + ring_tail))->len = JOURNAL_WRAP;
			ring_tail = 0;
			if (ring_head == 0)
				ring_drop_oldest();
			continue;
		}
		/* Records in [head, max) and [0, tail) (tail == head: full);
		 * free: [tail, head). */
		if (ring_head - ring_tail >= need)
			break;
		ring_drop_oldest();
		if (ring_count && ring_at(ring_head) == 0 && ring_head != 0)
			ring_head = 0; /* the oldest now sits past a wrap gap */
	}
	struct journal_rec *r = (struct journal_rec *)(ring + ring_tail);
	r->len = (uint32_t)line->len;
	r->conn = conn;
	r->dir = dir[0];
	snprintf(r->method, sizeof(r->method), "%s", method ? method : "");
	memcpy(r + 1, line->data, line->len);
	ring_tail += need;
	ring_count++;
}

int journal_ring_dump(struct buf *out, const char *method, unsigned conn, const char *dir)
{
	size_t off = ring_head;
	for (size_t i = 0; i < ring_count; i++) {
		off = ring_at(off);
		const struct journal_rec *r = (const struct journal_rec *)(ring + off);
		off += ring_rec_size(r);
		if ((method && strcmp(r->method, method)) || (conn && r->conn != conn) ||
		    (dir && r->dir != dir[0]))
			continue;
		buf_add(out, (const char *)(r + 1), r->len);
	}
	return buf_finish(out);
}

static void journal_head_fields(struct buf *b, unsigned conn, const char *dir,
				const char *session_id)
{
	buf_adds(b, "{\"t\":");
	buf_add_i64(b, clock_now_us());
	buf_adds(b, ",\"conn\":");
	buf_add_u64(b, conn);
	buf_adds(b, ",\"dir\":\"");
	buf_adds(b, dir);
	buf_addc(b, '"');
	if (session_id && *session_id) {
		buf_adds(b, ",\"sessionId\":");
		buf_add_json_str(b, session_id, strlen(session_id), 1);
	}
}

/* The line buffer, emptied: its storage is kept between lines. */
static struct buf *journal_scratch_begin(void)
{
	static int ready;
	if (!ready)
		buf_init(&journal_scratch, 0);
	ready = 1;
	buf_reset(&journal_scratch);
	return &journal_scratch;
}

static void journal_scratch_done(struct buf *b)
{
	if (b->alloc > ((size_t)1 << 20))
		buf_clear(b); /* a rare big line: do not keep its memory */
	else
		buf_reset(b);
}

static void journal_emit(unsigned conn, const char *dir, const char *method, struct buf *b)
{
	buf_adds(b, "}\n");
	int rc = buf_finish(b);
	if (rc) {
		/* Never half a line: the file says one was lost, in a line
		 * that needs no memory; the ring (best effort) skips it. */
		if (journal_fp) {
			fprintf(journal_fp,
				"{\"t\":%lld,\"conn\":%u,\"dir\":\"note\",\"text\":\"the "
				"journal lost an '%s' line: %s\"}\n",
				(long long)clock_now_us(), conn, dir, cdpm_strerror(rc));
			fflush(journal_fp);
		}
		journal_scratch_done(b);
		return;
	}
	if (journal_fp)
		fwrite(b->data, 1, b->len, journal_fp);
	journal_ring_add(conn, dir, method, b);
	journal_scratch_done(b);
}

void journal_flush(void)
{
	if (journal_fp)
		fflush(journal_fp);
}

/* 1 when a line has somewhere to go: nothing is formatted otherwise. */
static int journal_wanted(void)
{
	return journal_fp || journal_ring_max;
}

static void journal_line(unsigned conn, const char *dir, const char *session_id,
			 const char *text, size_t len, int is_json, const char *method)
{
	if (!journal_wanted())
		return;
	struct buf *b = journal_scratch_begin();
	journal_head_fields(b, conn, dir, session_id);
	if (len > JOURNAL_MAX_MSG) {
		buf_adds(b, ",\"len\":");
		buf_add_u64(b, len);
		buf_adds(b, ",\"head\":");
		buf_add_json_str(b, text, 256, 1);
	} else if (is_json) {
		buf_adds(b, ",\"msg\":");
		buf_add(b, text, len);
	} else {
		buf_adds(b, ",\"text\":");
		buf_add_json_str(b, text, len, 1);
	}
	journal_emit(conn, dir, method, b);
}

/* ---- -v: one line per event on stderr ---- */

static int journal_v, journal_v_colour;

void journal_verbose(int on, int colour)
{
	journal_v = on;
	journal_v_colour = colour;
}

static const char *journal_c(const char *code)
{
	return journal_v_colour ? code : "";
}

#define JV_RESET "\033[0m"
#define JV_DIM "\033[2m"
#define JV_IN "\033[36m"
#define JV_REPLY "\033[32m"
#define JV_EVENT "\033[33m"
#define JV_ERROR "\033[31m"

/* The number after "id": at the start of a reply (JSON we wrote), or -1. */
static long long journal_v_id(const char *text, size_t len)
{
	if (len < 7 || strncmp(text, "{\"id\":", 6))
		return -1;
	long long id = 0;
	for (size_t i = 6; i < len && i < 26 && text[i] >= '0' && text[i] <= '9'; i++)
		id = id * 10 + (text[i] - '0');
	return id;
}

static void journal_v_line(unsigned conn, int in, const char *text, size_t len,
			   const char *session_id, const char *method)
{
	long long id = journal_v_id(text, len);
	const char *what = in ? "->" : "<-", *colour = JV_IN, *kind = "";
	if (!in) {
		/* Replies start with their id; an error's next key is "error". */
		int err = id >= 0 && memmem(text, len < 64 ? len : 64, "\"error\":", 8);
		colour = id < 0 ? JV_EVENT : err ? JV_ERROR : JV_REPLY;
		kind = id < 0 ? "" : err ? " error" : " reply";
	}
	fprintf(stderr, "cdpmock: #%u %s %s%s%s%s", conn, what, journal_c(colour),
		method ? method : len && text[0] == '{' ? "(message)" : "(not JSON)", kind,
		journal_c(JV_RESET));
	if (id >= 0 && in == 0)
		fprintf(stderr, " id=%lld", id);
	if (session_id && *session_id)
		fprintf(stderr, " %s(session %.8s)%s", journal_c(JV_DIM), session_id,
			journal_c(JV_RESET));
	fprintf(stderr, " %zu B\n", len);
}

void journal_conn_end(unsigned conn, const char *kind)
{
	if (journal_v)
		fprintf(stderr, "cdpmock: #%u %s%s closed%s\n", conn, journal_c(JV_DIM), kind,
			journal_c(JV_RESET));
}

void journal_in(unsigned conn, const char *text, size_t len, int is_json,
		const char *session_id, const char *method)
{
	if (journal_v)
		journal_v_line(conn, 1, text, len, session_id, method);
	journal_line(conn, "in", session_id, text, len, is_json, method);
}

int journal_observed(void)
{
	return journal_wanted() || journal_v || journal_out_tap;
}

void journal_out(unsigned conn, const char *text, size_t len, const char *session_id,
		 const char *method)
{
	/* Scenario mutations can make a message that is not JSON any more. */
	int is_json = len && text[0] == '{' && text[len - 1] == '}';
	if (journal_v)
		journal_v_line(conn, 0, text, len, session_id, method);
	journal_line(conn, "out", session_id, text, len, is_json, method);
	if (is_json && journal_out_tap)
		journal_out_tap(conn, text, len, method);
}

void journal_out_big(unsigned conn, const char *head, size_t head_len, uint64_t total,
		     const char *session_id)
{
	if (journal_v)
		fprintf(stderr, "cdpmock: #%u <- %s(generated)%s %llu B\n", conn,
			journal_c(JV_EVENT), journal_c(JV_RESET), (unsigned long long)total);
	if (!journal_wanted())
		return;
	struct buf *b = journal_scratch_begin();
	journal_head_fields(b, conn, "out", session_id);
	buf_adds(b, ",\"len\":");
	buf_add_u64(b, total);
	buf_adds(b, ",\"head\":");
	buf_add_json_str(b, head, head_len < 256 ? head_len : 256, 1);
	journal_emit(conn, "out", NULL, b);
}

void journal_note(unsigned conn, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (journal_v)
		fprintf(stderr, "cdpmock: #%u %s%s%s\n", conn, journal_c(JV_DIM), msg,
			journal_c(JV_RESET));
	journal_line(conn, "note", NULL, msg, strlen(msg), 0, NULL);
}

void journal_note_json(unsigned conn, const char *json, size_t len)
{
	journal_line(conn, "note", NULL, json, len, 1, NULL);
}

void journal_set_out_tap(journal_tap_fn fn)
{
	journal_out_tap = fn;
}
