/* journal.h - the record of every frame in and out, as JSON Lines, for
 * --journal FILE (and later the admin API).  One line per message:
 *   {"t":<µs>,"conn":N,"dir":"in"|"out"|"note","sessionId":"..","msg":{..}}
 * "msg" holds the message itself when it is JSON; otherwise "text" holds it
 * as a string.  Messages over JOURNAL_MAX_MSG bytes are recorded by size and
 * head only ("len", "head") so a 1 GB trace does not become a 1 GB journal. */
#ifndef CDPM_JOURNAL_H
#define CDPM_JOURNAL_H

#include <stddef.h>

struct conn;

#define JOURNAL_MAX_MSG ((size_t)64 * 1024)

/* journal_open() - starts writing to path (truncates).  0 or CDPM_EIO. */
int journal_open(const char *path);
void journal_close(void);
/* journal_in() - a message from the client; is_json says it parsed. */
void journal_in(const struct conn *c, const char *text, size_t len, int is_json,
		const char *session_id);
/* journal_out() - a message to the client. */
void journal_out(const struct conn *c, const char *text, size_t len, const char *session_id);
/* journal_note() - a remark (ignored flag, dropped connection, ...). */
void journal_note(const struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
