/* record.h - the recording proxy (cdpmock --record-upstream URL --record
 * FILE): discovery and every WebSocket are forwarded to an upstream
 * browser, the URLs it returns point back at cdpmock, and the session is
 * written as a scenario file that replays it (docs/record.md). */
#ifndef CDPM_RECORD_H
#define CDPM_RECORD_H

struct conn_hooks;

/* record_init() - upstream is "http://HOST:PORT"; file the scenario to
 * write; redact the --record-redact specs (NULL-terminated, borrowed for
 * the process's life).  0, or CDPM_EINVAL with a message on stderr. */
int record_init(const char *upstream, const char *file, const char *const *redact);
/* record_hooks() - the connection hooks that proxy and record. */
const struct conn_hooks *record_hooks(void);
/* record_write() - writes FILE (and FILE.d/) from what was recorded so far.
 * 0 or CDPM_E* (with a message on stderr). */
int record_write(void);
/* record_fini() - writes the file one last time and frees everything. */
void record_fini(void);

#endif
