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

/* One line of the ring; the text follows the struct. */
struct journal_entry {
	unsigned conn;
	char dir;              /* 'i', 'o' or 'n' */
	char method[64];       /* "" when unknown */
	size_t len;
	size_t mem;            /* the block as malloc sized it */
	char line[];
};

static FILE *journal_fp;
static journal_tap_fn journal_out_tap;
static struct journal_entry *journal_ring[JOURNAL_RING_LINES];
static size_t journal_head, journal_count, journal_bytes;
static size_t journal_ring_max;

int journal_open(const char *path)
{
	if (journal_fp)
		fclose(journal_fp);
	journal_fp = fopen(path, "w");
	return journal_fp ? 0 : CDPM_EIO;
}

void journal_ring_clear(void)
{
	for (size_t i = 0; i < journal_count; i++)
		free(journal_ring[(journal_head + i) % JOURNAL_RING_LINES]);
	journal_head = journal_count = journal_bytes = 0;
}

void journal_close(void)
{
	if (journal_fp)
		fclose(journal_fp);
	journal_fp = NULL;
	journal_ring_clear();
}

static void journal_ring_drop_oldest(void)
{
	struct journal_entry *e = journal_ring[journal_head];
	journal_bytes -= e->mem;
	free(e);
	journal_head = (journal_head + 1) % JOURNAL_RING_LINES;
	journal_count--;
}

void journal_ring_limit(size_t bytes)
{
	journal_ring_max = bytes;
	while (journal_count && journal_bytes > journal_ring_max)
		journal_ring_drop_oldest();
}

int journal_ring_on(void)
{
	return journal_ring_max != 0;
}

static void journal_ring_add(unsigned conn, const char *dir, const char *method,
			     const struct buf *line)
{
	if (!journal_ring_max)
		return;
	struct journal_entry *e = malloc(sizeof(*e) + line->len + 1);
	if (!e)
		return; /* the ring is best effort; the file journal is complete */
	e->conn = conn;
	e->dir = dir[0];
	snprintf(e->method, sizeof(e->method), "%s", method ? method : "");
	e->len = line->len;
	e->mem = malloc_usable_size(e);
	memcpy(e->line, line->data, line->len + 1);
	while (journal_count && (journal_count == JOURNAL_RING_LINES ||
				 journal_bytes + e->mem > journal_ring_max))
		journal_ring_drop_oldest();
	if (e->mem > journal_ring_max) {
		free(e); /* a line bigger than the whole ring */
		return;
	}
	journal_ring[(journal_head + journal_count) % JOURNAL_RING_LINES] = e;
	journal_count++;
	journal_bytes += e->mem;
}

int journal_ring_dump(struct buf *out, const char *method, unsigned conn, const char *dir)
{
	for (size_t i = 0; i < journal_count; i++) {
		const struct journal_entry *e = journal_ring[(journal_head + i) % JOURNAL_RING_LINES];
		if ((method && strcmp(e->method, method)) || (conn && e->conn != conn) ||
		    (dir && e->dir != dir[0]))
			continue;
		buf_add(out, e->line, e->len);
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
		buf_clear(b);
		return;
	}
	if (journal_fp) {
		fwrite(b->data, 1, b->len, journal_fp);
		fflush(journal_fp);
	}
	journal_ring_add(conn, dir, method, b);
	buf_clear(b);
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
	struct buf b;
	buf_init(&b, 0);
	journal_head_fields(&b, conn, dir, session_id);
	if (len > JOURNAL_MAX_MSG) {
		buf_adds(&b, ",\"len\":");
		buf_add_u64(&b, len);
		buf_adds(&b, ",\"head\":");
		buf_add_json_str(&b, text, 256, 1);
	} else if (is_json) {
		buf_adds(&b, ",\"msg\":");
		buf_add(&b, text, len);
	} else {
		buf_adds(&b, ",\"text\":");
		buf_add_json_str(&b, text, len, 1);
	}
	journal_emit(conn, dir, method, &b);
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
	struct buf b;
	if (journal_v)
		fprintf(stderr, "cdpmock: #%u <- %s(generated)%s %llu B\n", conn,
			journal_c(JV_EVENT), journal_c(JV_RESET), (unsigned long long)total);
	if (!journal_wanted())
		return;
	buf_init(&b, 0);
	journal_head_fields(&b, conn, "out", session_id);
	buf_adds(&b, ",\"len\":");
	buf_add_u64(&b, total);
	buf_adds(&b, ",\"head\":");
	buf_add_json_str(&b, head, head_len < 256 ? head_len : 256, 1);
	journal_emit(conn, "out", NULL, &b);
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
