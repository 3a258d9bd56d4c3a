/* journal.c - JSON Lines record of the wire (see journal.h). */
#include "journal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "clock.h"
#include "conn.h"

static FILE *journal_fp;

int journal_open(const char *path)
{
	journal_close();
	journal_fp = fopen(path, "w");
	return journal_fp ? 0 : CDPM_EIO;
}

void journal_close(void)
{
	if (journal_fp)
		fclose(journal_fp);
	journal_fp = NULL;
}

static void journal_line(const struct conn *c, const char *dir, const char *session_id,
			 const char *text, size_t len, int is_json)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "{\"t\":");
	buf_add_i64(&b, clock_now_us());
	buf_adds(&b, ",\"conn\":");
	buf_add_u64(&b, c ? c->id : 0);
	buf_adds(&b, ",\"dir\":\"");
	buf_adds(&b, dir);
	buf_addc(&b, '"');
	if (session_id && *session_id) {
		buf_adds(&b, ",\"sessionId\":");
		buf_add_json_str(&b, session_id, strlen(session_id), 1);
	}
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
	buf_adds(&b, "}\n");
	fwrite(b.data, 1, b.len, journal_fp);
	fflush(journal_fp);
	buf_clear(&b);
}

void journal_in(const struct conn *c, const char *text, size_t len, int is_json,
		const char *session_id)
{
	if (journal_fp)
		journal_line(c, "in", session_id, text, len, is_json);
}

void journal_out(const struct conn *c, const char *text, size_t len, const char *session_id)
{
	if (journal_fp)
		journal_line(c, "out", session_id, text, len, 1);
}

void journal_note(const struct conn *c, const char *fmt, ...)
{
	if (!journal_fp)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	journal_line(c, "note", NULL, msg, strlen(msg), 0);
}
