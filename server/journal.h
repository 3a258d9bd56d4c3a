/* journal.h - the record of every frame in and out, as JSON Lines, written
 * to --journal FILE and kept in a bounded in-memory ring for the admin API
 * (GET /mock/journal).  One line per message:
 *   {"t":<µs>,"conn":N,"dir":"in"|"out"|"note","sessionId":"..","msg":{..}}
 * "msg" holds the message itself when it is JSON; otherwise "text" holds it
 * as a string.  Messages over JOURNAL_MAX_MSG bytes are recorded by size and
 * head only ("len", "head") so a 1 GB trace does not become a 1 GB journal. */
#ifndef CDPM_JOURNAL_H
#define CDPM_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define JOURNAL_MAX_MSG ((size_t)64 * 1024)
/* The ring keeps the newest lines in one block of journal_ring_limit()
 * bytes (--journal-ring), allocated when the limit is set: no allocation
 * per line.  It is off by default: an idle server after a load must be as
 * small as a fresh one, and a ring holds its memory for good. */

/* journal_open() - starts writing to path (truncates).  0 or CDPM_EIO. */
int journal_open(const char *path);
/* journal_ring_limit() - the ring's size in bytes (0: no ring; GET
 * /mock/journal then answers nothing).  A new size starts an empty ring. */
void journal_ring_limit(size_t bytes);
/* journal_ring_on() - 1 when a ring is kept. */
int journal_ring_on(void);
/* journal_close() - closes the file and empties the ring. */
void journal_close(void);
/* journal_flush() - writes out what the file journal buffers: the loop
 * calls it before it waits, so a reader never waits on an idle server. */
void journal_flush(void);
/* Every line names its connection by number (struct conn's id; 0: none). */

/* journal_in() - a message from the client; is_json says it parsed; method
 * (may be NULL) is its "method", for the ring's filter. */
void journal_in(unsigned conn, const char *text, size_t len, int is_json,
		const char *session_id, const char *method);
/* journal_out() - a message to the client; method: an event's name, or the
 * command a reply answers (NULL when unknown). */
/* journal_observed() - whether anything reads outgoing messages: the
 * journal file or ring, -v, or an out tap.  When nothing does, a sender
 * need not work out a reply's method for journal_out(). */
int journal_observed(void);
void journal_out(unsigned conn, const char *text, size_t len, const char *session_id,
		 const char *method);
/* journal_out_big() - a message of total bytes whose first head_len bytes
 * are head (a lazily generated one). */
void journal_out_big(unsigned conn, const char *head, size_t head_len, uint64_t total,
		     const char *session_id);
/* journal_note() - a remark (ignored flag, dropped connection, ...). */
void journal_note(unsigned conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* journal_note_json() - a remark whose "msg" is the len bytes of JSON
 * object json (for machine readers: server/digest.h). */
void journal_note_json(unsigned conn, const char *json, size_t len);

/* A tap on every outgoing message that journal_out() records (text is the
 * message, method as for journal_out()).  Installed from above (main.c,
 * for --digests); NULL removes it. */
typedef void (*journal_tap_fn)(unsigned conn, const char *text, size_t len,
			       const char *method);
void journal_set_out_tap(journal_tap_fn fn);

/* journal_verbose() - with on, every message, note and connection end is
 * also told on stderr in one short line (-v): "#3 -> Tracing.start id=5
 * (session 1A2B...) 87 B"; colour: ANSI colours (stderr is a terminal). */
void journal_verbose(int on, int colour);
/* journal_conn_end() - connection conn is gone (told only with -v). */
void journal_conn_end(unsigned conn, const char *kind);

/* journal_ring_dump() - appends the ring's lines (oldest first) to out:
 * only those whose method equals method (NULL: all), of connection conn (0:
 * all) and direction dir ("in", "out", "note"; NULL: all).  0 or
 * CDPM_ENOMEM / CDPM_ETOOBIG. */
int journal_ring_dump(struct buf *out, const char *method, unsigned conn, const char *dir);
/* journal_ring_clear() - forgets every line in the ring. */
void journal_ring_clear(void);

#endif
